// SPDX-License-Identifier: Apache-2.0
/**
 * ImageRepository scans against a real apiserver and a real registry with Basic auth: tags
 * stored and reported, the interval respected, reconcile requests honoured, 401 reported as
 * AuthenticationFailed, an invalid image stalled, and an unreachable registry reported while the
 * controller (under a real manager) keeps serving other repositories. The conformance checker
 * runs after every reconcile.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { ImageRepository } from '@eddy/api/image/v1';
import { DynamicClient } from '@eddy/runtime/client';
import { FakeClock } from '@eddy/runtime/clock';
import { get } from '@eddy/runtime/conditions';
import { checkConditions } from '@eddy/runtime/conformance';
import { createLogger } from '@eddy/runtime/log';
import { Manager } from '@eddy/runtime/manager';
import type { Registry } from '@eddy/testenv';
import { freePort, randomNamespaceName, startRegistry, useControlPlane } from '@eddy/testenv';
import { TagStore } from '../store/tag-store.ts';
import { setupImageReflector } from '../setup.ts';
import { IMAGE_REPOSITORY_GVK, ImageRepositoryReconciler } from './imagerepository-reconciler.ts';
import { IMAGE_NEGATIVE_POLARITY } from './reconcile-support.ts';
import { RegistryClient } from './registry-client.ts';

const log = createLogger({ level: 'error', stream: new PassThrough() });

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('ImageRepository: scan', { timeout: 240_000 }, () => {
  const ns = randomNamespaceName('imagerepo');
  const storeDir = mkdtempSync(join(tmpdir(), 'eddy-irc-scan-'));
  const clock = new FakeClock(Date.now());
  let client: DynamicClient;
  let registry: Registry;
  let store: TagStore;
  let reconciler: ImageRepositoryReconciler;
  let kubeconfig = '';

  const fetchObj = async (name: string): Promise<ImageRepository> => (await client.get<ImageRepository & { [k: string]: unknown }>({ ...IMAGE_REPOSITORY_GVK, namespace: ns, name }))!;
  const reconcile = async (name: string, conformance = true): Promise<{ obj: ImageRepository; error?: unknown }> => {
    let error: unknown;
    try {
      await reconciler.reconcile({ namespace: ns, name }, { signal: new AbortController().signal, log, reconcileId: 't' });
    } catch (err) {
      error = err;
    }
    const obj = await fetchObj(name);
    if (conformance) assert.deepEqual(checkConditions(obj as never, { negativePolarity: IMAGE_NEGATIVE_POLARITY }), [], JSON.stringify(obj.status));
    return error === undefined ? { obj } : { obj, error };
  };
  const create = async (name: string, spec: Partial<ImageRepository['spec']>): Promise<void> => {
    await client.create({ ...IMAGE_REPOSITORY_GVK, metadata: { name, namespace: ns }, spec: { interval: '5m', ...spec } } as never);
  };
  const dockerConfig = (host: string, username: string, password: string): string =>
    JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } });

  before(async () => {
    const cp = await useControlPlane();
    kubeconfig = cp.kubeconfigPath;
    client = new DynamicClient({ kubeconfig });
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    registry = await startRegistry({ auth: { username: 'scanner', password: 's3cret-pass' } });
    await registry.pushImage('apps/podinfo', '1.0.0');
    await registry.pushImage('apps/podinfo', '1.1.0');
    for (const [name, password] of [['registry-auth', 's3cret-pass'], ['wrong-auth', 'not-the-password']] as const) {
      await client.create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: ns },
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': dockerConfig(registry.host, 'scanner', password) },
      } as never);
    }
    store = new TagStore({ dataDir: storeDir });
    reconciler = new ImageRepositoryReconciler({ client, store, registry: new RegistryClient(), clock });
  });

  after(async () => {
    await client?.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    client?.close();
    await registry?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('scans with docker-config credentials and stores the tags', async () => {
    await create('podinfo', { image: `${registry.host}/apps/podinfo`, secretRef: { name: 'registry-auth' } });
    const first = await reconcile('podinfo', false);
    assert.deepEqual(first.obj.metadata.finalizers, ['finalizers.fluxcd.io']);
    const { obj, error } = await reconcile('podinfo');
    assert.equal(error, undefined);
    const scan = obj.status!.lastScanResult!;
    assert.equal(scan.tagCount, 2);
    assert.deepEqual(scan.latestTags, ['1.1.0', '1.0.0']);
    assert.match(scan.revision ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(obj.status?.canonicalImageName, `${registry.host}/apps/podinfo`);
    assert.deepEqual(obj.status?.observedExclusionList, ['^.*\\.sig$']);
    const ready = get(obj as never, 'Ready');
    assert.equal(ready?.status, 'True');
    assert.equal(ready?.reason, 'Succeeded');
    assert.equal(ready?.message, `successful scan: found 2 tags with checksum ${scan.revision}`);
    assert.equal(obj.status?.observedGeneration, obj.metadata.generation);
    assert.deepEqual(await store.tags({ namespace: ns, name: 'podinfo' }), ['1.1.0', '1.0.0']);
  });

  it('waits for the interval, and scans again on a reconcile request', async () => {
    await registry.pushImage('apps/podinfo', '1.2.0');
    const before = (await fetchObj('podinfo')).status!.lastScanResult!;
    const same = await reconcile('podinfo');
    assert.deepEqual(same.obj.status?.lastScanResult, before, 'no scan before the interval elapses');
    await client.patch({ ...IMAGE_REPOSITORY_GVK, namespace: ns, name: 'podinfo' }, { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'now-1' } } }, { type: 'merge' });
    const { obj } = await reconcile('podinfo');
    assert.equal(obj.status?.lastScanResult?.tagCount, 3);
    assert.equal(obj.status?.lastHandledReconcileAt, 'now-1');
    await registry.pushImage('apps/podinfo', '1.3.0');
    await clock.advance(5 * 60_000);
    const later = await reconcile('podinfo');
    assert.equal(later.obj.status?.lastScanResult?.tagCount, 4, 'scanned again once the interval elapsed');
  });

  it('reports a registry refusing the credentials as AuthenticationFailed', async () => {
    await create('anonymous', { image: `${registry.host}/apps/podinfo` });
    await create('wrong', { image: `${registry.host}/apps/podinfo`, secretRef: { name: 'wrong-auth' } });
    for (const name of ['anonymous', 'wrong']) {
      await reconcile(name, false);
      const { obj, error } = await reconcile(name);
      assert.ok(error, `${name}: the reconcile fails so the queue retries`);
      const ready = get(obj as never, 'Ready');
      assert.equal(ready?.status, 'False');
      assert.equal(ready?.reason, 'AuthenticationFailed');
      assert.match(ready?.message ?? '', /^scan failed: /);
      assert.equal(get(obj as never, 'Reconciling')?.reason, 'ProgressingWithRetry');
      assert.equal(obj.status?.lastScanResult, undefined);
    }
  });

  it('reports a missing secret as AuthenticationFailed', async () => {
    await create('nosecret', { image: `${registry.host}/apps/podinfo`, secretRef: { name: 'absent' } });
    await reconcile('nosecret', false);
    const { obj, error } = await reconcile('nosecret');
    assert.ok(error);
    assert.equal(get(obj as never, 'Ready')?.reason, 'AuthenticationFailed');
    assert.match(get(obj as never, 'Ready')?.message ?? '', /failed to configure authentication options: secrets "absent" not found/);
  });

  it('stalls on an invalid image without retrying', async () => {
    await create('badimage', { image: `${registry.host}/apps/podinfo:1.0.0` });
    await reconcile('badimage', false);
    const { obj, error } = await reconcile('badimage');
    assert.equal(error, undefined, 'a stalled object is not retried');
    assert.equal(get(obj as never, 'Stalled')?.reason, 'ImageURLInvalid');
    assert.equal(get(obj as never, 'Ready')?.status, 'False');
    assert.equal(get(obj as never, 'Reconciling'), undefined);
    assert.equal(obj.status?.observedGeneration, obj.metadata.generation);
  });

  it('survives an unreachable registry under the manager and keeps serving', async () => {
    const mgrNs = randomNamespaceName('imagerepo-mgr');
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: mgrNs } });
    const mgr = new Manager({ kubeconfig, namespace: mgrNs, metricsAddr: '0', healthAddr: '0', logger: log, gracefulShutdownTimeoutMs: 5_000 });
    const mgrStore = mkdtempSync(join(tmpdir(), 'eddy-irc-mgr-'));
    setupImageReflector(mgr, { storagePath: mgrStore });
    const running = mgr.start();
    try {
      await mgr.elected;
      const down = await freePort();
      const mk = (name: string, image: string): Promise<unknown> =>
        client.create({ ...IMAGE_REPOSITORY_GVK, metadata: { name, namespace: mgrNs }, spec: { image, interval: '1m', timeout: '30s' } } as never);
      await mk('down', `127.0.0.1:${down}/apps/podinfo`);
      const readyOf = async (name: string): Promise<{ status?: string; reason?: string }> => {
        const o = await client.get<ImageRepository & { [k: string]: unknown }>({ ...IMAGE_REPOSITORY_GVK, namespace: mgrNs, name });
        const r = o ? get(o as never, 'Ready') : undefined;
        return { ...(r ? { status: r.status, reason: r.reason } : {}) };
      };
      await eventually(async () => (await readyOf('down')).reason === 'ReadOperationFailed', 'the unreachable registry to be reported');
      const down1 = await client.get<ImageRepository & { [k: string]: unknown }>({ ...IMAGE_REPOSITORY_GVK, namespace: mgrNs, name: 'down' });
      assert.deepEqual(checkConditions(down1 as never, { negativePolarity: IMAGE_NEGATIVE_POLARITY }), []);
      assert.equal((await readyOf('down')).status, 'False');
      const open = await startRegistry();
      try {
        await open.pushImage('team/app', 'v1');
        await mk('up', `${open.host}/team/app`);
        await eventually(async () => (await readyOf('up')).status === 'True', 'another repository to be scanned');
      } finally {
        await open.stop();
      }
    } finally {
      await mgr.stop();
      await running.catch(() => undefined);
      await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: mgrNs });
      rmSync(mgrStore, { recursive: true, force: true });
    }
  });
});
