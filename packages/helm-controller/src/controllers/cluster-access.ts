// SPDX-License-Identifier: Apache-2.0
/**
 * Credentials of one HelmRelease's helm calls (Flux's `buildRESTClientGetter`): the controller's own
 * access, or the kubeconfig in `spec.kubeConfig.secretRef` (key `value`, else `value.yaml`); with
 * `spec.serviceAccountName` (or `--default-service-account`) impersonating
 * `system:serviceaccount:<hr namespace>:<name>`. For remote clusters a client for the controller's
 * own reads (helm storage, drift detection) is built from the same kubeconfig.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamicClient, type KubeClient, type KubeObject } from '@eddy/runtime/client';
import { KubeconfigError, renderKubeconfig, serviceAccountUser, type ClusterAccess } from '../helm/kubeconfig.ts';

/** Why the credentials of a HelmRelease could not be built. */
export class ClusterAccessError extends Error {
  override readonly name = 'ClusterAccessError';
  constructor(
    message: string,
    /** The referenced Secret does not exist (deletion skips the uninstall then, like Flux). */
    readonly notFound = false,
  ) {
    super(message);
  }
}

/** A HelmRelease's view of the fields used here. */
export interface AccessSpec {
  metadata: { namespace: string };
  spec: {
    serviceAccountName?: string;
    kubeConfig?: { secretRef?: { name: string; key?: string }; configMapRef?: { name: string } };
  };
}

/** What a reconcile talks to the target cluster with. */
export interface TargetCluster {
  /** Kubeconfig text for helm (namespace set, impersonation applied). */
  kubeconfig: string;
  /** Client for helm storage and drift detection on the target cluster. */
  client: KubeClient;
  /** The impersonated service account name, if any. */
  serviceAccount?: string;
  /** Removes temporary files. */
  dispose(): Promise<void>;
}

/** Options of {@link targetCluster}. */
export interface TargetOptions {
  /** The controller's client (local cluster). */
  client: KubeClient;
  /** The controller's own credentials, for helm. */
  access: ClusterAccess;
  /** The namespace of helm's context (the release namespace). */
  namespace: string;
  /** `--default-service-account`. */
  defaultServiceAccount?: string;
  /** Where to write the temporary kubeconfig of remote clusters. */
  tmpDir: string;
  allowExec?: boolean;
  allowInsecureTLS?: boolean;
}

async function remoteKubeconfig(hr: AccessSpec, client: KubeClient): Promise<string> {
  const ref = hr.spec.kubeConfig!;
  if (!ref.secretRef) {
    throw new ClusterAccessError('spec.kubeConfig.configMapRef (secret-less workload identity) is not supported by this controller');
  }
  const secret = await client.get<KubeObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', namespace: hr.metadata.namespace, name: ref.secretRef.name });
  const name = `${hr.metadata.namespace}/${ref.secretRef.name}`;
  if (!secret) throw new ClusterAccessError(`could not get KubeConfig secret '${name}': secrets "${ref.secretRef.name}" not found`, true);
  const keys = ref.secretRef.key ? [ref.secretRef.key] : ['value', 'value.yaml'];
  const key = keys.find((k) => secret.data?.[k] !== undefined);
  if (!key) throw new ClusterAccessError(`KubeConfig secret '${name}' does not contain a '${keys.join("' or '")}' key with a kubeconfig`);
  return Buffer.from(secret.data![key]!, 'base64').toString('utf8');
}

/** Builds the target cluster access of `hr`; throws {@link ClusterAccessError}. */
export async function targetCluster(hr: AccessSpec, o: TargetOptions): Promise<TargetCluster> {
  const sa = hr.spec.serviceAccountName || o.defaultServiceAccount || undefined;
  const impersonate = sa ? { impersonateUser: serviceAccountUser(hr.metadata.namespace, sa) } : {};
  const flags = { allowExec: o.allowExec ?? false, allowInsecureTLS: o.allowInsecureTLS ?? false };
  try {
    if (!hr.spec.kubeConfig) {
      const kubeconfig = await renderKubeconfig(o.access, { ...impersonate, namespace: o.namespace, ...flags });
      return { kubeconfig, client: o.client, ...(sa ? { serviceAccount: sa } : {}), dispose: async () => undefined };
    }
    const yaml = await remoteKubeconfig(hr, o.client);
    const kubeconfig = await renderKubeconfig({ kind: 'inline', yaml }, { ...impersonate, namespace: o.namespace, ...flags });
    const dir = await mkdtemp(join(o.tmpDir, 'kubeconfig-'));
    const file = join(dir, 'config');
    await writeFile(file, await renderKubeconfig({ kind: 'inline', yaml }, { namespace: o.namespace, ...flags }), { mode: 0o600 });
    const client = new DynamicClient({ kubeconfig: file });
    return { kubeconfig, client, ...(sa ? { serviceAccount: sa } : {}), dispose: () => rm(dir, { recursive: true, force: true }) };
  } catch (e) {
    if (e instanceof ClusterAccessError) throw e;
    if (e instanceof KubeconfigError) throw new ClusterAccessError(e.message);
    throw e;
  }
}
