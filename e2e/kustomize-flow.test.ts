// SPDX-License-Identifier: Apache-2.0
/**
 * The GitOps flow end to end: the source-controller and the kustomize-controller as separate
 * processes watching this test's namespace reconcile the podinfo-deploy bases (copied into the
 * loopback git server, fetched over HTTP with basic auth from a Secret) into the namespace.
 * Covers apply and Ready, a replica change picked up on `requestedAt`, pruning of a removed file,
 * and a three-step `dependsOn` chain becoming Ready in order. No kubelet runs, so workloads are
 * only checked as API objects.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { KubeObject as KubeObj } from '@eddy/runtime/client';
import type { ControllerProcess } from '@eddy/testenv';
import { startGitServer, type GitServer } from '@eddy/testenv';
import { getObj, setup, type Env } from './harness.ts';

const SOURCE_V1 = 'source.toolkit.fluxcd.io/v1';
const KS_V1 = 'kustomize.toolkit.fluxcd.io/v1';
const FIXTURE = '/work/shared/fixtures/manifests/podinfo-deploy';
const REPO = 'podinfo-deploy';

/** A condition as the controllers write it. */
interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

type WithStatus = { status?: { conditions?: Condition[]; lastAppliedRevision?: string; lastHandledReconcileAt?: string } };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function readyOf(obj: unknown): Condition | undefined {
  return (obj as WithStatus | undefined)?.status?.conditions?.find((c) => c.type === 'Ready');
}

describe('kustomize flow: source-controller + kustomize-controller processes', () => {
  let env: Env;
  let git: GitServer;
  let repoUrl = '';
  let firstCommit = '';
  const procs: ControllerProcess[] = [];

  /** Polls `fn` until it returns a value other than undefined; fails with the controllers' logs. */
  async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > deadline) {
        const logs = procs.map((p) => `--- ${p.controller} (running=${p.running})\n${p.logTail(40)}`).join('\n');
        assert.fail(`timed out waiting for ${what}\n${logs}`);
      }
      await sleep(250);
    }
  }

  async function kustomization(name: string, path: string, dependsOn?: string): Promise<void> {
    await env.client.create({
      apiVersion: KS_V1,
      kind: 'Kustomization',
      metadata: { name, namespace: env.namespace },
      spec: {
        interval: '10s',
        retryInterval: '5s',
        path,
        prune: true,
        targetNamespace: env.namespace,
        sourceRef: { kind: 'GitRepository', name: REPO },
        ...(dependsOn ? { dependsOn: [{ name: dependsOn }] } : {}),
      },
    } as never);
  }

  /** Waits until the Kustomization is Ready=True with the given revision applied. */
  function ksReadyAt(name: string, commit: string): Promise<KubeObj> {
    return until(`Kustomization ${name} Ready at ${commit}`, async () => {
      const ks = await getObj(env, KS_V1, 'Kustomization', name);
      const ok = readyOf(ks)?.status === 'True' && (ks as WithStatus).status?.lastAppliedRevision === `main@sha1:${commit}`;
      return ok ? ks : undefined;
    });
  }

  /** Asks the source-controller to fetch now instead of at the next interval. */
  async function requestReconcile(): Promise<void> {
    const at = new Date().toISOString();
    await env.client.patch(
      { apiVersion: SOURCE_V1, kind: 'GitRepository', name: REPO, namespace: env.namespace },
      { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at } } },
      { type: 'merge' },
    );
  }

  before(async () => {
    env = await setup('e2e-ksflow');
    git = await startGitServer({ ssh: false });
    const repo = await git.createRepo(REPO, FIXTURE);
    repoUrl = repo.httpUrl;
    firstCommit = repo.commit!;
    procs.push(await env.controller('source'), await env.controller('kustomize'));
    await env.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'git-auth', namespace: env.namespace },
      stringData: { username: git.username, password: git.password },
    } as never);
    await env.client.create({
      apiVersion: SOURCE_V1,
      kind: 'GitRepository',
      metadata: { name: REPO, namespace: env.namespace },
      spec: { interval: '10s', url: repoUrl, ref: { branch: 'main' }, secretRef: { name: 'git-auth' } },
    } as never);
  });

  after(async () => {
    await env?.cleanup();
    await git?.stop();
  });

  it('fetches with basic auth and applies the cache base: Ready, objects exist', async () => {
    await until('GitRepository Ready', async () => (readyOf(await getObj(env, SOURCE_V1, 'GitRepository', REPO))?.status === 'True' ? true : undefined));
    assert.ok(git.requests.some((r) => r.status === 200 && r.url.includes(REPO)), 'the fetch (the server refuses anonymous ones) succeeded');
    await kustomization('cache', './bases/cache');
    await ksReadyAt('cache', firstCommit);
    const deploy = await getObj(env, 'apps/v1', 'Deployment', 'cache');
    assert.ok(deploy, 'Deployment/cache exists');
    assert.ok(await getObj(env, 'v1', 'Service', 'cache'), 'Service/cache exists');
    const cms = await env.client.list<KubeObj>('v1', 'ConfigMap', { namespace: env.namespace });
    assert.ok(cms.items.some((c) => /^redis-config-[a-z0-9]+$/.test(c.metadata.name ?? '')), 'the generated ConfigMap exists');
    assert.equal(deploy.metadata.labels?.['kustomize.toolkit.fluxcd.io/name'], 'cache');
  });

  it('applies a commit that changes the Deployment replica count', async () => {
    const original = readFileSync(`${FIXTURE}/bases/cache/deployment.yaml`, 'utf8');
    const scaled = original.replace(/^spec:\n/m, 'spec:\n  replicas: 3\n');
    assert.notEqual(scaled, original);
    const commit = await git.commitFiles(REPO, { 'bases/cache/deployment.yaml': scaled });
    await requestReconcile();
    await until('Deployment/cache spec.replicas == 3', async () => {
      const d = await getObj(env, 'apps/v1', 'Deployment', 'cache');
      return (d?.['spec'] as { replicas?: number } | undefined)?.replicas === 3 ? true : undefined;
    });
    await ksReadyAt('cache', commit);
  });

  it('prunes the object of a removed file', async () => {
    const kfile = readFileSync(`${FIXTURE}/bases/cache/kustomization.yaml`, 'utf8');
    const withoutService = kfile.replace(/^ {2}- service\.yaml\n/m, '');
    assert.notEqual(withoutService, kfile);
    const commit = await git.commitFiles(REPO, { 'bases/cache/service.yaml': null, 'bases/cache/kustomization.yaml': withoutService });
    await requestReconcile();
    await ksReadyAt('cache', commit);
    await until('Service/cache pruned', async () => ((await getObj(env, 'v1', 'Service', 'cache')) ? undefined : true));
    assert.ok(await getObj(env, 'apps/v1', 'Deployment', 'cache'), 'the Deployment stays');
  });

  it('a dependsOn chain of three becomes Ready in order', async () => {
    const head = (await getObj(env, SOURCE_V1, 'GitRepository', REPO)) as WithStatus & KubeObj;
    const revision = ((head['status'] as { artifact?: { revision?: string } }).artifact?.revision ?? '').replace(/^main@sha1:/, '');
    assert.match(revision, /^[0-9a-f]{40}$/);
    // Created last-first, so the dependents are reconciled before their dependencies exist or are Ready.
    await kustomization('frontend', './bases/frontend', 'backend');
    await kustomization('backend', './bases/backend', 'database');
    await kustomization('database', './bases/database');
    const chain = ['database', 'backend', 'frontend'] as const;
    const firstReady = new Map<string, number>();
    const sawDependencyNotReady = new Set<string>();
    await until('the chain Ready', async () => {
      const conds = await Promise.all(chain.map(async (n) => readyOf(await getObj(env, KS_V1, 'Kustomization', n))));
      chain.forEach((n, i) => {
        if (conds[i]?.status === 'True' && !firstReady.has(n)) firstReady.set(n, Date.now());
        if (conds[i]?.reason === 'DependencyNotReady') sawDependencyNotReady.add(n);
      });
      // Never is a dependent Ready while its dependency is not.
      for (let i = 1; i < chain.length; i++) {
        if (conds[i]?.status === 'True') assert.equal(conds[i - 1]?.status, 'True', `${chain[i]} Ready before ${chain[i - 1]}`);
      }
      return conds.every((c) => c?.status === 'True') ? true : undefined;
    }, 120_000);
    assert.ok(sawDependencyNotReady.has('frontend'), 'frontend waited with DependencyNotReady');
    assert.ok(sawDependencyNotReady.has('backend'), 'backend waited with DependencyNotReady');
    const times = await Promise.all(chain.map(async (n) => Date.parse(readyOf(await getObj(env, KS_V1, 'Kustomization', n))!.lastTransitionTime!)));
    assert.ok(times[0]! <= times[1]! && times[1]! <= times[2]!, `Ready lastTransitionTimes in order: ${times.map((t) => new Date(t).toISOString()).join(', ')}`);
    assert.ok(firstReady.get('database')! <= firstReady.get('backend')! && firstReady.get('backend')! <= firstReady.get('frontend')!);
    assert.ok(await getObj(env, 'apps/v1', 'StatefulSet', 'database-primary'), 'database objects applied');
    assert.ok(await getObj(env, 'apps/v1', 'Deployment', 'backend'), 'backend objects applied');
    assert.ok(await getObj(env, 'apps/v1', 'Deployment', 'frontend'), 'frontend objects applied');
  });
});
