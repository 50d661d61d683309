// SPDX-License-Identifier: Apache-2.0
/**
 * sops' JSON and binary stores. JSON objects keep their key order (and duplicates), numbers are
 * Go `float64`s (no `UseNumber`); emitting writes `{"k": v}` re-indented with a tab, as
 * `json.Indent` does, with Go's HTML-safe string escaping. The binary store is a JSON envelope
 * whose `data` string is the whole file.
 */
import { DecryptionError } from './errors.ts';
import { branch, formatFloatF, goFloat, isBranch, isComment, type TreeBranch, type TreeValue } from './values.ts';

class JsonParser {
  private i = 0;
  constructor(private readonly s: string) {}

  fail(msg: string): never {
    throw new DecryptionError('InvalidFormat', `Error unmarshalling input json: ${msg} at offset ${this.i}`);
  }
  ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i]!)) this.i++;
  }
  value(depth: number): TreeValue {
    if (depth > 500) this.fail('nesting too deep');
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) this.fail('invalid character');
    this.i += m[0].length;
    if (m[0] === 'true') return true;
    if (m[0] === 'false') return false;
    if (m[0] === 'null') return null;
    return goFloat(Number(m[0]));
  }
  string(): string {
    const start = this.i;
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    if (this.i >= this.s.length) this.fail('unterminated string');
    this.i++;
    try {
      return JSON.parse(this.s.slice(start, this.i)) as string;
    } catch {
      return this.fail('invalid string');
    }
  }
  object(depth: number): TreeBranch {
    this.i++;
    const b = branch();
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return b;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('expected object key');
      const key = this.string();
      this.ws();
      if (this.s[this.i++] !== ':') this.fail('expected colon');
      b.items.push({ key, value: this.value(depth + 1) });
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return b;
      if (c !== ',') this.fail('expected comma');
    }
  }
  array(depth: number): TreeValue[] {
    this.i++;
    const out: TreeValue[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.fail('expected comma');
    }
  }
  end(): void {
    this.ws();
    if (this.i < this.s.length) this.fail('invalid character after top-level value');
  }
}

/**
 * Parses a JSON document that must be an object.
 * @throws DecryptionError `InvalidFormat`
 */
export function parseJsonTree(text: string): TreeBranch {
  const p = new JsonParser(text);
  p.ws();
  if (text.trim()[0] !== '{') throw new DecryptionError('InvalidFormat', 'Could not unmarshal input data: Expected JSON object start');
  const v = p.value(0);
  p.end();
  return v as TreeBranch;
}

/** Go `json.Marshal` of a string (HTML-safe escaping). */
export function goJsonString(s: string): string {
  return JSON.stringify(s)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

function encode(v: TreeValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return goJsonString(v);
  if (Array.isArray(v)) return `[${v.filter((x) => !isComment(x)).map(encode).join(',')}]`;
  if (isBranch(v)) {
    return `{${v.items
      .filter((i) => !isComment(i.key))
      .map((i) => `${goJsonString(i.key as string)}: ${encode(i.value)}`)
      .join(',')}}`;
  }
  switch (v.t) {
    case 'int':
      return v.v.toString();
    case 'float': {
      if (!Number.isFinite(v.v)) throw new DecryptionError('InvalidFormat', `json: unsupported value: ${formatFloatF(v.v)}`);
      return JSON.stringify(v.v);
    }
    case 'time':
      return goJsonString(v.v);
    case 'bytes':
      return goJsonString(Buffer.from(v.v).toString('base64'));
    default:
      return 'null';
  }
}

/** Go `json.Indent(dst, src, "", "\t")` for the compact output of {@link encode}. */
function indent(compact: string): string {
  let out = '';
  let depth = 0;
  let inStr = false;
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i]!;
    if (inStr) {
      out += c;
      if (c === '\\') out += compact[++i];
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') {
      inStr = true;
      out += c;
    } else if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      if (compact[i + 1] === close) {
        out += c + close;
        i++;
      } else out += c + '\n' + '\t'.repeat(++depth);
    } else if (c === '}' || c === ']') out += '\n' + '\t'.repeat(--depth) + c;
    else if (c === ',') out += ',\n' + '\t'.repeat(depth);
    else if (c === ':') {
      out += ': ';
      if (compact[i + 1] === ' ') i++;
    } else if (c !== ' ') out += c;
  }
  return out;
}

/** Emits a branch as sops' JSON store does (`EmitPlainFile`). */
export function emitJson(b: TreeBranch): string {
  return indent(encode(b)) + '\n';
}

/** The binary store's `EmitPlainFile`: the `data` string of the only branch. */
export function emitBinary(branches: TreeBranch[]): Uint8Array {
  if (branches.length !== 1) throw new DecryptionError('InvalidFormat', 'error emitting binary store: there must be exactly one tree branch');
  for (const item of branches[0]!.items) {
    if (item.key !== 'data') continue;
    if (typeof item.value === 'string') return Buffer.from(item.value, 'utf8');
    if (typeof item.value === 'object' && item.value !== null && !Array.isArray(item.value) && item.value.t === 'bytes') return item.value.v;
    throw new DecryptionError('InvalidFormat', "error emitting binary store: 'data' key in tree does not have a string value");
  }
  throw new DecryptionError('InvalidFormat', 'error emitting binary store: no binary data found in tree');
}
