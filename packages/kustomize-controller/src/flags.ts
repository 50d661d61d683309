// SPDX-License-Identifier: Apache-2.0
/**
 * The flags of eddy-kustomize-controller: the shared runtime flags, Flux's kustomize-controller
 * flags (`--requeue-dependency`, `--no-cross-namespace-refs`, `--no-remote-bases`,
 * `--sops-age-secret`, `--artifact-fetch-retries`, `--insecure-kubeconfig-exec`,
 * `--insecure-kubeconfig-tls`) and Eddy's `--kustomize-path`; and the feature gates read from
 * `--feature-gates` ({@link kustomizeFeatureGates}, read by `parseFeatureGates` of
 * `@eddy/runtime/flags`). Kept apart from `main.ts` so the one-process mode can use them without
 * the entry point.
 */
import { flag, runtimeFlags, type FeatureGates, type FlagValues } from '@eddy/runtime/flags';

/** The flags of eddy-kustomize-controller. */
export const kustomizeControllerFlags = {
  ...runtimeFlags,
  requeueDependency: flag.duration('requeue-dependency', 30_000, 'The interval at which failing dependencies are reevaluated.'),
  noCrossNamespaceRefs: flag.bool('no-cross-namespace-refs', false, 'When set to true, references between custom resources are allowed only if the reference and the referee are in the same namespace.'),
  noRemoteBases: flag.bool('no-remote-bases', false, 'Disallow remote bases usage in Kustomize overlays. When this flag is enabled, all resources must refer to local files included in the source artifact.'),
  sopsAgeSecret: flag.string('sops-age-secret', '', 'The name of a Kubernetes Secret in the RUNTIME_NAMESPACE containing a SOPS age decryption key for fallback usage.'),
  artifactFetchRetries: flag.int('artifact-fetch-retries', 9, 'The maximum number of retries when attempting to fetch artifacts.'),
  insecureKubeconfigExec: flag.bool('insecure-kubeconfig-exec', false, 'Allow use of the user.exec section in kubeconfigs provided for remote apply.'),
  insecureKubeconfigTls: flag.bool('insecure-kubeconfig-tls', false, 'Allow that kubeconfigs provided for remote apply can disable TLS verification.'),
  kustomizePath: flag.string('kustomize-path', process.env.EDDY_KUSTOMIZE || 'kustomize', 'The kustomize binary used to build Kustomizations.'),
};

/** Parsed values of {@link kustomizeControllerFlags}. */
export type KustomizeControllerFlagValues = FlagValues<typeof kustomizeControllerFlags>;

/** The feature gates kustomize-controller supports, with their defaults (all off); any other is rejected at start-up. */
export const kustomizeFeatureGates = {
  StrictPostBuildSubstitutions: false,
  ExternalArtifact: false,
  AdditiveCELDependencyCheck: false,
  FailFast: false,
} as const;

/** The state of each of {@link kustomizeFeatureGates}. */
export type KustomizeFeatureGates = FeatureGates<typeof kustomizeFeatureGates>;
