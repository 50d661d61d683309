// SPDX-License-Identifier: Apache-2.0
/**
 * The `sops` metadata block (`stores.Metadata` and `ToInternal`): key groups, encryption rules,
 * MAC, last-modified time. Also the flat `sops_*` form dotenv and INI files use
 * (`stores.Unflatten`: `__map_<key>` and `__list_<n>` separators).
 */
import { DecryptionError } from './errors.ts';

/** One master key: only age and PGP can be used here; the others are kept to report them. */
export type MasterKey =
  | { type: 'age'; recipient: string; enc: string }
  | { type: 'pgp'; fingerprint: string; enc: string }
  | { type: 'kms' | 'gcp_kms' | 'azure_kv' | 'hc_vault'; id: string; enc: string };

/** sops metadata in internal form. */
export interface SopsMetadata {
  lastModified: string;
  mac: string;
  macOnlyEncrypted: boolean;
  unencryptedSuffix: string;
  encryptedSuffix: string;
  unencryptedRegex: string;
  encryptedRegex: string;
  unencryptedCommentRegex: string;
  encryptedCommentRegex: string;
  shamirThreshold: number;
  keyGroups: MasterKey[][];
  version: string;
}

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter((x): x is Obj => !!x && typeof x === 'object') : []);
const s = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

function group(g: Obj): MasterKey[] {
  // Order of stores.internalGroupFrom: kms, gcp_kms, azure_kv, hc_vault, pgp, age.
  const out: MasterKey[] = [];
  for (const k of list(g.kms)) out.push({ type: 'kms', id: s(k.arn), enc: s(k.enc) });
  for (const k of list(g.gcp_kms)) out.push({ type: 'gcp_kms', id: s(k.resource_id), enc: s(k.enc) });
  for (const k of list(g.azure_kv)) out.push({ type: 'azure_kv', id: `${s(k.vault_url)}/keys/${s(k.name)}/${s(k.version)}`, enc: s(k.enc) });
  for (const k of list(g.hc_vault)) out.push({ type: 'hc_vault', id: `${s(k.vault_address)}/v1/${s(k.engine_path)}/keys/${s(k.key_name)}`, enc: s(k.enc) });
  for (const k of list(g.pgp)) out.push({ type: 'pgp', fingerprint: s(k.fp), enc: s(k.enc) });
  for (const k of list(g.age)) out.push({ type: 'age', recipient: s(k.recipient), enc: s(k.enc) });
  return out;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Converts the `sops` block of a document into internal metadata.
 * @throws DecryptionError `MetadataNotFound` / `InvalidMetadata`
 */
export function metadataFromObject(raw: unknown): SopsMetadata {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DecryptionError('MetadataNotFound', 'sops metadata not found');
  }
  const m = raw as Obj;
  const lastModified = s(m.lastmodified);
  if (!RFC3339.test(lastModified)) {
    throw new DecryptionError('InvalidMetadata', `parsing time ${JSON.stringify(lastModified)} as RFC3339: invalid lastmodified`);
  }
  const rules = ['unencrypted_suffix', 'encrypted_suffix', 'unencrypted_regex', 'encrypted_regex', 'unencrypted_comment_regex', 'encrypted_comment_regex'];
  const set = rules.filter((r) => s(m[r]) !== '');
  if (set.length > 1) {
    throw new DecryptionError(
      'InvalidMetadata',
      'Cannot use more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, or unencrypted_comment_regex in the same file',
    );
  }
  const topLevel = group(m);
  const keyGroups = topLevel.length > 0 ? [topLevel] : list(m.key_groups).map(group);
  if (keyGroups.length === 0) throw new DecryptionError('InvalidMetadata', 'No keys found in file');
  const threshold = Number(m.shamir_threshold ?? 0);
  return {
    lastModified,
    mac: s(m.mac),
    macOnlyEncrypted: m.mac_only_encrypted === true || m.mac_only_encrypted === 'true',
    unencryptedSuffix: set.length === 0 ? '_unencrypted' : s(m.unencrypted_suffix),
    encryptedSuffix: s(m.encrypted_suffix),
    unencryptedRegex: s(m.unencrypted_regex),
    encryptedRegex: s(m.encrypted_regex),
    unencryptedCommentRegex: s(m.unencrypted_comment_regex),
    encryptedCommentRegex: s(m.encrypted_comment_regex),
    shamirThreshold: Number.isInteger(threshold) ? threshold : 0,
    keyGroups,
    version: s(m.version),
  };
}

const MAP_SEP = '__map_';
const LIST_SEP = '__list_';

type Token = { map: string } | { list: number };

function tokenize(path: string): Token[] {
  const tokens: Token[] = [];
  let state: 'normal' | 'map' | 'list' = 'normal';
  let last = 0;
  let i = 0;
  const finish = (): void => {
    if (state === 'normal') tokens.push({ map: path.slice(last, i) });
    else if (state === 'map') tokens.push({ map: path.slice(last + MAP_SEP.length, i) });
    else tokens.push({ list: parseInt(path.slice(last + LIST_SEP.length, i), 10) || 0 });
    last = i;
  };
  while (i < path.length) {
    if (path.startsWith(MAP_SEP, i)) {
      finish();
      state = 'map';
      i += MAP_SEP.length;
    } else if (path.startsWith(LIST_SEP, i)) {
      finish();
      state = 'list';
      i += LIST_SEP.length;
    } else i++;
  }
  finish();
  return tokens;
}

/** `stores.Unflatten` of flat `sops_*` entries (the prefix already removed), newlines decoded. */
export function unflattenMetadata(flat: Record<string, string>): Obj {
  const root: Obj = {};
  for (const [k, raw] of Object.entries(flat)) {
    const value = raw.replaceAll('\\n', '\n');
    const tokens = tokenize(k);
    let cur: Obj | unknown[] = root;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      const next = tokens[i + 1];
      const slot = 'map' in t ? t.map : t.list;
      const container = cur as Record<string | number, unknown>;
      if (!next) {
        container[slot] = value;
        break;
      }
      if (container[slot] === undefined || container[slot] === null) container[slot] = 'map' in next ? {} : [];
      cur = container[slot] as Obj | unknown[];
    }
  }
  if (root.mac_only_encrypted !== undefined) root.mac_only_encrypted = root.mac_only_encrypted === 'true';
  return root;
}
