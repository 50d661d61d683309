// SPDX-License-Identifier: Apache-2.0
/**
 * `status.inventory` from real releases: the objects of the stored manifest (namespaces filled in
 * for namespaced kinds through the apiserver's discovery, cluster-scoped ones without, a custom
 * resource whose CRD the chart brings, `:` in names transcoded) plus the chart's CRDs, never hooks;
 * it follows upgrades and rollbacks and is dropped on uninstall.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as conditions from '@eddy/runtime/conditions';
import { setupHarness, type Harness } from '../testing/harness.ts';
import { atomicRelease } from './atomic-release.ts';
import { uninstallRelease } from './uninstall.ts';
import type { HelmReleaseObject } from './types.ts';
import { crdYaml } from '@eddy/testenv';

const templates = (group: string, withExtra: boolean): Record<string, string> => ({
  'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata: {v: "{{ .Chart.Version }}"}\n',
  'role.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: "{{ .Release.Namespace }}:{{ .Release.Name }}"\nrules: []\n',
  'gadget.yaml': `apiVersion: ${group}/v1\nkind: Gadget\nmetadata:\n  name: {{ .Release.Name }}\nspec: {}\n`,
  'hook.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n  annotations: {"helm.sh/hook": pre-install}\n',
  ...(withExtra ? { 'sa.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\n' } : {}),
});

async function writeChart(dir: string, version: string, group: string, withExtra: boolean): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'crds'), { recursive: true });
  await mkdir(join(dir, 'templates'), { recursive: true });
  await writeFile(join(dir, 'Chart.yaml'), `apiVersion: v2\nname: gadgets\nversion: ${version}\n`);
  await writeFile(join(dir, 'crds', 'gadgets.yaml'), crdYaml(group, { kind: 'Gadget' }));
  for (const [f, text] of Object.entries(templates(group, withExtra))) await writeFile(join(dir, 'templates', f), text);
}

describe('status.inventory', () => {
  let h: Harness;
  let dir: string;
  const group = `inv${Date.now().toString(36)}.eddy.test`;

  before(async () => {
    h = await setupHarness('hc-inv');
    dir = await mkdtemp(join(tmpdir(), 'gadgets-'));
    await writeChart(dir, '1.0.0', group, false);
    await h.repo.addChart(dir);
    await writeChart(dir, '1.1.0', group, true);
    await h.repo.addChart(dir);
  });
  after(async () => {
    await h.client.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: `gadgets.${group}` }).catch(() => undefined);
    await h.client.delete({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: `${h.namespace}:inv` }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    await h.teardown();
  });

  const reconcile = async (hr: HelmReleaseObject, version: string) => {
    const { req, env, chart } = await h.request(hr, {}, version, 'gadgets');
    env.crds = { client: h.client, fieldManager: 'gotk-helm-controller' };
    env.discovery = h.client;
    try {
      return { result: await atomicRelease(req, env, { patch: async () => undefined, forceRequested: false }), env };
    } finally {
      await chart.dispose();
    }
  };
  const ids = (hr: HelmReleaseObject): string[] => (hr.status?.inventory?.entries ?? []).map((e) => `${e.id}@${e.v}`).sort();
  const base = (ns: string): string[] => [
    `${ns}_inv_${group}_Gadget@v1`,
    `${ns}_inv__ConfigMap@v1`,
    `_${ns}__inv_rbac.authorization.k8s.io_ClusterRole@v1`,
    `_gadgets.${group}_apiextensions.k8s.io_CustomResourceDefinition@v1`,
  ];

  it('records the objects of the release and the chart CRDs on install, without hooks', async () => {
    const hr = h.helmRelease({ releaseName: 'inv' });
    const { result } = await reconcile(hr, '1.0.0');
    assert.deepEqual(result, { kind: 'done' });
    assert.equal(conditions.getReason(hr, 'Ready'), 'InstallSucceeded');
    assert.deepEqual(ids(hr), base(h.namespace).sort());
  });

  it('follows an upgrade, then a rollback, and is dropped on uninstall', async () => {
    const hr = h.helmRelease({ releaseName: 'inv' });
    await reconcile(hr, '1.0.0');
    await reconcile(hr, '1.1.0');
    assert.equal(conditions.getReason(hr, 'Ready'), 'UpgradeSucceeded');
    assert.deepEqual(ids(hr), [...base(h.namespace), `${h.namespace}_inv__ServiceAccount@v1`].sort());

    hr.spec.upgrade = { disableWait: true, remediation: { retries: 1 } };
    hr.spec.values = { broken: true };
    hr.metadata.generation = 2;
    // A post-upgrade hook that cannot be created fails the upgrade; the remediation rolls back to 1.1.0's predecessor.
    await writeChart(dir, '1.2.0', group, false);
    await writeFile(join(dir, 'templates', 'fail.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "{{ .Release.Name }}-Invalid_Name"\n  annotations: {"helm.sh/hook": post-upgrade}\n');
    await h.repo.addChart(dir);
    await reconcile(hr, '1.2.0');
    assert.equal(conditions.getReason(hr, 'Remediated'), 'RollbackSucceeded', conditions.getMessage(hr, 'Ready'));
    assert.deepEqual(ids(hr), [...base(h.namespace), `${h.namespace}_inv__ServiceAccount@v1`].sort(), "the rolled-back release's objects, CRDs kept");

    const { env } = await reconcile(hr, '1.1.0').catch(() => ({ env: undefined }));
    assert.ok(env);
    await uninstallRelease(hr, env);
    assert.equal(hr.status?.inventory, undefined);
  });
});
