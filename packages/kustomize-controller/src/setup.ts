// SPDX-License-Identifier: Apache-2.0
/**
 * Composes kustomize-controller onto a manager from its flag values, so the standalone binary
 * (`main.ts`) and the one-process mode (`eddy controllers --enable kustomize`) run the same
 * controller: the {@link KustomizationReconciler} built from the flags and feature gates, and its
 * watches ({@link setupKustomizationController}).
 */
import type { EventRecorder } from '@eddy/runtime/events';
import { flagDefaults, parseFeatureGates } from '@eddy/runtime/flags';
import type { Manager } from '@eddy/runtime/manager';
import { ArtifactCache } from './artifact/cache.ts';
import { KustomizationReconciler, type KustomizationReconcilerOptions } from './controllers/kustomization-reconciler.ts';
import { setupKustomizationController } from './controllers/setup.ts';
import { kustomizeControllerFlags, kustomizeFeatureGates, type KustomizeControllerFlagValues } from './flags.ts';

/**
 * What {@link setupKustomizeController} is given: flag values keyed like
 * {@link kustomizeControllerFlags} (missing ones take the flag's default, so a caller that only
 * knows the runtime flags can pass those), and the event recorder to report with.
 */
export type KustomizeControllerSetupValues = Partial<KustomizeControllerFlagValues> & {
  events: EventRecorder;
};

/** Where the process environment feeds the setup (`RUNTIME_NAMESPACE`, `SOURCE_CONTROLLER_LOCALHOST`). */
export interface KustomizeControllerEnvironment {
  /** The controller's namespace, where `--sops-age-secret` lives. */
  runtimeNamespace?: string;
  /** Artifact host override for local runs. */
  sourceHostOverride?: string;
  /**
   * Upper bound of the extracted artifacts kept on disk for Kustomizations building the same
   * revision (see {@link ArtifactCache}); 0 turns the cache off. @default 128 MiB
   */
  artifactCacheBytes?: number;
}

/** What {@link setupKustomizeController} leaves to clean up. */
export interface KustomizeControllerHandle {
  /** The registered reconciler. */
  reconciler: KustomizationReconciler;
  /** Closes the cached impersonating clients and removes the artifact cache; call after the manager stopped. */
  stop(): Promise<void>;
}

/**
 * The reconciler options the flag values mean (feature gates, `--default-service-account`,
 * `--sops-age-secret` in the runtime namespace, …).
 * Gates of other controllers are ignored (one-process mode shares one list; `main.ts` rejects them).
 * @throws FlagError for a kustomize-controller gate whose value is not a boolean.
 */
export function reconcilerOptionsFromFlags(
  mgr: Pick<Manager, 'client' | 'clock'>,
  values: KustomizeControllerSetupValues,
  env: KustomizeControllerEnvironment = {},
): KustomizationReconcilerOptions {
  const v = { ...flagDefaults(kustomizeControllerFlags), ...values };
  const fg = parseFeatureGates(v.featureGates, kustomizeFeatureGates, { ignoreUnsupported: true });
  return {
    client: mgr.client,
    events: values.events,
    clock: mgr.clock,
    kustomizePath: v.kustomizePath,
    noRemoteBases: v.noRemoteBases,
    noCrossNamespaceRefs: v.noCrossNamespaceRefs,
    allowExternalArtifact: fg.ExternalArtifact,
    strictSubstitutions: fg.StrictPostBuildSubstitutions,
    additiveCELDependencyCheck: fg.AdditiveCELDependencyCheck,
    failFast: fg.FailFast,
    dependencyRequeueMs: v.requeueDependency,
    artifactFetchRetries: v.artifactFetchRetries,
    intervalJitter: v.intervalJitterPercentage / 100,
    insecureKubeconfig: { exec: v.insecureKubeconfigExec, tls: v.insecureKubeconfigTls },
    ...(v.defaultServiceAccount ? { defaultServiceAccount: v.defaultServiceAccount } : {}),
    ...(env.sourceHostOverride ? { sourceHostOverride: env.sourceHostOverride } : {}),
    ...(v.sopsAgeSecret && env.runtimeNamespace ? { decryption: { sopsAgeSecret: { name: v.sopsAgeSecret, namespace: env.runtimeNamespace } } } : {}),
  };
}

/**
 * Registers the Kustomization controller on `mgr` (call before `mgr.start()`), configured by the
 * flag values. `env` defaults to the process environment (`RUNTIME_NAMESPACE`,
 * `SOURCE_CONTROLLER_LOCALHOST`). The caller stops `values.events` itself.
 */
export async function setupKustomizeController(
  mgr: Manager,
  values: KustomizeControllerSetupValues,
  env: KustomizeControllerEnvironment = { runtimeNamespace: process.env.RUNTIME_NAMESPACE, sourceHostOverride: process.env.SOURCE_CONTROLLER_LOCALHOST },
): Promise<KustomizeControllerHandle> {
  const v = { ...flagDefaults(kustomizeControllerFlags), ...values };
  const cacheBytes = env.artifactCacheBytes ?? 128 << 20;
  const artifactCache = cacheBytes > 0 ? new ArtifactCache({ maxBytes: cacheBytes }) : undefined;
  const options = reconcilerOptionsFromFlags(mgr, values, env);
  const reconciler = new KustomizationReconciler({ ...options, ...(artifactCache ? { artifactCache } : {}) });
  setupKustomizationController(mgr, reconciler, { externalArtifact: options.allowExternalArtifact === true, concurrent: v.concurrent });
  return {
    reconciler,
    stop: async () => {
      reconciler.impersonator.close();
      await artifactCache?.close();
    },
  };
}
