// SPDX-License-Identifier: Apache-2.0
/**
 * `status.inventory` of a HelmRelease (Flux's `internal/inventory`): the objects of the current
 * release, as `{id: <namespace>_<name>_<group>_<kind>, v: <version>}` entries, built from the
 * release manifest helm stored plus the CRDs of the chart's `crds/` directory. Hooks are not part
 * of it. Helm leaves `metadata.namespace` out of most namespaced objects; like Flux, the release
 * namespace is filled in for kinds the apiserver reports as namespaced, and kinds it does not know
 * (a CRD the release is about to install, say) keep their empty namespace with a warning.
 */
import { inventoryEntryOf, type InventoryEntry } from '@eddy/api/helpers';
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import { parseAllDocuments } from 'yaml';
import { readChartCRDs } from '../chart/crds.ts';
import type { ReleaseRecord } from '../helm/release-record.ts';
import type { ActionEnv } from './action-env.ts';
import { statusOf, type HelmReleaseObject } from './types.ts';

/** `status.inventory`. */
export interface ReleaseInventory {
  entries: InventoryEntry[];
}

/** What {@link buildInventory} reads. */
export interface InventoryInput {
  /** The release manifest as helm stored it. */
  manifest: string;
  /** The release namespace, for namespaced objects without one. */
  namespace: string;
  /** The chart's CRDs (`crds/` files of the chart at `chartPath`). */
  crds?: { chartPath: string; files: string[] };
}

/** Why an inventory could not be built (an unparsable manifest or CRD file). */
export class InventoryBuildError extends Error {
  override readonly name = 'InventoryBuildError';
}

const HOOK_ANNOTATION = 'helm.sh/hook';
const CRD_SUFFIX = '_apiextensions.k8s.io_CustomResourceDefinition';

/** Builds the inventory; `warnings` name the kinds whose scope could not be determined. */
export async function buildInventory(input: InventoryInput, discovery: Pick<KubeClient, 'resourceFor'>): Promise<{ inventory: ReleaseInventory; warnings: string[] }> {
  const objects = parseManifest(input.manifest).filter((o) => o.metadata.annotations?.[HOOK_ANNOTATION] === undefined);
  const warnings: string[] = [];
  const namespaced = new Map<string, boolean | undefined>();
  for (const o of objects) {
    if (o.metadata.namespace) continue;
    const key = `${o.apiVersion}/${o.kind}`;
    if (!namespaced.has(key)) {
      try {
        namespaced.set(key, (await discovery.resourceFor(o.apiVersion, o.kind)).namespaced);
      } catch (e) {
        namespaced.set(key, undefined);
        warnings.push(`failed to determine if ${o.kind} is namespace scoped, skipping namespace: ${(e as Error).message}`);
      }
    }
    if (namespaced.get(key)) o.metadata.namespace = input.namespace;
  }
  const entries = objects.map(inventoryEntryOf);
  if (input.crds?.files.length) {
    try {
      for (const crd of await readChartCRDs(input.crds.chartPath, input.crds.files)) entries.push(inventoryEntryOf(crd));
    } catch (e) {
      throw new InventoryBuildError(`failed to parse CRDs: ${(e as Error).message}`, { cause: e });
    }
  }
  return { inventory: { entries }, warnings };
}

function parseManifest(manifest: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(manifest)) {
    if (doc.errors.length) throw new InventoryBuildError(`failed to parse manifest: ${doc.errors[0]!.message}`);
    const o = doc.toJS() as KubeObject | null;
    if (!o || typeof o !== 'object' || !o.kind || !o.apiVersion || !o.metadata?.name) continue;
    out.push(o);
  }
  return out;
}

/**
 * Sets `status.inventory` from the newest of `observed` (what an install, upgrade or rollback wrote),
 * as Flux's inventory observer does; build problems become Warning events (`InventoryBuildFailed`,
 * `NamespaceCheckSkipped`) and leave the previous inventory. With `keepCRDs` (rollback) the chart
 * CRDs of the previous inventory are kept. No-op without `env.discovery`.
 */
export async function recordInventory(hr: HelmReleaseObject, observed: ReleaseRecord[], env: ActionEnv, crds?: InventoryInput['crds'], keepCRDs = false): Promise<void> {
  if (!env.discovery || observed.length === 0) return;
  const newest = observed.reduce((a, b) => (b.version > a.version ? b : a));
  try {
    const { inventory, warnings } = await buildInventory({ manifest: newest.manifest ?? '', namespace: newest.namespace, ...(crds ? { crds } : {}) }, env.discovery);
    if (warnings.length) env.events.event('Warning', 'NamespaceCheckSkipped', warnings.join('; '));
    const status = statusOf(hr);
    // A rollback has no chart at hand: the chart CRDs recorded before stay (helm never deletes CRDs).
    if (keepCRDs) inventory.entries.push(...(status.inventory?.entries ?? []).filter((e) => e.id.endsWith(CRD_SUFFIX) && !inventory.entries.some((n) => n.id === e.id)));
    status.inventory = inventory;
  } catch (e) {
    env.events.event('Warning', 'InventoryBuildFailed', `failed to build inventory for ${hr.metadata.namespace}/${hr.metadata.name}: ${(e as Error).message}`);
  }
}
