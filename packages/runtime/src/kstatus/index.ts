// SPDX-License-Identifier: Apache-2.0
/**
 * kstatus: the status of any Kubernetes object, computed as `sigs.k8s.io/cli-utils/pkg/kstatus/status`
 * `Compute` does in Flux's fork (`fluxcd/cli-utils`), for health checks and the CLI.
 *
 * Order: missing object → NotFound; generic rules (deletion → Terminating, unobserved generation
 * → InProgress, Reconciling=True → InProgress, Stalled=True → Failed); then the built-in kind's
 * rules (Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod, Job, PVC, Service, CRD, PDB,
 * Secret/ConfigMap/CronJob); then, for other kinds, Ready≠True → InProgress (Flux fork); else
 * Current. Namespaces have no kind rule (deletion makes them Terminating). A malformed field gives
 * Unknown.
 *
 * @packageDocumentation
 */
import { realClock, type Clock } from '../clock/index.ts';
import { alwaysReady, crdStatus, jobStatus, pdbStatus, podStatus, pvcStatus, serviceStatus } from './core.ts';
import { checkGeneric, checkReadyCondition } from './generic.ts';
import { current, type Json, type KStatusResult } from './types.ts';
import { daemonSetStatus, deploymentStatus, replicaSetStatus, statefulSetStatus } from './workloads.ts';

export * from './types.ts';
export * from './wait.ts';
export { SCHEDULE_WINDOW_MS } from './core.ts';

/** Options of {@link computeStatus}. */
export interface ComputeStatusOptions {
  /** Time source for the Pod scheduling window. @default realClock */
  clock?: Clock;
  /** Apply the Flux fork's Ready-condition rule to kinds without built-in rules. @default true */
  readyCondition?: boolean;
}

type Rule = (obj: Json, nowMs: number) => KStatusResult;

/** Built-in rules by `group/Kind` (core group: `Kind`). */
const RULES: Record<string, Rule> = {
  Service: serviceStatus,
  Pod: podStatus,
  Secret: alwaysReady,
  ConfigMap: alwaysReady,
  PersistentVolumeClaim: pvcStatus,
  'apps/StatefulSet': statefulSetStatus,
  'apps/DaemonSet': daemonSetStatus,
  'extensions/DaemonSet': daemonSetStatus,
  'apps/Deployment': deploymentStatus,
  'extensions/Deployment': deploymentStatus,
  'apps/ReplicaSet': replicaSetStatus,
  'extensions/ReplicaSet': replicaSetStatus,
  'policy/PodDisruptionBudget': pdbStatus,
  'batch/CronJob': alwaysReady,
  'batch/Job': jobStatus,
  'apiextensions.k8s.io/CustomResourceDefinition': crdStatus,
};

/** The rule key of an object: `group/Kind`, or `Kind` for the core group. */
export function ruleKey(apiVersion: string, kind: string): string {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return group === '' ? kind : `${group}/${kind}`;
}

/** Computes the kstatus of `obj` (undefined → NotFound). Never throws. */
export function computeStatus(obj: { apiVersion?: string; kind?: string } | undefined, opts: ComputeStatusOptions = {}): KStatusResult {
  if (obj === undefined || obj === null) return { status: 'NotFound', message: 'Resource not found', conditions: [] };
  const json = obj as Json;
  try {
    const generic = checkGeneric(json);
    if (generic) return generic;
    const rule = RULES[ruleKey(obj.apiVersion ?? '', obj.kind ?? '')];
    if (rule) return rule(json, (opts.clock ?? realClock).now());
    if (opts.readyCondition !== false) {
      const ready = checkReadyCondition(json);
      if (ready) return ready;
    }
    return current('Resource is current');
  } catch (err) {
    return { status: 'Unknown', message: err instanceof Error ? err.message : String(err), conditions: [] };
  }
}
