// SPDX-License-Identifier: Apache-2.0
/**
 * Objects the apiserver must reject with 422, each with the text the error message must contain
 * (the field path, and for CEL rules the rule's message), and edge cases it must accept.
 */

type Obj = { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> };

/** One invalid object and what the rejection must mention. */
export interface InvalidCase {
  readonly name: string;
  readonly object: Obj;
  readonly mentions: readonly string[];
}

const SRC = 'source.toolkit.fluxcd.io/v1';
const KS = 'kustomize.toolkit.fluxcd.io/v1';
const HR = 'helm.toolkit.fluxcd.io/v2';
const IMG = 'image.toolkit.fluxcd.io/v1';
const NOTIF_V1 = 'notification.toolkit.fluxcd.io/v1';
const NOTIF_V1B3 = 'notification.toolkit.fluxcd.io/v1beta3';

const obj = (apiVersion: string, kind: string, spec: Record<string, unknown>): Obj => ({
  apiVersion,
  kind,
  metadata: { name: 'invalid' },
  spec,
});

const git = (spec: Record<string, unknown>): Obj => obj(SRC, 'GitRepository', { url: 'https://example.com/repo', interval: '5m', ...spec });
const ks = (spec: Record<string, unknown>): Obj =>
  obj(KS, 'Kustomization', { interval: '5m', prune: true, sourceRef: { kind: 'GitRepository', name: 'repo' }, ...spec });
const hr = (spec: Record<string, unknown>): Obj => obj(HR, 'HelmRelease', { interval: '5m', chartRef: { kind: 'OCIRepository', name: 'chart' }, ...spec });
const chart = { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } };

/** The table of invalid objects. */
export const INVALID_CASES: readonly InvalidCase[] = [
  { name: 'GitRepository with an ftp URL', object: git({ url: 'ftp://example.com/repo' }), mentions: ['spec.url'] },
  { name: 'GitRepository with a prose interval', object: git({ interval: '5 minutes' }), mentions: ['spec.interval'] },
  { name: 'GitRepository timeout in hours', object: git({ timeout: '1h' }), mentions: ['spec.timeout'] },
  { name: 'GitRepository unknown provider', object: git({ provider: 'gitea' }), mentions: ['spec.provider', 'Unsupported value'] },
  {
    name: 'GitRepository serviceAccountName with the generic provider',
    object: git({ serviceAccountName: 'sa' }),
    mentions: ["serviceAccountName can only be set when provider is 'azure' or 'aws'"],
  },
  { name: 'GitRepository without url', object: obj(SRC, 'GitRepository', { interval: '5m' }), mentions: ['spec.url', 'Required value'] },
  { name: 'GitRepository verify without secretRef', object: git({ verify: { mode: 'HEAD' } }), mentions: ['spec.verify.secretRef'] },
  { name: 'OCIRepository with an https URL', object: obj(SRC, 'OCIRepository', { url: 'https://ghcr.io/x', interval: '5m' }), mentions: ['spec.url'] },
  { name: 'HelmRepository with an ftp URL', object: obj(SRC, 'HelmRepository', { url: 'ftp://charts', interval: '5m' }), mentions: ['spec.url'] },
  {
    name: 'HelmChart verify with a GitRepository source',
    object: obj(SRC, 'HelmChart', { chart: './c', interval: '5m', sourceRef: { kind: 'GitRepository', name: 'g' }, verify: { provider: 'cosign' } }),
    mentions: ["spec.verify is only supported when spec.sourceRef.kind is 'HelmRepository'"],
  },
  {
    name: 'Bucket with both secretRef and serviceAccountName',
    object: obj(SRC, 'Bucket', { provider: 'aws', bucketName: 'b', endpoint: 's3.amazonaws.com', interval: '5m', secretRef: { name: 's' }, serviceAccountName: 'sa' }),
    mentions: ['cannot set both .spec.secretRef and .spec.serviceAccountName'],
  },
  { name: 'Kustomization without prune', object: obj(KS, 'Kustomization', { interval: '5m', sourceRef: { kind: 'GitRepository', name: 'r' } }), mentions: ['spec.prune', 'Required value'] },
  { name: 'Kustomization from a HelmRepository', object: ks({ sourceRef: { kind: 'HelmRepository', name: 'r' } }), mentions: ['spec.sourceRef.kind', 'Unsupported value'] },
  { name: 'Kustomization unknown deletion policy', object: ks({ deletionPolicy: 'Keep' }), mentions: ['spec.deletionPolicy'] },
  { name: 'Kustomization target namespace over 63 characters', object: ks({ targetNamespace: 'n'.repeat(64) }), mentions: ['spec.targetNamespace'] },
  { name: 'Kustomization with an empty name prefix', object: ks({ namePrefix: '' }), mentions: ['spec.namePrefix'] },
  { name: 'Kustomization depending on a Deployment', object: ks({ dependsOn: [{ name: 'd', kind: 'Deployment' }] }), mentions: ['spec.dependsOn[0].kind'] },
  {
    name: 'Kustomization dependency with a mismatched apiVersion',
    object: ks({ dependsOn: [{ name: 'd', kind: 'HelmRelease', apiVersion: 'kustomize.toolkit.fluxcd.io/v1' }] }),
    mentions: ['spec.dependsOn[0].apiVersion', 'dependsOn apiVersion must belong to the API group of dependsOn kind'],
  },
  { name: 'HelmRelease with both chart and chartRef', object: hr({ chart }), mentions: ['spec', 'either chart or chartRef must be set'] },
  { name: 'HelmRelease with neither chart nor chartRef', object: obj(HR, 'HelmRelease', { interval: '5m' }), mentions: ['either chart or chartRef must be set'] },
  { name: 'HelmRelease release name over 53 characters', object: hr({ releaseName: 'r'.repeat(54) }), mentions: ['spec.releaseName'] },
  { name: 'HelmRelease unknown install strategy', object: hr({ install: { strategy: { name: 'Retry' } } }), mentions: ['spec.install.strategy.name'] },
  {
    name: 'HelmRelease retryInterval with RemediateOnFailure',
    object: hr({ upgrade: { strategy: { name: 'RemediateOnFailure', retryInterval: '1m' } } }),
    mentions: ['spec.upgrade.strategy.retryInterval'],
  },
  { name: 'HelmRelease chartRef to a GitRepository', object: hr({ chartRef: { kind: 'GitRepository', name: 'g' } }), mentions: ['spec.chartRef.kind'] },
  { name: 'HelmRelease bad valuesFrom kind', object: hr({ valuesFrom: [{ kind: 'Pod', name: 'p' }] }), mentions: ['spec.valuesFrom[0].kind'] },
  { name: 'HelmRelease upgrade serverSideApply as a boolean', object: hr({ upgrade: { serverSideApply: true } }), mentions: ['spec.upgrade.serverSideApply'] },
  {
    name: 'ImagePolicy interval without digestReflectionPolicy Always',
    object: obj(IMG, 'ImagePolicy', { imageRepositoryRef: { name: 'r' }, policy: { semver: { range: '1.x' } }, interval: '5m' }),
    mentions: ["spec.interval is only accepted when spec.digestReflectionPolicy is set to 'Always'"],
  },
  {
    name: 'ImageRepository with 26 exclusions',
    object: obj(IMG, 'ImageRepository', { image: 'ghcr.io/x', interval: '5m', exclusionList: Array.from({ length: 26 }, (_, i) => `^${i}$`) }),
    mentions: ['spec.exclusionList'],
  },
  {
    name: 'ImageUpdateAutomation from a Bucket',
    object: obj(IMG, 'ImageUpdateAutomation', { interval: '5m', sourceRef: { kind: 'Bucket', name: 'b' } }),
    mentions: ['spec.sourceRef.kind'],
  },
  {
    name: 'Receiver without secretRef',
    object: obj(NOTIF_V1, 'Receiver', { type: 'github', resources: [{ kind: 'GitRepository', name: 'r' }] }),
    mentions: ['secretRef is required when type is not generic-oidc'],
  },
  {
    name: 'Receiver resource name over 53 characters',
    object: obj(NOTIF_V1, 'Receiver', { type: 'github', secretRef: { name: 't' }, resources: [{ kind: 'GitRepository', name: 'r'.repeat(54) }] }),
    mentions: ['spec.resources[0].name'],
  },
  {
    name: 'Alert with an unknown severity',
    object: obj(NOTIF_V1B3, 'Alert', { providerRef: { name: 'p' }, eventSeverity: 'warning', eventSources: [{ kind: 'Kustomization', name: '*' }] }),
    mentions: ['spec.eventSeverity'],
  },
  { name: 'Provider of an unknown type', object: obj(NOTIF_V1B3, 'Provider', { type: 'email' }), mentions: ['spec.type'] },
  {
    name: 'Provider commitStatusExpr on slack',
    object: obj(NOTIF_V1B3, 'Provider', { type: 'slack', commitStatusExpr: "'x'" }),
    mentions: ['spec.commitStatusExpr is only supported'],
  },
  {
    name: 'ArtifactGenerator alias with capitals',
    object: obj('source.extensions.fluxcd.io/v1beta1', 'ArtifactGenerator', {
      sources: [{ alias: 'Mono', kind: 'GitRepository', name: 'g' }],
      artifacts: [{ name: 'a', copy: [{ from: '@Mono/**', to: '@artifact/' }] }],
    }),
    mentions: ['spec.sources[0].alias', 'spec.artifacts[0].copy[0].from'],
  },
  {
    name: 'ArtifactGenerator without sources',
    object: obj('source.extensions.fluxcd.io/v1beta1', 'ArtifactGenerator', { sources: [], artifacts: [] }),
    mentions: ['spec.sources'],
  },
];

/** Objects at the edges of the rules that the apiserver must accept. */
export const VALID_CASES: readonly { readonly name: string; readonly object: Obj }[] = [
  { name: 'Kustomization depending on a HelmRelease (Eddy extension)', object: ks({ dependsOn: [{ kind: 'HelmRelease', name: 'cert-manager', namespace: 'cert-manager' }] }) },
  {
    name: 'Kustomization dependency with explicit apiVersion and readyExpr',
    object: ks({ dependsOn: [{ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'x', readyExpr: 'dep.status.observedGeneration == dep.metadata.generation' }, { name: 'infra' }] }),
  },
  { name: 'HelmRelease RetryOnFailure with retryInterval', object: hr({ install: { strategy: { name: 'RetryOnFailure', retryInterval: '2m' } }, upgrade: { serverSideApply: 'auto' } }) },
  { name: 'HelmRelease with a chart template only', object: obj(HR, 'HelmRelease', { interval: '5m', chart }) },
  { name: 'GitRepository with the azure provider and a service account', object: git({ provider: 'azure', serviceAccountName: 'sa', timeout: '90s', verify: { mode: 'head', secretRef: { name: 'keys' } } }) },
  {
    name: 'ImagePolicy refreshing digests',
    object: obj(IMG, 'ImagePolicy', { imageRepositoryRef: { name: 'r' }, policy: { numerical: { order: 'desc' } }, digestReflectionPolicy: 'Always', interval: '5m' }),
  },
  {
    name: 'Receiver of type generic-oidc',
    object: obj(NOTIF_V1, 'Receiver', {
      type: 'generic-oidc',
      resources: [{ kind: 'GitRepository', name: '*', matchLabels: { team: 'a' } }],
      oidcProviders: [{ issuerURL: 'https://token.actions.githubusercontent.com', validations: [{ expression: "claims.repository_owner == 'x'", message: 'owner' }] }],
    }),
  },
];
