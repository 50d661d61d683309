// SPDX-License-Identifier: Apache-2.0
/**
 * The ImagePolicies an automation applies (Flux `getPolicies` / `observedPolicies`): those in the
 * automation's namespace matching `spec.policySelector` (all of them when empty) that have a
 * `status.latestRef`. `status.observedPolicies` maps each policy name to that image; a change
 * there makes the next run a full one.
 *
 * The selector is converted like `metav1.LabelSelectorAsSelector` and sent to the apiserver; an
 * invalid one is a {@link PolicySelectorError} (the automation stalls `InvalidPolicySelector`).
 */
import type { ImagePolicy, ImageRef } from '@eddy/api/image/v1';
import type { LabelSelector } from '@eddy/api';
import type { KubeClient } from '@eddy/runtime/client';

/** The policy selector is not a valid label selector. */
export class PolicySelectorError extends Error {
  override readonly name = 'PolicySelectorError';
}

const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string): void {
  if (!QUALIFIED_NAME.test(key) || key.length > 316) throw new PolicySelectorError(`key: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'`);
}

function checkValue(key: string, value: string): void {
  if (value.length > 63 || !LABEL_VALUE.test(value)) throw new PolicySelectorError(`values[${key}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'`);
}

/**
 * `metav1.LabelSelectorAsSelector` as a selector string (`''` selects everything).
 * @throws PolicySelectorError for an invalid key, value or operator.
 */
export function labelSelectorString(sel: LabelSelector | undefined): string {
  if (!sel) return '';
  const terms: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    checkKey(k);
    checkValue(k, v);
    terms.push(`${k}=${v}`);
  }
  for (const e of sel.matchExpressions ?? []) {
    checkKey(e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) throw new PolicySelectorError(`values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty`);
        values.forEach((v) => checkValue(e.key, v));
        terms.push(`${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${[...values].sort().join(',')})`);
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) throw new PolicySelectorError(`values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist`);
        terms.push(e.operator === 'Exists' ? e.key : `!${e.key}`);
        break;
      default:
        throw new PolicySelectorError(`"${e.operator}" is not a valid label selector operator`);
    }
  }
  return terms.join(',');
}

/** The selected policies that have a latest image, sorted by name. */
export async function selectPolicies(client: KubeClient, namespace: string, selector: LabelSelector | undefined): Promise<ImagePolicy[]> {
  let labelSelector: string;
  try {
    labelSelector = labelSelectorString(selector);
  } catch (err) {
    throw new PolicySelectorError(`failed to parse policy selector: ${(err as Error).message}`);
  }
  let list;
  try {
    list = await client.list<ImagePolicy & { [k: string]: unknown }>('image.toolkit.fluxcd.io/v1', 'ImagePolicy', {
      namespace,
      ...(labelSelector ? { labelSelector } : {}),
    });
  } catch (err) {
    throw new Error(`failed to list policies: ${(err as Error).message}`, { cause: err });
  }
  return list.items
    .filter((p) => p.status?.latestRef !== undefined)
    .sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
}

/** `status.observedPolicies`: policy name → its latest image. */
export function observedPoliciesOf(policies: readonly ImagePolicy[]): Record<string, ImageRef> {
  const out: Record<string, ImageRef> = {};
  for (const p of policies) {
    const ref = p.status!.latestRef!;
    out[p.metadata.name ?? ''] = { name: ref.name, tag: ref.tag, ...(ref.digest ? { digest: ref.digest } : {}) };
  }
  return out;
}

/** Flux's `observedPoliciesChanged`. */
export function observedPoliciesChanged(previous: Record<string, ImageRef> | undefined, current: Record<string, ImageRef>): boolean {
  const prev = previous ?? {};
  if (Object.keys(prev).length !== Object.keys(current).length) return true;
  return Object.entries(current).some(([name, ref]) => {
    const old = prev[name];
    return !old || old.name !== ref.name || old.tag !== ref.tag || (old.digest ?? '') !== (ref.digest ?? '');
  });
}
