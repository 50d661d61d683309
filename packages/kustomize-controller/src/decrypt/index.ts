// SPDX-License-Identifier: Apache-2.0
/** SOPS decryption (age and OpenPGP keys; YAML, JSON, dotenv, INI and binary files). */
export * from './decryptor.ts';
export * from './errors.ts';
export { KeyRing } from './keys.ts';
export type { MasterKey, SopsMetadata } from './metadata.ts';
export * from './sops-file.ts';
