// SPDX-License-Identifier: Apache-2.0
/**
 * The HelmChart template (Flux's `internal/reconcile/helmchart_template.go`): for `spec.chart`, a
 * HelmChart `<hrNamespace>-<hrName>` in the source's namespace, server-side applied with the
 * HelmRelease's owner labels, its reference written to `status.helmChart`; the chart is deleted when
 * the HelmRelease is deleted, switches to `spec.chartRef`, or the chart's name/namespace change.
 */
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import type { EventRecorder } from '@eddy/runtime/events';
import { helmChartNameOf } from '../release/names.ts';

/** `spec.chart` of a HelmRelease. */
export interface ChartTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    chart: string;
    version?: string;
    sourceRef: { apiVersion?: string; kind: string; name: string; namespace?: string };
    interval?: string;
    reconcileStrategy?: string;
    valuesFiles?: string[];
    ignoreMissingValuesFiles?: boolean;
    verify?: { provider?: string; secretRef?: { name: string } };
  };
}

/** The parts of a HelmRelease the template reads. */
export interface TemplateOwner extends KubeObject {
  metadata: KubeObject['metadata'] & { name: string; namespace: string };
  spec: { chart?: ChartTemplate; chartRef?: unknown; interval?: string; suspend?: boolean };
  status?: { helmChart?: string; [k: string]: unknown };
}

/** Thrown when a cross-namespace reference is refused (`--no-cross-namespace-refs`). */
export class AccessDeniedError extends Error {
  override readonly name = 'AccessDeniedError';
}

/** Builds the HelmChart for `hr` (Flux's `buildHelmChartFromTemplate`), with owner labels. */
export function buildHelmChart(hr: TemplateOwner): KubeObject {
  const t = hr.spec.chart!;
  const spec: Record<string, unknown> = {
    chart: t.spec.chart,
    version: t.spec.version ?? '*',
    sourceRef: { kind: t.spec.sourceRef.kind, name: t.spec.sourceRef.name },
    interval: t.spec.interval ?? hr.spec.interval,
    reconcileStrategy: t.spec.reconcileStrategy ?? 'ChartVersion',
  };
  if (t.spec.valuesFiles?.length) spec['valuesFiles'] = t.spec.valuesFiles;
  if (t.spec.ignoreMissingValuesFiles) spec['ignoreMissingValuesFiles'] = true;
  if (t.spec.verify) spec['verify'] = t.spec.verify;
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmChart',
    metadata: {
      name: helmChartNameOf(hr.metadata.namespace, hr.metadata.name),
      namespace: t.spec.sourceRef.namespace || hr.metadata.namespace,
      labels: { ...t.metadata?.labels, 'helm.toolkit.fluxcd.io/name': hr.metadata.name, 'helm.toolkit.fluxcd.io/namespace': hr.metadata.namespace },
      ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
    },
    spec,
  };
}

/** Options of {@link reconcileChartTemplate}. */
export interface ChartTemplateOptions {
  client: Pick<KubeClient, 'apply' | 'get' | 'delete'>;
  events?: EventRecorder;
  fieldManager: string;
  noCrossNamespaceRefs?: boolean;
}

async function deleteChart(hr: TemplateOwner, o: ChartTemplateOptions): Promise<void> {
  const ref = hr.status?.helmChart;
  if (hr.spec.suspend || !ref) return;
  const [namespace, name] = ref.split('/') as [string, string];
  if (await o.client.delete({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart', namespace, name })) {
    o.events?.event(hr, 'Trace', 'HelmChartDeleted', `deleted HelmChart '${ref}'`);
  }
  delete hr.status!.helmChart;
}

/** Server-side applies the HelmChart and reports created/configured as Trace events. */
async function applyChart(hr: TemplateOwner, ns: string, o: ChartTemplateOptions): Promise<void> {
  const chart = buildHelmChart(hr);
  const before = await o.client.get({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart', namespace: ns, name: chart.metadata.name! });
  let after: KubeObject;
  try {
    after = await o.client.apply(chart, { fieldManager: o.fieldManager, force: true });
  } catch (e) {
    const err = new Error(`failed to run server-side apply: ${(e as Error).message}`, { cause: e });
    o.events?.event(hr, 'Trace', 'HelmChartSyncErr', err.message);
    throw err;
  }
  if (before && before.metadata.resourceVersion === after.metadata.resourceVersion) return;
  const src = hr.spec.chart!.spec.sourceRef;
  const action = before ? 'Configured' : 'Created';
  o.events?.event(hr, 'Trace', `HelmChart${action}`, `HelmChart/${ns}/${chart.metadata.name} ${action.toLowerCase()} with SourceRef '${src.kind}/${ns}/${src.name}'`);
}

/** Creates, updates or deletes the HelmChart of `hr`; see the module doc. Errors mean retry. */
export async function reconcileChartTemplate(hr: TemplateOwner, o: ChartTemplateOptions): Promise<void> {
  const ns = hr.spec.chart?.spec.sourceRef.namespace || hr.metadata.namespace;
  const want = `${ns}/${helmChartNameOf(hr.metadata.namespace, hr.metadata.name)}`;
  const deleting = !!hr.metadata.deletionTimestamp;
  if ((hr.status?.helmChart && hr.status.helmChart !== want) || deleting) {
    await deleteChart(hr, o);
    if (deleting) return;
  }
  if (hr.spec.chartRef || !hr.spec.chart) {
    await deleteChart(hr, o);
    return;
  }
  if (o.noCrossNamespaceRefs && ns !== hr.metadata.namespace) {
    throw new AccessDeniedError(`cannot access HelmChart/${want}, cross-namespace references have been blocked`);
  }
  await applyChart(hr, ns, o);
  hr.status ??= {};
  hr.status.helmChart = want;
}
