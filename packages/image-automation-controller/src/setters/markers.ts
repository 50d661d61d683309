// SPDX-License-Identifier: Apache-2.0
/**
 * Setter markers and the values they set (Flux `internal/update/setters.go`, kyaml `fieldmeta`).
 *
 * A marker is a comment on a scalar field whose text, after stripping leading `#`s, is a JSON
 * object of strings with a `$imagepolicy` key, e.g. `# {"$imagepolicy": "flux-system:podinfo"}`.
 * The long form `# {"$ref": "#/definitions/io.k8s.cli.setters.flux-system:podinfo"}` also works.
 * For each ImagePolicy `<ns>/<name>` with a `status.latestRef` there are four setters:
 *
 * | setter               | value                         |
 * |----------------------|-------------------------------|
 * | `<ns>:<name>`        | `name:tag[@digest]`           |
 * | `<ns>:<name>:name`   | `latestRef.name`              |
 * | `<ns>:<name>:tag`    | `latestRef.tag`               |
 * | `<ns>:<name>:digest` | `latestRef.digest` (may be "")|
 */

/** The token files are screened for before parsing (Flux: `fmt.Sprintf("%q", "$imagepolicy")`). */
export const SETTER_TOKEN = '"$imagepolicy"';

const SHORTHAND = '$imagepolicy';
const REF_PREFIX = '#/definitions/io.k8s.cli.setters.';

/** `status.latestRef` of an ImagePolicy. */
export interface ImageRef {
  name: string;
  tag: string;
  digest?: string | undefined;
}

/** What the setters need from an ImagePolicy. */
export interface PolicyLike {
  metadata: { name: string; namespace: string; labels?: Record<string, string> | undefined };
  status?: { latestRef?: ImageRef | undefined } | undefined;
}

/** A latest image reference is not a valid image reference: the whole update fails (as in Flux). */
export class InvalidImageRefError extends Error {
  override readonly name = 'InvalidImageRefError';
}

/** One setter: its name, value and the policy it comes from. */
export interface SetterDef {
  setter: string;
  value: string;
  policy: { namespace: string; name: string };
}

/** `ImageRef.String()`: `name:tag`, plus `@digest` when set. */
export function imageRefString(ref: ImageRef): string {
  return `${ref.name}:${ref.tag}${ref.digest ? `@${ref.digest}` : ''}`;
}

const IMAGE_NAME = /^[A-Za-z0-9._:[\]-]+(\/[a-z0-9._-]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

function validate(ref: ImageRef): void {
  const s = imageRefString(ref);
  if (!IMAGE_NAME.test(ref.name) || !TAG.test(ref.tag) || (ref.digest && !DIGEST.test(ref.digest))) {
    throw new InvalidImageRefError(`encountered invalid image ref "${s}"`);
  }
}

/**
 * Builds the setter table from policies; policies without `latestRef` contribute nothing.
 * @throws InvalidImageRefError when a latestRef is not a valid image reference.
 */
export function setterDefinitions(policies: readonly PolicyLike[]): Map<string, SetterDef> {
  const defs = new Map<string, SetterDef>();
  for (const p of policies) {
    const ref = p.status?.latestRef;
    if (!ref) continue;
    validate(ref);
    const policy = { namespace: p.metadata.namespace, name: p.metadata.name };
    const base = `${policy.namespace}:${policy.name}`;
    defs.set(base, { setter: base, value: imageRefString(ref), policy });
    defs.set(`${base}:tag`, { setter: `${base}:tag`, value: ref.tag, policy });
    defs.set(`${base}:name`, { setter: `${base}:name`, value: ref.name, policy });
    defs.set(`${base}:digest`, { setter: `${base}:digest`, value: ref.digest ?? '', policy });
  }
  return defs;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Extracts the setter name a comment refers to, or `undefined` when the comment is no marker.
 * `comment` is the raw comment text, with or without its leading `#`.
 */
export function parseMarker(comment: string): string | undefined {
  const body = comment.replace(/^#+/, '');
  const obj = parseJsonObject(body);
  if (!obj) return undefined;
  const values = Object.values(obj);
  if (values.every((v) => typeof v === 'string')) {
    const name = obj[SHORTHAND];
    if (typeof name === 'string' && name !== '') return name;
  }
  const ref = obj.$ref;
  if (typeof ref === 'string' && ref.startsWith(REF_PREFIX) && ref.length > REF_PREFIX.length) return ref.slice(REF_PREFIX.length);
  return undefined;
}

/** The policy a setter name refers to (`ns:name[:field]` → `{namespace, name}`). */
export function policyOfSetter(setter: string): { namespace: string; name: string } | undefined {
  const parts = setter.split(':');
  if (parts.length < 2 || parts.length > 3 || parts[0] === '' || parts[1] === '') return undefined;
  return { namespace: parts[0]!, name: parts[1]! };
}
