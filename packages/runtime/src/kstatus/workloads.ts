// SPDX-License-Identifier: Apache-2.0
/** Rules of the replica-managing kinds (cli-utils `core.go`): Deployment, StatefulSet, DaemonSet, ReplicaSet. */
import { checkGenerationSet } from './generic.ts';
import { conditionsOf, current, inProgress, intField, stringField, type Json, type KStatusResult } from './types.ts';

const MAX_INT32 = 2147483647;

/** Deployment: Failed on ProgressDeadlineExceeded; InProgress until replicas are updated, available and ready. */
function deploymentConditions(obj: Json): KStatusResult | { progressing: boolean; available: boolean } {
  let progressing = intField(obj, '.spec.progressDeadlineSeconds', MAX_INT32) === MAX_INT32;
  let available = false;
  for (const c of conditionsOf(obj)) {
    if (c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded') {
      const stalled = { type: 'Stalled' as const, status: 'True' as const, reason: c.reason, message: c.message ?? '' };
      return { status: 'Failed', message: 'Progress deadline exceeded', conditions: [stalled] };
    }
    if (c.type === 'Progressing' && c.status === 'True' && c.reason === 'NewReplicaSetAvailable') progressing = true;
    if (c.type === 'Available' && c.status === 'True') available = true;
  }
  return { progressing, available };
}

/** Deployment: Failed on ProgressDeadlineExceeded; InProgress until replicas are updated, available and ready. */
export function deploymentStatus(obj: Json): KStatusResult {
  const conds = deploymentConditions(obj);
  if ('status' in conds) return conds;
  const spec = intField(obj, '.spec.replicas', 1);
  const replicas = intField(obj, '.status.replicas', 0);
  const updated = intField(obj, '.status.updatedReplicas', 0);
  const ready = intField(obj, '.status.readyReplicas', 0);
  const avail = intField(obj, '.status.availableReplicas', 0);
  if (spec > replicas) return inProgress('LessReplicas', `Replicas: ${replicas}/${spec}`);
  if (spec > updated) return inProgress('LessUpdated', `Updated: ${updated}/${spec}`);
  if (replicas > spec) return inProgress('ExtraPods', `Pending termination: ${replicas - spec}`);
  if (updated > avail) return inProgress('LessAvailable', `Available: ${avail}/${updated}`);
  if (spec > ready) return inProgress('LessReady', `Ready: ${ready}/${spec}`);
  if (!conds.progressing) return inProgress('ReplicaSetNotAvailable', 'ReplicaSet not Available');
  if (!conds.available) return inProgress('DeploymentNotAvailable', 'Deployment not Available');
  return current(`Deployment is available. Replicas: ${replicas}`);
}

/** StatefulSet: OnDelete is always Current; otherwise replicas, partition rollout and revisions must match. */
export function statefulSetStatus(obj: Json): KStatusResult {
  if (stringField(obj, '.spec.updateStrategy.type', '') === 'OnDelete') return current('StatefulSet is using the ondelete update strategy');
  const spec = intField(obj, '.spec.replicas', 1);
  const ready = intField(obj, '.status.readyReplicas', 0);
  const currentReplicas = intField(obj, '.status.currentReplicas', 0);
  const updated = intField(obj, '.status.updatedReplicas', 0);
  const replicas = intField(obj, '.status.replicas', 0);
  const partition = intField(obj, '.spec.updateStrategy.rollingUpdate.partition', -1);
  if (spec > replicas) return inProgress('LessReplicas', `Replicas: ${replicas}/${spec}`);
  if (spec > ready) return inProgress('LessReady', `Ready: ${ready}/${spec}`);
  if (replicas > spec) return inProgress('ExtraPods', `Pending termination: ${replicas - spec}`);
  if (partition !== -1) {
    if (updated < spec - partition) return inProgress('PartitionRollout', `updated: ${updated}/${spec - partition}`);
    return current(`Partition rollout complete. updated: ${updated}`);
  }
  if (spec > currentReplicas) return inProgress('LessCurrent', `current: ${currentReplicas}/${spec}`);
  if (stringField(obj, '.status.currentRevision', '') !== stringField(obj, '.status.updateRevision', '')) {
    return inProgress('RevisionMismatch', 'Waiting for updated revision to match current');
  }
  return current(`All replicas scheduled as expected. Replicas: ${replicas}`);
}

/** DaemonSet: generations must be set; every desired pod scheduled, updated, available and ready. */
export function daemonSetStatus(obj: Json): KStatusResult {
  const gen = checkGenerationSet(obj);
  if (gen) return gen;
  const desired = intField(obj, '.status.desiredNumberScheduled', -1);
  const currentScheduled = intField(obj, '.status.currentNumberScheduled', 0);
  const updated = intField(obj, '.status.updatedNumberScheduled', 0);
  const available = intField(obj, '.status.numberAvailable', 0);
  const ready = intField(obj, '.status.numberReady', 0);
  if (desired === -1) return inProgress('NoDesiredNumber', 'Missing .status.desiredNumberScheduled');
  if (desired > currentScheduled) return inProgress('LessCurrent', `Current: ${currentScheduled}/${desired}`);
  if (desired > updated) return inProgress('LessUpdated', `Updated: ${updated}/${desired}`);
  if (desired > available) return inProgress('LessAvailable', `Available: ${available}/${desired}`);
  if (desired > ready) return inProgress('LessReady', `Ready: ${ready}/${desired}`);
  return current(`All replicas scheduled as expected. Replicas: ${desired}`);
}

/** ReplicaSet: InProgress on ReplicaFailure or until replicas are labelled, available and ready. */
export function replicaSetStatus(obj: Json): KStatusResult {
  if (conditionsOf(obj).some((c) => c.type === 'ReplicaFailure' && c.status === 'True')) {
    return inProgress('ReplicaFailure', 'Replica Failure condition. Check Pods');
  }
  const spec = intField(obj, '.spec.replicas', 1);
  const replicas = intField(obj, '.status.replicas', 0);
  const ready = intField(obj, '.status.readyReplicas', 0);
  const available = intField(obj, '.status.availableReplicas', 0);
  const labelled = intField(obj, '.status.fullyLabeledReplicas', 0);
  if (spec > labelled) return inProgress('LessLabelled', `Labelled: ${labelled}/${spec}`);
  if (spec > available) return inProgress('LessAvailable', `Available: ${available}/${spec}`);
  if (spec > ready) return inProgress('LessReady', `Ready: ${ready}/${spec}`);
  if (replicas > spec) return inProgress('ExtraPods', `Pending termination: ${replicas - spec}`);
  return current(`ReplicaSet is available. Replicas: ${replicas}`);
}
