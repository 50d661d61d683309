// SPDX-License-Identifier: Apache-2.0
/**
 * ImageUpdateAutomation against a real apiserver and the testenv git server (Basic auth): one
 * commit changing exactly the marked line with the templated message; nothing to change, no
 * commit; a non-fast-forward push reported as GitOperationFailed with the remote untouched;
 * configuration errors (missing GitRepository, bad selector, removed template field); SSH commit
 * signing; the branch-per-update mode; and, under a real manager, a new policy image pushed through the watch.
 * The conformance checker runs after every reconcile.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { ImageUpdateAutomation } from '@eddy/api/image/v1';
import { DynamicClient } from '@eddy/runtime/client';
import { FakeClock } from '@eddy/runtime/clock';
import { get } from '@eddy/runtime/conditions';
import { checkConditions } from '@eddy/runtime/conformance';
import { createLogger } from '@eddy/runtime/log';
import { Manager } from '@eddy/runtime/manager';
import type { GitRepo, GitServer } from '@eddy/testenv';
import { randomNamespaceName, startGitServer, useControlPlane } from '@eddy/testenv';
import { setupImageAutomation } from '../setup.ts';
import { IMAGE_UPDATE_AUTOMATION_GVK, ImageUpdateAutomationReconciler } from './imageupdateautomation-reconciler.ts';
import { AUTOMATION_NEGATIVE_POLARITY } from './reconcile-support.ts';

const log = createLogger({ level: 'error', stream: new PassThrough() });
const IP = { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy' } as const;
const GR = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' } as const;
const IMAGE = 'registry.example.com/apps/podinfo';

const deployment = (ns: string, tag: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: default
spec:
  template:
    spec:
      containers:
        - name: app
          image: ${IMAGE}:${tag} # {"$imagepolicy": "${ns}:podinfo"}
        - name: sidecar
          image: busybox:1.36
`;

const git = (repo: GitRepo, ...args: string[]): string => execFileSync('git', ['--git-dir', repo.dir, ...args], { encoding: 'utf8' }).trim();

describe('ImageUpdateAutomation: commit', { timeout: 240_000 }, () => {
  const ns = randomNamespaceName('imageupdate');
  const clock = new FakeClock(Date.parse('2026-02-03T04:05:06Z'));
  let client: DynamicClient;
  let server: GitServer;
  let reconciler: ImageUpdateAutomationReconciler;
  let kubeconfig = '';

  const fetchObj = async (name: string, namespace = ns): Promise<ImageUpdateAutomation> =>
    (await client.get<ImageUpdateAutomation & { [k: string]: unknown }>({ ...IMAGE_UPDATE_AUTOMATION_GVK, namespace, name }))!;
  const reconcile = async (name: string, conformance = true): Promise<{ obj: ImageUpdateAutomation; error?: unknown }> => {
    let error: unknown;
    try {
      await reconciler.reconcile({ namespace: ns, name }, { signal: new AbortController().signal, log, reconcileId: 't' });
    } catch (err) {
      error = err;
    }
    const obj = await fetchObj(name);
    if (conformance) assert.deepEqual(checkConditions(obj as never, { negativePolarity: AUTOMATION_NEGATIVE_POLARITY }), [], JSON.stringify(obj.status));
    return error === undefined ? { obj } : { obj, error };
  };
  /** A repository with the marked Deployment, and its GitRepository. */
  const gitRepo = async (name: string, namespace = ns): Promise<GitRepo> => {
    const repo = await server.createRepo(`${namespace}/${name}`, { 'deploy/app.yaml': deployment(namespace, '1.0.0'), 'README.md': '# fleet\n' }, { branch: 'main' });
    await client.create({ ...GR, metadata: { name, namespace }, spec: { url: repo.httpUrl, interval: '1m', secretRef: { name: 'git-auth' }, ref: { branch: 'main' } } } as never);
    return repo;
  };
  const automation = async (name: string, spec: Record<string, unknown>, extra: { annotations?: Record<string, string>; namespace?: string } = {}): Promise<void> => {
    await client.create({
      ...IMAGE_UPDATE_AUTOMATION_GVK,
      metadata: { name, namespace: extra.namespace ?? ns, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
      spec: {
        interval: '5m',
        sourceRef: { kind: 'GitRepository', name },
        git: {
          checkout: { ref: { branch: 'main' } },
          commit: {
            author: { name: 'Eddy Bot', email: 'bot@eddy.dev' },
            messageTemplate: '{{range .Changed.Changes}}{{.OldValue}} -> {{.NewValue}}{{end}} by {{ .Values.who }}',
            messageTemplateValues: { who: 'eddy' },
          },
          push: { branch: 'main' },
        },
        update: { path: './deploy', strategy: 'Setters' },
        ...spec,
      },
    } as never);
  };
  const setPolicyTag = async (tag: string, namespace = ns): Promise<void> => {
    await client.patch({ ...IP, namespace, name: 'podinfo' }, { status: { latestRef: { name: IMAGE, tag } } }, { type: 'merge', subresource: 'status' });
  };
  const setupNamespace = async (namespace: string): Promise<void> => {
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    await client.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'git-auth', namespace }, stringData: { username: server.username, password: server.password } } as never);
    await client.create({ ...IP, metadata: { name: 'podinfo', namespace, labels: { app: 'podinfo' } }, spec: { imageRepositoryRef: { name: 'podinfo' }, policy: { semver: { range: '1.x' } } } } as never);
  };

  before(async () => {
    const cp = await useControlPlane();
    kubeconfig = cp.kubeconfigPath;
    client = new DynamicClient({ kubeconfig });
    server = await startGitServer({ auth: 'basic', ssh: false });
    await setupNamespace(ns);
    await setPolicyTag('1.1.0');
    reconciler = new ImageUpdateAutomationReconciler({ client, clock });
  });

  after(async () => {
    await client?.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    client?.close();
    await server?.stop();
  });

  it('commits exactly the marked line once, with the templated message, then nothing more', async () => {
    const repo = await gitRepo('fleet');
    await automation('fleet', {});
    const first = await reconcile('fleet', false);
    assert.deepEqual(first.obj.metadata.finalizers, ['finalizers.fluxcd.io']);
    const { obj, error } = await reconcile('fleet');
    assert.equal(error, undefined);
    const head = git(repo, 'rev-parse', 'refs/heads/main');
    assert.equal(git(repo, 'rev-parse', `${head}^`), repo.commit, 'exactly one commit on top of the initial one');
    assert.equal(git(repo, 'log', '-1', '--format=%B', head), `${IMAGE}:1.0.0 -> ${IMAGE}:1.1.0 by eddy`);
    assert.equal(git(repo, 'log', '-1', '--format=%an <%ae> %aI', head), 'Eddy Bot <bot@eddy.dev> 2026-02-03T04:05:06+00:00');
    assert.equal(git(repo, 'diff', '--numstat', `${head}^`, head), '1\t1\tdeploy/app.yaml');
    assert.equal(git(repo, 'show', `${head}:deploy/app.yaml`), deployment(ns, '1.1.0').trim());
    assert.equal(obj.status?.lastPushCommit, head);
    assert.equal(obj.status?.lastPushTime, '2026-02-03T04:05:06Z');
    assert.equal(obj.status?.lastAutomationRunTime, '2026-02-03T04:05:06Z');
    assert.equal(obj.status?.observedSourceRevision, `main@sha1:${head}`);
    assert.deepEqual(obj.status?.observedPolicies, { podinfo: { name: IMAGE, tag: '1.1.0' } });
    const ready = get(obj as never, 'Ready');
    assert.equal(ready?.status, 'True');
    assert.equal(ready?.message, 'repository up-to-date');
    assert.equal(obj.status?.observedGeneration, obj.metadata.generation);

    const again = await reconcile('fleet');
    assert.equal(git(repo, 'rev-parse', 'refs/heads/main'), head, 'no second commit');
    assert.equal(get(again.obj as never, 'Ready')?.status, 'True');
    const other = await server.commitFiles(`${ns}/fleet`, { 'README.md': '# fleet, edited\n' }, { branch: 'main' });
    await client.patch({ ...IMAGE_UPDATE_AUTOMATION_GVK, namespace: ns, name: 'fleet' }, { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'r1' } } }, { type: 'merge' });
    const full = await reconcile('fleet');
    assert.equal(git(repo, 'rev-parse', 'refs/heads/main'), other, 'a full run with nothing to change commits nothing');
    assert.equal(get(full.obj as never, 'Ready')?.message, 'repository up-to-date');
    assert.equal(full.obj.status?.observedSourceRevision, `main@sha1:${other}`);
    assert.equal(full.obj.status?.lastPushCommit, head);
    assert.equal(full.obj.status?.lastHandledReconcileAt, 'r1');
  });

  it('reports a rejected non-fast-forward push as GitOperationFailed and leaves the remote alone', async () => {
    const repo = await gitRepo('stale');
    const moved = await server.commitFiles(`${ns}/stale`, { 'README.md': '# moved on\n' }, { branch: 'main' });
    await automation('stale', { git: { checkout: { ref: { branch: 'main', commit: repo.commit } }, commit: { author: { email: 'bot@eddy.dev' } }, push: { branch: 'main' } } });
    await reconcile('stale', false);
    const { obj, error } = await reconcile('stale');
    assert.ok(error, 'retried');
    const ready = get(obj as never, 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'GitOperationFailed');
    assert.match(ready?.message ?? '', /^failed to update source: .*(rejected|failed to push)/);
    assert.equal(git(repo, 'rev-parse', 'refs/heads/main'), moved, 'remote untouched');
    assert.equal(obj.status?.lastPushCommit, undefined);
  });

  it('reports a missing GitRepository as SourceManagerFailed', async () => {
    await automation('nogit', {});
    await reconcile('nogit', false);
    const { obj, error } = await reconcile('nogit');
    assert.ok(error);
    assert.equal(get(obj as never, 'Ready')?.reason, 'SourceManagerFailed');
    assert.match(get(obj as never, 'Ready')?.message ?? '', /referenced git repository does not exist/);
  });

  it('stalls on an invalid policy selector', async () => {
    await automation('badsel', { policySelector: { matchExpressions: [{ key: 'app', operator: 'Near', values: ['x'] }] } });
    await reconcile('badsel', false);
    const { obj, error } = await reconcile('badsel');
    assert.equal(error, undefined);
    assert.equal(get(obj as never, 'Stalled')?.reason, 'InvalidPolicySelector');
    assert.match(get(obj as never, 'Ready')?.message ?? '', /failed to parse policy selector/);
  });

  it('stalls on a removed template field without pushing', async () => {
    const repo = await gitRepo('oldtmpl');
    await automation('oldtmpl', {
      policySelector: { matchLabels: { app: 'podinfo' } },
      git: { commit: { author: { email: 'bot@eddy.dev' }, messageTemplate: '{{ .Updated }}' }, push: { branch: 'main' }, checkout: { ref: { branch: 'main' } } },
    });
    await reconcile('oldtmpl', false);
    const { obj, error } = await reconcile('oldtmpl');
    assert.equal(error, undefined);
    assert.equal(get(obj as never, 'Stalled')?.reason, 'RemovedTemplateField');
    assert.equal(git(repo, 'rev-parse', 'refs/heads/main'), repo.commit);
  });

  it('signs the commit with an SSH signing key', async () => {
    const keyDir = mkdtempSync(join(tmpdir(), 'eddy-iac-sign-'));
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bot@eddy.dev', '-f', join(keyDir, 'key')]);
      await client.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'signing', namespace: ns }, stringData: { identity: readFileSync(join(keyDir, 'key'), 'utf8') } } as never);
      const repo = await gitRepo('signed');
      await automation('signed', {
        git: { checkout: { ref: { branch: 'main' } }, commit: { author: { name: 'Eddy Bot', email: 'bot@eddy.dev' }, signingKey: { type: 'ssh', secretRef: { name: 'signing' } } }, push: { branch: 'main' } },
      });
      await reconcile('signed', false);
      const { obj, error } = await reconcile('signed');
      assert.equal(error, undefined);
      const head = git(repo, 'rev-parse', 'refs/heads/main');
      assert.equal(obj.status?.lastPushCommit, head);
      assert.match(git(repo, 'cat-file', '-p', head), /^gpgsig -----BEGIN SSH SIGNATURE-----/m);
      assert.equal(git(repo, 'log', '-1', '--format=%B', head), 'Update from image update automation');
    } finally {
      rmSync(keyDir, { recursive: true, force: true });
    }
  });

  it('pushes one branch per update with the branch-per-update annotation', async () => {
    const repo = await gitRepo('perbranch');
    await automation('perbranch', {}, { annotations: { 'image.eddy.dev/branch-per-update': '' } });
    await reconcile('perbranch', false);
    const { obj } = await reconcile('perbranch');
    const branch = `image-updates/${ns}/podinfo/1.1.0`;
    const tip = git(repo, 'rev-parse', `refs/heads/${branch}`);
    assert.equal(git(repo, 'rev-parse', `${tip}^`), repo.commit);
    assert.equal(git(repo, 'rev-parse', 'refs/heads/main'), repo.commit, 'main untouched');
    assert.equal(obj.status?.lastPushCommit, tip);
    assert.equal(obj.status?.observedSourceRevision, `main@sha1:${repo.commit}`);
  });

  it('pushes a new policy image through the watches under the manager', async () => {
    const mgrNs = randomNamespaceName('imageupdate-mgr');
    await setupNamespace(mgrNs);
    await setPolicyTag('1.1.0', mgrNs);
    const repo = await gitRepo('fleet', mgrNs);
    const mgr = new Manager({ kubeconfig, namespace: mgrNs, metricsAddr: '0', healthAddr: '0', logger: log, gracefulShutdownTimeoutMs: 5_000 });
    setupImageAutomation(mgr);
    const running = mgr.start();
    const fileAtHead = (): string => git(repo, 'show', 'refs/heads/main:deploy/app.yaml');
    try {
      await mgr.elected;
      await automation('fleet', {}, { namespace: mgrNs });
      await eventually(() => fileAtHead().includes(`${IMAGE}:1.1.0`), 'the first update');
      await setPolicyTag('1.2.0', mgrNs);
      await eventually(() => fileAtHead().includes(`${IMAGE}:1.2.0`), 'the update after the policy moved');
      let obj = await fetchObj('fleet', mgrNs);
      const deadline = Date.now() + 30_000;
      while (obj.status?.observedPolicies?.podinfo?.tag !== '1.2.0' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        obj = await fetchObj('fleet', mgrNs);
      }
      assert.deepEqual(obj.status?.observedPolicies, { podinfo: { name: IMAGE, tag: '1.2.0' } }, 'status follows the push');
      assert.equal(obj.status?.lastPushCommit, git(repo, 'rev-parse', 'refs/heads/main'));
    } finally {
      await mgr.stop();
      await running.catch(() => undefined);
      await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: mgrNs });
    }
  });
});

async function eventually(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
