// SPDX-License-Identifier: Apache-2.0
/**
 * Kustomize-style object selectors for drift ignore rules: `group`, `version`, `kind`, `name` and
 * `namespace` are anchored regular expressions; `labelSelector`/`annotationSelector` use
 * Kubernetes label selector syntax (`a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`).
 */
import type { KubeObject } from '@eddy/runtime/client';
import type { Selector } from '../release/types.ts';

type Requirement = (m: Record<string, string>) => boolean;

/** Parses a label selector into one predicate. Throws on syntax errors. */
export function parseLabelSelector(s: string): Requirement {
  const reqs: Requirement[] = [];
  for (const part of s.match(/([^,(]+(\([^)]*\))?)/g) ?? []) {
    const p = part.trim().replace(/^,/, '').trim();
    if (!p) continue;
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p))) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const vals = list.split(',').map((v) => v.trim());
      reqs.push(op === 'in' ? (l) => key in l && vals.includes(l[key]!) : (l) => !(key in l) || !vals.includes(l[key]!));
    } else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(p))) {
      const [, key, op, val] = m as unknown as [string, string, string, string];
      reqs.push(op === '!=' ? (l) => l[key] !== val : (l) => l[key] === val);
    } else if ((m = /^!([\w./-]+)$/.exec(p))) {
      const key = m[1]!;
      reqs.push((l) => !(key in l));
    } else if ((m = /^([\w./-]+)$/.exec(p))) {
      const key = m[1]!;
      reqs.push((l) => key in l);
    } else {
      throw new Error(`unable to parse requirement: ${p}`);
    }
  }
  return (l) => reqs.every((r) => r(l));
}

const anchored = (re: string | undefined, v: string): boolean => !re || new RegExp(`^(?:${re})$`).test(v);

/** True when `obj` matches `sel` (an absent selector matches everything). */
export function matchesSelector(obj: KubeObject, sel: Selector | undefined): boolean {
  if (!sel) return true;
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/', 2) : ['', obj.apiVersion];
  return (
    anchored(sel.group, group!) &&
    anchored(sel.version, version!) &&
    anchored(sel.kind, obj.kind) &&
    anchored(sel.name, obj.metadata.name ?? '') &&
    anchored(sel.namespace, obj.metadata.namespace ?? '') &&
    (!sel.labelSelector || parseLabelSelector(sel.labelSelector)(obj.metadata.labels ?? {})) &&
    (!sel.annotationSelector || parseLabelSelector(sel.annotationSelector)(obj.metadata.annotations ?? {}))
  );
}
