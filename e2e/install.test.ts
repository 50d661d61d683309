// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy install`, `check`, `version` and `uninstall` on a control plane of this test's own
 * (uninstall deletes the CRDs, which the shared one must keep). The control plane runs no kubelet,
 * so the controllers' Deployments never become Available: install and check report that with ✗
 * lines and fail after `--timeout`, which is what they must do on a broken cluster.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '@eddy/cli';
import { DynamicClient } from '@eddy/runtime/client';
import { startControlPlane, type ControlPlane } from '@eddy/testenv';

describe('eddy install, check and uninstall', () => {
  let cp: ControlPlane;
  let client: DynamicClient;
  const ns = 'eddy-system';

  const eddy = async (argv: string[]): Promise<{ code: number; out: string; err: string }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['--kubeconfig', cp.kubeconfigPath, '-n', ns, ...argv], { out: (t) => out.push(t), err: (t) => err.push(t), confirm: () => Promise.resolve(false) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  before(async () => {
    cp = await startControlPlane({ name: 'e2e-install', crdDir: false });
    client = new DynamicClient({ kubeconfig: cp.kubeconfigPath });
  });

  after(async () => {
    client?.transport.close();
    await cp?.stop();
  });

  it('check --pre passes on Kubernetes 1.36', async () => {
    const r = await eddy(['check', '--pre']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /✔ kubernetes 1\.\d+\.\d+>=1\.30\.0-0/);
  });

  it('check fails before install: no controllers, no CRDs', async () => {
    const r = await eddy(['check', '--timeout', '2s']);
    assert.equal(r.code, 1);
    assert.match(r.out, /✗ no controllers found in the 'eddy-system' namespace/);
    assert.match(r.out, /✗ no crds found with the label selector 'app.kubernetes.io\/part-of=flux'/);
  });

  it('installs the chosen components and reports Deployments that do not become ready', async () => {
    const r = await eddy(['install', '--components', 'source-controller,kustomize-controller', '--timeout', '4s']);
    assert.equal(r.code, 1, 'no kubelet: the Deployments never become Available');
    assert.match(r.out, /Namespace\/eddy-system created/);
    assert.match(r.out, /CustomResourceDefinition\/kustomizations.kustomize.toolkit.fluxcd.io created/);
    assert.match(r.out, /Deployment\/eddy-system\/source-controller created/);
    assert.doesNotMatch(r.out, /helm-controller/);
    assert.match(r.out, /✗ source-controller: /);
    assert.match(r.err, /install failed: timed out waiting for the controllers/);
    const crd = await client.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'helmreleases.helm.toolkit.fluxcd.io' });
    assert.equal(crd, undefined, 'helm-controller CRDs were not installed');
    const again = await eddy(['install', '--components', 'source-controller,kustomize-controller', '--timeout', '1s']);
    assert.match(again.out, /CustomResourceDefinition\/gitrepositories.source.toolkit.fluxcd.io unchanged/);
  });

  it('check lists the CRDs and the controllers that are not available', async () => {
    const r = await eddy(['check', '--timeout', '2s']);
    assert.equal(r.code, 1);
    assert.match(r.out, /✔ gitrepositories.source.toolkit.fluxcd.io\/v1/);
    assert.match(r.out, /✗ kustomize-controller: /);
    const v = await eddy(['version']);
    assert.match(v.out, /^eddy: v\d+\.\d+\.\d+$/m);
    assert.match(v.out, /^source-controller: \d+\.\d+\.\d+$/m);
  });

  it('uninstall --dry-run deletes nothing; uninstall removes finalizers, CRDs and the namespace', async () => {
    const repo = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'stuck', namespace: 'default', finalizers: ['finalizers.fluxcd.io'] },
      spec: { url: 'https://example.com/x.git', interval: '1m' },
    };
    await client.create(repo);
    const dry = await eddy(['uninstall', '--dry-run']);
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.out, /✔ CustomResourceDefinition\/gitrepositories.source.toolkit.fluxcd.io deleted \(dry run\)/);
    assert.ok(await client.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'gitrepositories.source.toolkit.fluxcd.io' }));

    const refused = await eddy(['uninstall']);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /✗ aborting/);

    const r = await eddy(['uninstall', '--silent']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /✔ Deployment\/eddy-system\/source-controller deleted/);
    assert.match(r.out, /✔ GitRepository\/default\/stuck finalizers deleted/);
    assert.match(r.out, /✔ Namespace\/eddy-system deleted/);
    for (let i = 0; i < 100; i++) {
      const left = await client.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition', { labelSelector: 'app.kubernetes.io/part-of=flux' });
      if (left.items.length === 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const crds = await client.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition', { labelSelector: 'app.kubernetes.io/part-of=flux' });
    assert.deepEqual(crds.items.map((c) => c.metadata.name), [], 'the CRDs and their objects are gone (no finalizer blocked them)');
  });
});
