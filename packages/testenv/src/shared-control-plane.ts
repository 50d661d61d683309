// SPDX-License-Identifier: Apache-2.0
/**
 * The control plane integration tests share, and random namespace names to isolate them.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { ControlPlane } from './control-plane.ts';
import { startControlPlane } from './control-plane.ts';
import { readKubeconfig } from './kubeconfig.ts';

/** How integration tests reach the control plane. */
export interface ControlPlaneConnection {
  /** An admin kubeconfig file. */
  kubeconfigPath: string;
  /** `https://127.0.0.1:<port>`. */
  server: string;
  /** The admin bearer token. */
  token: string;
  /** The CA file of the serving certificate. */
  caFile: string;
}

let shared: Promise<ControlPlaneConnection> | undefined;
let owned: ControlPlane | undefined;

/**
 * The control plane for integration tests.
 *
 * When `EDDY_TEST_KUBECONFIG` is set (`scripts/run-tests.ts` starts one control plane and sets it for every test
 * file), returns that one. Otherwise starts one for this process on first call (later calls share it); it is
 * stopped when the process exits (SIGTERM at exit, the watchdog finishes the job).
 * Tests isolate themselves in a namespace from {@link randomNamespaceName}.
 */
export function useControlPlane(): Promise<ControlPlaneConnection> {
  shared ??= connect();
  return shared;
}

async function connect(): Promise<ControlPlaneConnection> {
  const fromEnv = process.env.EDDY_TEST_KUBECONFIG;
  if (fromEnv) return readKubeconfig(fromEnv);
  owned = await startControlPlane({ name: `test-${process.pid}` });
  const { kubeconfigPath, server, token, caFile } = owned;
  return { kubeconfigPath, server, token, caFile };
}

/**
 * Stops the control plane {@link useControlPlane} started for this process, if it started one (a shared one from
 * `EDDY_TEST_KUBECONFIG` is left alone). Optional: it is also stopped at process exit.
 */
export async function releaseControlPlane(): Promise<void> {
  const plane = owned;
  owned = undefined;
  shared = undefined;
  await plane?.stop();
}

/**
 * A random, valid namespace name: `<prefix>-<8 hex chars>`, lower-cased, other characters turned into `-`.
 * @param prefix - default `test`.
 */
export function randomNamespaceName(prefix = 'test'): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return `${clean || 'test'}-${randomBytes(4).toString('hex')}`;
}
