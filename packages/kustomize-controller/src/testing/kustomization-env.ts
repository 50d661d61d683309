// SPDX-License-Identifier: Apache-2.0
/**
 * Integration-test environment for the Kustomization reconciler: a namespace on the shared
 * control plane, an {@link ArtifactServer}, GitRepository sources whose `status.artifact` points
 * at published tarballs, and a `reconcile` helper that runs the conformance checker afterwards.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { NEGATIVE_POLARITY_CONDITIONS, type Kustomization } from '@eddy/api';
import { DynamicClient } from '@eddy/runtime/client';
import { checkConditions } from '@eddy/runtime/conformance';
import { createLogger } from '@eddy/runtime/log';
import type { ReconcileContext, Result } from '@eddy/runtime/reconcile';
import { randomNamespaceName, toolPath, useControlPlane } from '@eddy/testenv';
import { KustomizationReconciler, type KustomizationReconcilerOptions } from '../controllers/kustomization-reconciler.ts';
import { ArtifactServer, type PublishedArtifact } from './artifact-server.ts';

/** The Kustomization API version and kind. */
export const KS = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' } as const;
/** The GitRepository API version and kind. */
export const GR = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' } as const;

/** A Kustomization as read back from the apiserver. */
export type KsObj = Kustomization & { status?: Record<string, unknown> & NonNullable<Kustomization['status']> };

/** The outcome of one reconcile. */
export interface ReconcileOutcome {
  obj: KsObj;
  result?: Result;
  error?: unknown;
}

/** A per-test-file environment. */
export class KustomizationEnv {
  readonly log: ReconcileContext['log'] = createLogger({ level: 'error', stream: new PassThrough() });
  client!: DynamicClient;
  server!: ArtifactServer;
  reconciler!: KustomizationReconciler;
  private counter = 0;

  constructor(
    readonly ns = randomNamespaceName('ks'),
    private readonly reconcilerOpts: Partial<KustomizationReconcilerOptions> = {},
  ) {}

  /** Connects, creates the namespace and starts the artifact server. */
  async start(): Promise<void> {
    const cp = await useControlPlane();
    this.client = new DynamicClient({ kubeconfig: cp.kubeconfigPath });
    await this.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.ns } });
    this.server = await ArtifactServer.start();
    this.reconciler = new KustomizationReconciler({
      client: this.client,
      kustomizePath: toolPath('kustomize'),
      artifactFetchRetries: 0,
      healthIntervalMs: 500,
      intervalJitter: 0,
      ...this.reconcilerOpts,
    });
  }

  /** Deletes the namespace and stops the server. */
  async stop(): Promise<void> {
    await this.client?.delete({ apiVersion: 'v1', kind: 'Namespace', name: this.ns }).catch(() => false);
    this.client?.close();
    await this.server?.close();
  }

  /** Publishes `files` and points GitRepository `name` at it (created on first use). */
  async publish(name: string, files: Record<string, string | Uint8Array>, revision?: string): Promise<PublishedArtifact> {
    this.counter += 1;
    const rev = revision ?? `main@sha1:${this.counter.toString(16).padStart(40, '0')}`;
    const art = this.server.publishFiles(`/${this.ns}/${name}/${this.counter}.tar.gz`, files, rev);
    await this.setArtifact(name, art);
    return art;
  }

  /** Sets (or clears, with `undefined`) the artifact of GitRepository `name`. */
  async setArtifact(name: string, art: PublishedArtifact | undefined): Promise<void> {
    const ref = { ...GR, namespace: this.ns, name };
    if (!(await this.client.get(ref))) {
      await this.client.create({ ...GR, metadata: { name, namespace: this.ns }, spec: { interval: '1m', url: 'https://example.invalid/repo.git' } } as never);
    }
    const artifact = art
      ? { path: art.path, url: art.url, revision: art.revision, digest: art.digest, size: art.size, lastUpdateTime: new Date().toISOString() }
      : null;
    const ready = art
      ? { type: 'Ready', status: 'True', reason: 'Succeeded', message: `stored artifact for revision '${art.revision}'` }
      : { type: 'Ready', status: 'False', reason: 'GitOperationFailed', message: 'failed' };
    await this.client.patch(
      ref,
      { status: { artifact, conditions: [{ ...ready, observedGeneration: 1, lastTransitionTime: new Date().toISOString() }] } },
      { type: 'merge', subresource: 'status' },
    );
  }

  /** Creates Kustomization `name` with defaults for `interval`, `prune` and `sourceRef`. */
  async create(name: string, spec: Partial<Kustomization['spec']> & Record<string, unknown>, source = name): Promise<void> {
    await this.client.create({
      ...KS,
      metadata: { name, namespace: this.ns },
      spec: { interval: '10m', prune: true, sourceRef: { kind: 'GitRepository', name: source }, ...spec },
    } as never);
  }

  /** Merge-patches the spec of Kustomization `name`. */
  async patchSpec(name: string, spec: Record<string, unknown>): Promise<void> {
    await this.client.patch({ ...KS, namespace: this.ns, name }, { spec }, { type: 'merge' });
  }

  /** Reads Kustomization `name`. */
  async get(name: string): Promise<KsObj | undefined> {
    return this.client.get<KsObj>({ ...KS, namespace: this.ns, name });
  }

  /** Reconciles once, reads the object back and checks conformance. */
  async reconcile(name: string, opts: { signal?: AbortSignal; conformance?: boolean } = {}): Promise<ReconcileOutcome> {
    let result: Result | undefined;
    let error: unknown;
    try {
      result = await this.reconciler.reconcile({ namespace: this.ns, name }, { signal: opts.signal ?? new AbortController().signal, log: this.log, reconcileId: 't' });
    } catch (err) {
      error = err;
    }
    const obj = await this.get(name);
    if (obj && opts.conformance !== false) {
      const violations = checkConditions(obj as never, { negativePolarity: NEGATIVE_POLARITY_CONDITIONS });
      assert.deepEqual(violations, [], `conformance after reconcile: ${JSON.stringify(obj.status?.conditions)}`);
    }
    return { obj: obj!, ...(result ? { result } : {}), ...(error !== undefined ? { error } : {}) };
  }

  /** The condition `type` of `obj`. */
  static condition(obj: KsObj | undefined, type: string): { status: string; reason: string; message: string } | undefined {
    return (obj?.status?.conditions ?? []).find((c) => c.type === type) as never;
  }
}
