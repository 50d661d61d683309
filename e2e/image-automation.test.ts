// SPDX-License-Identifier: Apache-2.0
/**
 * Image update automation end to end: the source-, kustomize-, image-reflector- and
 * image-automation-controllers as processes watching this test's namespace, a real git server and
 * OCI registry. A tag pushed to the registry is scanned, selected by a semver ImagePolicy, committed
 * by the ImageUpdateAutomation onto the marked line of a Deployment in git (one commit, templated
 * message, pushed to the checkout branch), fetched by the GitRepository and applied by the
 * Kustomization, so the live Deployment follows the newest tag.
 */
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerProcess, GitRepo, GitServer, Registry } from '@eddy/testenv';
import { startGitServer, startRegistry } from '@eddy/testenv';
import { getObj, setup, type Env } from './harness.ts';

const SOURCE_V1 = 'source.toolkit.fluxcd.io/v1';
const KS_V1 = 'kustomize.toolkit.fluxcd.io/v1';
const IMAGE_V1 = 'image.toolkit.fluxcd.io/v1';
const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
const IMAGE_REPO = 'apps/podinfo';
const FILE = 'deploy/app.yaml';
const TEMPLATE = 'Automated image update\n\n{{range .Changed.Changes}}- {{.OldValue}} -> {{.NewValue}}\n{{end}}';

const deployment = (ns: string, image: string, tag: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: ${ns}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      labels:
        app: app
    spec:
      containers:
        - name: app
          image: ${image}:${tag} # {"$imagepolicy": "${ns}:app"}
        - name: sidecar
          image: busybox:1.36
`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('image update automation', { timeout: 600_000 }, () => {
  let env: Env;
  let server: GitServer;
  let registry: Registry;
  let repo: GitRepo;
  let image = '';
  const procs: ControllerProcess[] = [];

  const logs = (): string => procs.map((p) => `--- ${p.controller} (running: ${p.running}) ---\n${p.logTail(40)}`).join('\n');
  const git = (...args: string[]): string => execFileSync('git', ['--git-dir', repo.dir, ...args], { encoding: 'utf8' }).trim();
  const head = (): string => git('rev-parse', 'refs/heads/main');

  /** Polls `probe` until it returns a value other than undefined; on timeout fails with the controllers' logs. */
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 120_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) {
        console.error(logs());
        assert.fail(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
      }
      await sleep(250);
    }
  };
  /** Runs a test body and prints the controllers' logs when it fails. */
  const withLogs = async (fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      console.error(logs());
      throw err;
    }
  };
  const requestReconcile = async (apiVersion: string, kind: string, name: string): Promise<void> => {
    await env.client.patch(
      { apiVersion, kind, namespace: env.namespace, name },
      { metadata: { annotations: { [REQUESTED_AT]: new Date().toISOString() } } },
      { type: 'merge' },
    );
  };
  const status = async (apiVersion: string, kind: string, name: string): Promise<Record<string, unknown> | undefined> =>
    (await getObj(env, apiVersion, kind, name))?.['status'] as Record<string, unknown> | undefined;
  const liveImage = async (): Promise<string | undefined> => {
    const obj = await getObj(env, 'apps/v1', 'Deployment', 'app');
    const spec = obj?.['spec'] as { template: { spec: { containers: Array<{ name: string; image: string }> } } } | undefined;
    return spec?.template.spec.containers.find((c) => c.name === 'app')?.image;
  };

  /**
   * Waits for exactly one automation commit for `tag` on top of `before` changing only the marked
   * line, with the templated message; then has the GitRepository fetch it and waits for the
   * Kustomization to apply it and the Deployment to carry the new image.
   */
  const expectRollout = async (before: string, from: string, tag: string): Promise<void> => {

    const commit = await waitFor(`the automation commit for ${tag}`, () => {
      const h = head();
      return h !== before ? h : undefined;
    });
    assert.equal(git('rev-list', '--count', `${before}..${commit}`), '1', 'exactly one new commit');
    assert.equal(git('rev-parse', `${commit}^`), before);
    assert.equal(git('log', '-1', '--format=%B', commit), `Automated image update\n\n- ${image}:${from} -> ${image}:${tag}`);
    assert.equal(git('log', '-1', '--format=%an <%ae>', commit), 'Eddy Bot <bot@eddy.dev>');
    assert.equal(git('diff', '--numstat', before, commit), `1\t1\t${FILE}`);
    const changed = git('diff', '-U0', before, commit).split('\n').filter((l) => /^[-+][^-+]/.test(l));
    const marker = `# {"$imagepolicy": "${env.namespace}:app"}`;
    assert.deepEqual(changed, [`-          image: ${image}:${from} ${marker}`, `+          image: ${image}:${tag} ${marker}`]);
    assert.equal(git('show', `${commit}:${FILE}`), deployment(env.namespace, image, tag).trim());

    const automation = await waitFor('the automation status to record the push', async () => {
      const s = await status(IMAGE_V1, 'ImageUpdateAutomation', 'app');
      return s?.['lastPushCommit'] === commit ? s : undefined;
    });
    assert.deepEqual(automation['observedPolicies'], { app: { name: image, tag } });

    await requestReconcile(SOURCE_V1, 'GitRepository', 'fleet');
    await waitFor(`the GitRepository artifact at ${commit}`, async () => {
      const artifact = (await status(SOURCE_V1, 'GitRepository', 'fleet'))?.['artifact'] as { revision?: string } | undefined;
      return artifact?.revision === `main@sha1:${commit}` ? true : undefined;
    });
    await waitFor(`the Deployment to run ${image}:${tag}`, async () => ((await liveImage()) === `${image}:${tag}` ? true : undefined));
    // The objects are applied before the Kustomization's status is patched: wait for the status too.
    await waitFor(`the Kustomization to report main@sha1:${commit} applied`, async () =>
      (await status(KS_V1, 'Kustomization', 'fleet'))?.['lastAppliedRevision'] === `main@sha1:${commit}` ? true : undefined,
    );
    assert.equal(head(), commit, 'no further commits once the repository is up to date');
  };

  const policySelects = (tag: string): Promise<boolean> =>
    waitFor(`ImagePolicy to select ${tag}`, async () => {
      const latest = (await status(IMAGE_V1, 'ImagePolicy', 'app'))?.['latestRef'] as { name?: string; tag?: string } | undefined;
      return latest?.tag === tag ? latest.name === image : undefined;
    });

  before(async () => {
    env = await setup('e2e-imgauto');
    const ns = env.namespace;
    [server, registry] = await Promise.all([startGitServer({ auth: 'basic', ssh: false }), startRegistry()]);
    image = `${registry.host}/${IMAGE_REPO}`;
    await registry.pushImage(IMAGE_REPO, '1.0.0');
    await registry.pushImage(IMAGE_REPO, '1.1.0');
    repo = await server.createRepo('fleet', { [FILE]: deployment(ns, image, '1.0.0'), 'README.md': '# fleet\n' }, { branch: 'main' });

    for (const name of ['source', 'kustomize', 'image-reflector', 'image-automation'] as const) procs.push(await env.controller(name));

    const create = (obj: Record<string, unknown>): Promise<unknown> => env.client.create(obj as never);
    const meta = (name: string): { name: string; namespace: string } => ({ name, namespace: ns });
    await create({ apiVersion: 'v1', kind: 'Secret', metadata: meta('git-auth'), stringData: { username: server.username, password: server.password } });
    await create({
      apiVersion: SOURCE_V1, kind: 'GitRepository', metadata: meta('fleet'),
      spec: { url: repo.httpUrl, interval: '30s', secretRef: { name: 'git-auth' }, ref: { branch: 'main' } },
    });
    await create({
      apiVersion: KS_V1, kind: 'Kustomization', metadata: meta('fleet'),
      spec: { interval: '30s', path: './deploy', prune: true, sourceRef: { kind: 'GitRepository', name: 'fleet' } },
    });
    await create({ apiVersion: IMAGE_V1, kind: 'ImageRepository', metadata: meta('app'), spec: { image, interval: '30s', insecure: true } });
    await create({
      apiVersion: IMAGE_V1, kind: 'ImagePolicy', metadata: meta('app'),
      spec: { imageRepositoryRef: { name: 'app' }, policy: { semver: { range: '>=1.0.0' } } },
    });
  });

  after(async () => {
    await env?.cleanup();
    await Promise.all([server?.stop(), registry?.stop()]);
  });

  it('applies the initial revision from git', () =>
    withLogs(async () => {
      await waitFor('the Deployment at 1.0.0', async () => ((await liveImage()) === `${image}:1.0.0` ? true : undefined));
      await waitFor(`the Kustomization to report main@sha1:${repo.commit} applied`, async () =>
        (await status(KS_V1, 'Kustomization', 'fleet'))?.['lastAppliedRevision'] === `main@sha1:${repo.commit}` ? true : undefined,
      );
    }));

  it('commits the selected 1.1.0 to git with the templated message, and the Deployment follows', () =>
    withLogs(async () => {
      const before = head();
      assert.equal(before, repo.commit);
      await requestReconcile(IMAGE_V1, 'ImageRepository', 'app');
      assert.ok(await policySelects('1.1.0'));
      // The automation is created only now, so the whole flow is observable from a known head.
      await env.client.create({
        apiVersion: IMAGE_V1, kind: 'ImageUpdateAutomation', metadata: { name: 'app', namespace: env.namespace },
        spec: {
          interval: '30s',
          sourceRef: { kind: 'GitRepository', name: 'fleet' },
          git: {
            checkout: { ref: { branch: 'main' } },
            commit: { author: { name: 'Eddy Bot', email: 'bot@eddy.dev' }, messageTemplate: TEMPLATE },
            push: { branch: 'main' },
          },
          update: { path: './deploy', strategy: 'Setters' },
        },
      } as never);
      await expectRollout(before, '1.0.0', '1.1.0');
    }));

  it('follows a newly pushed 1.2.0 with a second commit', () =>
    withLogs(async () => {
      const before = head();
      await registry.pushImage(IMAGE_REPO, '1.2.0');
      await requestReconcile(IMAGE_V1, 'ImageRepository', 'app');
      assert.ok(await policySelects('1.2.0'));
      await expectRollout(before, '1.1.0', '1.2.0');
      assert.equal(git('rev-list', '--count', `${repo.commit}..main`), '2', 'two automation commits in total');
    }));
});
