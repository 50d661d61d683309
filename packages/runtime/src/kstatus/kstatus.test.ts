// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../clock/index.ts';
import { computeStatus, type KStatus } from './index.ts';

type Obj = Record<string, unknown>;
const meta = (extra: Obj = {}): Obj => ({ name: 'x', namespace: 'ns', generation: 1, ...extra });
const deploy = (spec: Obj, status: Obj): Obj => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(), spec, status: { observedGeneration: 1, ...status } });
const okDeployConditions = [
  { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
  { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
];
const sts = (spec: Obj, status: Obj): Obj => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta(), spec, status: { observedGeneration: 1, ...status } });
const pod = (status: Obj, created = '2026-01-01T00:00:00Z'): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: meta({ creationTimestamp: created }), status });
const job = (spec: Obj, status: Obj): Obj => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta(), spec, status });
const crd = (...conditions: Obj[]): Obj => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: meta(), status: { conditions } });
const flux = (status: Obj, m: Obj = {}): Obj => ({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: meta({ generation: 2, ...m }), status });

describe('computeStatus', () => {
  const cases: Array<{ name: string; before: Obj | undefined; want: KStatus; wantReason?: string; readyCondition?: boolean }> = [
    { name: 'missing object', before: undefined, want: 'NotFound' },
    // generic
    { name: 'deletionTimestamp', before: flux({ observedGeneration: 1 }, { deletionTimestamp: '2026-01-01T00:00:00Z' }), want: 'Terminating' },
    { name: 'unobserved generation', before: flux({ observedGeneration: 1 }), want: 'InProgress', wantReason: 'LatestGenerationNotObserved' },
    { name: 'CRD status default -1 is unobserved', before: flux({ observedGeneration: -1 }), want: 'InProgress' },
    { name: 'Reconciling=True', before: flux({ observedGeneration: 2, conditions: [{ type: 'Reconciling', status: 'True', reason: 'Progressing' }] }), want: 'InProgress', wantReason: 'Progressing' },
    { name: 'Stalled=True', before: flux({ observedGeneration: 2, conditions: [{ type: 'Stalled', status: 'True', reason: 'InvalidURL' }] }), want: 'Failed', wantReason: 'InvalidURL' },
    { name: 'Ready=True', before: flux({ observedGeneration: 2, conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded' }] }), want: 'Current' },
    { name: 'Ready=False (Flux fork)', before: flux({ observedGeneration: 2, conditions: [{ type: 'Ready', status: 'False', reason: 'BuildFailed' }] }), want: 'InProgress', wantReason: 'BuildFailed' },
    { name: 'Ready=False upstream', before: flux({ observedGeneration: 2, conditions: [{ type: 'Ready', status: 'False' }] }), want: 'Current', readyCondition: false },
    { name: 'no status at all', before: { apiVersion: 'example.com/v1', kind: 'Thing', metadata: meta() }, want: 'Current' },
    { name: 'malformed generation', before: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ generation: 'x' }) }, want: 'Unknown' },
    // Deployment
    { name: 'deployment available', before: deploy({ replicas: 2 }, { replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, conditions: okDeployConditions }), want: 'Current' },
    { name: 'deployment too few replicas', before: deploy({ replicas: 2 }, { replicas: 1, conditions: okDeployConditions }), want: 'InProgress', wantReason: 'LessReplicas' },
    { name: 'deployment not updated', before: deploy({ replicas: 1 }, { replicas: 1, updatedReplicas: 0 }), want: 'InProgress', wantReason: 'LessUpdated' },
    { name: 'deployment extra pods', before: deploy({ replicas: 1 }, { replicas: 2, updatedReplicas: 1 }), want: 'InProgress', wantReason: 'ExtraPods' },
    { name: 'deployment not available', before: deploy({}, { replicas: 1, updatedReplicas: 1, availableReplicas: 0 }), want: 'InProgress', wantReason: 'LessAvailable' },
    { name: 'deployment not ready', before: deploy({}, { replicas: 1, updatedReplicas: 1, availableReplicas: 1 }), want: 'InProgress', wantReason: 'LessReady' },
    {
      name: 'deployment progress deadline set but no NewReplicaSetAvailable',
      before: deploy({ progressDeadlineSeconds: 600 }, { replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 }),
      want: 'InProgress',
      wantReason: 'ReplicaSetNotAvailable',
    },
    {
      name: 'deployment without Available',
      before: deploy({}, { replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 }),
      want: 'InProgress',
      wantReason: 'DeploymentNotAvailable',
    },
    {
      name: 'deployment progress deadline exceeded',
      before: deploy({}, { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }),
      want: 'Failed',
      wantReason: 'ProgressDeadlineExceeded',
    },
    // StatefulSet
    { name: 'statefulset ondelete', before: sts({ updateStrategy: { type: 'OnDelete' } }, {}), want: 'Current' },
    { name: 'statefulset ready', before: sts({ replicas: 1 }, { replicas: 1, readyReplicas: 1, currentReplicas: 1, currentRevision: 'a', updateRevision: 'a' }), want: 'Current' },
    { name: 'statefulset revision mismatch', before: sts({ replicas: 1 }, { replicas: 1, readyReplicas: 1, currentReplicas: 1, currentRevision: 'a', updateRevision: 'b' }), want: 'InProgress', wantReason: 'RevisionMismatch' },
    { name: 'statefulset partition rolling', before: sts({ replicas: 3, updateStrategy: { rollingUpdate: { partition: 1 } } }, { replicas: 3, readyReplicas: 3, updatedReplicas: 1 }), want: 'InProgress', wantReason: 'PartitionRollout' },
    { name: 'statefulset partition done', before: sts({ replicas: 3, updateStrategy: { rollingUpdate: { partition: 1 } } }, { replicas: 3, readyReplicas: 3, updatedReplicas: 2 }), want: 'Current' },
    { name: 'statefulset not ready', before: sts({ replicas: 2 }, { replicas: 2, readyReplicas: 1 }), want: 'InProgress', wantReason: 'LessReady' },
    // DaemonSet
    { name: 'daemonset without observedGeneration', before: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta(), status: {} }, want: 'InProgress', wantReason: 'NoObservedGeneration' },
    {
      name: 'daemonset ready',
      before: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta(), status: { observedGeneration: 1, desiredNumberScheduled: 2, currentNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2, numberReady: 2 } },
      want: 'Current',
    },
    {
      name: 'daemonset not available',
      before: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta(), status: { observedGeneration: 1, desiredNumberScheduled: 2, currentNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 } },
      want: 'InProgress',
      wantReason: 'LessAvailable',
    },
    // ReplicaSet
    { name: 'replicaset failure', before: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta(), status: { conditions: [{ type: 'ReplicaFailure', status: 'True' }] } }, want: 'InProgress', wantReason: 'ReplicaFailure' },
    { name: 'replicaset ready', before: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta(), spec: { replicas: 1 }, status: { replicas: 1, fullyLabeledReplicas: 1, availableReplicas: 1, readyReplicas: 1 } }, want: 'Current' },
    // Pod
    { name: 'pod succeeded', before: pod({ phase: 'Succeeded' }), want: 'Current' },
    { name: 'pod failed is completed', before: pod({ phase: 'Failed' }), want: 'Current' },
    { name: 'pod running ready', before: pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }), want: 'Current' },
    { name: 'pod crashlooping', before: pod({ phase: 'Running', containerStatuses: [{ name: 'app', state: { waiting: { reason: 'CrashLoopBackOff' } } }] }), want: 'Failed', wantReason: 'ContainerCrashLooping' },
    { name: 'pod running not ready', before: pod({ phase: 'Running' }), want: 'InProgress', wantReason: 'PodRunningNotReady' },
    { name: 'pod unschedulable past the window', before: pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] }), want: 'Failed', wantReason: 'PodUnschedulable' },
    {
      name: 'pod unschedulable within the window',
      before: pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] }, '2026-01-01T00:00:50Z'),
      want: 'InProgress',
      wantReason: 'PodNotScheduled',
    },
    { name: 'pod pending', before: pod({ phase: 'Pending' }), want: 'InProgress', wantReason: 'PodPending' },
    { name: 'pod unobserved', before: pod({}), want: 'InProgress', wantReason: 'PodNotObserved' },
    { name: 'pod unknown phase', before: pod({ phase: 'Weird' }), want: 'Unknown' },
    // Job
    { name: 'job complete', before: job({}, { conditions: [{ type: 'Complete', status: 'True' }] }), want: 'Current' },
    { name: 'job failed', before: job({}, { conditions: [{ type: 'Failed', status: 'True' }] }), want: 'Failed', wantReason: 'JobFailed' },
    { name: 'job suspended', before: job({}, { conditions: [{ type: 'Suspended', status: 'True' }] }), want: 'Current' },
    { name: 'job not started', before: job({}, {}), want: 'InProgress', wantReason: 'JobNotStarted' },
    { name: 'job running', before: job({}, { startTime: '2026-01-01T00:00:00Z', active: 1 }), want: 'Current' },
    // others
    { name: 'pvc bound', before: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta(), status: { phase: 'Bound' } }, want: 'Current' },
    { name: 'pvc pending', before: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta(), status: { phase: 'Pending' } }, want: 'InProgress', wantReason: 'NotBound' },
    { name: 'service loadbalancer without ip', before: { apiVersion: 'v1', kind: 'Service', metadata: meta(), spec: { type: 'LoadBalancer' } }, want: 'InProgress', wantReason: 'NoIPAssigned' },
    { name: 'service clusterip', before: { apiVersion: 'v1', kind: 'Service', metadata: meta(), spec: { clusterIP: '10.0.0.1' } }, want: 'Current' },
    { name: 'crd established', before: crd({ type: 'NamesAccepted', status: 'True' }, { type: 'Established', status: 'True' }), want: 'Current' },
    { name: 'crd installing', before: crd({ type: 'Established', status: 'False', reason: 'Installing' }), want: 'InProgress', wantReason: 'Installing' },
    { name: 'crd names not accepted', before: crd({ type: 'NamesAccepted', status: 'False', reason: 'MultipleNamesNotAllowed' }), want: 'Failed', wantReason: 'MultipleNamesNotAllowed' },
    { name: 'namespace active', before: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, status: { phase: 'Active' } }, want: 'Current' },
    { name: 'namespace terminating', before: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', deletionTimestamp: '2026-01-01T00:00:00Z' }, status: { phase: 'Terminating' } }, want: 'Terminating' },
    { name: 'pdb observed', before: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(), status: { observedGeneration: 1 } }, want: 'Current' },
    { name: 'configmap', before: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta() }, want: 'Current' },
  ];
  const clock = new FakeClock(Date.parse('2026-01-01T00:01:00Z'));
  for (const tc of cases) {
    it(tc.name, () => {
      const got = computeStatus(tc.before as { apiVersion: string; kind: string } | undefined, { clock, readyCondition: tc.readyCondition ?? true });
      assert.equal(got.status, tc.want, got.message);
      if (tc.wantReason !== undefined) assert.equal(got.conditions[0]?.reason, tc.wantReason);
      if (got.status === 'InProgress') assert.equal(got.conditions[0]?.type, 'Reconciling');
      if (got.status === 'Failed') assert.equal(got.conditions[0]?.type, 'Stalled');
    });
  }
});
