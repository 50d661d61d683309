// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy bootstrap git` end to end, on a control plane of its own (the bootstrap Kustomization
 * prunes and owns the CRDs, which the shared control plane must keep): a fleet repository on the
 * loopback git server, the source- and kustomize-controllers as processes, and the real git.
 * Bootstrap commits `<path>/flux-system/*` with Flux's names, pushes, applies the sync objects and
 * waits until the `flux-system` Kustomization has applied the pushed commit.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { run } from '@eddy/cli';
import { DynamicClient, type KubeObject } from '@eddy/runtime/client';
import { startControlPlane, startControllerProcess, startGitServer, toolPath, type ControlPlane, type ControllerProcess, type GitServer } from '@eddy/testenv';
import { toolsPath } from './harness.ts';

const exec = promisify(execFile);

describe('eddy bootstrap git', () => {
  let cp: ControlPlane;
  let git: GitServer;
  let client: DynamicClient;
  let url = '';
  const procs: ControllerProcess[] = [];
  const work = mkdtempSync(join(tmpdir(), 'e2e-bootstrap-'));

  const eddy = async (argv: string[]): Promise<{ code: number; out: string; err: string }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['--kubeconfig', cp.kubeconfigPath, ...argv], { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const bootstrap = (): Promise<{ code: number; out: string; err: string }> =>
    eddy([
      'bootstrap', 'git', '--url', url, '--username', git.username, '--password', git.password, '--path', 'clusters/test',
      '--components', 'source-controller,kustomize-controller', '--no-wait-controllers', '--timeout', '3m',
    ]);

  before(async () => {
    process.env.EDDY_KUSTOMIZE ??= toolPath('kustomize');
    [cp, git] = await Promise.all([startControlPlane({ name: 'e2e-bootstrap' }), startGitServer({ ssh: false })]);
    client = new DynamicClient({ kubeconfig: cp.kubeconfigPath });
    const repo = await git.createRepo('fleet', { 'clusters/test/app.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: default\ndata:\n  hello: world\n' });
    url = repo.httpUrl;
    for (const controller of ['source-controller', 'kustomize-controller'] as const) {
      procs.push(await startControllerProcess({ controller, kubeconfigPath: cp.kubeconfigPath, storagePath: join(work, 'storage'), env: { PATH: toolsPath() } }));
    }
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    client?.transport.close();
    await Promise.all([cp?.stop(), git?.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  it('commits Flux-named manifests, pushes, and waits until the cluster syncs from them', async () => {
    const r = await bootstrap();
    assert.equal(r.code, 0, `${r.out}\n${r.err}\n--- source-controller\n${procs[0]!.logTail()}\n--- kustomize-controller\n${procs[1]!.logTail()}`);
    assert.match(r.out, /✔ component and sync manifests pushed to "main"/);
    assert.match(r.out, /✔ bootstrap finished/);

    const clone = join(work, 'clone');
    // Async: the git server runs in this process and must keep answering.
    await exec('git', ['-c', `http.extraHeader=Authorization: Basic ${Buffer.from(`${git.username}:${git.password}`).toString('base64')}`, 'clone', '--quiet', url, clone]);
    const dir = join(clone, 'clusters', 'test', 'flux-system');
    for (const f of ['gotk-components.yaml', 'gotk-sync.yaml', 'kustomization.yaml']) assert.ok(existsSync(join(dir, f)), f);
    const sync = parseAllDocuments(readFileSync(join(dir, 'gotk-sync.yaml'), 'utf8')).map((d) => d.toJS() as KubeObject);
    assert.deepEqual(sync.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`), ['GitRepository/flux-system/flux-system', 'Kustomization/flux-system/flux-system']);
    assert.deepEqual((sync[1]!['spec'] as { path: string }).path, './clusters/test');
    const components = readFileSync(join(dir, 'gotk-components.yaml'), 'utf8');
    assert.match(components, /name: kustomize-controller/);
    assert.doesNotMatch(components, /name: helm-controller\n/);
    const head = (await exec('git', ['-C', clone, 'rev-parse', 'HEAD'])).stdout.trim();

    const ks = await client.get({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', name: 'flux-system', namespace: 'flux-system' });
    assert.equal((ks!['status'] as { lastAppliedRevision?: string }).lastAppliedRevision, `main@sha1:${head}`);
    const cm = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'app', namespace: 'default' });
    assert.equal((cm!['data'] as { hello: string }).hello, 'world', 'the fleet repository is applied');
    const secret = await client.get({ apiVersion: 'v1', kind: 'Secret', name: 'flux-system', namespace: 'flux-system' });
    assert.equal(Buffer.from((secret!['data'] as { password: string }).password, 'base64').toString(), git.password);
  });

  it('is idempotent: a second run commits nothing', async () => {
    const before = git.requests.filter((q) => q.url.includes('git-receive-pack') && q.method === 'POST').length;
    const r = await bootstrap();
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.out, /✔ component and sync manifests are up to date/);
    assert.equal(git.requests.filter((q) => q.url.includes('git-receive-pack') && q.method === 'POST').length, before, 'no push');
  });
});
