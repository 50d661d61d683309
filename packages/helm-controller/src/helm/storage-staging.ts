// SPDX-License-Identifier: Apache-2.0
/**
 * `spec.storageNamespace` on the helm CLI. Flux's helm-controller gives the Helm SDK a storage
 * driver bound to the storage namespace and a REST client getter bound to the release namespace, so
 * charts render with `.Release.Namespace` = the release (target) namespace while the release Secrets
 * live in the storage namespace. The helm CLI has one namespace for both (`--namespace`), and a
 * post-renderer cannot repair `.Release.Namespace` once a template used it (in a hook's namespace,
 * a DNS name, a RoleBinding subject).
 *
 * So helm runs in the release namespace, exactly as Flux renders, and {@link StagedReleaseStorage}
 * brackets every release-changing helm call:
 *
 * 1. stage in: the release's `sh.helm.release.v1.<name>.v<N>` Secrets are copied from the storage
 *    namespace into the release namespace (the originals stay where they are);
 * 2. helm runs, reading and writing its records in the release namespace;
 * 3. stage out: the release namespace's records are written back to the storage namespace, the
 *    storage namespace's records that helm deleted (history pruning, uninstall) are deleted, and the
 *    staged copies are removed.
 *
 * Outside a call the records exist only in the storage namespace, where `helm list -n <storage>`,
 * `helm history -n <storage>` and the controller's {@link ReleaseStorage} find them. If the
 * controller died during a call, the next stage-in finds the staged records still in the release
 * namespace: they are newer than the storage namespace's (which a call never touches), so they are
 * merged back first (without deletions, since the copy may have been partial) and staging restarts.
 *
 * An uninstall whose release namespace is gone or terminating cannot stage; it does what helm's
 * uninstall does to the storage (the objects go with the namespace, hooks cannot run there).
 */
import { isAlreadyExists, isForbidden, isNotFound, type KubeClient, type KubeObject } from '@eddy/runtime/client';
import { realClock, type Clock } from '@eddy/runtime/clock';
import type { ReleaseDriver } from './driver.ts';
import { HelmError } from './errors.ts';
import { decodeRelease, encodeRelease } from './release-record.ts';

/** The client calls staging needs. */
export type StagingClient = Pick<KubeClient, 'list' | 'create' | 'update' | 'delete'>;

/** A helm release record Secret. */
type ReleaseSecret = KubeObject & { type?: string; data?: Record<string, string> };

/** A staging step failed; the records may be split between both namespaces until the next call. */
export class StorageStagingError extends Error {
  override readonly name = 'StorageStagingError';
  /** Transient: the next reconcile recovers the records (see the module doc). */
  readonly transient = true;
  constructor(
    message: string,
    options?: { cause?: unknown },
    /** The release namespace is gone or terminating: nothing can be staged there any more. */
    readonly namespaceGone = false,
  ) {
    super(message, options);
  }
}

/** The apiserver refused to create in a namespace that is missing or being deleted. */
function namespaceGone(e: unknown): boolean {
  return isNotFound(e) || (isForbidden(e) && /being terminated/.test((e as Error).message));
}

/** Moves the records of one release between its storage and release namespaces; see the module doc. */
export class StagedReleaseStorage {
  constructor(
    private readonly client: StagingClient,
    /** The release name. */
    readonly releaseName: string,
    /** Where the records are kept (`spec.storageNamespace`, default the HelmRelease's namespace). */
    readonly storageNamespace: string,
    /** Where helm renders and stores during a call (`spec.targetNamespace`, default the HelmRelease's namespace). */
    readonly releaseNamespace: string,
  ) {}

  /** Whether staging is needed at all. */
  get active(): boolean {
    return this.storageNamespace !== this.releaseNamespace;
  }

  /** Runs `call` with the records staged in the release namespace; stages out whatever the outcome. */
  async around<T>(call: () => Promise<T>): Promise<T> {
    if (!this.active) return call();
    const staged = await this.stageIn();
    try {
      return await call();
    } finally {
      await this.stageOut(staged);
    }
  }

  private async records(namespace: string): Promise<ReleaseSecret[]> {
    try {
      const list = await this.client.list<ReleaseSecret>('v1', 'Secret', { namespace, labelSelector: `owner=helm,name=${this.releaseName}` });
      return list.items.filter((s) => s.type === 'helm.sh/release.v1');
    } catch (e) {
      if (isNotFound(e)) return [];
      throw new StorageStagingError(`listing the Helm release records of ${this.releaseName} in ${namespace}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Copies the storage namespace's records into the release namespace; returns their names. */
  async stageIn(): Promise<Set<string>> {
    const leftovers = await this.records(this.releaseNamespace);
    if (leftovers.length > 0) await this.writeBack(leftovers, undefined);
    const stored = await this.records(this.storageNamespace);
    for (const s of stored) {
      try {
        await this.upsert(copyOf(s, this.releaseNamespace));
      } catch (e) {
        const why = isNotFound(e) ? `namespace ${this.releaseNamespace} not found` : (e as Error).message;
        const err = new StorageStagingError(`staging Helm release record ${s.metadata.name} into ${this.releaseNamespace}: ${why}`, { cause: e }, namespaceGone(e));
        await this.writeBack(await this.records(this.releaseNamespace), undefined).catch(() => undefined);
        throw err;
      }
    }
    return new Set(stored.map((s) => s.metadata.name!));
  }

  /**
   * What `helm uninstall` leaves in the storage namespace, for a release namespace that is gone or
   * terminating (its objects are deleted with it; hooks cannot run there): the records are deleted,
   * or with `keepHistory` the newest is marked `uninstalled`, as helm does.
   */
  async uninstallWithoutNamespace(keepHistory: boolean, now: Date): Promise<void> {
    const stored = await this.records(this.storageNamespace);
    if (stored.length === 0) throw new HelmError('not-found', `uninstall: Release not loaded: ${this.releaseName}: release: not found`, { stderr: '', command: 'uninstall' });
    if (!keepHistory) {
      for (const s of stored) await this.client.delete({ apiVersion: 'v1', kind: 'Secret', namespace: this.storageNamespace, name: s.metadata.name! });
      return;
    }
    const newest = stored.reduce((a, b) => (Number(b.metadata.labels?.['version'] ?? 0) > Number(a.metadata.labels?.['version'] ?? 0) ? b : a));
    const rec = decodeRelease(newest.data?.['release'] ?? '', true);
    rec.info = { ...rec.info, status: 'uninstalled', deleted: now.toISOString(), description: 'Uninstallation complete' };
    const labels = { ...(newest.metadata.labels ?? {}), status: 'uninstalled', modifiedAt: String(Math.floor(now.getTime() / 1000)) };
    await this.client.update({ ...copyOf(newest, this.storageNamespace), metadata: { ...copyOf(newest, this.storageNamespace).metadata, labels }, data: { release: encodeRelease(rec) } } as ReleaseSecret);
  }

  /** Writes the release namespace's records back to the storage namespace and removes them there. */
  async stageOut(staged: Set<string>): Promise<void> {
    await this.writeBack(await this.records(this.releaseNamespace), staged);
  }

  /**
   * Upserts `current` into the storage namespace; when `staged` is known (a complete stage-in),
   * deletes the staged records helm removed; then deletes `current` from the release namespace.
   */
  private async writeBack(current: ReleaseSecret[], staged: Set<string> | undefined): Promise<void> {
    try {
      for (const s of current) await this.upsert(copyOf(s, this.storageNamespace));
      const kept = new Set(current.map((s) => s.metadata.name!));
      for (const name of staged ?? []) {
        if (!kept.has(name)) await this.client.delete({ apiVersion: 'v1', kind: 'Secret', namespace: this.storageNamespace, name });
      }
      for (const s of current) await this.client.delete({ apiVersion: 'v1', kind: 'Secret', namespace: this.releaseNamespace, name: s.metadata.name! });
    } catch (e) {
      throw new StorageStagingError(`writing the Helm release records of ${this.releaseName} back to ${this.storageNamespace}: ${(e as Error).message}`, { cause: e });
    }
  }

  private async upsert(s: ReleaseSecret): Promise<void> {
    try {
      await this.client.create(s);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      await this.client.update(s, {}).catch(async (err: unknown) => {
        // `update` without a resourceVersion is an unconditional replace; a racing writer is retried once.
        if (!isNotFound(err)) throw err;
        await this.client.create(s);
      });
    }
  }
}

/** `driver` with every call bracketed by `staging` (unchanged when staging is not needed). */
export function stagedDriver(driver: ReleaseDriver, staging: StagedReleaseStorage, clock: Clock = realClock): ReleaseDriver {
  if (!staging.active) return driver;
  return {
    install: (ctx, input, o) => staging.around(() => driver.install(ctx, input, o)),
    upgrade: (ctx, input, o) => staging.around(() => driver.upgrade(ctx, input, o)),
    test: (ctx, o) => staging.around(() => driver.test(ctx, o)),
    rollback: (ctx, o) => staging.around(() => driver.rollback(ctx, o)),
    uninstall: async (ctx, o) => {
      try {
        return await staging.around(() => driver.uninstall(ctx, o));
      } catch (e) {
        if (!(e instanceof StorageStagingError && e.namespaceGone)) throw e;
        await staging.uninstallWithoutNamespace(o.keepHistory, new Date(clock.now()));
        return { stdout: `release "${o.releaseName}" uninstalled\n`, stderr: '' };
      }
    },
  };
}

/** `s` as a new object in `namespace`: name, labels, annotations, type and data. */
function copyOf(s: ReleaseSecret, namespace: string): ReleaseSecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: s.metadata.name!,
      namespace,
      ...(s.metadata.labels ? { labels: s.metadata.labels } : {}),
      ...(s.metadata.annotations ? { annotations: s.metadata.annotations } : {}),
    },
    type: s.type ?? 'helm.sh/release.v1',
    data: s.data ?? {},
  };
}
