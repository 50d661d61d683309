// SPDX-License-Identifier: Apache-2.0
/**
 * A real S3-compatible server on loopback for Bucket tests: Versity's `versitygw` (built by
 * `hack/tools.sh` into `.eddy/bin`) with the posix backend in a temporary directory and a root
 * access key. It verifies SigV4 signatures, so wrong credentials fail as they would on S3.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, toolPath } from '@eddy/testenv';
import { S3Client } from '../bucket/s3-client.ts';

/** A running S3 server. */
export interface S3Server {
  /** `127.0.0.1:<port>` (a Bucket's `endpoint`, with `insecure: true`). */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  /** A client with the root credentials. */
  client: S3Client;
  stop(): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`versitygw exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('versitygw did not start listening in time');
}

/** Starts versitygw on 127.0.0.1 with a fresh root directory. */
export async function startS3Server(): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-s3-'));
  mkdirSync(join(dir, 'root'));
  mkdirSync(join(dir, 'meta'));
  const port = await freePort();
  const accessKey = 'eddyaccess';
  const secretKey = 'eddysecret0123456789';
  const child = spawn(
    toolPath('versitygw'),
    ['--access', accessKey, '--secret', secretKey, '--port', `127.0.0.1:${port}`, '--quiet', 'posix', '--sidecar', join(dir, 'meta'), join(dir, 'root')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    await waitForPort(port, child, 15_000);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}: ${stderr}`);
  }
  const endpoint = `127.0.0.1:${port}`;
  return {
    endpoint,
    accessKey,
    secretKey,
    client: new S3Client({ endpoint, insecure: true, credentials: { accessKeyId: accessKey, secretAccessKey: secretKey } }),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
