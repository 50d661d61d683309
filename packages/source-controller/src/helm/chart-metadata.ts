// SPDX-License-Identifier: Apache-2.0
/**
 * Helm chart metadata as Helm and Flux read it: the fields of `Chart.yaml` and of index entries
 * (`repo.ChartVersion` = `chart.Metadata` + urls/created/removed/digest), Helm's validation
 * (`Metadata.Validate`: name, lenient SemVer version, type, dependency aliases), Masterminds' lenient
 * version parsing (`semver.NewVersion`: `1`, `1.2`, `v1.2.3`), and scalar coercion by field type
 * (`sigs.k8s.io/yaml` keeps the original text of a number read into a string field).
 */
import semver from 'semver';

/** `chart.Metadata` fields, in Go's declaration (JSON output) order, with their types. */
export const METADATA_FIELDS = {
  name: 'string',
  home: 'string',
  sources: 'strings',
  version: 'string',
  description: 'string',
  keywords: 'strings',
  maintainers: 'maintainers',
  icon: 'string',
  apiVersion: 'string',
  condition: 'string',
  tags: 'string',
  appVersion: 'string',
  deprecated: 'bool',
  annotations: 'stringMap',
  kubeVersion: 'string',
  dependencies: 'dependencies',
  type: 'string',
} as const;

/** `repo.ChartVersion` fields after the embedded metadata. */
export const CHART_VERSION_FIELDS = {
  urls: 'strings',
  created: 'string',
  removed: 'bool',
  digest: 'string',
  checksum: 'string',
  engine: 'string',
  tillerVersion: 'string',
  url: 'string',
} as const;

const MAINTAINER_FIELDS = new Set(['name', 'email', 'url']);
const DEPENDENCY_FIELDS = {
  name: 'string',
  version: 'string',
  repository: 'string',
  condition: 'string',
  tags: 'strings',
  enabled: 'bool',
  'import-values': 'any',
  alias: 'string',
} as const;

type FieldType = 'string' | 'strings' | 'bool' | 'stringMap' | 'maintainers' | 'dependencies' | 'any';

/** A field that is not part of Helm's schema (`UnmarshalStrict` refuses it). */
export class UnknownFieldError extends Error {
  override readonly name = 'UnknownFieldError';
}

const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

function isNull(v: unknown): boolean {
  return v === null || v === undefined || v === '~' || v === 'null' || v === 'Null' || v === 'NULL';
}

function coerce(v: unknown, type: FieldType, path: string): unknown {
  if (type === 'any') return v;
  if (isNull(v) && type !== 'string') return undefined;
  switch (type) {
    case 'string':
      if (v === null || v === undefined) return undefined;
      if (typeof v === 'object') throw new UnknownFieldError(`json: cannot unmarshal object into Go struct field ${path} of type string`);
      return String(v);
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (TRUE.has(String(v))) return true;
      if (FALSE.has(String(v))) return false;
      throw new UnknownFieldError(`json: cannot unmarshal string into Go struct field ${path} of type bool`);
    case 'strings':
      if (!Array.isArray(v)) throw new UnknownFieldError(`json: cannot unmarshal ${typeof v} into Go struct field ${path} of type []string`);
      return v.map((x) => (isNull(x) ? '' : String(x)));
    case 'stringMap': {
      if (typeof v !== 'object' || Array.isArray(v)) throw new UnknownFieldError(`json: cannot unmarshal ${typeof v} into Go struct field ${path} of type map[string]string`);
      const out: Record<string, string> = {};
      for (const [k, x] of Object.entries(v as object)) out[k] = isNull(x) ? '' : String(x);
      return out;
    }
    case 'maintainers':
      if (!Array.isArray(v)) throw new UnknownFieldError(`json: cannot unmarshal ${typeof v} into Go struct field ${path} of type []*chart.Maintainer`);
      return v.map((m: unknown) => (isNull(m) ? null : coerceObject(m, Object.fromEntries([...MAINTAINER_FIELDS].map((k) => [k, 'string'])), `${path}`)));
    case 'dependencies':
      if (!Array.isArray(v)) throw new UnknownFieldError(`json: cannot unmarshal ${typeof v} into Go struct field ${path} of type []*chart.Dependency`);
      return v.map((d: unknown) => (isNull(d) ? null : coerceObject(d, DEPENDENCY_FIELDS, path)));
  }
}

function coerceObject(raw: unknown, fields: Record<string, FieldType>, path: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UnknownFieldError(`json: cannot unmarshal ${Array.isArray(raw) ? 'array' : typeof raw} into Go value of type ${path}`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const t = fields[k];
    if (!t) throw new UnknownFieldError(`json: unknown field "${k}"`);
    const c = coerce(v, t, `${path}.${k}`);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

/**
 * Turns one raw index entry into a chart version with Go's field order and types; throws
 * {@link UnknownFieldError} for fields Helm does not know (strict decoding, as Flux).
 */
export function coerceChartVersion(raw: unknown): Record<string, unknown> {
  const all = { ...METADATA_FIELDS, ...CHART_VERSION_FIELDS } as Record<string, FieldType>;
  const c = coerceObject(raw, all, 'repo.ChartVersion');
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(all)) if (c[k] !== undefined) out[k] = c[k];
  if (!out.apiVersion) out.apiVersion = 'v1';
  return out;
}

const LENIENT = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** Masterminds `semver.NewVersion`: `v` prefix and missing minor/patch allowed. Undefined when invalid. */
export function parseLenientVersion(v: string): semver.SemVer | undefined {
  const m = LENIENT.exec(v);
  if (!m) return undefined;
  const core = `${Number(m[1])}.${Number(m[2] ?? 0)}.${Number(m[3] ?? 0)}`;
  const pre = m[4] ? `-${m[4]}` : '';
  const build = m[5] ? `+${m[5]}` : '';
  try {
    return new semver.SemVer(`${core}${pre}${build}`, { loose: true });
  } catch {
    return undefined;
  }
}

/** Masterminds' `Version.String()` after `SetMetadata(meta)`: the normalised version with `+meta`. */
export function withBuildMetadata(version: string, meta: string): string {
  const v = parseLenientVersion(version);
  if (!v) throw new Error(`failed to parse version from chart metadata as SemVer: Invalid Semantic Version`);
  if (!/^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/.test(meta)) throw new Error('failed to set SemVer metadata on chart version: Invalid Metadata string');
  const pre = v.prerelease.length ? `-${v.prerelease.join('.')}` : '';
  return `${v.major}.${v.minor}.${v.patch}${pre}+${meta}`;
}

const ALIAS = /^[a-zA-Z0-9-_]+$/;

/**
 * Helm's `Metadata.Validate`; returns the problem, or undefined when the metadata is valid.
 * (Index entries failing it are dropped, charts failing it are refused.)
 */
export function validateMetadata(md: Record<string, unknown> | undefined): string | undefined {
  if (!md) return 'validation: chart.metadata is required';
  const name = typeof md.name === 'string' ? md.name : '';
  const version = typeof md.version === 'string' ? md.version : '';
  if (!md.apiVersion) return 'validation: chart.metadata.apiVersion is required';
  if (!name) return 'validation: chart.metadata.name is required';
  if (name.includes('/') || name === '.' || name === '..') return `validation: chart.metadata.name "${name}" is invalid`;
  if (!version) return 'validation: chart.metadata.version is required';
  if (!parseLenientVersion(version)) return `validation: chart.metadata.version "${version}" is invalid`;
  const type = (md.type as string | undefined) ?? '';
  if (type !== '' && type !== 'application' && type !== 'library') return 'validation: chart.metadata.type must be application or library';
  for (const d of (md.dependencies as Array<Record<string, unknown> | null> | undefined) ?? []) {
    if (!d) return 'validation: dependencies must not contain empty or null nodes';
    if (d.alias && !ALIAS.test(String(d.alias))) return `validation: dependency "${String(d.name)}" has disallowed characters in the alias`;
  }
  return undefined;
}

/** Helm's `ChartVersions` order: newest first by lenient SemVer, unparsable versions by string. */
export function compareVersionsDesc(a: { version?: unknown }, b: { version?: unknown }): number {
  const va = parseLenientVersion(String(a.version ?? ''));
  const vb = parseLenientVersion(String(b.version ?? ''));
  if (!va || !vb) return String(a.version ?? '') < String(b.version ?? '') ? 1 : String(a.version ?? '') > String(b.version ?? '') ? -1 : 0;
  return semver.compare(vb, va);
}
