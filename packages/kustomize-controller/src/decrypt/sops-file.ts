// SPDX-License-Identifier: Apache-2.0
/**
 * Decrypting one sops-encrypted document (Flux's `SopsDecryptWithFormat`): load it with the store
 * of its input format, recover the data key, decrypt the tree, optionally verify the MAC, and emit
 * it with the store of the output format.
 */
import { DecryptionError } from './errors.ts';
import { emitDotenv, emitIni, parseDotenv, parseIni } from './flat-stores.ts';
import { emitBinary, emitJson, parseJsonTree } from './json-store.ts';
import type { KeyRing } from './keys.ts';
import { metadataFromObject, type SopsMetadata } from './metadata.ts';
import { decryptTree, verifyMac } from './tree.ts';
import { isBranch, isComment, type TreeBranch, type TreeValue } from './values.ts';
import { emitYaml, parseYamlTree, withoutSops } from './yaml-store.ts';

/** The sops file formats. */
export type SopsFormat = 'yaml' | 'json' | 'dotenv' | 'ini' | 'binary';

const FORMAT_NAME: Record<SopsFormat, string> = { binary: 'binary', dotenv: 'dotenv', ini: 'INI', json: 'JSON', yaml: 'YAML' };

/** Marker bytes Flux uses to detect sops-encrypted data per format. */
export const FORMAT_MARKERS: Record<SopsFormat, string> = {
  yaml: 'mac: ENC[',
  json: '"mac": "ENC[',
  binary: '"mac": "ENC[',
  dotenv: 'sops_mac=ENC[',
  ini: '[sops]',
};

/** sops `formats.FormatForPath`, with Flux's `.dockerconfigjson` rule. */
export function formatForPath(path: string): SopsFormat {
  if (path.endsWith('.dockerconfigjson') || path.endsWith('.json')) return 'json';
  if (path.endsWith('.yaml') || path.endsWith('.yml')) return 'yaml';
  if (path.endsWith('.env')) return 'dotenv';
  if (path.endsWith('.ini')) return 'ini';
  return 'binary';
}

/** Detects the sops format of encrypted data from its marker bytes, if any. */
export function detectFormat(data: Uint8Array): SopsFormat | undefined {
  const text = Buffer.from(data).toString('latin1');
  for (const f of ['yaml', 'json', 'dotenv', 'ini'] as const) if (text.includes(FORMAT_MARKERS[f])) return f;
  return undefined;
}

/** Converts a tree value into plain JSON-like data (comments dropped). */
export function treeToPlain(v: TreeValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.filter((x) => !isComment(x)).map(treeToPlain);
  if (isBranch(v)) {
    const o: Record<string, unknown> = {};
    for (const i of v.items) if (!isComment(i.key)) o[i.key] = treeToPlain(i.value);
    return o;
  }
  switch (v.t) {
    case 'int':
      return Number(v.v);
    case 'float':
      return v.v;
    case 'time':
      return v.v;
    case 'bytes':
      return Buffer.from(v.v).toString('base64');
    default:
      return null;
  }
}

/** Converts plain JSON-like data into a tree (numbers as Go float64, like the JSON store). */
export function plainToTree(v: unknown): TreeValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return { t: 'float', v };
  if (Array.isArray(v)) return v.map(plainToTree);
  if (typeof v === 'object') {
    return { t: 'branch', items: Object.entries(v as Record<string, unknown>).map(([key, x]) => ({ key, value: plainToTree(x) })) };
  }
  return String(v);
}

interface Loaded {
  branches: TreeBranch[];
  metadata: SopsMetadata;
}

function sopsOf(b: TreeBranch): TreeValue | undefined {
  return b.items.find((i) => i.key === 'sops')?.value;
}

/** Loads an encrypted document with the store of `format`. @throws DecryptionError */
export function loadEncrypted(data: Uint8Array, format: SopsFormat): Loaded {
  const text = Buffer.from(data).toString('utf8');
  if (format === 'yaml') {
    const { branches, docs } = parseYamlTree(text);
    const first = docs[0] as Record<string, unknown> | null | undefined;
    const metadata = metadataFromObject(first?.sops);
    return { branches: branches.map(withoutSops), metadata };
  }
  if (format === 'json' || format === 'binary') {
    const b = parseJsonTree(text);
    const metadata = metadataFromObject(treeToPlain(sopsOf(b) ?? null));
    return { branches: [withoutSops(b)], metadata };
  }
  const flat = format === 'dotenv' ? parseDotenv(text) : parseIni(text);
  return { branches: [flat.branch], metadata: metadataFromObject(flat.metadata) };
}

/** Emits decrypted branches with the store of `format`. @throws DecryptionError */
export function emitPlain(branches: TreeBranch[], format: SopsFormat): Uint8Array {
  switch (format) {
    case 'yaml':
      return Buffer.from(emitYaml(branches));
    case 'json':
      return Buffer.from(emitJson(branches[0] ?? { t: 'branch', items: [] }));
    case 'dotenv':
      return Buffer.from(emitDotenv(branches[0] ?? { t: 'branch', items: [] }));
    case 'ini':
      return Buffer.from(emitIni(branches[0] ?? { t: 'branch', items: [] }));
    case 'binary':
      return emitBinary(branches);
  }
}

/** Options of {@link decryptBranches} and {@link decryptWithFormat}. */
export interface SopsDecryptOptions {
  /**
   * Verify the MAC. Flux does not (kustomize rewrites resources, which breaks it), so Eddy's
   * controller defaults to off; the library defaults to on.
   * @default true
   */
  verifyMac?: boolean;
}

/** Decrypts loaded branches with the keys. @throws DecryptionError */
export async function decryptBranches(loaded: Loaded, keys: KeyRing, opts: SopsDecryptOptions = {}): Promise<TreeBranch[]> {
  const dataKey = await keys.dataKey(loaded.metadata);
  const { branches, computedMac } = decryptTree(loaded.branches, dataKey, loaded.metadata);
  if (opts.verifyMac ?? true) verifyMac(loaded.metadata, dataKey, computedMac);
  return branches;
}

/**
 * Decrypts `data` read in `inFormat` and returns it written in `outFormat`.
 * @throws DecryptionError with Flux's message prefixes.
 */
export async function decryptWithFormat(
  data: Uint8Array,
  inFormat: SopsFormat,
  outFormat: SopsFormat,
  keys: KeyRing,
  opts: SopsDecryptOptions = {},
): Promise<Uint8Array> {
  let loaded: Loaded;
  try {
    loaded = loadEncrypted(data, inFormat);
  } catch (err) {
    throw wrap(err, `failed to load encrypted ${FORMAT_NAME[inFormat]} data`);
  }
  const branches = await decryptBranches(loaded, keys, opts);
  try {
    return emitPlain(branches, outFormat);
  } catch (err) {
    throw wrap(err, `failed to emit encrypted ${FORMAT_NAME[inFormat]} file as decrypted ${FORMAT_NAME[outFormat]}`);
  }
}

function wrap(err: unknown, prefix: string): DecryptionError {
  const e = err as Error;
  return new DecryptionError(DecryptionError.is(err) ? err.code : 'InvalidFormat', `${prefix}: ${e.message}`, { cause: err });
}
