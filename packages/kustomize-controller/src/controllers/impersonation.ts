// SPDX-License-Identifier: Apache-2.0
/**
 * The client a Kustomization is applied with (fluxcd/pkg `runtime/client` Impersonator):
 * `spec.kubeConfig.secretRef` targets a remote cluster through a kubeconfig Secret (`value` or
 * `value.yaml` key; exec helpers and insecure TLS refused unless allowed); `spec.serviceAccountName`
 * (or `--default-service-account`, local cluster only) impersonates
 * `system:serviceaccount:<namespace>:<name>`, so RBAC bounds what a tenant can change. Clients
 * carry the `Impersonate-User` header through the kubeconfig's `impersonateUser`; they are cached
 * per kubeconfig Secret version and account. Kubeconfigs are parsed with the runtime's loader, so
 * `@kubernetes/client-node` (~80 MiB) is only loaded when a remote kubeconfig uses an exec helper.
 */
import type { Kustomization } from '@eddy/api';
import { DynamicClient, LoadedKubeconfig, loadKubeConfig, parseKubeconfig, type KubeClient } from '@eddy/runtime/client';

/** Options of {@link Impersonator}. */
export interface ImpersonatorOptions {
  /** `--default-service-account`: used when a Kustomization names none. */
  defaultServiceAccount?: string;
  /** Upper bound of cached clients. @default 64 */
  maxClients?: number;
  /** `--insecure-kubeconfig-exec`: allow exec credential helpers in kubeconfig Secrets. @default false */
  insecureKubeconfigExec?: boolean;
  /** `--insecure-kubeconfig-tls`: allow `insecure-skip-tls-verify` in kubeconfig Secrets. @default false */
  insecureKubeconfigTls?: boolean;
}

type SecretObject = { apiVersion: string; kind: string; metadata: { resourceVersion?: string }; data?: Record<string, string> };

/** Thrown when impersonation is requested but the controller client cannot impersonate. */
export class ImpersonationError extends Error {
  override readonly name = 'ImpersonationError';
}

/** The impersonated user name of a service account. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** Builds (and caches) the clients Kustomizations are applied with. */
export class Impersonator {
  private readonly clients = new Map<string, DynamicClient>();

  constructor(
    private readonly base: KubeClient,
    private readonly opts: ImpersonatorOptions = {},
  ) {}

  /** The service account `obj` is reconciled as, or `undefined` for the controller's identity. */
  accountFor(obj: Kustomization): { namespace: string; name: string } | undefined {
    const name = obj.spec.serviceAccountName || (obj.spec.kubeConfig ? '' : this.opts.defaultServiceAccount);
    return name ? { namespace: obj.metadata.namespace ?? '', name } : undefined;
  }

  /**
   * True when the identity to reconcile as is there (Flux `CanImpersonate`): the kubeconfig
   * Secret for remote clusters, else the service account, if any.
   */
  async canImpersonate(obj: Kustomization): Promise<boolean> {
    try {
      if (obj.spec.kubeConfig?.secretRef) return (await this.kubeConfigSecret(obj)) !== undefined;
      const sa = this.accountFor(obj);
      if (!sa) return true;
      return (await this.base.get({ apiVersion: 'v1', kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name })) !== undefined;
    } catch {
      return false;
    }
  }

  /**
   * The client to apply `obj` with: the controller client, a remote cluster's, and/or one
   * impersonating the service account.
   * @throws ImpersonationError for a missing or unusable kubeconfig Secret.
   */
  async clientFor(obj: Kustomization): Promise<KubeClient> {
    const sa = this.accountFor(obj);
    const user = sa ? serviceAccountUser(sa.namespace, sa.name) : '';
    let config: LoadedKubeconfig;
    let key: string;
    if (obj.spec.kubeConfig) {
      const remote = await this.remoteConfig(obj);
      config = remote.config;
      key = `${remote.key}|${user}`;
    } else {
      if (!sa) return this.base;
      if (!(this.base instanceof DynamicClient)) throw new ImpersonationError(`cannot impersonate '${user}': the controller client has no kubeconfig`);
      config = this.base.config;
      key = `|${user}`;
    }
    const cached = this.clients.get(key);
    if (cached) return cached;
    const client = new DynamicClient({ kubeconfig: user ? impersonatingConfig(config, user) : config });
    if (this.clients.size >= (this.opts.maxClients ?? 64)) {
      const [oldest, c] = this.clients.entries().next().value as [string, DynamicClient];
      c.close();
      this.clients.delete(oldest);
    }
    this.clients.set(key, client);
    return client;
  }

  private async kubeConfigSecret(obj: Kustomization): Promise<SecretObject | undefined> {
    const ref = obj.spec.kubeConfig?.secretRef;
    if (!ref) return undefined;
    return this.base.get<SecretObject>({ apiVersion: 'v1', kind: 'Secret', namespace: obj.metadata.namespace ?? '', name: ref.name });
  }

  private async remoteConfig(obj: Kustomization): Promise<{ config: LoadedKubeconfig; key: string }> {
    const ref = obj.spec.kubeConfig!;
    const ns = obj.metadata.namespace ?? '';
    if ((ref.provider && ref.provider !== 'generic') || !ref.secretRef) {
      throw new ImpersonationError(`kubeConfig provider '${ref.provider}' is not supported`);
    }
    const name = `${ns}/${ref.secretRef.name}`;
    const secret = await this.kubeConfigSecret(obj);
    if (!secret) throw new ImpersonationError(`could not get KubeConfig secret '${name}': secrets "${ref.secretRef.name}" not found`);
    const data = secret.data ?? {};
    const wanted = ref.secretRef.key;
    const raw = wanted ? data[wanted] : (data.value ?? data['value.yaml']);
    if (raw === undefined) {
      throw new ImpersonationError(
        wanted ? `KubeConfig secret '${name}' does not contain a '${wanted}' key` : `KubeConfig secret '${name}' does not contain a 'value' nor 'value.yaml' key`,
      );
    }
    let parsed: LoadedKubeconfig;
    try {
      parsed = parseKubeconfig(Buffer.from(raw, 'base64').toString('utf8'));
    } catch (err) {
      throw new ImpersonationError(`failed to load KubeConfig secret '${name}': ${(err as Error).message}`);
    }
    this.checkRemoteConfig(parsed, name);
    let config: LoadedKubeconfig;
    try {
      config = loadKubeConfig(parsed);
    } catch (err) {
      throw new ImpersonationError(`KubeConfig secret '${name}' is not usable: ${(err as Error).message}`);
    }
    return { config, key: `${name}@${secret.metadata.resourceVersion ?? ''}` };
  }

  private checkRemoteConfig(config: LoadedKubeconfig, name: string): void {
    const user = config.getCurrentUser();
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new ImpersonationError(`KubeConfig secret '${name}' has no current cluster`);
    if (user?.exec && !this.opts.insecureKubeconfigExec) {
      throw new ImpersonationError(`KubeConfig secret '${name}' uses an exec credential helper, which is not allowed (--insecure-kubeconfig-exec)`);
    }
    if (cluster.skipTLSVerify && !this.opts.insecureKubeconfigTls) {
      throw new ImpersonationError(`KubeConfig secret '${name}' disables TLS verification, which is not allowed (--insecure-kubeconfig-tls)`);
    }
  }

  /** Closes the cached clients. */
  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

/**
 * A copy of `base` whose current user impersonates `user`.
 * @throws ImpersonationError when `base` has no current user.
 */
export function impersonatingConfig(base: LoadedKubeconfig, user: string): LoadedKubeconfig {
  const current = base.getCurrentUser();
  if (!current) throw new ImpersonationError(`cannot impersonate '${user}': the kubeconfig has no current user`);
  return new LoadedKubeconfig({
    clusters: base.clusters,
    contexts: base.contexts,
    currentContext: base.currentContext,
    users: base.users.map((u) => (u.name === current.name ? { ...u, impersonateUser: user } : u)),
  });
}
