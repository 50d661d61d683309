// SPDX-License-Identifier: Apache-2.0
/**
 * A single-member etcd on loopback ports for the local control plane.
 * @module
 */
import { join } from 'node:path';
import { StartupError, TestEnvError } from './errors.ts';
import { simpleRequest } from './http-util.ts';
import { freePorts } from './ports.ts';
import type { Daemon } from './process.ts';
import { spawnDaemon, waitUntil } from './process.ts';
import type { Reaper } from './reaper.ts';
import { toolPath } from './paths.ts';

/** A running etcd. */
export interface Etcd {
  /** The client URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** The process. */
  daemon: Daemon;
}

/**
 * The etcd flags: client and peer URLs on 127.0.0.1, data in `<dir>/etcd`, no fsync (tests only).
 * @param dir - the control plane directory.
 * @param clientPort - the client port.
 * @param peerPort - the peer port.
 */
export function etcdArgs(dir: string, clientPort: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    '--name=eddy',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=eddy=${peer}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

async function healthy(url: string): Promise<boolean> {
  const res = await simpleRequest({ url: `${url}/health`, timeoutMs: 2000 });
  return res.status === 200 && (JSON.parse(res.body.toString()) as { health?: string }).health === 'true';
}

/**
 * Starts etcd and waits until `/health` answers healthy. Retries with new ports when a port was taken.
 * @param dir - the control plane directory (data and `etcd.log` go there).
 * @param reaper - the watchdog of the control plane.
 * @param timeoutMs - how long to wait for health (default 20 s).
 * @throws {@link StartupError} with the log tail when etcd exits or stays unhealthy.
 */
export async function startEtcd(dir: string, reaper: Reaper, timeoutMs = 20_000): Promise<Etcd> {
  const binary = toolPath('etcd');
  for (let attempt = 1; ; attempt++) {
    const [clientPort, peerPort] = await freePorts(2);
    const url = `http://127.0.0.1:${clientPort}`;
    const args = etcdArgs(dir, clientPort!, peerPort!);
    const daemon = spawnDaemon({ name: 'etcd', command: binary, args, logDir: dir, reaper });
    try {
      await waitUntil(() => healthy(url), {
        what: `etcd health at ${url}`,
        timeoutMs,
        abort: () => (daemon.exitStatus ? `etcd exited (${JSON.stringify(daemon.exitStatus)})` : undefined),
      });
      return { url, daemon };
    } catch (err) {
      await daemon.stop(1000);
      const tail = daemon.logTail();
      if (attempt < 3 && /address already in use/.test(tail)) continue;
      throw new StartupError('etcd', err instanceof Error ? err.message : String(err), tail, { cause: err });
    }
  }
}

async function etcdPost(url: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await simpleRequest({
    url: `${url}${path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = res.body.toString();
  if (res.status !== 200) throw new TestEnvError(`etcd ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * The current revision of the etcd store, from the v3 JSON gateway.
 * @param url - the etcd client URL.
 */
export async function etcdRevision(url: string): Promise<number> {
  const out = await etcdPost(url, '/v3/kv/range', { key: 'AA==', limit: 1 });
  return Number((out.header as { revision: string }).revision);
}

/**
 * Compacts etcd to its current revision (physically), so reads and watches at older revisions fail with
 * "required revision has been compacted".
 * @param url - the etcd client URL.
 * @returns the revision compacted to.
 */
export async function compactEtcdAt(url: string): Promise<number> {
  const revision = await etcdRevision(url);
  await etcdPost(url, '/v3/kv/compaction', { revision: String(revision), physical: true });
  return revision;
}
