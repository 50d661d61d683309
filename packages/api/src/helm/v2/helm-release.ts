// SPDX-License-Identifier: Apache-2.0
/**
 * HelmRelease (helm.toolkit.fluxcd.io/v2): installs and upgrades a Helm release from a chart
 * artifact, remediates failures, runs tests and corrects drift.
 */
import { array, boolean, duration, integer, json, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { defineKind } from '../../crd/define-kind.ts';
import { AGE_COLUMN, READY_COLUMN, STATUS_COLUMN } from '../../crd/columns.ts';
import { KubeConfigReference, ValuesReference } from '../../meta/references.ts';
import { CommonMetadata, CustomHealthCheck } from '../../meta/kustomize.ts';
import { STATUS_DEFAULT } from '../../meta/status.ts';
import type { TypedObject } from '../../meta/object-meta.ts';
import { ChartSourceReference, HelmChartTemplate, HelmReleaseDependencyReference } from './helm-release-refs.ts';
import { DriftDetection, Install, PostRenderer, Rollback, Test, Uninstall, Upgrade } from './helm-release-actions.ts';
import { HelmReleaseStatus } from './helm-release-status.ts';
import type { HelmReleaseStatus as HelmReleaseStatusType } from './helm-release-status.ts';
import { HELM_RELEASE_CONDITION_DOCS, HelmReleaseReason } from './conditions.ts';

/** API group of HelmRelease. */
export const HELM_GROUP = 'helm.toolkit.fluxcd.io';

/** `helm.toolkit.fluxcd.io/v2`. */
export const HELM_API_VERSION = 'helm.toolkit.fluxcd.io/v2';

/** Field manager helm-controller applies with. */
export const HELM_FIELD_MANAGER = 'helm-controller';

/** Spec of a HelmRelease. */
export const HelmReleaseSpec = object({
  chart: HelmChartTemplate.describe('Template of the HelmChart to create for this release; exclusive with chartRef.').optional(),
  chartRef: ChartSourceReference.describe('An existing chart artifact (OCIRepository, HelmChart or ExternalArtifact); exclusive with chart.').optional(),
  interval: duration({ description: 'How often the release is reconciled (jittered).' }),
  kubeConfig: KubeConfigReference.describe('Releases to a remote cluster; combined with serviceAccountName, impersonates it there.').optional(),
  suspend: boolean('Stops reconciliation while true; a run already started finishes.').optional(),
  releaseName: string({
    minLength: 1,
    maxLength: 53,
    description: 'Helm release name; [<targetNamespace>-]<name> when empty, shortened with a hash beyond 53 characters.',
  }).optional(),
  targetNamespace: string({ minLength: 1, maxLength: 63, description: 'Namespace the release is installed in; the HelmRelease namespace when empty.' }).optional(),
  storageNamespace: string({ minLength: 1, maxLength: 63, description: 'Namespace of the Helm storage; the HelmRelease namespace when empty.' }).optional(),
  dependsOn: array(HelmReleaseDependencyReference, { description: 'HelmReleases that must be ready before this one.' }).optional(),
  timeout: duration({ description: 'Timeout of each Kubernetes operation (such as hook Jobs) of an action; 5m0s when empty.' }).optional(),
  maxHistory: integer({ description: 'Release revisions Helm keeps; 5 when empty, 0 for unlimited.' }).optional(),
  serviceAccountName: string({ minLength: 1, maxLength: 253, description: 'ServiceAccount impersonated for Helm actions.' }).optional(),
  persistentClient: boolean('Reuses one Kubernetes client for the whole reconciliation; true when empty.').optional(),
  driftDetection: DriftDetection.describe('Detection and correction of drift from the release manifest.').optional(),
  install: Install.describe('Settings of install actions.').optional(),
  upgrade: Upgrade.describe('Settings of upgrade actions.').optional(),
  test: Test.describe('Settings of test actions.').optional(),
  rollback: Rollback.describe('Settings of rollback actions.').optional(),
  uninstall: Uninstall.describe('Settings of uninstall actions.').optional(),
  valuesFrom: array(ValuesReference, { description: 'Secrets and ConfigMaps with values, merged in order before spec.values.' }).optional(),
  values: json('Values of the release, merged last.').optional(),
  commonMetadata: CommonMetadata.describe('Labels and annotations added to every rendered object.').optional(),
  postRenderers: array(PostRenderer, { description: 'Post-renderers applied in order to the rendered manifests.' }).optional(),
  postRenderStrategy: string({
    enum: ['nohooks', 'combined', 'separate'],
    description: 'How post-renderers see hooks: nohooks, combined with the manifests, or separate.',
  }).optional(),
  waitStrategy: object(
    { name: string({ enum: ['poller', 'legacy'], description: 'poller (kstatus, supports healthCheckExprs) or legacy (Helm 3 wait).' }) },
    { description: 'How the controller waits for resources to become ready.' },
  ).optional(),
  healthCheckExprs: array(CustomHealthCheck, { description: 'CEL health checks for custom resource kinds of the release.' }).optional(),
}).rule('(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))', 'either chart or chartRef must be set');
/** Spec of a HelmRelease. */
export type HelmReleaseSpec = Infer<typeof HelmReleaseSpec>;


/** A HelmRelease object. */
export type HelmRelease = TypedObject<typeof HELM_API_VERSION, 'HelmRelease', HelmReleaseSpec, HelmReleaseStatusType>;

/** The HelmRelease kind. */
export const HelmReleaseKind = defineKind({
  group: HELM_GROUP,
  version: 'v2',
  apiVersion: HELM_API_VERSION,
  kind: 'HelmRelease',
  plural: 'helmreleases',
  shortNames: ['hr'],
  controller: 'helm-controller',
  description: 'A Helm release kept in sync with a chart and values.',
  spec: HelmReleaseSpec,
  status: HelmReleaseStatus,
  statusDefault: STATUS_DEFAULT,
  printerColumns: [AGE_COLUMN, READY_COLUMN, STATUS_COLUMN],
  conditions: HELM_RELEASE_CONDITION_DOCS,
  reasons: Object.values(HelmReleaseReason),
  docs: {
    example: {
      apiVersion: HELM_API_VERSION,
      kind: 'HelmRelease',
      metadata: { name: 'podinfo', namespace: 'default' },
      spec: {
        interval: '10m',
        timeout: '5m',
        chart: { spec: { chart: 'podinfo', version: '6.5.*', sourceRef: { kind: 'HelmRepository', name: 'podinfo' }, interval: '5m' } },
        releaseName: 'podinfo',
        install: { remediation: { retries: 3 } },
        upgrade: { remediation: { retries: 3 } },
        test: { enable: true },
        values: { replicaCount: 2 },
      },
    } satisfies HelmRelease,
    notes: [
      {
        title: 'Chart sources',
        body: 'Exactly one of `spec.chart` and `spec.chartRef` must be set; the apiserver rejects an object with both or neither.',
      },
      {
        title: 'Release name',
        body: 'When `spec.releaseName` is empty the release is named `<targetNamespace>-<name>` (or `<name>` without a target namespace); names over 53 characters are cut to 40 characters plus `-` and 12 hex characters of their SHA-256.',
      },
      {
        title: 'Storage namespace',
        body: 'Helm keeps its release records (Secrets `sh.helm.release.v1.<release>.v<revision>`) in `spec.storageNamespace`, the HelmRelease namespace when empty, so `helm list -n <storageNamespace>` and `helm history` show the release. The chart is rendered with `.Release.Namespace` set to the target namespace. When the two differ, Eddy stages the records into the target namespace for each helm call and writes them back afterwards; a crash in between is repaired on the next reconcile.',
      },
      {
        title: 'Dependencies and readyExpr',
        body: 'A dependency is ready when it observed its latest generation and is Ready=True. With `readyExpr` (CEL over `self`, this HelmRelease, and `dep`, the dependency) the expression replaces that rule, or adds to it with the `AdditiveCELDependencyCheck` feature gate. An expression that does not compile stalls the HelmRelease with reason `InvalidCELExpression`.',
      },
      {
        title: 'Custom health checks',
        body: 'After an install or upgrade whose wait succeeded (strategy `poller`), objects of the release whose kind matches an entry of `healthCheckExprs` are polled until every one is Current by its `current` expression, or one is Failed by its `failed` expression, or the action timeout passes. A failure fails the action, so remediation applies, and the message names the object and the expression.',
      },
      {
        title: 'Inventory',
        body: '`status.inventory` lists the objects of the release manifest and of the chart `crds/` directory (hooks excluded), with the release namespace filled in for namespaced kinds; `eddy tree` follows it below a Kustomization.',
      },
    ],
  },
});
