// SPDX-License-Identifier: Apache-2.0
/**
 * HelmChart (source.toolkit.fluxcd.io/v1): a chart fetched from a HelmRepository or packaged from
 * a GitRepository or Bucket, published as a `.tgz` artifact whose revision is the chart version
 * (with `+<build>` metadata when values files are merged or `reconcileStrategy: Revision` is used).
 */
import { array, boolean, duration, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { defineKind } from '../../crd/define-kind.ts';
import { AGE_COLUMN, READY_COLUMN, STATUS_COLUMN, stringColumn } from '../../crd/columns.ts';
import { STATUS_DEFAULT } from '../../meta/status.ts';
import type { TypedObject } from '../../meta/object-meta.ts';
import {
  OCIRepositoryVerification,
  SOURCE_API_VERSION,
  SOURCE_CATEGORIES,
  SOURCE_GROUP,
  SOURCE_VERSION,
  sourceStatusShape,
  statusUrl,
} from './common.ts';
import { SOURCE_COMMON_REASONS, SOURCE_CONDITION_DOCS, SourceReason } from './conditions.ts';

/** What makes a HelmChart produce a new artifact. */
export const RECONCILE_STRATEGIES = ['ChartVersion', 'Revision'] as const;

/** Kinds a HelmChart can take its chart from. */
export const HELM_CHART_SOURCE_KINDS = ['HelmRepository', 'GitRepository', 'Bucket'] as const;

/** The source of a chart, in the HelmChart's namespace. */
export const LocalHelmChartSourceReference = object(
  {
    apiVersion: string({ description: 'API version of the source.' }).optional(),
    kind: string({ enum: HELM_CHART_SOURCE_KINDS, description: 'Kind of the source: HelmRepository, GitRepository or Bucket.' }),
    name: string({ description: 'Name of the source.' }),
  },
  { description: 'The source object the chart comes from, in the same namespace.' },
);
/** The source of a chart. */
export type LocalHelmChartSourceReference = Infer<typeof LocalHelmChartSourceReference>;

/** Spec of a HelmChart. */
export const HelmChartSpec = object({
  chart: string({ description: 'Chart name in a HelmRepository, or path to the chart in a GitRepository or Bucket.' }),
  version: string({
    description: 'Semantic version range of the chart; ignored for GitRepository and Bucket sources. Latest when omitted.',
  }).default('*'),
  sourceRef: LocalHelmChartSourceReference.describe('The source of the chart.'),
  interval: duration({ description: 'How often the source is checked for a new chart (jittered).' }),
  reconcileStrategy: string({
    enum: RECONCILE_STRATEGIES,
    description: 'ChartVersion: new artifact when the chart version changes. Revision: also when the source revision changes.',
  }).default('ChartVersion'),
  valuesFiles: array(string(), {
    description: 'Values files in the source merged, in order, into the chart default values (values.yaml is not implied).',
  }).optional(),
  ignoreMissingValuesFiles: boolean('Skips values files that do not exist instead of failing.').optional(),
  suspend: boolean('Stops reconciliation while true.').optional(),
  verify: OCIRepositoryVerification.describe(
    'Signature verification; only for charts from a HelmRepository of type oci. Dependencies not bundled in the chart are not verified.',
  ).optional(),
}).rule("!has(self.verify) || self.sourceRef.kind == 'HelmRepository'", "spec.verify is only supported when spec.sourceRef.kind is 'HelmRepository'");
/** Spec of a HelmChart. */
export type HelmChartSpec = Infer<typeof HelmChartSpec>;

/** Status of a HelmChart. */
export const HelmChartStatus = object({
  ...sourceStatusShape,
  url: statusUrl,
  observedSourceArtifactRevision: string({ description: 'The source artifact revision the current chart was built from.' }).optional(),
  observedChartName: string({ description: 'The chart name resolved from the chart reference.' }).optional(),
  observedValuesFiles: array(string(), { description: 'The values files merged into the current artifact.' }).optional(),
});
/** Status of a HelmChart. */
export type HelmChartStatus = Infer<typeof HelmChartStatus>;

/** A HelmChart object. */
export type HelmChart = TypedObject<typeof SOURCE_API_VERSION, 'HelmChart', HelmChartSpec, HelmChartStatus>;

/** The HelmChart kind. */
export const HelmChartKind = defineKind({
  group: SOURCE_GROUP,
  version: SOURCE_VERSION,
  apiVersion: SOURCE_API_VERSION,
  kind: 'HelmChart',
  plural: 'helmcharts',
  shortNames: ['hc'],
  categories: SOURCE_CATEGORIES,
  controller: 'source-controller',
  description: 'A Helm chart pulled from a repository or packaged from a Git or Bucket source.',
  spec: HelmChartSpec,
  status: HelmChartStatus,
  statusDefault: STATUS_DEFAULT,
  printerColumns: [
    stringColumn('Chart', '.spec.chart'),
    stringColumn('Version', '.spec.version'),
    stringColumn('Source Kind', '.spec.sourceRef.kind'),
    stringColumn('Source Name', '.spec.sourceRef.name'),
    AGE_COLUMN,
    READY_COLUMN,
    STATUS_COLUMN,
  ],
  conditions: SOURCE_CONDITION_DOCS,
  reasons: [...SOURCE_COMMON_REASONS, SourceReason.ChartPullSucceeded, SourceReason.ChartPackageSucceeded],
  docs: {
    example: {
      apiVersion: SOURCE_API_VERSION,
      kind: 'HelmChart',
      metadata: { name: 'podinfo', namespace: 'default' },
      spec: { interval: '5m0s', chart: 'podinfo', version: '6.x', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } },
    } satisfies HelmChart,
    notes: [
      {
        title: 'Created by HelmReleases',
        body: 'A HelmRelease with `spec.chart` creates a HelmChart named `<namespace>-<name>` of the HelmRelease, in the namespace of its source.',
      },
    ],
  },
});
