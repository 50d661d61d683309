// SPDX-License-Identifier: Apache-2.0
/**
 * sops' value cipher: AES-256-GCM with a 32-byte nonce, the value's key path (`a:b:c:`) as
 * additional data, and the encoding `ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:<t>]`.
 * The type restores the Go value: `str`, `int`, `float`, `bool`, `bytes`, `time`, `comment`.
 */
import { createDecipheriv } from 'node:crypto';
import { DecryptionError } from './errors.ts';
import { comment, goFloat, goInt, parseGoBool, type TreeValue } from './values.ts';

const ENC = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;

/** True when a string looks like a sops-encrypted value. */
export function isEncryptedValue(s: string): boolean {
  return ENC.test(s);
}

function b64(s: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
    throw new DecryptionError('ValueDecryptFailed', `Error base64-decoding ${what}`);
  }
  return Buffer.from(s, 'base64');
}

/**
 * Decrypts one value (`aes.Cipher.Decrypt`). An empty string stays empty.
 * @throws DecryptionError `ValueDecryptFailed` on a malformed value, a wrong key or tampering.
 */
export function decryptValue(ciphertext: string, key: Uint8Array, additionalData: string): TreeValue {
  if (ciphertext === '') return '';
  const m = ENC.exec(ciphertext);
  if (!m) {
    // sops' message with the value redacted, as Flux does (safeDecrypt).
    throw new DecryptionError('ValueDecryptFailed', "Input string <redacted> does not match sops' data format");
  }
  const data = b64(m[1]!, 'data');
  const iv = b64(m[2]!, 'iv');
  const tag = b64(m[3]!, 'tag');
  const type = m[4]!;
  let plain: Buffer;
  try {
    if (key.length !== 32) throw new Error('invalid key size');
    if (tag.length !== 16) throw new Error('invalid tag size');
    const d = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    d.setAAD(Buffer.from(additionalData, 'utf8'));
    d.setAuthTag(tag);
    plain = Buffer.concat([d.update(data), d.final()]);
  } catch (err) {
    throw new DecryptionError('ValueDecryptFailed', `Could not decrypt with AES_GCM: ${(err as Error).message}`, { cause: err });
  }
  return typedValue(plain, type);
}

/** Converts decrypted bytes to the value of the encrypted `type`. */
function typedValue(plain: Buffer, type: string): TreeValue {
  const text = plain.toString('utf8');
  switch (type) {
    case 'str':
      return text;
    case 'int':
      if (!/^[+-]?\d+$/.test(text)) throw new DecryptionError('ValueDecryptFailed', `strconv.Atoi: parsing "${text}": invalid syntax`);
      return goInt(BigInt(text));
    case 'float': {
      const f = Number(text);
      if (text.trim() === '' || Number.isNaN(f) && !/^[+-]?nan$/i.test(text)) {
        throw new DecryptionError('ValueDecryptFailed', `strconv.ParseFloat: parsing "${text}": invalid syntax`);
      }
      return goFloat(f);
    }
    case 'bytes':
      return { t: 'bytes', v: new Uint8Array(plain) };
    case 'bool': {
      const b = parseGoBool(text);
      if (b === undefined) throw new DecryptionError('ValueDecryptFailed', `strconv.ParseBool: parsing "${text}": invalid syntax`);
      return b;
    }
    case 'time':
      if (Number.isNaN(Date.parse(text))) throw new DecryptionError('ValueDecryptFailed', 'invalid encrypted timestamp');
      return { t: 'time', v: text };
    case 'comment':
      return comment(text);
    default:
      throw new DecryptionError('ValueDecryptFailed', `Unknown datatype: ${type}`);
  }
}
