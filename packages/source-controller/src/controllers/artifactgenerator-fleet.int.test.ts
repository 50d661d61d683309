// SPDX-License-Identifier: Apache-2.0
/**
 * ArtifactGenerator with the flux2-kustomize-helm-example fleet (the fixture repository served by
 * the testenv git server, its `clusters/staging/artifacts.yaml` applied unchanged but for the
 * namespace): the generated ExternalArtifacts, their contents and revisions, drift handling when
 * the repository moves, a missing source, an invalid spec, and deletion.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ArtifactGenerator } from '@eddy/api/source-extensions/v1beta1';
import type { ExternalArtifact, GitRepository } from '@eddy/api/source/v1';
import type { GitServer } from '@eddy/testenv';
import { repoRoot, startGitServer } from '@eddy/testenv';
import { parse } from 'yaml';
import { filesOf, tgzFiles } from '../testing/charts.ts';
import type { Harness } from '../testing/harness.ts';
import { cond, startHarness } from '../testing/harness.ts';
import { ArtifactGeneratorReconciler } from './artifactgenerator-reconciler.ts';
import { GitRepositoryReconciler } from './gitrepository-reconciler.ts';

const GR = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' } as const;
const AG = { apiVersion: 'source.extensions.fluxcd.io/v1beta1', kind: 'ArtifactGenerator' } as const;
const EA = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'ExternalArtifact' } as const;
/** The API has no `status.observedGeneration` (source-watcher relies on Ready's); project it for the checker. */
const withObservedGeneration = (o: ArtifactGenerator): unknown => ({ ...o, status: { ...o.status, observedGeneration: cond(o, 'Ready')?.observedGeneration ?? -1 } });
const FLEET = join(repoRoot(), '..', 'shared', 'fixtures', 'fleets', 'flux2-kustomize-helm-example');

describe('ArtifactGenerator: the flux2-kustomize-helm-example fleet', { timeout: 180_000 }, () => {
  let h: Harness;
  let git: GitServer;
  let gits: GitRepositoryReconciler;
  let gen: ArtifactGeneratorReconciler;
  const reconcileGit = async (): Promise<GitRepository> => (await h.reconcile<GitRepository>(gits, GR, 'flux-system')).obj;
  const reconcile = (name: string, conformance = true): Promise<{ obj: ArtifactGenerator; error?: unknown }> => h.reconcile<ArtifactGenerator>(gen, AG, name, { conformance, project: withObservedGeneration });
  const files = async (name: string): Promise<Record<string, string>> => {
    const ea = await h.fetch<ExternalArtifact>(EA, name);
    const all = await tgzFiles(h.storage.localPath(ea.status!.artifact!));
    return Object.fromEntries(Object.entries(all).filter(([k]) => !k.endsWith('/')));
  };

  before(async () => {
    h = await startHarness('generator');
    git = await startGitServer({ auth: 'basic', ssh: false });
    await h.secret('git-auth', { username: git.username, password: git.password });
    const repo = await git.createRepo('fleet', filesOf(FLEET, '.'), { branch: 'main' });
    gits = new GitRepositoryReconciler({ client: h.client, storage: h.storage });
    gen = new ArtifactGeneratorReconciler({ client: h.client, storage: h.storage, dependencyRequeueMs: 1000 });
    await h.client.create({ ...GR, metadata: { name: 'flux-system', namespace: h.ns }, spec: { interval: '1m', url: repo.httpUrl, secretRef: { name: 'git-auth' }, ref: { branch: 'main' } } } as never);
    await h.reconcile(gits, GR, 'flux-system', { conformance: false });
    assert.equal(cond(await reconcileGit(), 'Ready')?.status, 'True');
    const manifest = parse(readFileSync(join(FLEET, 'clusters/staging/artifacts.yaml'), 'utf8')) as ArtifactGenerator;
    await h.client.create({ ...manifest, metadata: { name: manifest.metadata.name, namespace: h.ns } } as never);
  });

  after(async () => {
    await git?.stop();
    await h?.stop();
  });

  it('generates the infrastructure and apps ExternalArtifacts', async () => {
    await reconcile('flux-system', false);
    const { obj, error } = await reconcile('flux-system');
    assert.equal(error, undefined);
    assert.deepEqual(obj.metadata.finalizers, ['source.extensions.fluxcd.io/finalizer']);
    assert.equal(cond(obj, 'Ready')?.status, 'True');
    assert.equal(cond(obj, 'Ready')?.message, 'reconciliation succeeded, generated 2 artifact(s)');
    assert.deepEqual(obj.status?.inventory?.map((r) => r.name), ['infrastructure', 'apps']);
    const source = await h.fetch<GitRepository>(GR, 'flux-system');
    const apps = await h.fetch<ExternalArtifact>(EA, 'apps');
    assert.equal(cond(apps, 'Ready')?.message, 'Artifact is ready');
    assert.deepEqual(apps.spec?.sourceRef, { apiVersion: AG.apiVersion, kind: AG.kind, name: 'flux-system', namespace: h.ns });
    const art = apps.status!.artifact!;
    assert.equal(art.revision, `latest@${art.digest}`);
    assert.match(art.path, new RegExp(`^externalartifact/${h.ns}/apps/\\d+\\.tar\\.gz$`));
    assert.equal(art.metadata?.['org.opencontainers.image.revision'], source.status!.artifact!.revision);
    assert.deepEqual(Object.keys(await files('apps')).sort(), [
      'base/podinfo/kustomization.yaml',
      'base/podinfo/namespace.yaml',
      'base/podinfo/release.yaml',
      'base/podinfo/repository.yaml',
      'staging/kustomization.yaml',
      'staging/podinfo-values.yaml',
    ]);
    const infra = Object.keys(await files('infrastructure'));
    assert.ok(infra.includes('controllers/cert-manager.yaml') && infra.includes('configs/cluster-issuers.yaml'), infra.join(', '));
  });

  it('rebuilds when the repository moves, keeping unchanged content under the same file', async () => {
    const before = (await h.fetch<ExternalArtifact>(EA, 'apps')).status!.artifact!;
    await git.commitFiles('fleet', { 'README.md': '# changed\n' });
    await reconcileGit();
    const moved = await reconcile('flux-system');
    assert.equal(cond(moved.obj, 'Ready')?.status, 'True');
    const after1 = (await h.fetch<ExternalArtifact>(EA, 'apps')).status!.artifact!;
    assert.equal(after1.digest, before.digest, 'apps/ did not change');
    assert.notEqual(after1.metadata?.['org.opencontainers.image.revision'], before.metadata?.['org.opencontainers.image.revision']);
    await git.commitFiles('fleet', { 'apps/staging/podinfo-values.yaml': 'spec:\n  values:\n    replicaCount: 2\n' });
    await reconcileGit();
    await reconcile('flux-system');
    const after2 = (await h.fetch<ExternalArtifact>(EA, 'apps')).status!.artifact!;
    assert.notEqual(after2.digest, before.digest);
    assert.equal((await files('apps'))['staging/podinfo-values.yaml'], 'spec:\n  values:\n    replicaCount: 2\n');
  });

  it('waits for a missing source and stalls on an invalid spec', async () => {
    await h.client.create({
      ...AG,
      metadata: { name: 'waiting', namespace: h.ns },
      spec: { sources: [{ alias: 'x', kind: 'GitRepository', name: 'absent' }], artifacts: [{ name: 'out', copy: [{ from: '@x/**', to: '@artifact/' }] }] },
    } as never);
    await reconcile('waiting', false);
    const { obj } = await reconcile('waiting');
    assert.equal(cond(obj, 'Ready')?.reason, 'SourceFetchFailed');
    assert.match(cond(obj, 'Ready')?.message ?? '', /get sources failed: gitrepositories.source.toolkit.fluxcd.io "absent" not found/);
    await h.client.create({
      ...AG,
      metadata: { name: 'invalid', namespace: h.ns },
      spec: {
        sources: [
          { alias: 'x', kind: 'GitRepository', name: 'flux-system' },
          { alias: 'x', kind: 'GitRepository', name: 'flux-system' },
        ],
        artifacts: [{ name: 'out', copy: [{ from: '@x/**', to: '@artifact/' }] }],
      },
    } as never);
    await reconcile('invalid', false);
    const invalid = await reconcile('invalid');
    assert.equal(cond(invalid.obj, 'Stalled')?.reason, 'ValidationFailed');
    assert.equal(cond(invalid.obj, 'Ready')?.message, "duplicate source alias 'x' found");
  });

  it('deletes its ExternalArtifacts and files on deletion', async () => {
    const path = (await h.fetch<ExternalArtifact>(EA, 'apps')).status!.artifact!.path;
    await h.client.delete({ ...AG, namespace: h.ns, name: 'flux-system' });
    await gen.reconcile({ namespace: h.ns, name: 'flux-system' }, { signal: new AbortController().signal, log: (await import('@eddy/runtime/log')).createLogger({ level: 'error' }), reconcileId: 'd' });
    assert.equal(await h.client.get({ ...EA, namespace: h.ns, name: 'apps' }), undefined);
    assert.equal(await h.storage.exists({ path }), false);
    assert.equal(await h.client.get({ ...AG, namespace: h.ns, name: 'flux-system' }), undefined);
  });
});
