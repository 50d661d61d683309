// SPDX-License-Identifier: Apache-2.0
/**
 * ImagePolicy selection against a real apiserver and a real registry: semver picks the highest
 * matching tag, no matching tag is Ready=False, a missing or unscanned repository is
 * DependencyNotReady, an invalid range stalls, digests are reflected from the registry, and under
 * a real manager a policy follows its repository's new scan result through the watch. The
 * conformance checker runs after every reconcile.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { ImagePolicy } from '@eddy/api/image/v1';
import { DynamicClient } from '@eddy/runtime/client';
import { FakeClock } from '@eddy/runtime/clock';
import { get } from '@eddy/runtime/conditions';
import { checkConditions } from '@eddy/runtime/conformance';
import { createLogger } from '@eddy/runtime/log';
import { Manager } from '@eddy/runtime/manager';
import type { Registry } from '@eddy/testenv';
import { randomNamespaceName, startRegistry, useControlPlane } from '@eddy/testenv';
import { TagStore } from '../store/tag-store.ts';
import { setupImageReflector } from '../setup.ts';
import { IMAGE_POLICY_GVK, ImagePolicyReconciler } from './imagepolicy-reconciler.ts';
import { IMAGE_REPOSITORY_GVK, ImageRepositoryReconciler } from './imagerepository-reconciler.ts';
import { IMAGE_NEGATIVE_POLARITY } from './reconcile-support.ts';
import { RegistryClient } from './registry-client.ts';

const log = createLogger({ level: 'error', stream: new PassThrough() });
const ctx = (): Parameters<ImagePolicyReconciler['reconcile']>[1] => ({ signal: new AbortController().signal, log, reconcileId: 't' });

describe('ImagePolicy: select', { timeout: 240_000 }, () => {
  const ns = randomNamespaceName('imagepolicy');
  const storeDir = mkdtempSync(join(tmpdir(), 'eddy-irc-policy-'));
  const clock = new FakeClock(Date.now());
  let client: DynamicClient;
  let registry: Registry;
  let repos: ImageRepositoryReconciler;
  let policies: ImagePolicyReconciler;
  let kubeconfig = '';
  let digest110 = '';

  const fetchPolicy = async (name: string, namespace = ns): Promise<ImagePolicy> =>
    (await client.get<ImagePolicy & { [k: string]: unknown }>({ ...IMAGE_POLICY_GVK, namespace, name }))!;
  const reconcilePolicy = async (name: string, conformance = true): Promise<{ obj: ImagePolicy; error?: unknown }> => {
    let error: unknown;
    try {
      await policies.reconcile({ namespace: ns, name }, ctx());
    } catch (err) {
      error = err;
    }
    const obj = await fetchPolicy(name);
    if (conformance) assert.deepEqual(checkConditions(obj as never, { negativePolarity: IMAGE_NEGATIVE_POLARITY }), [], JSON.stringify(obj.status));
    return error === undefined ? { obj } : { obj, error };
  };
  const createRepo = async (name: string, image: string, namespace = ns): Promise<void> => {
    await client.create({ ...IMAGE_REPOSITORY_GVK, metadata: { name, namespace }, spec: { image, interval: '5m' } } as never);
  };
  const scanRepo = async (name: string): Promise<void> => {
    await repos.reconcile({ namespace: ns, name }, ctx());
    await repos.reconcile({ namespace: ns, name }, ctx());
  };
  const createPolicy = async (name: string, spec: Partial<ImagePolicy['spec']>, namespace = ns): Promise<void> => {
    await client.create({ ...IMAGE_POLICY_GVK, metadata: { name, namespace }, spec: { imageRepositoryRef: { name: 'podinfo' }, policy: { semver: { range: '>=1.0.0 <2.0.0' } }, ...spec } } as never);
  };

  before(async () => {
    const cp = await useControlPlane();
    kubeconfig = cp.kubeconfigPath;
    client = new DynamicClient({ kubeconfig });
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    registry = await startRegistry();
    await registry.pushImage('apps/podinfo', '1.0.0');
    digest110 = (await registry.pushImage('apps/podinfo', '1.1.0', { files: { 'v.txt': '1.1.0' } })).digest;
    await registry.pushImage('apps/podinfo', '2.0.0');
    await registry.pushImage('apps/podinfo', 'latest');
    const store = new TagStore({ dataDir: storeDir });
    const reg = new RegistryClient();
    repos = new ImageRepositoryReconciler({ client, store, registry: reg, clock });
    policies = new ImagePolicyReconciler({ client, store, registry: reg, clock });
    await createRepo('podinfo', `${registry.host}/apps/podinfo`);
    await scanRepo('podinfo');
  });

  after(async () => {
    await client?.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    client?.close();
    await registry?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('selects the highest tag in the semver range', async () => {
    await createPolicy('semver', {});
    const first = await reconcilePolicy('semver', false);
    assert.deepEqual(first.obj.metadata.finalizers, ['finalizers.fluxcd.io']);
    const { obj, error } = await reconcilePolicy('semver');
    assert.equal(error, undefined);
    assert.deepEqual(obj.status?.latestRef, { name: `${registry.host}/apps/podinfo`, tag: '1.1.0' });
    assert.equal(obj.status?.observedPreviousRef, undefined);
    const ready = get(obj as never, 'Ready');
    assert.equal(ready?.status, 'True');
    assert.equal(ready?.reason, 'Succeeded');
    assert.equal(ready?.message, `Latest image tag for ${registry.host}/apps/podinfo resolved to 1.1.0`);
    assert.equal(obj.status?.observedGeneration, obj.metadata.generation);
  });

  it('reports no matching tag as Ready=False with the policy and repository in the message', async () => {
    await createPolicy('nomatch', { policy: { semver: { range: '>=5.0.0' } } });
    await reconcilePolicy('nomatch', false);
    const { obj, error } = await reconcilePolicy('nomatch');
    assert.ok(error, 'retried');
    const ready = get(obj as never, 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'Failure');
    assert.equal(ready?.message, `no tag of ImageRepository '${ns}/podinfo' matches the policy: unable to determine latest version from provided list`);
    assert.equal(obj.status?.latestRef, undefined);
  });

  it('waits with DependencyNotReady for a missing or unscanned repository', async () => {
    await createPolicy('orphan', { imageRepositoryRef: { name: 'later' } });
    await reconcilePolicy('orphan', false);
    const missing = await reconcilePolicy('orphan');
    assert.equal(missing.error, undefined, 'a wait is a requeue, not an error');
    assert.equal(get(missing.obj as never, 'Ready')?.reason, 'DependencyNotReady');
    assert.match(get(missing.obj as never, 'Ready')?.message ?? '', /referenced ImageRepository does not exist/);
    await createRepo('later', `${registry.host}/apps/podinfo`);
    const unscanned = await reconcilePolicy('orphan');
    assert.equal(get(unscanned.obj as never, 'Ready')?.reason, 'DependencyNotReady');
    assert.equal(get(unscanned.obj as never, 'Ready')?.message, 'no tags in database');
    await scanRepo('later');
    const { obj } = await reconcilePolicy('orphan');
    assert.equal(obj.status?.latestRef?.tag, '1.1.0');
    assert.equal(get(obj as never, 'Ready')?.status, 'True');
  });

  it('stalls on an invalid range', async () => {
    await createPolicy('invalid', { policy: { semver: { range: 'not a range' } } });
    await reconcilePolicy('invalid', false);
    const { obj, error } = await reconcilePolicy('invalid');
    assert.equal(error, undefined);
    assert.equal(get(obj as never, 'Stalled')?.reason, 'InvalidPolicy');
    assert.match(get(obj as never, 'Ready')?.message ?? '', /^invalid policy: /);
  });

  it('reflects the digest of the selected tag', async () => {
    await createPolicy('digest', { digestReflectionPolicy: 'IfNotPresent' });
    await reconcilePolicy('digest', false);
    const { obj } = await reconcilePolicy('digest');
    assert.deepEqual(obj.status?.latestRef, { name: `${registry.host}/apps/podinfo`, tag: '1.1.0', digest: digest110 });
    assert.equal(get(obj as never, 'Ready')?.message, `Latest image tag for ${registry.host}/apps/podinfo resolved to 1.1.0 with digest ${digest110}`);
  });

  it('follows a new scan result of its repository through the watch', async () => {
    const mgrNs = randomNamespaceName('imagepolicy-mgr');
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: mgrNs } });
    const mgr = new Manager({ kubeconfig, namespace: mgrNs, metricsAddr: '0', healthAddr: '0', logger: log, gracefulShutdownTimeoutMs: 5_000 });
    const mgrStore = mkdtempSync(join(tmpdir(), 'eddy-irc-mgr-'));
    setupImageReflector(mgr, { storagePath: mgrStore });
    const running = mgr.start();
    const tagOf = async (): Promise<string | undefined> => (await fetchPolicy('follow', mgrNs)).status?.latestRef?.tag;
    try {
      await mgr.elected;
      await registry.pushImage('apps/follow', '1.0.0');
      await createRepo('podinfo', `${registry.host}/apps/follow`, mgrNs);
      await createPolicy('follow', {}, mgrNs);
      await eventually(async () => (await tagOf()) === '1.0.0', 'the first selection');
      await registry.pushImage('apps/follow', '1.5.0');
      await client.patch({ ...IMAGE_REPOSITORY_GVK, namespace: mgrNs, name: 'podinfo' }, { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'rescan' } } }, { type: 'merge' });
      await eventually(async () => (await tagOf()) === '1.5.0', 'the policy to follow the new scan');
      const obj = await fetchPolicy('follow', mgrNs);
      assert.equal(obj.status?.observedPreviousRef?.tag, '1.0.0');
      assert.match(get(obj as never, 'Ready')?.message ?? '', /resolved to 1\.5\.0 \(previously .*:1\.0\.0\)$/);
      assert.deepEqual(checkConditions(obj as never, { negativePolarity: IMAGE_NEGATIVE_POLARITY }), []);
    } finally {
      await mgr.stop();
      await running.catch(() => undefined);
      await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: mgrNs });
      rmSync(mgrStore, { recursive: true, force: true });
    }
  });
});

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
