// SPDX-License-Identifier: Apache-2.0
/**
 * The Helm chart (`charts/eddy`) with the real helm binary: it lints; it renders with every
 * controller on, each alone and all off, with exactly the objects each setting asks for; and the
 * apiserver accepts every rendered object (server-side dry-run apply, CRDs installed). Also: the
 * CLI's generated install manifests are up to date with the chart and the CRDs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '@eddy/runtime/client';
import { repoRoot, toolPath } from '@eddy/testenv';
import { setup, type Env } from './harness.ts';

const CHART = join(repoRoot(), 'charts', 'eddy');
const CONTROLLERS = [
  { name: 'source-controller', key: 'sourceController', admin: false },
  { name: 'kustomize-controller', key: 'kustomizeController', admin: true },
  { name: 'helm-controller', key: 'helmController', admin: true },
  { name: 'image-reflector-controller', key: 'imageReflectorController', admin: false },
  { name: 'image-automation-controller', key: 'imageAutomationController', admin: false },
] as const;

function helm(args: string[]): string {
  return execFileSync(toolPath('helm'), args, { encoding: 'utf8', maxBuffer: 64 << 20 });
}

function render(namespace: string, enabled: string[], extra: string[] = []): KubeObject[] {
  const sets = CONTROLLERS.flatMap((c) => ['--set', `${c.key}.enabled=${enabled.includes(c.name)}`]);
  const out = helm(['template', 'eddy', CHART, '--namespace', namespace, ...sets, ...extra]);
  return parseAllDocuments(out)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

const names = (objs: KubeObject[], kind: string): string[] =>
  objs
    .filter((o) => o.kind === kind)
    .map((o) => o.metadata.name ?? '')
    .sort();

describe('charts/eddy', () => {
  let env: Env;

  before(async () => {
    env = await setup('e2e-chart');
  });

  after(async () => {
    await env?.cleanup();
  });

  const dryRunApply = async (objs: KubeObject[]): Promise<void> => {
    for (const obj of objs) {
      await env.client.apply(obj, { fieldManager: 'e2e-chart', dryRun: true }).catch((err: unknown) => {
        throw new Error(`${obj.kind}/${obj.metadata.name ?? ''} rejected: ${(err as Error).message}`);
      });
    }
  };

  it('lints', () => {
    const out = helm(['lint', CHART, '--strict']);
    assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('renders every controller, and the apiserver accepts the objects', async () => {
    const all = CONTROLLERS.map((c) => c.name);
    const objs = render(env.namespace, all);
    assert.deepEqual(names(objs, 'Deployment'), [...all].sort());
    assert.deepEqual(names(objs, 'ServiceAccount'), [...all].sort());
    assert.deepEqual(names(objs, 'Service'), [...all].sort());
    for (const d of objs.filter((o) => o.kind === 'Deployment')) {
      assert.equal(d.metadata.namespace, env.namespace);
      const labels = (d['spec'] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
      assert.equal(labels['app.kubernetes.io/part-of'], 'flux', 'flux check finds controllers by this label');
    }
    await dryRunApply(objs);
  });

  for (const c of CONTROLLERS) {
    it(`renders ${c.name} alone`, async () => {
      const objs = render(env.namespace, [c.name]);
      assert.deepEqual(names(objs, 'Deployment'), [c.name]);
      const bindings = objs.filter((o) => o.kind === 'ClusterRoleBinding');
      const subjects = bindings.flatMap((b) => (b['subjects'] as Array<{ name: string }>).map((s) => s.name));
      assert.deepEqual([...new Set(subjects)], [c.name]);
      assert.equal(bindings.some((b) => (b['roleRef'] as { name: string }).name === 'cluster-admin'), c.admin, 'cluster-admin only for appliers');
      const args = (objs.find((o) => o.kind === 'Deployment')!['spec'] as { template: { spec: { containers: Array<{ args: string[] }> } } }).template.spec.containers[0]!.args;
      assert.equal(args.some((a) => a.startsWith('--storage-path=')), c.name === 'source-controller');
      await dryRunApply(objs);
    });
  }

  it('renders nothing with every controller off', () => {
    assert.deepEqual(render(env.namespace, []), []);
  });

  it('renders network policies the apiserver accepts', async () => {
    const objs = render(env.namespace, ['source-controller'], ['--set', 'networkPolicy.enabled=true']);
    assert.ok(objs.some((o) => o.kind === 'NetworkPolicy'));
    await dryRunApply(objs);
  });

  it('is what the CLI installs: packages/cli/manifests/install.yaml is up to date', () => {
    const script = join(repoRoot(), 'packages', 'cli', 'scripts', 'generate-manifests.ts');
    execFileSync(process.execPath, ['--conditions=development', '--import', 'tsx', script, '--check'], { cwd: repoRoot(), encoding: 'utf8' });
  });
});
