// SPDX-License-Identifier: Apache-2.0
/**
 * Small apiserver helpers for the api integration tests: install the CRDs, wait until they are
 * served, and build resource paths for a kind.
 */
import { kubeRequest } from '@eddy/testenv';
import type { KubeConnection } from '@eddy/testenv';
import { allKinds } from '../src/kinds.ts';
import type { KindDefinition } from '../src/crd/define-kind.ts';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const FIELD_MANAGER = 'eddy-api-test';

/** The collection path of a kind in a namespace (cluster-scoped kinds ignore the namespace). */
export function collectionPath(kind: KindDefinition, namespace: string): string {
  const base = `/apis/${kind.group}/${kind.version}`;
  return kind.scope === 'Cluster' ? `${base}/${kind.plural}` : `${base}/namespaces/${namespace}/${kind.plural}`;
}

async function pollUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

type CrdStatus = { status?: { conditions?: { type: string; status: string }[] } };

/** Server-side applies every CRD, then waits until each is Established and served by discovery. */
export async function installCrds(conn: KubeConnection): Promise<void> {
  for (const kind of allKinds()) {
    const crd = kind.crd();
    const res = await kubeRequest(conn, 'PATCH', `${CRD_PATH}/${crd.metadata.name}?fieldManager=${FIELD_MANAGER}&force=true`, {
      body: crd,
      contentType: 'application/apply-patch+yaml',
    });
    if (res.status !== 200 && res.status !== 201) throw new Error(`apply ${crd.metadata.name}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  for (const kind of allKinds()) {
    await pollUntil(`${kind.crdName} Established`, async () => {
      const res = await kubeRequest<CrdStatus>(conn, 'GET', `${CRD_PATH}/${kind.crdName}`);
      return res.body.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true;
    });
    await pollUntil(`${kind.plural} in discovery`, async () => {
      const res = await kubeRequest<{ resources?: { name: string }[] }>(conn, 'GET', `/apis/${kind.group}/${kind.version}`);
      return res.status === 200 && (res.body.resources ?? []).some((r) => r.name === kind.plural);
    });
  }
}

/** Creates a namespace unless it exists; returns whether this call created it. */
export async function ensureNamespace(conn: KubeConnection, name: string): Promise<boolean> {
  const res = await kubeRequest(conn, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  if (res.status === 201) return true;
  if (res.status === 409) return false;
  throw new Error(`create namespace ${name}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** The kind of an object, which must be one of Eddy's. */
export function kindOf(obj: { apiVersion: string; kind: string }): KindDefinition {
  const kind = allKinds().find((k) => k.apiVersion === obj.apiVersion && k.kind === obj.kind);
  if (kind === undefined) throw new Error(`not an Eddy kind: ${obj.apiVersion} ${obj.kind}`);
  return kind;
}

/** A server-side dry-run create with strict field validation (unknown fields are errors). */
export function dryRunCreate(
  conn: KubeConnection,
  obj: { apiVersion: string; kind: string; metadata: object },
  namespace: string,
): ReturnType<typeof kubeRequest<{ message?: string; status?: unknown; spec?: unknown }>> {
  const path = `${collectionPath(kindOf(obj), namespace)}?dryRun=All&fieldValidation=Strict`;
  return kubeRequest(conn, 'POST', path, { body: { ...obj, metadata: { ...obj.metadata, namespace } } });
}
