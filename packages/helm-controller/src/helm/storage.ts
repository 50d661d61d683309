// SPDX-License-Identifier: Apache-2.0
/**
 * Read (and, for unlocking, write) access to helm's `secret` storage driver through the controller's
 * Kubernetes client. Reading the Secrets directly gives the controller the complete release records
 * (manifest, hooks with their last runs, config, chart metadata) in one list call, without running
 * `helm history`/`helm get` per field, and lets it observe what a helm action wrote.
 */
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import {
  decodeRelease,
  encodeRelease,
  isPending,
  releaseSecretName,
  type ReleaseRecord,
} from './release-record.ts';

/** A decoded release with the Secret it came from. */
export interface StoredRelease {
  record: ReleaseRecord;
  /** `metadata.resourceVersion` of the Secret, to detect rewrites. */
  resourceVersion: string;
}

/** Access to the releases of one name in one storage namespace. */
export class ReleaseStorage {
  constructor(
    private readonly client: Pick<KubeClient, 'list' | 'get' | 'update'>,
    readonly namespace: string,
  ) {}

  /** All stored versions of `name`, newest first. Chart payloads are dropped while decoding. */
  async history(name: string): Promise<StoredRelease[]> {
    const list = await this.client.list<KubeObject>('v1', 'Secret', {
      namespace: this.namespace,
      labelSelector: `owner=helm,name=${name}`,
    });
    const out: StoredRelease[] = [];
    for (const s of list.items) {
      if ((s as { type?: string }).type !== 'helm.sh/release.v1') continue;
      const data = (s as { data?: Record<string, string> }).data?.['release'];
      if (!data) continue;
      out.push({ record: decodeRelease(data), resourceVersion: s.metadata.resourceVersion ?? '' });
    }
    return out.sort((a, b) => b.record.version - a.record.version);
  }

  /** The newest version of `name`, or undefined when none is stored (Helm's `Releases.Last`). */
  async last(name: string): Promise<StoredRelease | undefined> {
    return (await this.history(name))[0];
  }

  /** One version of `name`, or undefined. */
  async get(name: string, version: number): Promise<StoredRelease | undefined> {
    const s = await this.client.get<KubeObject>({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: this.namespace,
      name: releaseSecretName(name, version),
    });
    const data = (s as { data?: Record<string, string> } | undefined)?.data?.['release'];
    if (!s || !data) return undefined;
    return { record: decodeRelease(data), resourceVersion: s.metadata.resourceVersion ?? '' };
  }

  /**
   * Flux's unlock: when the newest version of `name` is `pending-*`, marks it `failed` with the
   * description `Release unlocked from stale '<status>' state` and persists it (the status label
   * too), so the next helm action is not refused with "another operation is in progress". Returns
   * the previous status and the rewritten record, or undefined when nothing was pending.
   */
  async unlock(name: string, now: Date): Promise<{ from: string; record: ReleaseRecord } | undefined> {
    const last = await this.last(name);
    if (!last || !isPending(last.record.info?.status)) return undefined;
    const from = String(last.record.info?.status);
    const record = await this.rewrite(name, last.record.version, 'failed', `Release unlocked from stale '${from}' state`, now);
    return record ? { from, record } : undefined;
  }

  /**
   * Marks one version `failed` with `description`, as helm does when its wait fails (used when the
   * controller's own health checks fail after helm's wait passed). Returns the rewritten record,
   * or undefined when the version is not stored.
   */
  async markFailed(name: string, version: number, description: string, now: Date): Promise<ReleaseRecord | undefined> {
    return this.rewrite(name, version, 'failed', description, now);
  }

  /** Rewrites the status and description of a stored version (and the Secret's `status` label). */
  private async rewrite(name: string, version: number, status: string, description: string, now: Date): Promise<ReleaseRecord | undefined> {
    const secretName = releaseSecretName(name, version);
    const secret = await this.client.get<KubeObject>({ apiVersion: 'v1', kind: 'Secret', namespace: this.namespace, name: secretName });
    const data = (secret as { data?: Record<string, string> } | undefined)?.data?.['release'];
    if (!secret || !data) return undefined;
    const full = decodeRelease(data, true);
    full.info = { ...full.info, status, description };
    const labels = { ...(secret.metadata.labels ?? {}), status, modifiedAt: String(Math.floor(now.getTime() / 1000)) };
    const updated: KubeObject = {
      ...secret,
      metadata: { ...secret.metadata, labels },
      data: { ...(secret as { data?: Record<string, string> }).data, release: encodeRelease(full) },
    };
    await this.client.update(updated);
    if (full.chart) full.chart = { metadata: full.chart.metadata };
    return full;
  }
}
