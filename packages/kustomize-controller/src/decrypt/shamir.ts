// SPDX-License-Identifier: Apache-2.0
/**
 * Combining Shamir shares the way sops does (the HashiCorp Vault scheme it vendors): each share
 * is the secret-length y-values followed by one x-coordinate byte, over GF(2^8) with the AES
 * polynomial; the secret is the Lagrange interpolation at x = 0.
 */
import { DecryptionError } from './errors.ts';

function mul(a: number, b: number): number {
  let r = 0;
  let x = a;
  let y = b;
  while (y > 0) {
    if (y & 1) r ^= x;
    x <<= 1;
    if (x & 0x100) x ^= 0x11b;
    y >>= 1;
  }
  return r;
}

function inv(a: number): number {
  // a^254 = a^-1 in GF(2^8)
  let r = 1;
  let base = a;
  let e = 254;
  while (e > 0) {
    if (e & 1) r = mul(r, base);
    base = mul(base, base);
    e >>= 1;
  }
  return r;
}

/**
 * Reconstructs the secret from at least `threshold` shares.
 * @throws DecryptionError on inconsistent shares.
 */
export function combineShares(shares: Uint8Array[]): Uint8Array {
  if (shares.length < 2) throw new DecryptionError('NoDataKey', 'could not get data key from shamir parts: less than two parts');
  const len = shares[0]!.length;
  if (len < 2 || shares.some((s) => s.length !== len)) {
    throw new DecryptionError('NoDataKey', 'could not get data key from shamir parts: all parts must be the same length');
  }
  const xs = shares.map((s) => s[len - 1]!);
  if (new Set(xs).size !== xs.length) throw new DecryptionError('NoDataKey', 'could not get data key from shamir parts: duplicate part detected');
  const secret = new Uint8Array(len - 1);
  for (let idx = 0; idx < len - 1; idx++) {
    let acc = 0;
    for (let i = 0; i < shares.length; i++) {
      let basis = 1;
      for (let j = 0; j < shares.length; j++) {
        if (i === j) continue;
        // (0 - x_j) / (x_i - x_j) in GF(2^8): subtraction is XOR.
        basis = mul(basis, mul(xs[j]!, inv(xs[i]! ^ xs[j]!)));
      }
      acc ^= mul(shares[i]![idx]!, basis);
    }
    secret[idx] = acc;
  }
  return secret;
}
