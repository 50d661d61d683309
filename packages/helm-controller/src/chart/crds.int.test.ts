// SPDX-License-Identifier: Apache-2.0
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@eddy/runtime/client';
import * as conditions from '@eddy/runtime/conditions';
import { setupHarness, type Harness } from '../testing/harness.ts';
import { atomicRelease } from '../release/atomic-release.ts';
import type { HelmReleaseObject } from '../release/types.ts';
import { crdYaml } from '@eddy/testenv';

async function writeChart(dir: string, version: string, group: string, description: string): Promise<void> {
  await mkdir(join(dir, 'crds'), { recursive: true });
  await mkdir(join(dir, 'templates'), { recursive: true });
  await writeFile(join(dir, 'Chart.yaml'), `apiVersion: v2\nname: widgets\nversion: ${version}\n`);
  await writeFile(join(dir, 'crds', 'widgets.yaml'), crdYaml(group, { description }));
  await writeFile(join(dir, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata: {v: "{{ .Chart.Version }}"}\n');
}

describe('CRD policies (crds/ applied by the controller)', () => {
  let h: Harness;
  let dir: string;
  const group = `t${Date.now().toString(36)}.eddy.test`;
  const getCrd = (): Promise<KubeObject | undefined> => h.client.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: `widgets.${group}` });
  const description = async (): Promise<string> => ((await getCrd()) as unknown as { spec: { versions: Array<{ schema: { openAPIV3Schema: { description: string } } }> } }).spec.versions[0]!.schema.openAPIV3Schema.description;

  before(async () => {
    h = await setupHarness('hc-crds');
    dir = await mkdtemp(join(tmpdir(), 'widgets-'));
    await writeChart(dir, '1.0.0', group, 'one');
    await h.repo.addChart(dir);
    await writeChart(dir, '1.1.0', group, 'two');
    await h.repo.addChart(dir);
  });
  after(async () => {
    await h.client.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: `widgets.${group}` }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    await h.teardown();
  });

  const reconcile = async (hr: HelmReleaseObject, version: string) => {
    const { req, env, chart } = await h.request(hr, {}, version, 'widgets');
    env.crds = { client: h.client, fieldManager: 'gotk-helm-controller' };
    try {
      return await atomicRelease(req, env, { patch: async () => undefined, forceRequested: false });
    } finally {
      await chart.dispose();
    }
  };

  it('Skip installs no CRDs', async () => {
    const hr = h.helmRelease({ releaseName: 'skip', install: { disableWait: true, crds: 'Skip' } });
    assert.deepEqual(await reconcile(hr, '1.0.0'), { kind: 'done' });
    assert.equal(await getCrd(), undefined);
  });

  it('Create (the default) creates missing CRDs with origin labels; upgrades do not replace them', async () => {
    const hr = h.helmRelease({ releaseName: 'create' });
    assert.deepEqual(await reconcile(hr, '1.0.0'), { kind: 'done' });
    const c = (await getCrd())!;
    assert.equal(c.metadata.labels?.['helm.toolkit.fluxcd.io/name'], 'podinfo');
    assert.equal(await description(), 'one');
    await reconcile(hr, '1.1.0');
    assert.equal(conditions.getReason(hr, 'Ready'), 'UpgradeSucceeded');
    assert.equal(await description(), 'one');
  });

  it('CreateReplace replaces existing CRDs on upgrade', async () => {
    const hr = h.helmRelease({ releaseName: 'replace', upgrade: { disableWait: true, crds: 'CreateReplace' } });
    await reconcile(hr, '1.0.0');
    await reconcile(hr, '1.1.0');
    assert.equal(conditions.getReason(hr, 'Ready'), 'UpgradeSucceeded');
    assert.equal(await description(), 'two');
  });
});
