// SPDX-License-Identifier: Apache-2.0
/**
 * The CRDs against a real apiserver: they install and become Established, every Flux manifest of
 * the shared fleet fixtures is accepted unchanged (strict field validation, so an unknown field is
 * an error), the docs examples are accepted, defaults are applied, invalid objects are rejected
 * with a 422 naming the field, and status validation holds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubeRequest, randomNamespaceName, useControlPlane } from '@eddy/testenv';
import type { KubeConnection } from '@eddy/testenv';
import { allKinds } from '../src/kinds.ts';
import { GitRepositoryKind } from '../src/source/v1/git-repository.ts';
import { HelmReleaseKind } from '../src/helm/v2/helm-release.ts';
import { collectionPath, dryRunCreate, ensureNamespace, installCrds } from './kube.ts';
import { fleetsDir, loadFleetManifests } from './fleet-fixtures.ts';
import { INVALID_CASES, VALID_CASES } from './invalid-objects.ts';

type Body = { message?: string; metadata?: { resourceVersion?: string }; spec?: Record<string, unknown>; status?: Record<string, unknown> };

describe('CRDs on a real apiserver', () => {
  let conn: KubeConnection;
  const namespace = randomNamespaceName('api-crds');

  before(async () => {
    conn = await useControlPlane();
    await installCrds(conn);
    await ensureNamespace(conn, namespace);
  });

  after(async () => {
    if (conn !== undefined) await kubeRequest(conn, 'DELETE', `/api/v1/namespaces/${namespace}`);
  });

  it('serves every kind with its short names and categories', async () => {
    for (const kind of allKinds()) {
      const res = await kubeRequest<{ resources: { name: string; kind: string; shortNames?: string[]; categories?: string[] }[] }>(
        conn,
        'GET',
        `/apis/${kind.group}/${kind.version}`,
      );
      const resource = res.body.resources.find((r) => r.name === kind.plural);
      assert.equal(resource?.kind, kind.kind);
      assert.deepEqual(resource?.shortNames ?? [], [...(kind.shortNames ?? [])]);
      assert.deepEqual(resource?.categories ?? [], [...(kind.categories ?? [])]);
    }
  });

  it('accepts the docs example of every kind', async () => {
    for (const kind of allKinds()) {
      const example = kind.docs.example as { apiVersion: string; kind: string; metadata: { namespace?: string } };
      const res = await dryRunCreate(conn, example, namespace);
      assert.equal(res.status, 201, `${kind.kind}: ${res.body.message}`);
    }
  });

  const fleets = fleetsDir();
  it('accepts every Flux manifest of the fleet fixtures unchanged, in its namespace', { skip: fleets === undefined ? 'no fixtures' : false }, async () => {
    const manifests = loadFleetManifests(fleets!);
    assert.ok(manifests.length >= 10);
    for (const ns of new Set(manifests.map((m) => m.object.metadata.namespace ?? 'default'))) await ensureNamespace(conn, ns);
    for (const m of manifests) {
      const res = await dryRunCreate(conn, m.object, m.object.metadata.namespace ?? 'default');
      assert.equal(res.status, 201, `${m.source}: ${res.body.message}`);
    }
  });

  for (const c of VALID_CASES) {
    it(`accepts ${c.name}`, async () => {
      const res = await dryRunCreate(conn, c.object, namespace);
      assert.equal(res.status, 201, res.body.message);
    });
  }

  for (const c of INVALID_CASES) {
    it(`rejects ${c.name}`, async () => {
      const res = await dryRunCreate(conn, c.object, namespace);
      assert.equal(res.status, 422, `expected 422, got ${res.status}: ${JSON.stringify(res.body)}`);
      for (const text of c.mentions) assert.ok(res.body.message?.includes(text), `"${text}" not in: ${res.body.message}`);
    });
  }

  it('defaults status and spec fields like Flux', async () => {
    const git = { apiVersion: GitRepositoryKind.apiVersion, kind: 'GitRepository', metadata: { name: 'defaults' }, spec: { url: 'https://example.com/r', interval: '1m' } };
    const created = await kubeRequest<Body>(conn, 'POST', collectionPath(GitRepositoryKind, namespace), { body: git });
    assert.equal(created.status, 201, created.body.message);
    assert.deepEqual(created.body.status, { observedGeneration: -1 });
    assert.equal(created.body.spec?.timeout, '60s');

    const hr = {
      apiVersion: HelmReleaseKind.apiVersion,
      kind: 'HelmRelease',
      metadata: { name: 'defaults' },
      spec: { interval: '1m', chart: { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } }, uninstall: {} },
    };
    const res = await dryRunCreate(conn, hr, namespace);
    assert.equal(res.status, 201, res.body.message);
    const spec = res.body.spec as { chart: { spec: Record<string, unknown> }; uninstall: Record<string, unknown> };
    assert.equal(spec.chart.spec.version, '*');
    assert.equal(spec.chart.spec.reconcileStrategy, 'ChartVersion');
    assert.equal(spec.uninstall.deletionPropagation, 'background');
  });

  it('prints Flux columns for kubectl get', async () => {
    const table = await fetchTable(conn, collectionPath(GitRepositoryKind, namespace));
    assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'URL', 'Age', 'Ready', 'Status']);
    assert.equal(table.rows[0]?.cells[1], 'https://example.com/r');
  });

  it('validates status writes: conditions and artifact digests', async () => {
    const path = `${collectionPath(GitRepositoryKind, namespace)}/defaults/status`;
    const current = await kubeRequest<Body & Record<string, unknown>>(conn, 'GET', path);
    const condition = { type: 'Ready', status: 'True', reason: 'Succeeded', message: 'stored artifact', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 1 };
    const good = { ...current.body, status: { observedGeneration: 1, conditions: [condition] } };
    const ok = await kubeRequest<Body>(conn, 'PUT', `${path}?dryRun=All`, { body: good });
    assert.equal(ok.status, 200, ok.body.message);

    const negative = { ...current.body, status: { conditions: [{ ...condition, observedGeneration: -1 }] } };
    const rejected = await kubeRequest<Body>(conn, 'PUT', `${path}?dryRun=All`, { body: negative });
    assert.equal(rejected.status, 422);
    assert.match(rejected.body.message ?? '', /status\.conditions\[0\]\.observedGeneration/);

    const artifact = { path: 'x', url: 'http://x', revision: 'main@sha1:abc', lastUpdateTime: '2026-01-01T00:00:00Z', digest: 'not a digest' };
    const badDigest = await kubeRequest<Body>(conn, 'PUT', `${path}?dryRun=All`, { body: { ...current.body, status: { artifact } } });
    assert.equal(badDigest.status, 422);
    assert.match(badDigest.body.message ?? '', /status\.artifact\.digest/);
  });
});

async function fetchTable(conn: KubeConnection, path: string): Promise<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }> {
  const { request } = await import('node:https');
  const { readFileSync } = await import('node:fs');
  const url = new URL(path, conn.server);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca: readFileSync(conn.caFile),
        headers: { authorization: `Bearer ${conn.token}`, accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as never));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
