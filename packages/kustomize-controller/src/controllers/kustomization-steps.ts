// SPDX-License-Identifier: Apache-2.0
/**
 * The apply, prune and health steps of a Kustomization run (kustomize-controller `apply`,
 * `prune`, `checkHealth`). Each step reports failures as a {@link StepFailure} carrying the Flux
 * Ready reason; the reconciler turns them into conditions, history and events.
 */
import type { Kustomization } from '@eddy/api';
import type { KubeClient } from '@eddy/runtime/client';
import type { Clock } from '@eddy/runtime/clock';
import type { ChangeSet } from '../apply/change-set.ts';
import { defaultCleanupOptions } from '../apply/cleanup.ts';
import { formatSubject, objMetadataOf } from '../apply/objects.ts';
import { setCommonMetadata, setOwnerLabels } from '../apply/policy.ts';
import { deleteAll } from '../apply/prune.ts';
import { ApplyError, ResourceManager } from '../apply/resource-manager.ts';
import type { KubeObject } from '../build/manifests.ts';
import { isDecryptionDisabled, isEncryptedSecret } from '../decrypt/decryptor.ts';
import type { CelStatusEvaluators } from '@eddy/runtime/cel';
import { HealthCheckCanceledError, waitForSet } from '../health/wait.ts';
import type { ResourceInventory } from '../inventory/inventory.ts';

/** A failed step with the Flux Ready reason to report. */
export class StepFailure extends Error {
  override readonly name = 'StepFailure';
  constructor(
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Controller-wide apply settings. */
export interface ApplySettings {
  fieldManager: string;
  disallowedFieldManagers?: string[];
  customStageKinds?: string[];
  clock: Clock;
  signal?: AbortSignal;
}

/**
 * Labels, annotates and applies the built objects in stages.
 * @returns the change set and whether anything changed.
 * @throws StepFailure `ReconciliationFailed`
 */
export async function applyObjects(
  client: KubeClient,
  obj: Kustomization,
  objects: KubeObject[],
  settings: ApplySettings,
): Promise<{ changeSet: ChangeSet; changed: string }> {
  setOwnerLabels(objects, obj.metadata.name ?? '', obj.metadata.namespace ?? '');
  const cm = obj.spec.commonMetadata;
  if (cm) setCommonMetadata(objects, cm.labels ?? {}, cm.annotations ?? {});
  for (const o of objects) {
    const ann = (o.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
    if (isEncryptedSecret(o) && !isDecryptionDisabled(ann)) {
      throw new StepFailure('ReconciliationFailed', `${formatSubject(objMetadataOf(o))} is SOPS encrypted, configuring decryption is required for this secret to be reconciled`);
    }
  }
  const rm = new ResourceManager(client, settings.fieldManager, { clock: settings.clock });
  try {
    const changeSet = await rm.applyAllStaged(objects, {
      force: obj.spec.force ?? false,
      cleanup: defaultCleanupOptions(settings.fieldManager, settings.disallowedFieldManagers),
      ...(settings.customStageKinds ? { customStageKinds: settings.customStageKinds } : {}),
      ...(settings.signal ? { signal: settings.signal } : {}),
    });
    return { changeSet, changed: changeSet.changedString() };
  } catch (err) {
    const partial = err instanceof ApplyError ? err.changeSet.changedString() : '';
    throw new StepFailure('ReconciliationFailed', `${(err as Error).message}\n${partial}`.trimEnd(), { cause: err });
  }
}

/**
 * Deletes stale objects when `spec.prune` is on.
 * @returns the prune change set text (empty when nothing was done) and survivors on failure.
 */
export async function pruneObjects(
  client: KubeClient,
  obj: Kustomization,
  stale: KubeObject[],
): Promise<{ log: string; survivors: KubeObject[]; error?: StepFailure }> {
  if (!obj.spec.prune || stale.length === 0) return { log: '', survivors: [] };
  const res = await deleteAll(client, stale, { name: obj.metadata.name ?? '', namespace: obj.metadata.namespace ?? '' });
  const out: { log: string; survivors: KubeObject[]; error?: StepFailure } = { log: res.changeSet.toString(), survivors: res.survivors };
  if (res.error) out.error = new StepFailure('PruneFailed', res.error.message, { cause: res.error });
  return out;
}

/** The objects to health-check: every applied object with `wait`, else `spec.healthChecks`. */
export function healthCheckTargets(obj: Kustomization, changeSet: ChangeSet): KubeObject[] {
  const refs: KubeObject[] = obj.spec.wait
    ? changeSet.entries
        .filter((e) => e.action !== 'skipped')
        .map((e) => ({
          apiVersion: e.objMetadata.group ? `${e.objMetadata.group}/${e.version}` : e.version,
          kind: e.objMetadata.kind,
          metadata: { name: e.objMetadata.name, ...(e.objMetadata.namespace ? { namespace: e.objMetadata.namespace } : {}) },
        }))
    : (obj.spec.healthChecks ?? []).map((h) => ({
        apiVersion: h.apiVersion || 'apps/v1',
        kind: h.kind,
        metadata: { name: h.name, ...(h.namespace ? { namespace: h.namespace } : {}) },
      }));
  return refs.filter(
    (r) => !(r.kind === 'Kustomization' && (r.metadata as { name: string }).name === obj.metadata.name && (r.metadata as { namespace?: string }).namespace === obj.metadata.namespace),
  );
}

/** Options of {@link checkHealth}. */
export interface HealthSettings {
  timeoutMs: number;
  intervalMs: number;
  failFast: boolean;
  cel?: CelStatusEvaluators;
  jobsWithTTL: Set<string>;
  clock: Clock;
  signal?: AbortSignal;
}

/**
 * Waits for the targets to be healthy.
 * @throws StepFailure `HealthCheckFailed`; HealthCheckCanceledError when cancelled.
 */
export async function checkHealth(client: KubeClient, targets: KubeObject[], s: HealthSettings): Promise<void> {
  const rm = new ResourceManager(client, 'kustomize-controller', { clock: s.clock });
  try {
    await waitForSet(targets, rm.read, {
      intervalMs: s.intervalMs,
      timeoutMs: s.timeoutMs,
      failFast: s.failFast,
      jobsWithTTL: s.jobsWithTTL,
      clock: s.clock,
      ...(s.cel ? { cel: s.cel } : {}),
      ...(s.signal ? { signal: s.signal } : {}),
    });
  } catch (err) {
    if (err instanceof HealthCheckCanceledError) throw err;
    throw new StepFailure('HealthCheckFailed', (err as Error).message, { cause: err });
  }
}

/** An inventory with no entries yet. */
export function emptyInventory(): ResourceInventory {
  return { entries: [] };
}
