// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '@eddy/runtime/clock';
import type { KubeObject } from '../build/manifests.ts';
import { CelStatusEvaluators } from '@eddy/runtime/cel';
import { HealthCheckCanceledError, HealthCheckError, jobsWithTTL, waitForSet, type ObjectReader } from './wait.ts';

const sealed = (status: 'True' | 'False', generation = 1, observed = 1): KubeObject => ({
  apiVersion: 'bitnami.com/v1alpha1',
  kind: 'SealedSecret',
  metadata: { name: 's', namespace: 'apps', generation },
  status: { observedGeneration: observed, conditions: [{ type: 'Synced', status }] },
});

// The example from Flux's Kustomization docs.
const SEALED_EXPRS = [
  {
    apiVersion: 'bitnami.com/v1alpha1',
    kind: 'SealedSecret',
    failed: "status.conditions.filter(e, e.type == 'Synced').all(e, e.status == 'False')",
    current: "status.conditions.filter(e, e.type == 'Synced').all(e, e.status == 'True')",
  },
];

// The CEL evaluators themselves are tested in @eddy/runtime/cel.

/** An object store whose state the test advances; stands in for reads of the live objects. */
function store(initial: Record<string, KubeObject | undefined>): { read: ObjectReader; set: (k: string, o: KubeObject | undefined) => void } {
  const state = { ...initial };
  return {
    read: async (ref) => state[`${ref.kind}/${(ref.metadata as { name: string }).name}`],
    set: (k, o) => {
      state[k] = o;
    },
  };
}

const deploy = (ready: boolean): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'apps', generation: 1 },
  spec: { replicas: 1 },
  status: ready
    ? { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] }
    : { observedGeneration: 1, replicas: 1, updatedReplicas: 0 },
});
const ref = (kind: string, name: string, apiVersion = 'apps/v1'): KubeObject => ({ apiVersion, kind, metadata: { name, namespace: 'apps' } });

async function drive<T>(clock: FakeClock, p: Promise<T>, stepMs = 5000, steps = 50): Promise<T> {
  let settled = false;
  const t = p.finally(() => (settled = true));
  t.catch(() => undefined);
  for (let i = 0; i < steps && !settled; i++) await clock.advance(stepMs);
  return t;
}

describe('waitForSet', () => {
  it('returns once every object is Current', async () => {
    const s = store({ 'Deployment/web': deploy(false) });
    const clock = new FakeClock();
    const p = waitForSet([ref('Deployment', 'web')], s.read, { timeoutMs: 60_000, clock });
    await clock.advance(5000);
    s.set('Deployment/web', deploy(true));
    await drive(clock, p);
  });

  it('times out with Flux’s message listing what is not ready', async () => {
    const s = store({ 'Deployment/web': deploy(false) });
    const clock = new FakeClock();
    await assert.rejects(drive(clock, waitForSet([ref('Deployment', 'web'), ref('ConfigMap', 'gone', 'v1')], s.read, { timeoutMs: 20_000, clock })), (err: unknown) => {
      assert.ok(HealthCheckError.is(err));
      assert.equal(err.message, "timeout waiting for: [ConfigMap/apps/gone status: 'NotFound', Deployment/apps/web status: 'InProgress']");
      return true;
    });
  });

  it('fails fast on a Failed object when asked', async () => {
    const s = store({ 'SealedSecret/s': sealed('False') });
    const clock = new FakeClock();
    await assert.rejects(
      waitForSet([ref('SealedSecret', 's', 'bitnami.com/v1alpha1')], s.read, { timeoutMs: 60_000, clock, failFast: true, cel: CelStatusEvaluators.compile(SEALED_EXPRS) }),
      /failed early due to stalled resources: \[SealedSecret\/apps\/s status: 'Failed'\]/,
    );
  });

  it('counts deleted Jobs with a TTL as Current', async () => {
    const job: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'apps' }, spec: { ttlSecondsAfterFinished: 0 } };
    const ttl = jobsWithTTL([job, deploy(true)]);
    assert.deepEqual([...ttl], ['apps_migrate_batch_Job']);
    await waitForSet([job], store({}).read, { timeoutMs: 1000, jobsWithTTL: ttl, clock: new FakeClock() });
  });

  it('stops when cancelled by a new revision', async () => {
    const s = store({ 'Deployment/web': deploy(false) });
    const clock = new FakeClock();
    const ac = new AbortController();
    const p = waitForSet([ref('Deployment', 'web')], s.read, { timeoutMs: 60_000, clock, signal: ac.signal });
    p.catch(() => undefined);
    await clock.advance(5000);
    ac.abort();
    await assert.rejects(p, HealthCheckCanceledError);
  });
});
