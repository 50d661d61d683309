// SPDX-License-Identifier: Apache-2.0
/** Rules of the other built-in kinds (cli-utils `core.go`): Pod, Job, PVC, Service, CRD, PDB and the always-ready ones. */
import { conditionWithStatus, conditionsOf, current, failed, inProgress, intField, stringField, type Json, type KStatusResult } from './types.ts';

/** How long a Pod may stay unschedulable before it is reported Failed. */
export const SCHEDULE_WINDOW_MS = 15_000;

/** Secrets, ConfigMaps and CronJobs are Current once they exist. */
export function alwaysReady(): KStatusResult {
  return current('Resource is always ready');
}

function crashLoopingContainers(obj: Json): string[] {
  const statuses = (obj['status'] as Json | undefined)?.['containerStatuses'];
  if (!Array.isArray(statuses)) return [];
  return statuses
    .filter((cs: Json) => {
      const waiting = (cs?.['state'] as Json | undefined)?.['waiting'] as Json | undefined;
      return typeof cs?.['name'] === 'string' && waiting?.['reason'] === 'CrashLoopBackOff';
    })
    .map((cs: Json) => cs['name'] as string);
}

/**
 * Pod: Succeeded/Failed phases are Current (completed); Running is Current when Ready, Failed when
 * containers crash-loop; Pending is Failed when unschedulable for more than 15 s.
 */
export function podStatus(obj: Json, nowMs: number): KStatusResult {
  const phase = stringField(obj, '.status.phase', '');
  switch (phase) {
    case 'Succeeded':
      return current('Pod has completed successfully');
    case 'Failed':
      return current('Pod has completed, but not successfully');
    case 'Running': {
      if (conditionWithStatus(obj, 'Ready', 'True')) return current('Pod is Ready');
      const looping = crashLoopingContainers(obj);
      if (looping.length > 0) return failed('ContainerCrashLooping', `Containers in CrashLoop state: ${looping.join(',')}`);
      return inProgress('PodRunningNotReady', 'Pod is running but is not Ready');
    }
    case 'Pending': {
      const c = conditionWithStatus(obj, 'PodScheduled', 'False');
      if (c?.reason === 'Unschedulable') {
        const created = Date.parse(stringField(obj, '.metadata.creationTimestamp', ''));
        if (Number.isNaN(created) || nowMs - SCHEDULE_WINDOW_MS < created) return inProgress('PodNotScheduled', 'Pod has not been scheduled');
        return failed('PodUnschedulable', 'Pod could not be scheduled');
      }
      return inProgress('PodPending', 'Pod is in the Pending phase');
    }
    case '':
      return inProgress('PodNotObserved', 'Pod phase not available');
    default:
      return { status: 'Unknown', message: `unknown phase ${phase}`, conditions: [] };
  }
}

/** Job: Complete or Suspended → Current, Failed → Failed, not started → InProgress, running → Current. */
export function jobStatus(obj: Json): KStatusResult {
  const parallelism = intField(obj, '.spec.parallelism', 1);
  const completions = intField(obj, '.spec.completions', parallelism);
  const succeeded = intField(obj, '.status.succeeded', 0);
  const active = intField(obj, '.status.active', 0);
  const failedPods = intField(obj, '.status.failed', 0);
  for (const c of conditionsOf(obj)) {
    if (c.status !== 'True') continue;
    if (c.type === 'Complete') return current(`Job Completed. succeeded: ${succeeded}/${completions}`);
    if (c.type === 'Failed') return failed('JobFailed', `Job Failed. failed: ${failedPods}/${completions}`);
    if (c.type === 'Suspended') return current('Job is suspended');
  }
  if (stringField(obj, '.status.startTime', '') === '') return inProgress('JobNotStarted', 'Job not started');
  return current(`Job in progress. success:${succeeded}, active: ${active}, failed: ${failedPods}`);
}

/** PersistentVolumeClaim: Current once Bound. */
export function pvcStatus(obj: Json): KStatusResult {
  const phase = stringField(obj, '.status.phase', 'unknown');
  return phase === 'Bound' ? current('PVC is Bound') : inProgress('NotBound', `PVC is not Bound. phase: ${phase}`);
}

/** Service: a LoadBalancer needs a clusterIP; everything else is Current. */
export function serviceStatus(obj: Json): KStatusResult {
  if (stringField(obj, '.spec.type', 'ClusterIP') === 'LoadBalancer' && stringField(obj, '.spec.clusterIP', '') === '') {
    return inProgress('NoIPAssigned', 'ClusterIP not set. Service type: LoadBalancer');
  }
  return current('Service is ready');
}

/** CustomResourceDefinition: Failed when names are not accepted or establishing failed; Current when Established. */
export function crdStatus(obj: Json): KStatusResult {
  for (const c of conditionsOf(obj)) {
    if (c.type === 'NamesAccepted' && c.status === 'False') return failed(c.reason ?? '', c.message ?? '');
    if (c.type === 'Established') {
      if (c.status === 'False' && c.reason !== 'Installing') return failed(c.reason ?? '', c.message ?? '');
      if (c.status === 'True') return current('CRD is established');
    }
  }
  return inProgress('Installing', 'Install in progress');
}

/** PodDisruptionBudget: Current once its generation is observed (checked by the generic rules). */
export function pdbStatus(): KStatusResult {
  return current('AllowedDisruptions has been computed.');
}
