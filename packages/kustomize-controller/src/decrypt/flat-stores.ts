// SPDX-License-Identifier: Apache-2.0
/**
 * sops' flat stores: dotenv (`KEY=value` lines, `#` comments, `\n` escapes for newlines, metadata
 * as `sops_*` keys) and INI (sections of `key = value`, metadata in a `[sops]` section), both
 * with metadata flattened by `__map_`/`__list_` separators.
 */
import { DecryptionError } from './errors.ts';
import { unflattenMetadata } from './metadata.ts';
import { branch, comment, isBranch, isComment, valToString, type TreeBranch, type TreeValue } from './values.ts';

/** A flat file: its single branch and its flattened `sops` metadata entries. */
export interface FlatFile {
  branch: TreeBranch;
  metadata: Record<string, unknown> | undefined;
}

/** Parses a dotenv file (sops `LoadEncryptedFile` / `LoadPlainFile`). */
export function parseDotenv(text: string): FlatFile {
  const b = branch();
  const md: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    if (line[0] === '#') {
      b.items.push({ key: comment(line.slice(1)), value: null });
      continue;
    }
    const pos = line.indexOf('=');
    if (pos < 0) throw new DecryptionError('InvalidFormat', 'invalid dotenv input line: <redacted>');
    const key = line.slice(0, pos);
    const value = line.slice(pos + 1).replaceAll('\\n', '\n');
    if (key.startsWith('sops_')) md[key.slice(5)] = value;
    else b.items.push({ key, value });
  }
  return { branch: b, metadata: Object.keys(md).length > 0 ? unflattenMetadata(md) : undefined };
}

/** Emits a branch as dotenv (`EmitPlainFile`). */
export function emitDotenv(b: TreeBranch): string {
  let out = '';
  for (const item of b.items) {
    if (isComment(item.key)) {
      out += `#${item.key.v}\n`;
      continue;
    }
    if (Array.isArray(item.value) || isBranch(item.value)) {
      throw new DecryptionError('InvalidFormat', `cannot use complex value in dotenv file; offending key ${item.key}`);
    }
    const v = typeof item.value === 'string' ? item.value.replaceAll('\n', '\\n') : valToString(item.value);
    out += `${item.key}=${v}\n`;
  }
  return out;
}

function stripCommentChar(c: string): string {
  if (c.startsWith(';')) return c.replace(/^[; ]+/, '');
  if (c.startsWith('#')) return c.replace(/^[# ]+/, '');
  return c;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 6 && t.startsWith('"""') && t.endsWith('"""')) return t.slice(3, -3);
  if (t.length >= 2 && ((t[0] === '"' && t.endsWith('"')) || (t[0] === '`' && t.endsWith('`')))) return t.slice(1, -1);
  return t;
}

/** Parses an INI file (gopkg.in/ini.v1 defaults, non-unique sections allowed). */
export function parseIni(text: string): FlatFile {
  const sections: Array<{ name: string; comment: string; items: TreeBranch['items'] }> = [{ name: 'DEFAULT', comment: '', items: [] }];
  let pendingComment: string[] = [];
  let current = sections[0]!;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith(';') || line.startsWith('#')) {
      pendingComment.push(line);
      continue;
    }
    if (line.startsWith('[')) {
      const end = line.indexOf(']');
      if (end < 0) throw new DecryptionError('InvalidFormat', 'Could not unmarshal input data: unclosed section');
      current = { name: line.slice(1, end).trim(), comment: pendingComment.join('\n'), items: [] };
      sections.push(current);
      pendingComment = [];
      continue;
    }
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    const key = m ? m[1]!.trim() : line;
    current.items.push({ key, value: m ? unquote(m[2]!) : '' });
    if (pendingComment.length > 0) {
      current.items.push({ key: comment(stripCommentChar(pendingComment.join('\n'))), value: null });
      pendingComment = [];
    }
  }
  const b = branch();
  let md: Record<string, unknown> | undefined;
  for (const s of sections) {
    if (s.name === 'DEFAULT' && s.items.length === 0) continue;
    if (s.name === 'sops') {
      const flat: Record<string, string> = {};
      for (const i of s.items) if (!isComment(i.key)) flat[i.key] = String(i.value);
      md = unflattenMetadata(flat);
      continue;
    }
    const items = s.comment ? [{ key: comment(stripCommentChar(s.comment)), value: null as TreeValue }, ...s.items] : s.items;
    b.items.push({ key: s.name, value: { t: 'branch', items } });
  }
  return { branch: b, metadata: md };
}

function iniValue(v: string): string {
  if (v.includes('\n')) return `"""${v}"""`;
  if (/^\s|\s$/.test(v) || v.includes('#') || v.includes(';')) return '`' + v + '`';
  return v;
}

/** Emits a branch of sections as INI (ini.v1 `WriteTo` with default pretty format). */
export function emitIni(b: TreeBranch): string {
  const parts: string[] = [];
  for (const section of b.items) {
    let out = '';
    if (isComment(section.key)) continue;
    if (!isBranch(section.value)) throw new DecryptionError('InvalidFormat', 'Error encoding section: Section values should always be TreeBranches');
    const items = section.value.items;
    let first = 0;
    if (items[0] && isComment(items[0].key)) {
      out += items[0].key.v
        .split('\n')
        .map((l) => (l.startsWith(';') || l.startsWith('#') ? l : `; ${l}`))
        .join('\n') + '\n';
      first = 1;
    }
    out += `[${section.key}]\n`;
    const keys = items.slice(first).filter((i) => !isComment(i.key)) as Array<{ key: string; value: TreeValue }>;
    const width = Math.max(0, ...keys.map((k) => k.key.length));
    for (let i = first; i < items.length; i++) {
      const item = items[i]!;
      if (isComment(item.key)) continue;
      const next = items[i + 1];
      if (next && isComment(next.key)) out += next.key.v.split('\n').map((l) => `; ${l}`).join('\n') + '\n';
      out += `${item.key.padEnd(width)} = ${iniValue(valToString(item.value))}\n`;
    }
    parts.push(out);
  }
  return parts.join('\n');
}
