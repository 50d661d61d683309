// SPDX-License-Identifier: Apache-2.0
/**
 * Master keys: recovering a file's data key from its key groups (`Metadata.GetDataKey`). Keys in a
 * group are tried in sops' default decryption order (age, then PGP, then the rest in file order);
 * one success per group is enough; several groups are combined with Shamir's secret sharing.
 * age identities come from `*.agekey` entries (X25519 `AGE-SECRET-KEY-1…`, and the hybrid
 * post-quantum kind), PGP keys from `*.asc` entries (armored, passwordless private keys).
 * Cloud KMS and Vault keys are not supported and are reported per key.
 */
import { Decrypter, armor } from 'age-encryption';
import { decrypt as pgpDecrypt, readMessage, readPrivateKeys, type PrivateKey } from 'openpgp';
import { DecryptionError } from './errors.ts';
import type { MasterKey, SopsMetadata } from './metadata.ts';
import { combineShares } from './shamir.ts';

/** The decryption keys available to a Kustomization. */
export class KeyRing {
  private readonly ageIdentities: string[] = [];
  private readonly pgpKeys: PrivateKey[] = [];

  /** Number of imported keys. */
  get size(): number {
    return this.ageIdentities.length + this.pgpKeys.length;
  }

  /**
   * Imports an age key file: one identity per line, blank lines and `#` comments ignored.
   * @throws DecryptionError `InvalidKey`
   */
  importAge(text: string): void {
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      if (line.startsWith('AGE-PLUGIN-')) {
        throw new DecryptionError('InvalidKey', 'failed to parse and add to age identities: age plugins are not supported');
      }
      if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(line)) {
        throw new DecryptionError('InvalidKey', 'failed to parse and add to age identities: unknown identity type');
      }
      this.ageIdentities.push(line);
    }
  }

  /**
   * Imports armored PGP private keys (a keyring may hold several).
   * @throws DecryptionError `InvalidKey`
   */
  async importPgp(armored: string): Promise<void> {
    try {
      const keys = await readPrivateKeys({ armoredKeys: armored });
      for (const k of keys) {
        if (!k.isDecrypted()) throw new Error('passphrase-protected keys are not supported');
        this.pgpKeys.push(k);
      }
    } catch (err) {
      throw new DecryptionError('InvalidKey', `failed to import PGP key: ${(err as Error).message}`, { cause: err });
    }
  }

  private async decryptAge(enc: string): Promise<Uint8Array> {
    if (this.ageIdentities.length === 0) throw new Error('no age identity found');
    const d = new Decrypter();
    for (const id of this.ageIdentities) d.addIdentity(id);
    try {
      return await d.decrypt(armor.decode(enc.trim() + '\n'));
    } catch (err) {
      throw new Error(`failed to create reader for decrypting sops data key with age: ${(err as Error).message}`);
    }
  }

  private async decryptPgp(enc: string): Promise<Uint8Array> {
    if (this.pgpKeys.length === 0) throw new Error('no PGP private key found');
    const message = await readMessage({ armoredMessage: enc });
    const { data } = await pgpDecrypt({ message, decryptionKeys: this.pgpKeys, format: 'binary' });
    return data as Uint8Array;
  }

  private async decryptKey(key: MasterKey): Promise<Uint8Array> {
    switch (key.type) {
      case 'age':
        return this.decryptAge(key.enc);
      case 'pgp':
        return this.decryptPgp(key.enc);
      default:
        throw new Error(`${key.type} keys are not supported by this controller`);
    }
  }

  private async decryptGroup(group: MasterKey[]): Promise<Uint8Array> {
    const order = (k: MasterKey): number => (k.type === 'age' ? 0 : k.type === 'pgp' ? 1 : 2);
    const sorted = group.map((k, i) => ({ k, i })).sort((a, b) => order(a.k) - order(b.k) || a.i - b.i);
    const errors: string[] = [];
    for (const { k } of sorted) {
      try {
        return await this.decryptKey(k);
      } catch (err) {
        errors.push(`${describe(k)}: FAILED - ${(err as Error).message}`);
      }
    }
    throw new Error(errors.join('; ') || 'empty key group');
  }

  /**
   * Recovers the data key of a file.
   * @throws DecryptionError `NoDataKey`
   */
  async dataKey(md: SopsMetadata): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    const results: string[] = [];
    for (const [i, g] of md.keyGroups.entries()) {
      try {
        parts.push(await this.decryptGroup(g));
        results.push(`Group ${i}: SUCCESS`);
      } catch (err) {
        results.push(`Group ${i}: FAILED: ${(err as Error).message}`);
      }
    }
    const fail = (why: string): DecryptionError =>
      new DecryptionError('NoDataKey', `cannot get sops data key: Failed to get the data key required to decrypt the SOPS file. ${results.join('. ')}. ${why}`);
    if (md.keyGroups.length > 1) {
      if (parts.length < md.shamirThreshold || parts.length === 0) {
        throw fail(`Recovery failed because only ${parts.length} of the required ${md.shamirThreshold} key groups could be decrypted.`);
      }
      return combineShares(parts.slice(0, Math.max(md.shamirThreshold, 1)));
    }
    if (parts.length !== 1) throw fail('Recovery failed because no master key was able to decrypt the file.');
    if (parts[0]!.length !== 32) throw new DecryptionError('NoDataKey', 'cannot get sops data key: the decrypted data key is not 32 bytes long');
    return parts[0]!;
  }
}

function describe(k: MasterKey): string {
  switch (k.type) {
    case 'age':
      return k.recipient;
    case 'pgp':
      return k.fingerprint;
    default:
      return k.id;
  }
}
