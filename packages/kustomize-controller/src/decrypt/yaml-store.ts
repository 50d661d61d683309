// SPDX-License-Identifier: Apache-2.0
/**
 * sops' YAML store: documents become tree branches (one per document) with comments kept as
 * comment items (a value's line comment moves in front of its key, as sops does), scalars resolved
 * with go-yaml v3 rules; emitting writes go-yaml v3's block style with sops' indentation of 4.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node as YNode, type Scalar } from 'yaml';
import { DecryptionError } from './errors.ts';
import { doubleQuoted, literalHeader, literalLines, resolvePlain, scalarStyle, singleQuoted } from './yaml-scalar.ts';
import { branch, comment, formatFloatG, isBranch, isComment, type TreeBranch, type TreeItem, type TreeValue } from './values.ts';

const INDENT = 4;

function commentLines(text: string | null | undefined): TreeValue[] {
  if (!text) return [];
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => comment(l));
}

function scalarValue(node: Scalar): TreeValue {
  const v = node.value;
  const tag = node.tag ?? '';
  if (node.type === 'PLAIN' && (tag === '' || tag === '!')) return resolvePlain(String(v ?? ''));
  if (tag && tag !== 'tag:yaml.org,2002:str') return resolvePlain(String(v ?? ''));
  return String(v ?? '');
}

/** Collections whose first head-comment line was a line comment on their key. */
const keyLineConsumed = new WeakSet<object>();
let source = '';

function headComments(node: YNode): TreeValue[] {
  const lines = commentLines(node.commentBefore);
  return keyLineConsumed.has(node) ? lines.slice(1) : lines;
}

function toTree(node: YNode | null | undefined, doc: Document, depth = 0): TreeValue {
  if (depth > 200) throw new DecryptionError('InvalidFormat', 'Error unmarshaling input YAML: document too deep');
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return toTree(node.resolve(doc) as YNode, doc, depth + 1);
  if (isScalar(node)) return scalarValue(node);
  if (isSeq(node)) {
    const out: TreeValue[] = [...headComments(node)];
    for (const item of node.items as YNode[]) {
      out.push(...commentLines(item?.commentBefore));
      if (isScalar(item)) out.push(...commentLines(item.comment));
      out.push(toTree(item, doc, depth + 1));
      if (!isScalar(item) && item) out.push(...commentLines(item.comment));
    }
    return out;
  }
  if (isMap(node)) return mapToBranch(node, doc, depth);
  throw new DecryptionError('InvalidFormat', 'Error unmarshaling input YAML: unsupported node');
}

function isNodeCollection(v: YNode | null): v is YNode {
  return !!v && !isScalar(v) && !isAlias(v);
}

/** The comment items preceding a pair: key comments, a key-line comment, scalar value comments. */
function pairComments(k: YNode | null, v: YNode | null): TreeValue[] {
  const comments = [...commentLines(k?.commentBefore), ...commentLines(k && isScalar(k) ? k.comment : undefined)];
  const kl = isNodeCollection(v) ? keyLineComment(k, v) : undefined;
  if (kl !== undefined) {
    comments.push(comment(kl));
    keyLineConsumed.add(v!);
  }
  if (v && (isScalar(v) || isAlias(v))) comments.push(...commentLines(v.commentBefore), ...commentLines(v.comment));
  return comments;
}

function pairKey(k: YNode | null, doc: Document, depth: number): string {
  const key = k && isScalar(k) ? scalarValue(k) : toTree(k, doc, depth + 1);
  if (typeof key !== 'string') {
    throw new DecryptionError('InvalidFormat', `Tree contains a non-string key (type ${typeofGo(key)}). Only string keys are supported`);
  }
  return key;
}

function mapToBranch(node: YNode, doc: Document, depth: number, top = false): TreeBranch {
  const b = branch(top ? [] : headComments(node).map((c) => ({ key: c as ReturnType<typeof comment>, value: null })));
  if (!isMap(node)) return b;
  const pushComments = (list: TreeValue[]): void => {
    for (const c of list) b.items.push({ key: c as ReturnType<typeof comment>, value: null });
  };
  for (const pair of node.items) {
    if (!isPair(pair)) continue;
    const k = pair.key as YNode | null;
    const v = pair.value as YNode | null;
    pushComments(pairComments(k, v));
    b.items.push({ key: pairKey(k, doc, depth), value: toTree(v, doc, depth + 1) });
    if (isNodeCollection(v)) pushComments(commentLines(v.comment));
  }
  pushComments(commentLines(node.comment));
  return b;
}

/** The comment on the key's own line when the value is a collection (`key: # c`), if any. */
function keyLineComment(k: YNode | null, v: YNode): string | undefined {
  const end = k?.range?.[1];
  if (end === undefined || !v.commentBefore) return undefined;
  const nl = source.indexOf('\n', end);
  const line = source.slice(end, nl < 0 ? source.length : nl);
  return line.includes('#') ? v.commentBefore.split('\n')[0] : undefined;
}

function typeofGo(v: TreeValue): string {
  if (v === null) return '<nil>';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return v.t === 'int' ? 'int' : v.t === 'float' ? 'float64' : v.t;
  return 'string';
}

/**
 * Parses a YAML file into sops tree branches (one per document; `sops` metadata not removed).
 * @throws DecryptionError `InvalidFormat`
 */
export function parseYamlTree(text: string): { branches: TreeBranch[]; docs: unknown[] } {
  source = text;
  const docs = parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false, version: '1.2' });
  const list = Array.isArray(docs) ? docs : [docs];
  const branches: TreeBranch[] = [];
  const plain: unknown[] = [];
  for (const d of list) {
    if (d.errors.length > 0) {
      throw new DecryptionError('InvalidFormat', `Error unmarshaling input YAML: ${d.errors[0]!.message.split('\n')[0]}`);
    }
    const c = d.contents as YNode | null;
    if (c !== null && !isMap(c) && !(isScalar(c) && (c.value === null || c.value === ''))) {
      throw new DecryptionError('InvalidFormat', `Error unmarshaling input YAML: YAML documents that are ${isSeq(c) ? 'sequences' : 'values'} are not supported`);
    }
    const b = branch([...commentLines(d.commentBefore).map((k) => ({ key: k as ReturnType<typeof comment>, value: null }))]);
    if (c && isMap(c)) b.items.push(...commentLines(c.commentBefore).map((k) => ({ key: k as ReturnType<typeof comment>, value: null })), ...mapToBranch(c, d, 0, true).items);
    for (const k of commentLines(d.comment)) b.items.push({ key: k as ReturnType<typeof comment>, value: null });
    branches.push(b);
    plain.push(d.toJS({ maxAliasCount: 1000 }));
  }
  return { branches, docs: plain };
}

function scalarText(v: TreeValue, indent: number, simpleKey: boolean): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') {
    const style = scalarStyle(v, simpleKey);
    if (style === 'plain') return v;
    if (style === 'single') return singleQuoted(v);
    if (style === 'double') return doubleQuoted(v);
    const lines = literalLines(v).map((l) => (l === '' ? '' : ' '.repeat(indent + INDENT) + l));
    return `${literalHeader(v, INDENT)}\n${lines.join('\n')}`;
  }
  if (Array.isArray(v) || isBranch(v) || isComment(v)) return '';
  switch (v.t) {
    case 'int':
      return v.v.toString();
    case 'float': {
      const g = formatFloatG(v.v);
      return g === '+Inf' ? '.inf' : g === '-Inf' ? '-.inf' : g === 'NaN' ? '.nan' : g;
    }
    case 'time':
      return v.v;
    case 'bytes':
      return doubleQuoted(Buffer.from(v.v).toString('latin1'));
  }
  return '';
}

const isCollection = (v: TreeValue): boolean => (Array.isArray(v) && v.some((x) => !isComment(x))) || (isBranch(v) && v.items.some((i) => !isComment(i.key)));

function emitComments(out: string[], comments: string[], indent: number): void {
  for (const c of comments) out.push(`${' '.repeat(indent)}#${c}`);
}

/** Emits the value of a key or sequence item; `lead` is the text already on the line. */
function emitValue(out: string[], lead: string, v: TreeValue, indent: number): void {
  if (isBranch(v)) {
    if (!isCollection(v)) {
      out.push(`${lead}{}`);
      emitComments(out, v.items.filter((i) => isComment(i.key)).map((i) => (i.key as { v: string }).v), indent + INDENT);
      return;
    }
    out.push(lead.trimEnd());
    emitBranch(out, v, indent + INDENT);
  } else if (Array.isArray(v)) {
    if (!isCollection(v)) {
      out.push(`${lead}[]`);
      return;
    }
    out.push(lead.trimEnd());
    emitSeq(out, v, indent + INDENT);
  } else out.push(`${lead}${scalarText(v, indent, false)}`);
}

function emitBranch(out: string[], b: TreeBranch, indent: number, firstLead?: string): void {
  let pending: string[] = [];
  let first = true;
  for (const item of b.items) {
    if (isComment(item.key)) {
      pending.push(item.key.v);
      continue;
    }
    const key = item.key as string;
    const pad = first && firstLead !== undefined ? firstLead : ' '.repeat(indent);
    // A head comment of a mapping inside a sequence item goes before the dash line.
    emitComments(out, pending, first && firstLead !== undefined ? indent - 2 : indent);
    pending = [];
    emitValue(out, `${pad}${scalarText(key, indent, true)}: `, item.value, indent);
    first = false;
  }
  emitComments(out, pending, indent);
}

function emitSeq(out: string[], items: TreeValue[], indent: number): void {
  let pending: string[] = [];
  for (const item of items) {
    if (isComment(item)) {
      pending.push(item.v);
      continue;
    }
    emitComments(out, pending, indent);
    pending = [];
    const lead = `${' '.repeat(indent)}- `;
    if (isBranch(item) && isCollection(item)) emitBranch(out, item, indent + 2, lead);
    else if (Array.isArray(item) && isCollection(item)) emitNestedSeq(out, item, indent + 2, lead);
    else emitValue(out, lead, item, indent + 2 - INDENT);
  }
  emitComments(out, pending, indent);
}

function emitNestedSeq(out: string[], items: TreeValue[], indent: number, lead: string): void {
  let first = true;
  for (const item of items) {
    if (isComment(item)) {
      out.push(`${' '.repeat(indent)}#${item.v}`);
      continue;
    }
    const l = first ? `${lead}- ` : `${' '.repeat(indent)}- `;
    first = false;
    if (isBranch(item) && isCollection(item)) emitBranch(out, item, indent + 2, l);
    else if (Array.isArray(item) && isCollection(item)) emitNestedSeq(out, item, indent + 2, l);
    else emitValue(out, l, item, indent + 2 - INDENT);
  }
}

/** Emits tree branches as YAML documents, like sops' `EmitPlainFile`. */
export function emitYaml(branches: TreeBranch[]): string {
  const docs = branches.map((b) => {
    const out: string[] = [];
    if (!b.items.some((i) => !isComment(i.key))) {
      emitComments(out, b.items.map((i) => (i.key as { v: string }).v), 0);
      out.push('{}');
    } else emitBranch(out, b, 0);
    return out.join('\n') + '\n';
  });
  return docs.join('---\n');
}

/** Removes the top-level `sops` key of each branch. */
export function withoutSops(b: TreeBranch): TreeBranch {
  return { t: 'branch', items: b.items.filter((i: TreeItem) => i.key !== 'sops') };
}
