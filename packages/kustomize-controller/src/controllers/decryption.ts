// SPDX-License-Identifier: Apache-2.0
/**
 * Loading a Kustomization's SOPS keys (kustomize-controller `Decryptor.ImportKeys`): entries of
 * the `spec.decryption.secretRef` Secret ending in `.agekey` are age key files, entries ending in
 * `.asc` armored PGP keys; cloud KMS and Vault credentials are not supported. Without a
 * `secretRef`, the controller-wide age Secret (`--sops-age-secret`) is used when configured.
 */
import type { Kustomization } from '@eddy/api';
import type { KubeClient } from '@eddy/runtime/client';
import { SopsDecryptor } from '../decrypt/decryptor.ts';
import { DecryptionError } from '../decrypt/errors.ts';
import { KeyRing } from '../decrypt/keys.ts';

/** Options of {@link loadDecryptor}. */
export interface DecryptionOptions {
  /** The controller-wide age keys Secret (`--sops-age-secret` in the runtime namespace). */
  sopsAgeSecret?: { name: string; namespace: string };
  /** Verify SOPS MACs (Flux never does). @default false */
  verifyMac?: boolean;
}

type Secret = { data?: Record<string, string> };

/**
 * Builds the decryptor of a Kustomization, or `undefined` when decryption is not configured.
 * @throws DecryptionError when the Secret is missing or holds an invalid key.
 */
export async function loadDecryptor(client: KubeClient, obj: Kustomization, opts: DecryptionOptions = {}): Promise<SopsDecryptor | undefined> {
  const d = obj.spec.decryption;
  if (!d) return undefined;
  if (d.provider !== 'sops') throw new DecryptionError('InvalidMetadata', `decryption provider '${d.provider}' is not supported`);
  const keys = new KeyRing();
  const ref = keySecretRef(obj, opts);
  if (ref) await importKeys(client, keys, ref);
  return new SopsDecryptor(keys, { verifyMac: opts.verifyMac ?? false });
}

type KeySecretRef = { namespace: string; name: string; global: boolean };

/** The Secret holding the keys: `spec.decryption.secretRef`, else the controller-wide age Secret. */
function keySecretRef(obj: Kustomization, opts: DecryptionOptions): KeySecretRef | undefined {
  const secretRef = obj.spec.decryption?.secretRef;
  if (secretRef) return { namespace: obj.metadata.namespace ?? '', name: secretRef.name, global: false };
  return opts.sopsAgeSecret ? { ...opts.sopsAgeSecret, global: true } : undefined;
}

/** Imports `.agekey` (and, for a Kustomization's own Secret, `.asc`) entries into `keys`. */
async function importKeys(client: KubeClient, keys: KeyRing, ref: KeySecretRef): Promise<void> {
  const secret = await client.get<Secret & { apiVersion: string; kind: string; metadata: Record<string, unknown> }>({ apiVersion: 'v1', kind: 'Secret', namespace: ref.namespace, name: ref.name });
  if (!secret) throw new DecryptionError('InvalidKey', `secrets "${ref.name}" not found`);
  for (const [name, b64] of Object.entries(secret.data ?? {})) {
    const value = Buffer.from(b64, 'base64').toString('utf8');
    try {
      if (name.endsWith('.agekey')) keys.importAge(value);
      else if (name.endsWith('.asc') && !ref.global) await keys.importPgp(value);
    } catch (err) {
      throw new DecryptionError('InvalidKey', `failed to import '${name}' data from sops decryption Secret '${ref.namespace}/${ref.name}': ${(err as Error).message}`);
    }
  }
}
