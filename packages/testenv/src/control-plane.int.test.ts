// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ControlPlane } from './control-plane.ts';
import { startControlPlane } from './control-plane.ts';
import { StartupError } from './errors.ts';
import { kubeRequest, kubeRequestOk, kubeWatch } from './kube-http.ts';
import { readKubeconfig, writeKubeconfig } from './kubeconfig.ts';
import { toolPath } from './paths.ts';
import { waitUntil } from './process.ts';
import { randomNamespaceName, releaseControlPlane, useControlPlane } from './shared-control-plane.ts';
import { crdYaml } from './fixtures.ts';

/** Pids of live processes whose command line mentions `needle`. */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

interface ConfigMap {
  metadata: { name: string; resourceVersion: string; managedFields?: { manager: string; operation: string }[] };
  data?: Record<string, string>;
}

describe('startControlPlane', () => {
  let cp: ControlPlane;
  let ns: string;

  before(async () => {
    cp = await startControlPlane({ name: 'cp-int', crdDir: false });
    console.log(`control plane started in ${(cp.timings.total / 1000).toFixed(2)} s`, cp.timings);
    ns = randomNamespaceName('cp-int');
  });
  after(() => cp?.stop());

  it('writes a kubeconfig that authenticates with the token and verifies with the CA', async () => {
    const conn = readKubeconfig(cp.kubeconfigPath);
    assert.equal(conn.server, cp.server);
    const version = await kubeRequestOk<{ gitVersion: string }>(conn, 'GET', '/version');
    assert.match(version.gitVersion, /^v1\.\d+\.\d+/);
    const anonymous = await kubeRequest({ ...conn, token: 'wrong' }, 'GET', '/api/v1/namespaces');
    assert.equal(anonymous.status, 401);
  });

  it('makes valid random namespace names', () => {
    assert.match(randomNamespaceName('My_Test Suite'), /^my-test-suite-[0-9a-f]{8}$/);
    assert.notEqual(randomNamespaceName(), randomNamespaceName());
  });

  it('creates a Namespace and a ConfigMap', async () => {
    await kubeRequestOk(cp, 'POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
    const cm = await kubeRequestOk<ConfigMap>(cp, 'POST', `/api/v1/namespaces/${ns}/configmaps`, {
      body: { metadata: { name: 'plain' }, data: { a: '1' } },
    });
    assert.equal(cm.data?.a, '1');
    const read = await kubeRequestOk<ConfigMap>(cp, 'GET', `/api/v1/namespaces/${ns}/configmaps/plain`);
    assert.equal(read.metadata.resourceVersion, cm.metadata.resourceVersion);
  });

  it('server-side applies an object and records managedFields', async () => {
    const applied = await kubeRequestOk<ConfigMap>(
      cp,
      'PATCH',
      `/api/v1/namespaces/${ns}/configmaps/applied?fieldManager=eddy-test&force=true`,
      {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { k: 'v' } },
        contentType: 'application/apply-patch+yaml',
      },
    );
    const entry = applied.metadata.managedFields?.find((f) => f.manager === 'eddy-test');
    assert.equal(entry?.operation, 'Apply');
  });

  it('streams changes to a watch, and a compacted revision answers 410 Gone', async () => {
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const list = await kubeRequestOk<{ metadata: { resourceVersion: string } }>(cp, 'GET', path);
    const oldRv = list.metadata.resourceVersion;
    const watch = await kubeWatch(cp, `${path}?resourceVersion=${oldRv}`);
    assert.equal(watch.status, 200);
    await kubeRequestOk(cp, 'PATCH', `${path}/plain`, {
      body: { data: { a: '2' } },
      contentType: 'application/merge-patch+json',
    });
    const seen = await watch.waitFor((e) => e.type === 'MODIFIED' && e.object.metadata?.name === 'plain');
    assert.equal((seen.object.data as Record<string, string>).a, '2');
    watch.close();

    await cp.compactEtcd();
    const stale = await kubeWatch(cp, `${path}?resourceVersion=${oldRv}`);
    const gone = await stale.waitFor((e) => e.type === 'ERROR');
    stale.close();
    assert.equal(gone.object.code, 410);
  });

  it('restarts the apiserver on the same port with the same data', async () => {
    await cp.stopApiServer();
    await assert.rejects(kubeRequest(cp, 'GET', '/readyz', { timeoutMs: 2000 }));
    await cp.startApiServer();
    const cm = await kubeRequestOk<ConfigMap>(cp, 'GET', `/api/v1/namespaces/${ns}/configmaps/applied`);
    assert.equal(cm.data?.k, 'v');
  });

  it('installs CRDs and waits until they are served', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-crd-'));
    try {
      writeFileSync(join(dir, 'widgets.yaml'), crdYaml('testenv.eddy.dev', { specOnly: true }));
      await cp.installCrds(dir);
      const widget = await kubeRequestOk<{ spec: { size: number } }>(
        cp,
        'POST',
        `/apis/testenv.eddy.dev/v1/namespaces/${ns}/widgets`,
        { body: { apiVersion: 'testenv.eddy.dev/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3 } } },
      );
      assert.equal(widget.spec.size, 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs kube-controller-manager: a default ServiceAccount appears, a deleted namespace goes', async () => {
    await waitUntil(
      async () => (await kubeRequest(cp, 'GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status === 200,
      { what: 'the default ServiceAccount', timeoutMs: 60_000 },
    );
    await kubeRequestOk(cp, 'DELETE', `/api/v1/namespaces/${ns}`);
    await waitUntil(async () => (await kubeRequest(cp, 'GET', `/api/v1/namespaces/${ns}`)).status === 404, {
      what: `namespace ${ns} to be finalized`,
      timeoutMs: 60_000,
    });
  });

  it('useControlPlane() hands out the plane named by EDDY_TEST_KUBECONFIG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-kubeconfig-'));
    const saved = process.env.EDDY_TEST_KUBECONFIG;
    try {
      // a kubeconfig with the CA embedded, as `make cluster-up` writes it
      writeKubeconfig(join(dir, 'config'), cp, { embedCa: true });
      process.env.EDDY_TEST_KUBECONFIG = join(dir, 'config');
      const shared = await useControlPlane();
      assert.equal(shared.server, cp.server);
      assert.equal(shared.kubeconfigPath, join(dir, 'config'));
      assert.equal(readFileSync(shared.caFile, 'utf8'), readFileSync(cp.caFile, 'utf8'));
      await kubeRequestOk(shared, 'GET', '/api/v1/namespaces/default');
      assert.equal(await useControlPlane(), await useControlPlane());
      await releaseControlPlane(); // not ours: must leave it running
      assert.equal((await kubeRequest(cp, 'GET', '/readyz')).status, 200);
    } finally {
      if (saved === undefined) delete process.env.EDDY_TEST_KUBECONFIG;
      else process.env.EDDY_TEST_KUBECONFIG = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stop() leaves no process and no directory behind', async () => {
    const dir = cp.dir;
    assert.ok(processesMentioning(dir).length >= 3, 'etcd, apiserver and controller manager run before stop');
    await cp.stop();
    assert.deepEqual(processesMentioning(dir), []);
    assert.equal(existsSync(dir), false);
    await cp.stop(); // idempotent
  });
});

describe('a failed start', () => {
  it('throws StartupError with the log tail and leaves nothing behind', async () => {
    // a kube-apiserver that really fails: the etcd binary, which rejects the apiserver's flags
    const assets = mkdtempSync(join(tmpdir(), 'eddy-assets-'));
    symlinkSync(toolPath('etcd'), join(assets, 'kube-apiserver'));
    const saved = process.env.EDDY_ASSETS;
    process.env.EDDY_ASSETS = assets;
    const before = new Set(readdirSync('/dev/shm').filter((d) => d.startsWith('eddy-cp-broken-')));
    try {
      await assert.rejects(startControlPlane({ name: 'broken', crdDir: false }), (err: unknown) => {
        assert.ok(err instanceof StartupError, String(err));
        assert.equal(err.component, 'kube-apiserver');
        assert.match(err.message, /exited/);
        assert.match(err.message, /--- log tail ---\n[\s\S]*flag provided but not defined: -etcd-servers/);
        return true;
      });
      const left = readdirSync('/dev/shm').filter((d) => d.startsWith('eddy-cp-broken-') && !before.has(d));
      assert.deepEqual(left, []);
      assert.deepEqual(processesMentioning('eddy-cp-broken-'), []);
    } finally {
      if (saved === undefined) delete process.env.EDDY_ASSETS;
      else process.env.EDDY_ASSETS = saved;
      rmSync(assets, { recursive: true, force: true });
    }
  });
});

describe('the watchdog', () => {
  it('kills the control plane and removes its directory when the owning process is SIGKILLed', async () => {
    const script = [
      "import { startControlPlane } from './packages/testenv/src/index.ts';",
      "const cp = await startControlPlane({ name: 'orphan', crdDir: false, controllerManager: false });",
      'console.log(cp.dir);',
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const args = ['--conditions=development', '--import', 'tsx', '--input-type=module', '-e', script];
    const child = spawn(process.execPath, args, {
      cwd: join(import.meta.dirname, '..', '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const dir = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', (code) => reject(new Error(`child exited with ${code} before starting`)));
    });
    assert.ok(processesMentioning(dir).length >= 2);
    child.kill('SIGKILL');
    await waitUntil(() => processesMentioning(dir).length === 0 && !existsSync(dir), {
      what: `the watchdog to clean up ${dir}`,
      timeoutMs: 15_000,
    });
  });
});
