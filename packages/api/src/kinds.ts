// SPDX-License-Identifier: Apache-2.0
/**
 * The registry of every kind Eddy serves. The CLI, the Helm chart and the test environment embed
 * the CRDs from {@link allCrds}; `make generate` writes them and the reference docs.
 */
import type { CustomResourceDefinition, KindDefinition } from './crd/define-kind.ts';
import { BucketKind } from './source/v1/bucket.ts';
import { ExternalArtifactKind } from './source/v1/external-artifact.ts';
import { GitRepositoryKind } from './source/v1/git-repository.ts';
import { HelmChartKind } from './source/v1/helm-chart.ts';
import { HelmRepositoryKind } from './source/v1/helm-repository.ts';
import { OCIRepositoryKind } from './source/v1/oci-repository.ts';
import { ArtifactGeneratorKind } from './source-extensions/v1beta1/artifact-generator.ts';
import { KustomizationKind } from './kustomize/v1/kustomization.ts';
import { HelmReleaseKind } from './helm/v2/helm-release.ts';
import { ImagePolicyKind } from './image/v1/image-policy.ts';
import { ImageRepositoryKind } from './image/v1/image-repository.ts';
import { ImageUpdateAutomationKind } from './image/v1/image-update-automation.ts';
import { ReceiverKind } from './notification/v1/receiver.ts';
import { AlertKind } from './notification/v1beta3/alert.ts';
import { ProviderKind } from './notification/v1beta3/provider.ts';

const KINDS: readonly KindDefinition[] = Object.freeze([
  GitRepositoryKind,
  OCIRepositoryKind,
  HelmRepositoryKind,
  HelmChartKind,
  BucketKind,
  ExternalArtifactKind,
  ArtifactGeneratorKind,
  KustomizationKind,
  HelmReleaseKind,
  ImageRepositoryKind,
  ImagePolicyKind,
  ImageUpdateAutomationKind,
  ReceiverKind,
  AlertKind,
  ProviderKind,
]);

/** Every kind, in a stable order (sources first, then appliers, image, notification). */
export function allKinds(): readonly KindDefinition[] {
  return KINDS;
}

/** The CRD objects of every kind, fresh copies each call. */
export function allCrds(): CustomResourceDefinition[] {
  return KINDS.map((k) => k.crd());
}

/** Looks a kind up by apiVersion and kind, e.g. `('helm.toolkit.fluxcd.io/v2', 'HelmRelease')`. */
export function findKind(apiVersion: string, kind: string): KindDefinition | undefined {
  return KINDS.find((k) => k.apiVersion === apiVersion && k.kind === kind);
}

/** Looks a kind up by API group and kind, whatever the version. */
export function findKindByGroup(group: string, kind: string): KindDefinition | undefined {
  return KINDS.find((k) => k.group === group && k.kind === kind);
}
