// SPDX-License-Identifier: Apache-2.0
/**
 * What the end-to-end tests share: the `eddy` CLI run in-process with captured output, a client for
 * the shared control plane, a namespace per test file, and the controllers as processes that watch
 * only that namespace (so they never touch other tests' objects on the shared control plane).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from '@eddy/cli';
import { DynamicClient, type KubeObject } from '@eddy/runtime/client';
import { randomNamespaceName, startControllerProcess, toolPath, useControlPlane, type ControllerProcess } from '@eddy/testenv';

/** The controllers by their short names, as the CLI's `--components` and `controllers --enable` take them. */
export type ControllerName = 'source' | 'kustomize' | 'helm' | 'image-reflector' | 'image-automation';

/** The result of one CLI run. */
export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** A test's view of the cluster. */
export interface Env {
  kubeconfig: string;
  namespace: string;
  client: DynamicClient;
  /** Runs `eddy --kubeconfig … -n <namespace> <argv>`; `confirm` answers prompts. */
  eddy(argv: string[], opts?: { confirm?: boolean; namespace?: string }): Promise<CliResult>;
  /** Starts a controller as a process watching only this namespace. */
  controller(name: ControllerName): Promise<ControllerProcess>;
  /** Stops the controllers and deletes the namespace. */
  cleanup(): Promise<void>;
}

/** PATH with the Go tools (kustomize, helm) first, for the CLI and the controllers. */
export function toolsPath(): string {
  return [dirname(toolPath('kustomize')), dirname(toolPath('helm')), process.env.PATH ?? ''].join(':');
}


/** Opens the shared control plane and a fresh namespace. */
export async function setup(prefix: string): Promise<Env> {
  const cp = await useControlPlane();
  const namespace = randomNamespaceName(prefix);
  const client = new DynamicClient({ kubeconfig: cp.kubeconfigPath });
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const procs: ControllerProcess[] = [];
  const storage = mkdtempSync(join(tmpdir(), `${prefix}-storage-`));
  process.env.EDDY_KUSTOMIZE ??= toolPath('kustomize');
  return {
    kubeconfig: cp.kubeconfigPath,
    namespace,
    client,
    async eddy(argv, opts = {}) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await run(['--kubeconfig', cp.kubeconfigPath, '-n', opts.namespace ?? namespace, ...argv], {
        out: (t) => out.push(t),
        err: (t) => err.push(t),
        tty: false,
        confirm: () => Promise.resolve(opts.confirm ?? false),
      });
      return { code, out: out.join('\n'), err: err.join('\n') };
    },
    async controller(name) {
      const proc = await startControllerProcess({
        controller: `${name}-controller`,
        kubeconfigPath: cp.kubeconfigPath,
        namespace,
        storagePath: join(storage, name),
        args: ['--requeue-dependency=2s'],
        env: { PATH: toolsPath() },
      });
      procs.push(proc);
      return proc;
    },
    async cleanup() {
      await Promise.all(procs.map((p) => p.stop()));
      await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => false);
      rmSync(storage, { recursive: true, force: true });
      client.transport.close();
    },
  };
}

/** Reads an object of the test namespace. */
export async function getObj(env: Env, apiVersion: string, kind: string, name: string): Promise<KubeObject | undefined> {
  return env.client.get({ apiVersion, kind, name, namespace: env.namespace });
}
