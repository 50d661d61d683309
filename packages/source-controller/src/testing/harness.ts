// SPDX-License-Identifier: Apache-2.0
/**
 * Integration-test harness of the source reconcilers: a client on the shared control plane, a
 * random namespace, a storage directory, a reconcile helper that runs the runtime conformance
 * checker after every reconcile, and a small static file server for inputs a real chart server
 * would not produce (broken or huge indexes).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { PassThrough } from 'node:stream';
import { SOURCE_NEGATIVE_POLARITY } from '@eddy/api/source/v1';
import type { KubeObject } from '@eddy/runtime/client';
import { DynamicClient } from '@eddy/runtime/client';
import { get } from '@eddy/runtime/conditions';
import type { Condition } from '@eddy/runtime/conditions';
import { checkConditions } from '@eddy/runtime/conformance';
import { createLogger } from '@eddy/runtime/log';
import type { Reconciler } from '@eddy/runtime/reconcile';
import { randomNamespaceName, useControlPlane } from '@eddy/testenv';
import { Storage } from '../storage/storage.ts';

/** What {@link startHarness} gives a test file. */
export interface Harness {
  client: DynamicClient;
  ns: string;
  storage: Storage;
  storeDir: string;
  /** Reconciles `name` of `kind`, then checks conformance; returns the object and any thrown error. */
  reconcile<T extends KubeObject>(
    r: Reconciler,
    gvk: { apiVersion: string; kind: string },
    name: string,
    opts?: { conformance?: boolean; project?: (obj: T) => unknown },
  ): Promise<{ obj: T; error?: unknown }>;
  /** Reads an object of the harness namespace. */
  fetch<T extends KubeObject>(gvk: { apiVersion: string; kind: string }, name: string): Promise<T>;
  /** Creates a Secret with string data. */
  secret(name: string, data: Record<string, string>, type?: string): Promise<void>;
  stop(): Promise<void>;
}

/** A condition of an object, or undefined. */
export function cond(obj: KubeObject, type: string): Condition | undefined {
  return get(obj as never, type);
}

/** Starts a harness in a fresh namespace (prefix `prefix`). */
export async function startHarness(prefix: string): Promise<Harness> {
  const cp = await useControlPlane();
  const client = new DynamicClient({ kubeconfig: cp.kubeconfigPath });
  const ns = randomNamespaceName(prefix);
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const storeDir = mkdtempSync(join(tmpdir(), 'eddy-sc-store-'));
  const storage = new Storage({ basePath: storeDir, hostname: 'source-controller.test.svc' });
  const log = createLogger({ level: 'error', stream: new PassThrough() });
  const fetch = async <T extends KubeObject>(gvk: { apiVersion: string; kind: string }, name: string): Promise<T> =>
    (await client.get<T>({ ...gvk, namespace: ns, name }))!;
  return {
    client,
    ns,
    storage,
    storeDir,
    fetch,
    async reconcile<T extends KubeObject>(r: Reconciler, gvk: { apiVersion: string; kind: string }, name: string, opts: { conformance?: boolean; project?: (obj: T) => unknown } = {}) {
      let error: unknown;
      try {
        await r.reconcile({ namespace: ns, name }, { signal: new AbortController().signal, log, reconcileId: 't' });
      } catch (err) {
        error = err;
      }
      const obj = await fetch<T>(gvk, name);
      if (obj && opts.conformance !== false) {
        const violations = checkConditions((opts.project ? opts.project(obj) : obj) as never, { negativePolarity: SOURCE_NEGATIVE_POLARITY });
        assert.deepEqual(violations, [], `conformance after reconcile: ${JSON.stringify((obj as { status?: unknown }).status)}`);
      }
      return error === undefined ? { obj } : { obj, error };
    },
    async secret(name, data, type = 'Opaque') {
      await client.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, type, stringData: data } as never);
    },
    async stop() {
      await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns }).catch(() => false);
      client.close();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** A static file server on 127.0.0.1 serving `dir` (GET only). */
export interface StaticServer {
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/** Serves the files of a fresh temporary directory. */
export async function startStaticServer(): Promise<StaticServer> {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-static-'));
  const server: Server = createServer((req, res) => {
    const rel = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '');
    if (rel.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(dir, rel)).then(
      (body) => res.writeHead(200, { 'content-length': String(body.length) }).end(body),
      () => res.writeHead(404).end('not found\n'),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          ok();
        });
      }),
  };
}
