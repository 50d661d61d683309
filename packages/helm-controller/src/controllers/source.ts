// SPDX-License-Identifier: Apache-2.0
/**
 * The chart source of a HelmRelease: the HelmChart created from `spec.chart` (by
 * `status.helmChart`) or the `spec.chartRef` object (OCIRepository, HelmChart, ExternalArtifact),
 * and Flux's readiness rule for it (`isSourceReady`): its latest generation observed, not stalled,
 * and an artifact present.
 */
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import type { ArtifactRef } from '../chart/fetch.ts';
import { AccessDeniedError } from './chart-template.ts';

/** API versions of the chart source kinds. */
export const CHART_SOURCE_KINDS: Record<string, string> = {
  HelmChart: 'source.toolkit.fluxcd.io/v1',
  OCIRepository: 'source.toolkit.fluxcd.io/v1',
  ExternalArtifact: 'source.toolkit.fluxcd.io/v1',
};

/** A source object with an artifact. */
export interface ChartSource extends KubeObject {
  metadata: KubeObject['metadata'] & { name: string; namespace: string };
  status?: {
    observedGeneration?: number;
    artifact?: ArtifactRef & { revision?: string };
    conditions?: Array<{ type: string; status: string; message?: string }>;
  };
}

/** What the HelmRelease refers to. */
export interface SourceRef {
  kind: string;
  name: string;
  namespace: string;
}

/** The source reference of a HelmRelease, or undefined when `spec.chart` has no HelmChart yet. */
export function sourceRefOf(hr: { metadata: { namespace?: string }; spec: { chartRef?: { kind: string; name: string; namespace?: string } }; status?: { helmChart?: string } }): SourceRef | undefined {
  const ns = hr.metadata.namespace ?? '';
  if (hr.spec.chartRef) return { kind: hr.spec.chartRef.kind, name: hr.spec.chartRef.name, namespace: hr.spec.chartRef.namespace || ns };
  if (!hr.status?.helmChart) return undefined;
  const [namespace, name] = hr.status.helmChart.split('/') as [string, string];
  return { kind: 'HelmChart', name, namespace };
}

/** Gets the source; undefined when it does not exist. Enforces `--no-cross-namespace-refs`. */
export async function getSource(client: Pick<KubeClient, 'get'>, hrNamespace: string, ref: SourceRef, noCrossNamespaceRefs = false): Promise<ChartSource | undefined> {
  if (noCrossNamespaceRefs && ref.namespace !== hrNamespace) {
    throw new AccessDeniedError(`cannot access ${ref.kind}/${ref.namespace}/${ref.name}, cross-namespace references have been blocked`);
  }
  const apiVersion = CHART_SOURCE_KINDS[ref.kind];
  if (!apiVersion) throw new Error(`unsupported source kind '${ref.kind}'`);
  return client.get<ChartSource>({ apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name });
}

/** Flux's `isSourceReady`: `[ready, message]`. */
export function isSourceReady(src: ChartSource): [boolean, string] {
  const name = `${src.kind} '${src.metadata.namespace}/${src.metadata.name}' is not ready`;
  const conds = src.status?.conditions ?? [];
  const ready = conds.find((c) => c.type === 'Ready');
  if ((src.metadata.generation ?? 0) !== (src.status?.observedGeneration ?? -1)) {
    const msg = ready?.status === 'False' ? (ready.message ?? '') : 'latest generation of object has not been reconciled';
    return [false, `${name}: ${msg}`];
  }
  const stalled = conds.find((c) => c.type === 'Stalled' && c.status === 'True');
  if (stalled) return [false, `${name}: ${stalled.message ?? ''}`];
  if (!src.status?.artifact) return [false, `${name}: does not have an artifact`];
  return [true, ''];
}
