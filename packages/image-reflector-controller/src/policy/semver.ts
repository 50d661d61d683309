// SPDX-License-Identifier: Apache-2.0
/**
 * Semantic versions and ranges with the semantics Flux gets from `github.com/Masterminds/semver/v3`
 * (v3.5) and `github.com/fluxcd/pkg/version`:
 *
 * - Tags are parsed strictly (`MAJOR.MINOR.PATCH[-pre][+meta]`, no leading zeros) with an optional
 *   single `v` prefix: `v1.2.3` yes, `1.2` / `v1` / `1.2.3.4` / `01.2.3` no ({@link parseTag}).
 * - Ranges are Masterminds constraints: `||` groups of `,`/space-separated comparators with
 *   `= != > < >= <= ~ ~> ^`, wildcards `x X *`, hyphen ranges `1.2 - 1.4`, lenient versions inside.
 * - A prerelease tag only satisfies an AND group in which at least one comparator names a
 *   prerelease (`^1.x-0`, `>=1.0.0-rc.1 <2`); other groups ignore prereleases.
 *
 * This is npm-semver-incompatible on purpose (npm restricts prereleases to the same
 * `major.minor.patch`, treats `^0.0` differently, …); Eddy must select what Flux selects.
 */

/** A parsed semantic version. Segments are `bigint` (Go uses uint64). */
export interface Version {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly pre: string;
  readonly metadata: string;
  /** The string the version was parsed from (what a policy reports as the tag). */
  readonly original: string;
}

/** The range string is not a valid Masterminds constraint. */
export class InvalidRangeError extends Error {
  override readonly name = 'InvalidRangeError';
}

const MAX_VERSION_LEN = 256;
const MAX_CONSTRAINT_LEN = 512;
const MAX_GROUPS = 32;
const UINT64_MAX = (1n << 64n) - 1n;
const NUM = /^[0-9]+$/;
const ALLOWED = /^[0-9A-Za-z-]+$/;

function validIdentifiers(s: string, numericNoLeadingZero: boolean): boolean {
  for (const part of s.split('.')) {
    if (part === '') return false;
    if (NUM.test(part)) {
      if (numericNoLeadingZero && part.length > 1 && part[0] === '0') return false;
    } else if (!ALLOWED.test(part)) return false;
  }
  return true;
}

function uint(s: string): bigint | undefined {
  if (!NUM.test(s)) return undefined;
  const n = BigInt(s);
  return n > UINT64_MAX ? undefined : n;
}

/** Masterminds `StrictNewVersion`: exactly three numeric segments, no prefix, no leading zeros. */
export function parseStrict(v: string): Version | undefined {
  if (v.length === 0 || v.length > MAX_VERSION_LEN) return undefined;
  const parts = v.split('.');
  if (parts.length < 3) return undefined;
  let last = parts.slice(2).join('.');
  let metadata = '';
  let pre = '';
  const plus = last.indexOf('+');
  if (plus >= 0) {
    metadata = last.slice(plus + 1);
    last = last.slice(0, plus);
    if (!validIdentifiers(metadata, false)) return undefined;
  }
  const dash = last.indexOf('-');
  if (dash >= 0) {
    pre = last.slice(dash + 1);
    last = last.slice(0, dash);
    if (!validIdentifiers(pre, true)) return undefined;
  }
  const segs = [parts[0]!, parts[1]!, last];
  if (segs.some((p) => !NUM.test(p) || (p.length > 1 && p[0] === '0'))) return undefined;
  const [major, minor, patch] = segs.map(uint);
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  return { major, minor, patch, pre, metadata, original: v };
}

const LOOSE = /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

/** Masterminds `NewVersion` (coercing mode, the v3.4+ default): `v1`, `1.2`, `01.2.3` accepted. */
export function parseLoose(v: string): Version | undefined {
  if (v.length > MAX_VERSION_LEN) return undefined;
  const m = LOOSE.exec(v);
  if (!m) return undefined;
  const major = uint(m[1]!);
  const minor = m[2] ? uint(m[2].slice(1)) : 0n;
  const patch = m[3] ? uint(m[3].slice(1)) : 0n;
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  const pre = m[5] ?? '';
  const metadata = m[8] ?? '';
  if (pre && !validIdentifiers(pre, true)) return undefined;
  return { major, minor, patch, pre, metadata, original: v };
}

/**
 * Parses an image tag the way Flux's semver policy does (`fluxcd/pkg/version.ParseVersion`):
 * strict semver after removing one leading `v`.
 */
export function parseTag(tag: string): Version | undefined {
  const bare = tag.startsWith('v') ? tag.slice(1) : tag;
  if (!parseStrict(bare)) return undefined;
  return parseLoose(tag);
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === '') return -1;
  if (o === '') return 1;
  const si = uint(s);
  const oi = uint(o);
  if (si === undefined && oi === undefined) return s > o ? 1 : -1;
  if (oi === undefined) return -1;
  if (si === undefined) return 1;
  return si > oi ? 1 : -1;
}

function comparePrerelease(v: string, o: string): number {
  const sp = v.split('.');
  const op = o.split('.');
  for (let i = 0; i < Math.max(sp.length, op.length); i++) {
    const d = comparePrePart(sp[i] ?? '', op[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

/** Orders two versions by precedence; build metadata is ignored. */
export function compareVersions(a: Version, b: Version): number {
  const d = cmpBig(a.major, b.major) || cmpBig(a.minor, b.minor) || cmpBig(a.patch, b.patch);
  if (d !== 0) return d;
  if (a.pre === '' && b.pre === '') return 0;
  if (a.pre === '') return 1;
  if (b.pre === '') return -1;
  return comparePrerelease(a.pre, b.pre);
}

interface Comparator {
  op: string;
  con: Version;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

const WS = '[\\t\\n\\f\\r ]';
const CV =
  'v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?' +
  '(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?' +
  '(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?';
const OPS = '=||!=|>|<|>=|=>|<=|=<|~|~>|\\^';
const CONSTRAINT_RE = new RegExp(`^${WS}*(${OPS})${WS}*(${CV})${WS}*$`);
const RANGE_RE = new RegExp(`${WS}*(${CV})${WS}+-${WS}+(${CV})${WS}*`, 'g');
const FIND_RE = new RegExp(`(${OPS})${WS}*(${CV})`, 'g');
const VALID_RE = new RegExp(`^(${WS}*(${OPS})${WS}*(${CV})${WS}*)((?:${WS}+|,${WS}*)(${OPS})${WS}*(${CV})${WS}*)*$`);

const isX = (s: string | undefined): boolean => s === 'x' || s === 'X' || s === '*';

function parseComparator(c: string): Comparator {
  const m = CONSTRAINT_RE.exec(c);
  if (!m) throw new InvalidRangeError(`improper constraint: "${c}"`);
  const [, op, orig, maj, min = '', pat = '', pre = ''] = m as unknown as string[];
  let ver = orig!;
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(maj) || maj === '') {
    ver = `0.0.0${pre}`;
    dirty = true;
  } else if (isX(min.slice(1)) || min === '') {
    ver = `${maj}.0.0${pre}`;
    dirty = minorDirty = true;
  } else if (isX(pat.slice(1)) || pat === '') {
    ver = `${maj}${min}.0${pre}`;
    dirty = patchDirty = true;
  }
  const con = parseLoose(ver);
  if (!con) throw new InvalidRangeError('constraint parser error');
  return { op: op!, con, dirty, minorDirty, patchDirty };
}

function rewriteRange(s: string): string {
  let out = s;
  for (const m of s.matchAll(RANGE_RE)) out = out.replace(m[0], `>= ${m[1]}, <= ${m[11]} `);
  return out;
}

/** A parsed Masterminds range (`Constraints`). */
export class SemverRange {
  private constructor(
    readonly raw: string,
    private readonly groups: { comparators: Comparator[]; containsPre: boolean }[],
  ) {}

  /** Parses a range; throws {@link InvalidRangeError} like `semver.NewConstraint`. */
  static parse(range: string): SemverRange {
    if (range.length > MAX_CONSTRAINT_LEN) throw new InvalidRangeError(`constraint string is too long (max ${MAX_CONSTRAINT_LEN} bytes)`);
    const ors = rewriteRange(range).split('||');
    if (ors.length > MAX_GROUPS) throw new InvalidRangeError(`too many constraint groups (max ${MAX_GROUPS})`);
    const groups = ors.map((or) => {
      if (!VALID_RE.test(or)) throw new InvalidRangeError(`improper constraint: "${or}"`);
      const found = [...or.matchAll(FIND_RE)].map((m) => m[0]);
      const comparators = (found.length > 0 ? found : [or]).map(parseComparator);
      return { comparators, containsPre: comparators.some((c) => c.con.pre !== '') };
    });
    return new SemverRange(range, groups);
  }

  /** True when `v` satisfies any OR group (every comparator of that group). */
  check(v: Version): boolean {
    return this.groups.some((g) => g.comparators.every((c) => checkComparator(v, c, g.containsPre)));
  }
}

function tilde(v: Version, c: Comparator): boolean {
  if (compareVersions(v, c.con) < 0) return false;
  if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== c.con.major) return false;
  return v.minor === c.con.minor || c.minorDirty;
}

function caret(v: Version, c: Comparator): boolean {
  if (compareVersions(v, c.con) < 0) return false;
  if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major;
  if (v.major > 0n) return false;
  if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor;
  if (v.minor > 0n) return false;
  return v.patch === c.con.patch;
}

function notEqual(v: Version, c: Comparator): boolean {
  if (c.dirty) {
    if (c.con.major !== v.major) return true;
    if (c.con.minor !== v.minor && !c.minorDirty) return true;
    if (c.minorDirty) return false;
    if (c.con.patch !== v.patch && !c.patchDirty) return true;
    if (c.patchDirty) {
      if (v.pre !== '' || c.con.pre !== '') return comparePrerelease(v.pre, c.con.pre) !== 0;
      return false;
    }
  }
  return compareVersions(v, c.con) !== 0;
}

function greaterThan(v: Version, c: Comparator): boolean {
  if (!c.dirty) return compareVersions(v, c.con) === 1;
  if (v.major > c.con.major) return true;
  if (v.major < c.con.major || c.minorDirty) return false;
  if (c.patchDirty) return v.minor > c.con.minor;
  return compareVersions(v, c.con) === 1;
}

function lessThanEqual(v: Version, c: Comparator): boolean {
  if (!c.dirty) return compareVersions(v, c.con) <= 0;
  if (v.major > c.con.major) return false;
  return !(v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty);
}

function checkComparator(v: Version, c: Comparator, includePre: boolean): boolean {
  if (v.pre !== '' && !includePre) return false;
  switch (c.op) {
    case '':
    case '=':
      return c.dirty ? tilde(v, c) : compareVersions(v, c.con) === 0;
    case '!=':
      return notEqual(v, c);
    case '>':
      return greaterThan(v, c);
    case '<':
      return compareVersions(v, c.con) < 0;
    case '>=':
    case '=>':
      return compareVersions(v, c.con) >= 0;
    case '<=':
    case '=<':
      return lessThanEqual(v, c);
    case '~':
    case '~>':
      return tilde(v, c);
    default:
      return caret(v, c);
  }
}
