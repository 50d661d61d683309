// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { randomNamespaceName, useControlPlane } from '@eddy/testenv';
import { DynamicClient } from '../client/dynamic-client.ts';
import type { KubeObject } from '../client/types.ts';
import { createLogger } from '../log/logger.ts';
import { controllerManagedBy } from '../manager/builder.ts';
import { LeaderElectionLostError, Manager } from '../manager/manager.ts';
import type { Reconciler } from '../reconcile/contract.ts';
import { LEASE_GVK, microTime, type Lease } from './leader-elector.ts';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const LEASE_MS = 3_000;
const RETRY_MS = 300;

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await Promise.resolve().then(check).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('leader election between two managers', { timeout: 120_000 }, () => {
  const ns = randomNamespaceName('leader');
  let kubeconfig: string;
  let client: DynamicClient;
  const managers: Manager[] = [];

  /** A manager whose reconciler logs `<replica>:<name>` into `seen`. */
  function replica(id: string, lease: string, seen: string[], releaseOnCancel: boolean): { mgr: Manager; done: Promise<unknown> } {
    const mgr = new Manager({
      kubeconfig,
      namespace: ns,
      metricsAddr: '0',
      healthAddr: '127.0.0.1:0',
      logger: createLogger({ level: 'error', stream: new Writable({ write: (_c, _e, cb) => cb() }) }),
      gracefulShutdownTimeoutMs: 2_000,
      leaderElection: {
        enabled: true,
        id: lease,
        namespace: ns,
        identity: id,
        leaseDurationMs: LEASE_MS,
        renewDeadlineMs: 2_000,
        retryPeriodMs: RETRY_MS,
        releaseOnCancel,
      },
    });
    const r: Reconciler = {
      reconcile: async (req) => {
        seen.push(`${id}:${req.name}`);
        return {};
      },
    };
    controllerManagedBy(mgr).for(CM).complete(r);
    managers.push(mgr);
    const done = mgr.start().then(
      () => 'stopped',
      (err: unknown) => err,
    );
    return { mgr, done };
  }

  const cm = (name: string): KubeObject => ({ ...CM, metadata: { name, namespace: ns }, data: {} });
  const getLease = (name: string): Promise<Lease | undefined> => client.get<Lease>({ ...LEASE_GVK, namespace: ns, name });

  before(async () => {
    kubeconfig = (await useControlPlane()).kubeconfigPath;
    client = new DynamicClient({ kubeconfig });
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });
  after(async () => {
    await Promise.all(managers.map((m) => m.stop()));
    await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    client.close();
  });

  it('lets only the leader reconcile, and a standby takes over within the lease duration when the leader dies', async (t) => {
    const seen: string[] = [];
    const a = replica('replica-a', 'takeover', seen, false);
    await a.mgr.elected;
    const b = replica('replica-b', 'takeover', seen, false);
    await eventually(async () => (await fetch(`http://${b.mgr.healthAddress}/readyz`)).status === 200, 'standby ready');
    assert.equal(b.mgr.isLeader(), false);

    await client.create(cm('one'));
    await eventually(() => seen.includes('replica-a:one'), 'leader reconciles');
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!seen.some((s) => s.startsWith('replica-b')), 'the standby never reconciles');
    const lease = await getLease('takeover');
    assert.equal(lease?.spec?.holderIdentity, 'replica-a');
    assert.equal(lease?.spec?.leaseDurationSeconds, 3);

    // "Crash" A: stop renewing without releasing the lease.
    await a.mgr.stop();
    const diedAt = Date.now();
    assert.equal((await getLease('takeover'))?.spec?.holderIdentity, 'replica-a', 'a crashed leader leaves its lease');
    await b.mgr.elected;
    const takeover = Date.now() - diedAt;
    t.diagnostic(`standby took over ${takeover}ms after the leader died (lease ${LEASE_MS}ms, retry ${RETRY_MS}ms)`);
    assert.ok(takeover <= LEASE_MS + 2 * RETRY_MS + 500, `took over after ${takeover}ms`);
    assert.equal((await getLease('takeover'))?.spec?.holderIdentity, 'replica-b');
    assert.equal((await getLease('takeover'))?.spec?.leaseTransitions, 1);
    await eventually(() => seen.includes('replica-b:one'), 'new leader reconciles the existing object');
    await client.create(cm('two'));
    await eventually(() => seen.includes('replica-b:two'), 'new leader reconciles new objects');
    assert.ok(!seen.includes('replica-a:two'));
  });

  it('releases the lease on a graceful stop so the standby takes over at once', async () => {
    const seen: string[] = [];
    const a = replica('release-a', 'release', seen, true);
    await a.mgr.elected;
    const b = replica('release-b', 'release', seen, true);
    await new Promise((r) => setTimeout(r, 2 * RETRY_MS));
    await a.mgr.stop();
    assert.equal((await getLease('release'))?.spec?.holderIdentity, '');
    const stoppedAt = Date.now();
    await b.mgr.elected;
    assert.ok(Date.now() - stoppedAt < LEASE_MS - 500, `took over after ${Date.now() - stoppedAt}ms`);
  });

  it('stops reconciling when the lease is lost, and start() rejects', async () => {
    const seen: string[] = [];
    const c = replica('replica-c', 'stolen', seen, true);
    await c.mgr.elected;
    await client.create(cm('before-loss'));
    await eventually(() => seen.includes('replica-c:before-loss'), 'reconciles while leading');

    const lease = (await getLease('stolen'))!;
    const now = microTime(Date.now());
    await client.update({ ...lease, spec: { ...lease.spec, holderIdentity: 'intruder', renewTime: now, acquireTime: now, leaseDurationSeconds: 60 } });

    const outcome = await c.done;
    assert.ok(outcome instanceof LeaderElectionLostError, String(outcome));
    assert.equal(c.mgr.isLeader(), false);
    await client.create(cm('after-loss'));
    await new Promise((r) => setTimeout(r, 1_000));
    assert.ok(!seen.includes('replica-c:after-loss'), 'no reconcile after losing the lease');
    assert.equal((await getLease('stolen'))?.spec?.holderIdentity, 'intruder', 'the loser does not release a lease it lost');
  });
});
