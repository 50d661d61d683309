// SPDX-License-Identifier: Apache-2.0
/**
 * The `eddy-kustomize-controller` process against a real apiserver: started with flags, scoped to
 * one namespace (`--watch-all-namespaces=false`), it reconciles a Kustomization whose Secret is
 * decrypted with the controller-wide age key (`--sops-age-secret`), and stops on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { toolPath, useControlPlane } from '@eddy/testenv';
import { KustomizationEnv, type KsObj } from './testing/kustomization-env.ts';
import { SopsTools } from './testing/sops.ts';

const cond = KustomizationEnv.condition;

describe('eddy-kustomize-controller', { timeout: 120_000 }, () => {
  const env = new KustomizationEnv();
  const sops = new SopsTools();
  let child: ChildProcess | undefined;
  let output = '';

  before(async () => {
    await env.start();
    const cp = await useControlPlane();
    const args = [
      '--conditions=development',
      '--import',
      'tsx',
      join(import.meta.dirname, 'main.ts'),
      `--kubeconfig=${cp.kubeconfigPath}`,
      '--watch-all-namespaces=false',
      '--metrics-addr=0',
      '--health-addr=0',
      '--log-level=error',
      '--sops-age-secret=sops-age',
      `--kustomize-path=${toolPath('kustomize')}`,
    ];
    child = spawn(process.execPath, args, { env: { ...process.env, RUNTIME_NAMESPACE: env.ns }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  });

  after(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit').catch(() => undefined);
    }
    await env.stop();
    sops.cleanup();
  });

  const waitFor = async (name: string, ok: (o: KsObj) => boolean): Promise<KsObj> => {
    const deadline = Date.now() + 60_000;
    let last: KsObj | undefined;
    while (Date.now() < deadline) {
      last = await env.get(name);
      if (last && ok(last)) return last;
      if (child?.exitCode !== null) throw new Error(`controller exited: ${output}`);
      await sleep(250);
    }
    throw new Error(`timed out: ${JSON.stringify(last?.status)}\n${output}`);
  };

  it('reconciles with the controller-wide age key and stops on SIGTERM', async () => {
    const key = sops.ageKey();
    await env.client.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sops-age', namespace: env.ns }, stringData: { 'age.agekey': key.file } } as never);
    const secret = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  token: t0k3n\n';
    await env.publish('app', { 'secret.yaml': sops.encrypt(secret, 'yaml', ['--age', key.recipient, '--encrypted-regex', '^(data|stringData)$']) });
    await env.create('app', { path: './', targetNamespace: env.ns, decryption: { provider: 'sops' } });
    const obj = await waitFor('app', (o) => cond(o, 'Ready')?.status === 'True');
    assert.match(cond(obj, 'Ready')?.message ?? '', /^Applied revision: main@sha1:/);
    const creds = await env.client.get<{ apiVersion: string; kind: string; metadata: Record<string, unknown>; data?: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: env.ns,
      name: 'creds',
    });
    assert.equal(Buffer.from(creds?.data?.token ?? '', 'base64').toString(), 't0k3n');

    child!.kill('SIGTERM');
    const [code] = (await once(child!, 'exit')) as [number | null];
    assert.equal(code, 0, output);
  });
});
