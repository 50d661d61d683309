// SPDX-License-Identifier: Apache-2.0
/**
 * The CRD policy of install and upgrade (Flux's `internal/action/crds.go`): helm never manages the
 * chart's `crds/` directory for Flux (`--skip-crds`); the controller applies it itself —
 * `Skip` nothing, `Create` creates missing CRDs, `CreateReplace` also replaces existing ones — with
 * the HelmRelease's origin labels, and waits until they are Established.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import type { Clock } from '@eddy/runtime/clock';

import type { CRDsPolicy } from '../release/types.ts';

/** Options of {@link applyCRDs}. */
export interface ApplyCRDsOptions {
  client: Pick<KubeClient, 'get' | 'create' | 'update'>;
  clock: Clock;
  /** The chart directory and its `crds/` files (relative to `crds/`). */
  chartPath: string;
  crdFiles: string[];
  policy: CRDsPolicy;
  /** Labels set on every CRD (Flux's origin labels). */
  labels: Record<string, string>;
  fieldManager: string;
  /** How long to wait for Established. @default 60000 */
  establishTimeoutMs?: number;
  signal?: AbortSignal;
}

/** Reads the CRDs of a chart's `crds/` directory. */
export async function readChartCRDs(chartPath: string, files: string[]): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const f of files) {
    for (const doc of parseAllDocuments(await readFile(join(chartPath, 'crds', f), 'utf8'))) {
      if (doc.errors.length) throw new Error(`crds/${f}: ${doc.errors[0]!.message}`);
      const o = doc.toJS() as KubeObject | null;
      if (o?.kind === 'CustomResourceDefinition' && o.metadata?.name) out.push(o);
    }
  }
  return out;
}

const established = (o: KubeObject | undefined): boolean =>
  ((o as { status?: { conditions?: Array<{ type: string; status: string }> } } | undefined)?.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');

/** Applies the chart's CRDs per policy; see the module doc. Returns the names created or replaced. */
export async function applyCRDs(o: ApplyCRDsOptions): Promise<string[]> {
  if (o.policy === 'Skip' || o.crdFiles.length === 0) return [];
  const changed: string[] = [];
  for (const crd of await readChartCRDs(o.chartPath, o.crdFiles)) {
    crd.metadata.labels = { ...crd.metadata.labels, ...o.labels };
    const ref = { apiVersion: crd.apiVersion, kind: crd.kind, name: crd.metadata.name! };
    const live = await o.client.get(ref);
    if (!live) {
      await o.client.create(crd, { fieldManager: o.fieldManager });
      changed.push(crd.metadata.name!);
    } else if (o.policy === 'CreateReplace') {
      await o.client.update({ ...crd, metadata: { ...crd.metadata, resourceVersion: live.metadata.resourceVersion } }, { fieldManager: o.fieldManager });
      changed.push(crd.metadata.name!);
    }
  }
  const deadline = o.clock.now() + (o.establishTimeoutMs ?? 60_000);
  for (const name of changed) {
    while (!established(await o.client.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name }))) {
      if (o.clock.now() > deadline) throw new Error(`CustomResourceDefinition ${name} did not become Established`);
      await o.clock.sleep(250, o.signal);
    }
  }
  return changed;
}
