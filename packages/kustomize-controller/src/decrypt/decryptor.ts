// SPDX-License-Identifier: Apache-2.0
/**
 * Flux's SOPS decryptor (kustomize-controller `internal/decryptor`):
 *
 * - {@link SopsDecryptor.decryptSources}: before the build, decrypts in place the files the
 *   kustomization graph's `secretGenerator` `files`/`envs` and `patches` paths refer to, when they
 *   carry sops markers (regular files up to 5 MiB inside the root; format from the key or path,
 *   env files default to dotenv);
 * - {@link SopsDecryptor.decryptResource}: after the build, decrypts whole resources carrying a
 *   `sops` block (JSON in and out), or, for Secrets, every `data` entry whose content is sops
 *   data (output format from the entry's key, e.g. `config.yaml`, `.dockerconfigjson`).
 *
 * Resources and Secrets annotated `kustomize.toolkit.fluxcd.io/decrypt: Disabled` are left alone.
 * Like Flux, the MAC is not verified unless asked (kustomize edits decrypted resources).
 */
import { lstat, readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { parse } from 'yaml';
import { findKustomizationFile } from '../build/generator.ts';
import type { KubeObject } from '../build/manifests.ts';
import { isRemoteRef, secureJoin } from '../build/paths.ts';
import { DecryptionError } from './errors.ts';
import type { KeyRing } from './keys.ts';
import { metadataFromObject } from './metadata.ts';
import { FORMAT_MARKERS, decryptBranches, decryptWithFormat, detectFormat, formatForPath, plainToTree, treeToPlain, type SopsFormat } from './sops-file.ts';
import type { TreeBranch } from './values.ts';

/** The annotation that opts a resource out of decryption. */
export const DECRYPT_ANNOTATION = 'kustomize.toolkit.fluxcd.io/decrypt';
/** Flux's cap on the size of an encrypted source file. */
export const MAX_ENCRYPTED_FILE_SIZE = 5 << 20;

/** True when annotations carry `kustomize.toolkit.fluxcd.io/decrypt: disabled` (any case). */
export function isDecryptionDisabled(annotations: Record<string, string> | undefined): boolean {
  return (annotations?.[DECRYPT_ANNOTATION] ?? '').toLowerCase() === 'disabled';
}

/** True for a `v1` Secret that still has a top-level `sops` block (Flux `IsEncryptedSecret`). */
export function isEncryptedSecret(obj: KubeObject): boolean {
  return obj.kind === 'Secret' && obj.apiVersion === 'v1' && Object.prototype.hasOwnProperty.call(obj, 'sops');
}

function isSopsResource(obj: KubeObject): boolean {
  const s = (obj as Record<string, unknown>).sops;
  if (!s || typeof s !== 'object') return false;
  const mac = (s as { mac?: unknown }).mac;
  return typeof mac === 'string' && mac !== '';
}

const annotationsOf = (o: KubeObject): Record<string, string> | undefined =>
  (o.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;

const STRICT_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Options of {@link SopsDecryptor}. */
export interface SopsDecryptorOptions {
  /** Verify sops MACs (Flux: never). @default false */
  verifyMac?: boolean;
}

/** Decrypts a Kustomization's sources and built resources with its keys. */
export class SopsDecryptor {
  constructor(
    private readonly keys: KeyRing,
    private readonly opts: SopsDecryptorOptions = {},
  ) {}

  /**
   * Decrypts a built resource. Returns the decrypted object, or `undefined` when nothing was
   * encrypted or decryption is disabled for it.
   * @throws DecryptionError
   */
  async decryptResource(obj: KubeObject): Promise<KubeObject | undefined> {
    if (isDecryptionDisabled(annotationsOf(obj))) return undefined;
    const meta = obj.metadata as { name?: string; namespace?: string } | undefined;
    const id = `${meta?.namespace ?? ''}/${meta?.name ?? ''}`;
    if (isSopsResource(obj)) {
      const { sops, ...rest } = obj as Record<string, unknown>;
      try {
        const metadata = metadataFromObject(sops);
        const branches = await decryptBranches({ branches: [plainToTree(rest) as TreeBranch], metadata }, this.keys, { verifyMac: this.opts.verifyMac ?? false });
        return treeToPlain(branches[0]!) as KubeObject;
      } catch (err) {
        throw new DecryptionError(DecryptionError.is(err) ? err.code : 'InvalidFormat', `failed to decrypt and format '${id}' ${obj.kind} data: ${(err as Error).message}`, { cause: err });
      }
    }
    if (obj.kind !== 'Secret') return undefined;
    const data = (obj as { data?: Record<string, unknown> }).data;
    if (!data || typeof data !== 'object') return undefined;
    const out = await this.decryptSecretData(id, data);
    return out ? ({ ...obj, data: out } as KubeObject) : undefined;
  }

  /** Decrypts the entries of a Secret's `data` that hold SOPS documents; `undefined` when none did. */
  private async decryptSecretData(id: string, data: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    let changed = false;
    const out: Record<string, unknown> = { ...data };
    for (const [key, value] of Object.entries(data)) {
      if (typeof value !== 'string' || !STRICT_B64.test(value)) continue;
      const bytes = Buffer.from(value, 'base64');
      const inF = detectFormat(bytes);
      if (!inF) continue;
      try {
        const plain = await decryptWithFormat(bytes, inF, formatForPath(key), this.keys, { verifyMac: this.opts.verifyMac ?? false });
        out[key] = Buffer.from(plain).toString('base64');
        changed = true;
      } catch (err) {
        throw new DecryptionError(DecryptionError.is(err) ? err.code : 'InvalidFormat', `failed to decrypt and format '${id}' Secret field '${key}': ${(err as Error).message}`, { cause: err });
      }
    }
    return changed ? out : undefined;
  }

  private async decryptFile(root: string, path: string, format: SopsFormat, done: Set<string>): Promise<void> {
    if (done.has(path)) return;
    const st = await lstat(path).catch(() => undefined);
    if (!st) return; // kustomize reports missing files
    if (!st.isFile()) throw new DecryptionError('FileRejected', `cannot decrypt irregular file as it has file mode type bits set`);
    if (st.size > MAX_ENCRYPTED_FILE_SIZE) {
      throw new DecryptionError('FileRejected', `cannot decrypt file with size (${st.size} bytes) exceeding limit (${MAX_ENCRYPTED_FILE_SIZE})`);
    }
    const data = await readFile(path);
    if (!data.toString('latin1').includes(FORMAT_MARKERS[format])) return;
    try {
      const out = await decryptWithFormat(data, format, format, this.keys, { verifyMac: this.opts.verifyMac ?? false });
      await writeFile(path, out, { mode: 0o600 });
    } catch (err) {
      throw new DecryptionError(DecryptionError.is(err) ? err.code : 'InvalidFormat', `${relative(root, path)}: ${(err as Error).message}`, { cause: err });
    }
    done.add(path);
  }

  /**
   * Decrypts, in place, the generator sources and patch files of the kustomization graph rooted
   * at `dir`. References outside `root` are clamped into it, like Flux's `securePaths`.
   * @throws DecryptionError (message prefixed `error decrypting sources:` by the caller)
   */
  async decryptSources(root: string, dir: string): Promise<void> {
    const visited = new Set<string>();
    const done = new Set<string>();
    const inside = (base: string, p: string): string => secureJoin(root, isAbsolute(p) ? p : relative(root, join(base, p)));
    const walk = async (d: string): Promise<void> => {
      if (visited.has(d)) return;
      visited.add(d);
      const k = await readKustomization(root, d);
      if (!k) return;
      for (const { path, format } of sourceFiles(k)) await this.decryptFile(root, inside(d, path), format, done);
      for (const r of [...arrayOf(k.resources), ...arrayOf(k.components)]) if (typeof r === 'string' && !isRemoteRef(r)) await walk(inside(d, r));
    };
    await walk(secureJoin(root, relative(root, dir)));
  }
}

function arrayOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The parsed kustomization file of directory `d`, or `undefined` when there is none. */
async function readKustomization(root: string, d: string): Promise<Record<string, unknown> | undefined> {
  const st = await lstat(d).catch(() => undefined);
  if (!st?.isDirectory()) return undefined;
  const file = await findKustomizationFile(d);
  if (!file) return undefined;
  try {
    return (parse(await readFile(file, 'utf8'), { version: '1.1' }) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new DecryptionError('InvalidFormat', `failed to unmarshal kustomization file from '${relative(root, file)}': ${(err as Error).message}`);
  }
}

/** The secretGenerator files and envs and the patch files of a kustomization, with their formats. */
function sourceFiles(k: Record<string, unknown>): Array<{ path: string; format: SopsFormat }> {
  const out: Array<{ path: string; format: SopsFormat }> = [];
  for (const g of arrayOf(k.secretGenerator) as Array<Record<string, unknown>>) out.push(...generatorFiles(g));
  for (const p of arrayOf(k.patches) as Array<Record<string, unknown>>) {
    const path = p?.path;
    if (typeof path !== 'string' || path === '' || /^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(path)) continue;
    out.push({ path, format: formatForPath(path) });
  }
  return out;
}

/** The `files` and `envs` of one secretGenerator entry. */
function generatorFiles(g: Record<string, unknown> | undefined): Array<{ path: string; format: SopsFormat }> {
  const out: Array<{ path: string; format: SopsFormat }> = [];
  for (const src of arrayOf(g?.files)) {
    if (typeof src !== 'string') continue;
    const eq = src.indexOf('=');
    const [key, p] = eq >= 0 ? [src.slice(0, eq), src.slice(eq + 1)] : [src, src];
    out.push({ path: p, format: formatForPath(key) });
  }
  for (const e of [...arrayOf(g?.envs), ...(typeof g?.env === 'string' ? [g.env] : [])]) {
    if (typeof e !== 'string') continue;
    const f = formatForPath(e);
    out.push({ path: e, format: f === 'binary' ? 'dotenv' : f });
  }
  return out;
}
