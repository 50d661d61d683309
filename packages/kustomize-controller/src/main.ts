#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy-kustomize-controller`: the entry point. Flux's kustomize-controller flags
 * (`--requeue-dependency`, `--no-cross-namespace-refs`, `--no-remote-bases`, `--sops-age-secret`,
 * `--artifact-fetch-retries`, `--feature-gates` with StrictPostBuildSubstitutions, ExternalArtifact,
 * AdditiveCELDependencyCheck and FailFast) plus Eddy's `--kustomize-path`, and the watches that
 * trigger reconciles: Kustomization spec changes and reconcile requests, source artifact revision
 * changes (cancelling running health checks), and dependencies becoming ready.
 */
import { EventRecorder } from '@eddy/runtime/events';
import { defineFlags, flag, managerOptionsFromFlags, runtimeFlags, validateRuntimeFlags } from '@eddy/runtime/flags';
import { configureRootLogger } from '@eddy/runtime/log';
import { Manager } from '@eddy/runtime/manager';
import { KustomizationReconciler } from './controllers/kustomization-reconciler.ts';
import { setupKustomizationController } from './controllers/setup.ts';

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

function gates(values: string[]): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const v of values) {
    const [k, b] = v.split('=');
    if (k) out[k.trim()] = (b ?? 'true').trim() !== 'false';
  }
  return out;
}

async function main(argv: string[]): Promise<void> {
  const values = defineFlags(kustomizeControllerFlags, 'eddy-kustomize-controller').parseOrExit(argv);
  const problems = validateRuntimeFlags(values);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const fg = gates(values.featureGates);
  const logger = configureRootLogger({ level: values.logLevel as 'info', encoding: values.logEncoding });
  const mgr = new Manager(managerOptionsFromFlags(values, { leaderElectionId: 'kustomize-controller-leader-election', logger }));
  const events = new EventRecorder({ reportingController: 'kustomize-controller', client: mgr.client, ...(values.eventsAddr ? { webhook: values.eventsAddr } : {}) });
  const runtimeNs = process.env.RUNTIME_NAMESPACE;
  const reconciler = new KustomizationReconciler({
    client: mgr.client,
    events,
    clock: mgr.clock,
    kustomizePath: values.kustomizePath,
    noRemoteBases: values.noRemoteBases,
    noCrossNamespaceRefs: values.noCrossNamespaceRefs,
    allowExternalArtifact: fg.ExternalArtifact ?? false,
    strictSubstitutions: fg.StrictPostBuildSubstitutions ?? false,
    additiveCELDependencyCheck: fg.AdditiveCELDependencyCheck ?? false,
    failFast: fg.FailFast ?? false,
    dependencyRequeueMs: values.requeueDependency,
    artifactFetchRetries: values.artifactFetchRetries,
    intervalJitter: values.intervalJitterPercentage / 100,
    insecureKubeconfig: { exec: values.insecureKubeconfigExec, tls: values.insecureKubeconfigTls },
    ...(values.defaultServiceAccount ? { defaultServiceAccount: values.defaultServiceAccount } : {}),
    ...(process.env.SOURCE_CONTROLLER_LOCALHOST ? { sourceHostOverride: process.env.SOURCE_CONTROLLER_LOCALHOST } : {}),
    ...(values.sopsAgeSecret && runtimeNs ? { decryption: { sopsAgeSecret: { name: values.sopsAgeSecret, namespace: runtimeNs } } } : {}),
  });
  setupKustomizationController(mgr, reconciler, { externalArtifact: fg.ExternalArtifact ?? false, concurrent: values.concurrent });
  const stop = (): void => void mgr.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    await mgr.start();
  } finally {
    await events.stop();
    reconciler.impersonator.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('eddy-kustomize-controller')) {
  // A clean shutdown returns from main; exit then, as a Go controller does, whatever timers remain.
  main(process.argv.slice(2)).then(() => process.exit(0)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
