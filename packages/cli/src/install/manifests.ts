// SPDX-License-Identifier: Apache-2.0
/**
 * Eddy's install manifests (`packages/cli/manifests/install.yaml`, generated from the CRDs and the
 * Helm chart) and the filters `install`, `bootstrap` and `uninstall` share: which components to
 * keep and which namespace to install into.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '@eddy/runtime/client';
import { CliError } from '../context.ts';

/** Every controller Eddy ships, by its Flux component name. */
export const ALL_COMPONENTS = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
  'image-reflector-controller',
  'image-automation-controller',
] as const;

/** The components `install` and `bootstrap` pick by default (Flux's defaults minus notification-controller, which Eddy does not ship). */
export const DEFAULT_COMPONENTS = ['source-controller', 'kustomize-controller', 'helm-controller'];

/** The label Flux's CLI finds its objects by. */
export const PART_OF = 'app.kubernetes.io/part-of';
const COMPONENT = 'app.kubernetes.io/component';

/** The manifests file shipped with the CLI. */
export const INSTALL_MANIFESTS_URL = new URL('../../manifests/install.yaml', import.meta.url);

/** Parses multi-document YAML into objects, skipping empty documents. */
export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length > 0) throw new CliError(`invalid YAML: ${d.errors[0]!.message}`);
      return d.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null && typeof o === 'object' && typeof o.kind === 'string');
}

/** Serialises objects as a multi-document YAML stream. */
export function toYamlStream(objs: KubeObject[]): string {
  return objs.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}

/** Loads the install manifests shipped with the CLI. */
export function loadInstallManifests(): KubeObject[] {
  return parseObjects(readFileSync(INSTALL_MANIFESTS_URL, 'utf8'));
}

/** Checks a `--components` list against the controllers Eddy ships. */
export function validateComponents(components: string[]): string[] {
  const unique = [...new Set(components.map((c) => c.trim()).filter(Boolean))];
  for (const c of unique) {
    if (!(ALL_COMPONENTS as readonly string[]).includes(c)) {
      throw new CliError(`component '${c}' is not available; choose from ${ALL_COMPONENTS.join(', ')}`);
    }
  }
  if (unique.length === 0) throw new CliError('at least one component is required');
  return unique;
}

function componentOf(obj: KubeObject): string | undefined {
  return obj.metadata.labels?.[COMPONENT];
}

/**
 * Keeps the objects of the chosen components. CRDs follow their controller's component; CRDs of
 * kinds no Eddy controller serves (notification, source-watcher) are always kept, so fleet
 * repositories written for Flux still apply. Cluster RBAC keeps only subjects that are installed.
 */
export function selectComponents(objs: KubeObject[], components: string[]): KubeObject[] {
  const chosen = new Set(components);
  const shipped = new Set<string>(ALL_COMPONENTS);
  const out: KubeObject[] = [];
  for (const obj of objs) {
    const component = componentOf(obj);
    if (component && shipped.has(component) && !chosen.has(component)) continue;
    if (obj.kind === 'ClusterRoleBinding') {
      const subjects = ((obj['subjects'] ?? []) as Array<{ kind: string; name: string }>).filter(
        (s) => s.kind !== 'ServiceAccount' || !shipped.has(s.name) || chosen.has(s.name),
      );
      if (subjects.length === 0) continue;
      out.push({ ...obj, subjects });
      continue;
    }
    out.push(obj);
  }
  return out;
}

/** Moves the manifests from `flux-system` to another namespace (Namespace, namespaced objects, RBAC subjects). */
export function retarget(objs: KubeObject[], namespace: string): KubeObject[] {
  if (namespace === 'flux-system') return objs;
  return objs.map((obj) => {
    const copy = structuredClone(obj);
    if (copy.kind === 'Namespace') copy.metadata.name = namespace;
    else if (copy.metadata.namespace) copy.metadata.namespace = namespace;
    if (copy.kind === 'ClusterRoleBinding') {
      for (const s of (copy['subjects'] ?? []) as Array<{ namespace?: string }>) if (s.namespace) s.namespace = namespace;
    }
    return copy;
  });
}

/** The manifests for a namespace and set of components. */
export function installManifests(namespace: string, components: string[]): KubeObject[] {
  return retarget(selectComponents(loadInstallManifests(), validateComponents(components)), namespace);
}

/** `--components a,b` plus `--components-extra c` as one list, like Flux. */
export function componentsOf(flags: { components?: string[] | string; componentsExtra?: string[] | string }): string[] {
  const split = (v: string[] | string | undefined): string[] => (Array.isArray(v) ? v : v ? [v] : []).flatMap((x) => x.split(','));
  const base = split(flags.components);
  return [...(base.length > 0 ? base : DEFAULT_COMPONENTS), ...split(flags.componentsExtra)];
}
