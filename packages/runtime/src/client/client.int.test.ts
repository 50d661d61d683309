// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { randomNamespaceName, useControlPlane } from '@eddy/testenv';
import { DynamicClient } from './dynamic-client.ts';
import { ApiError, isAlreadyExists, isConflict, isInvalid, isNotFound } from './errors.ts';
import { listAll, listPages } from './dynamic-client.ts';
import type { KubeObject, WatchEvent } from './types.ts';

const group = `t${randomBytes(4).toString('hex')}.eddy.test`;
const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${group}` },
  spec: {
    group,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

async function waitFor<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('DynamicClient against a real apiserver', () => {
  let client: DynamicClient;
  const ns = randomNamespaceName('client');
  const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns },
    data,
  });

  before(async () => {
    const cp = await useControlPlane();
    client = new DynamicClient({ kubeconfig: cp.kubeconfigPath });
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });
  after(async () => {
    await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    await client.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: crd.metadata.name });
    client.close();
  });

  it('finds a CRD installed after discovery was cached, and 404s unknown kinds', async () => {
    await assert.rejects(client.resourceFor(`${group}/v1`, 'Widget'), (e: unknown) => isNotFound(e));
    await assert.rejects(client.resourceFor('v1', 'NoSuchKind'), (e: unknown) => isNotFound(e) && /NoSuchKind/.test((e as Error).message));
    await client.apply(crd, { fieldManager: 'eddy-test' });
    await waitFor(async () => {
      const got = await client.get<KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } }>({
        ...crd,
        name: crd.metadata.name,
      });
      return got?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    }, 'CRD established');
    const r = await waitFor(() => client.resourceFor(`${group}/v1`, 'Widget'), 'discovery of Widget');
    assert.deepEqual({ plural: r.plural, namespaced: r.namespaced }, { plural: 'widgets', namespaced: true });
  });

  it('server-side applies unknown fields of a preserve-unknown-fields CRD unchanged, and patches /status', async () => {
    const widget = {
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { name: 'w1', namespace: ns },
      spec: { replicas: 3, 'x-custom': { nested: [1, 'two', { three: true }] }, port: '8080' },
    };
    const applied = await client.apply<typeof widget & KubeObject>(widget, { fieldManager: 'eddy-test', force: true });
    assert.deepEqual(applied.spec, widget.spec);
    const got = await client.get<typeof widget & KubeObject>({ apiVersion: widget.apiVersion, kind: 'Widget', namespace: ns, name: 'w1' });
    assert.deepEqual(got?.spec, widget.spec);
    const managers = (got?.metadata.managedFields as Array<{ manager: string; operation: string }>).map((m) => `${m.manager}/${m.operation}`);
    assert.ok(managers.includes('eddy-test/Apply'), managers.join());

    const withStatus = await client.patch<KubeObject & { status?: { phase?: string } }>(
      { apiVersion: widget.apiVersion, kind: 'Widget', namespace: ns, name: 'w1' },
      { status: { phase: 'Ready' } },
      { type: 'merge', subresource: 'status' },
    );
    assert.equal(withStatus.status?.phase, 'Ready');
    const ignored = await client.patch<KubeObject & { status?: { phase?: string } }>(
      { apiVersion: widget.apiVersion, kind: 'Widget', namespace: ns, name: 'w1' },
      { status: { phase: 'Ignored' } },
      { type: 'merge' },
    );
    assert.equal(ignored.status?.phase, 'Ready', 'the main resource ignores status changes');
  });

  it('reports apply conflicts with reason and message, and force takes ownership', async () => {
    await client.apply(cm('owned', { key: 'a' }), { fieldManager: 'first' });
    const err = await client.apply(cm('owned', { key: 'b' }), { fieldManager: 'second' }).catch((e: unknown) => e);
    assert.ok(isConflict(err), String(err));
    const apiErr = err as ApiError;
    assert.equal(apiErr.code, 409);
    assert.equal(apiErr.reason, 'Conflict');
    assert.match(apiErr.message, /conflict/i);
    assert.match(apiErr.message, /first/);
    const forced = await client.apply<KubeObject & { data: Record<string, string> }>(cm('owned', { key: 'b' }), { fieldManager: 'second', force: true });
    assert.equal(forced.data.key, 'b');
  });

  it('maps apiserver errors to ApiError with code, reason, message and details', async () => {
    assert.equal(await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'missing' }), undefined);
    assert.equal(await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'missing' }), false);

    const created = await client.create(cm('dup'));
    const dup = await client.create(cm('dup')).catch((e: unknown) => e);
    assert.ok(isAlreadyExists(dup));
    assert.equal((dup as ApiError).code, 409);
    assert.match((dup as ApiError).message, /"dup" already exists/);
    assert.equal((dup as ApiError).details?.name, 'dup');

    const fresh = await client.update({ ...created, data: { v: '1' } });
    const stale = await client.update({ ...created, data: { v: '2' } }).catch((e: unknown) => e);
    assert.ok(isConflict(stale), String(stale));
    assert.match((stale as ApiError).message, /the object has been modified/);
    assert.notEqual(fresh.metadata.resourceVersion, created.metadata.resourceVersion);

    const invalid = await client.create(cm('Not_Valid')).catch((e: unknown) => e);
    assert.ok(isInvalid(invalid));
    assert.equal((invalid as ApiError).code, 422);
    assert.ok(((invalid as ApiError).details?.causes ?? []).some((c) => c.field === 'metadata.name'));

    const patchErr = await client
      .patch({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'dup' }, [{ op: 'test', path: '/data/v', value: 'nope' }], { type: 'json' })
      .catch((e: unknown) => e);
    assert.ok(ApiError.is(patchErr));
    assert.equal((patchErr as ApiError).code, 422);
  });

  it('honours dryRun and JSON patches', async () => {
    await client.create(cm('dry'), { dryRun: true });
    assert.equal(await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'dry' }), undefined);
    await client.create(cm('jp', { a: '1' }));
    const patched = await client.patch<KubeObject & { data: Record<string, string> }>(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'jp' },
      [{ op: 'add', path: '/data/b', value: '2' }],
      { type: 'json', fieldManager: 'eddy-test' },
    );
    assert.deepEqual(patched.data, { a: '1', b: '2' });
    await client.apply(cm('jp', { c: '3' }), { fieldManager: 'eddy-test', dryRun: true, force: true });
    const still = await client.get<KubeObject & { data: Record<string, string> }>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'jp' });
    assert.deepEqual(still?.data, { a: '1', b: '2' });
  });

  it('lists in pages and fills apiVersion and kind of list items', async () => {
    for (let i = 0; i < 7; i++) await client.create({ ...cm(`page-${i}`), metadata: { name: `page-${i}`, namespace: ns, labels: { set: 'pages' } } });
    const pages = [];
    for await (const p of listPages(client, 'v1', 'ConfigMap', { namespace: ns, labelSelector: 'set=pages', pageSize: 2 })) pages.push(p);
    assert.equal(pages.length, 4);
    const all = await listAll(client, 'v1', 'ConfigMap', { namespace: ns, labelSelector: 'set=pages', pageSize: 3 });
    assert.equal(all.items.length, 7);
    assert.ok(all.resourceVersion);
    assert.ok(all.items.every((i) => i.apiVersion === 'v1' && i.kind === 'ConfigMap'));
  });

  it('watches from a resourceVersion and stops without an error', async () => {
    const start = await client.list('v1', 'ConfigMap', { namespace: ns });
    const events: WatchEvent[] = [];
    const handle = await client.watch('v1', 'ConfigMap', { namespace: ns, resourceVersion: start.resourceVersion, allowWatchBookmarks: true }, (e) =>
      events.push(e),
    );
    await client.create(cm('watched'));
    await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'watched' });
    await waitFor(async () => (events.some((e) => e.type === 'DELETED') ? true : undefined), 'DELETED event', 10_000);
    handle.stop();
    assert.deepEqual(await handle.done, {});
    const mine = events.filter((e) => e.object.metadata.name === 'watched').map((e) => e.type);
    assert.deepEqual(mine[0], 'ADDED');
    assert.equal(mine.at(-1), 'DELETED');
    assert.equal(events[0]!.object.kind, 'ConfigMap');
  });
});
