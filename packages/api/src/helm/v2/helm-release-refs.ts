// SPDX-License-Identifier: Apache-2.0
/**
 * Where a HelmRelease gets its chart: a HelmChart template (`spec.chart`) the controller turns into
 * a HelmChart object, or a reference to an existing chart artifact (`spec.chartRef`). Also the
 * HelmRelease dependency reference.
 */
import { array, boolean, duration, map, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { DependencyReference, LocalObjectReference } from '../../meta/references.ts';
import { RECONCILE_STRATEGIES } from '../../source/v1/helm-chart.ts';

/** Kinds `spec.chart.spec.sourceRef` accepts. */
export const HELM_CHART_TEMPLATE_SOURCE_KINDS = ['HelmRepository', 'GitRepository', 'Bucket'] as const;

/** Kinds `spec.chartRef` accepts. */
export const CHART_REF_KINDS = ['OCIRepository', 'HelmChart', 'ExternalArtifact'] as const;

/** The source of a templated HelmChart, in any namespace. */
export const HelmChartTemplateSourceReference = object(
  {
    apiVersion: string({ description: 'API version of the source.' }).optional(),
    kind: string({ enum: HELM_CHART_TEMPLATE_SOURCE_KINDS, description: 'Kind of the source: HelmRepository, GitRepository or Bucket.' }),
    name: string({ minLength: 1, maxLength: 253, description: 'Name of the source.' }),
    namespace: string({
      minLength: 1,
      maxLength: 63,
      description: 'Namespace of the source; the namespace of the HelmRelease when empty. The HelmChart is created there.',
    }).optional(),
  },
  { description: 'The source object the chart comes from.' },
);
/** The source of a templated HelmChart. */
export type HelmChartTemplateSourceReference = Infer<typeof HelmChartTemplateSourceReference>;

/** An existing chart artifact (`spec.chartRef`). */
export const ChartSourceReference = object(
  {
    apiVersion: string({ description: 'API version of the chart source.' }).optional(),
    kind: string({ enum: CHART_REF_KINDS, description: 'Kind of the chart source: OCIRepository, HelmChart or ExternalArtifact.' }),
    name: string({ minLength: 1, maxLength: 253, description: 'Name of the chart source.' }),
    namespace: string({
      minLength: 1,
      maxLength: 63,
      description: 'Namespace of the chart source; the namespace of the HelmRelease when empty.',
    }).optional(),
  },
  { description: 'An object whose artifact is a packaged chart.' },
);
/** An existing chart artifact. */
export type ChartSourceReference = Infer<typeof ChartSourceReference>;

/** Signature verification of an OCI chart. */
export const HelmChartTemplateVerification = object(
  {
    provider: string({ enum: ['cosign', 'notation'], description: 'Signature technology: cosign or notation.' }).default('cosign'),
    secretRef: LocalObjectReference.describe('Secret with the trusted public keys.').optional(),
  },
  { description: 'How to verify the signature of an OCI chart.' },
);

/** The HelmChart spec template. */
export const HelmChartTemplateSpec = object(
  {
    chart: string({ minLength: 1, maxLength: 2048, description: 'Chart name in a HelmRepository, or path in a GitRepository or Bucket.' }),
    version: string({ description: 'Semantic version range; ignored for GitRepository and Bucket. Latest when omitted.' }).default('*'),
    sourceRef: HelmChartTemplateSourceReference.describe('The source of the chart.'),
    interval: duration({ description: 'How often the source is checked for a new chart; spec.interval of the HelmRelease when empty.' }).optional(),
    reconcileStrategy: string({
      enum: RECONCILE_STRATEGIES,
      description: 'ChartVersion: new artifact on a new chart version. Revision: also on a new source revision.',
    }).default('ChartVersion'),
    valuesFiles: array(string(), { description: 'Values files in the source merged, in order, into the chart values.' }).optional(),
    ignoreMissingValuesFiles: boolean('Skips values files that do not exist instead of failing.').optional(),
    verify: HelmChartTemplateVerification.describe('Signature verification; OCI sources only.').optional(),
  },
  { description: 'The spec of the HelmChart to create.' },
);

/** Template of the HelmChart the controller creates for `spec.chart`. */
export const HelmChartTemplate = object(
  {
    metadata: object(
      {
        labels: map(string(), 'Labels of the HelmChart.').optional(),
        annotations: map(string(), 'Annotations of the HelmChart.').optional(),
      },
      { description: 'Labels and annotations of the HelmChart.' },
    ).optional(),
    spec: HelmChartTemplateSpec.describe('The spec of the HelmChart.'),
  },
  { description: 'Template of the HelmChart created for this release, named <namespace>-<name> in the namespace of the source.' },
);
/** Template of the HelmChart the controller creates. */
export type HelmChartTemplate = Infer<typeof HelmChartTemplate>;

/** A HelmRelease that must be ready first (Flux's shared DependencyReference). */
export const HelmReleaseDependencyReference = DependencyReference;
/** A HelmRelease dependency. */
export type HelmReleaseDependencyReference = Infer<typeof HelmReleaseDependencyReference>;
