// SPDX-License-Identifier: Apache-2.0
/**
 * Registers the helm-controller with a manager, so the standalone binary (`main.ts`) and the CLI's
 * one-process mode (`eddy controllers --enable helm`) compose it identically:
 *
 * - `helmrelease`: HelmReleases, on generation changes and reconcile requests;
 * - chart sources (HelmChart, OCIRepository, ExternalArtifact) whose artifact revision changed map
 *   to the HelmReleases using them that have not attempted that revision yet;
 * - a HelmRelease turning Ready maps to the HelmReleases that depend on it.
 *
 * Every reconcile drives the real `helm` binary through one {@link HelmDriver} whose home, plugins
 * and scratch files live in `--work-dir` (a temporary directory, removed on stop, when empty).
 * The flags ({@link helmControllerFlags}: Flux's plus `--helm-path`, `--kustomize-path` and
 * `--work-dir`) are defined here, shared by the binary and one-process mode.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventRecorder } from '@eddy/runtime/events';
import { flag, flagDefaults, parseFeatureGates, runtimeFlags, type FlagValues } from '@eddy/runtime/flags';
import { controllerManagedBy, type Manager } from '@eddy/runtime/manager';
import { generationChanged, or, reconcileRequested } from '@eddy/runtime/predicates';
import { HelmReleaseReconciler } from './controllers/helmrelease-reconciler.ts';
import { CHART_SOURCE_KINDS } from './controllers/source.ts';
import { artifactChanged, becameReady, DEPENDS_ON_INDEX, dependsOnIndex, requestsForDependents, requestsForSource, SOURCE_INDEX, sourceIndex } from './controllers/watches.ts';
import { HelmDriver } from './helm/driver.ts';
import type { ClusterAccess } from './helm/kubeconfig.ts';

/** The flags of eddy-helm-controller. */
export const helmControllerFlags = {
  ...runtimeFlags,
  insecureKubeconfigExec: flag.bool('insecure-kubeconfig-exec', false, 'Allow use of the user.exec section in kubeconfigs provided for remote apply.'),
  insecureKubeconfigTls: flag.bool('insecure-kubeconfig-tls', false, 'Allow that kubeconfigs provided for remote apply can disable TLS verification.'),
  helmPath: flag.string('helm-path', process.env.EDDY_HELM || 'helm', 'The helm v4 binary that performs the release actions.'),
  kustomizePath: flag.string('kustomize-path', process.env.EDDY_KUSTOMIZE || 'kustomize', 'The kustomize binary used by kustomize post-renderers.'),
  workDir: flag.string('work-dir', '', "Directory for helm's home, plugins and per-reconcile files. A temporary directory when empty."),
};

/** Parsed values of {@link helmControllerFlags}. */
export type HelmControllerFlagValues = FlagValues<typeof helmControllerFlags>;

/** The defaults of every flag, for callers (one-process mode) that only set some of them. */
export function helmControllerDefaults(): HelmControllerFlagValues {
  return flagDefaults(helmControllerFlags);
}

/** The feature gates helm-controller supports, with their defaults; any other is rejected at start-up. */
export const helmFeatureGates = { AdditiveCELDependencyCheck: false } as const;

/** The controller's own credentials for helm: `--kubeconfig`/`KUBECONFIG`, in-cluster, or `~/.kube/config`. */
export function controllerAccess(kubeconfig: string): ClusterAccess {
  const path = kubeconfig || process.env['KUBECONFIG']?.split(':')[0];
  if (path) return { kind: 'file', path };
  const host = process.env['KUBERNETES_SERVICE_HOST'];
  if (host) {
    const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
    const server = `https://${host.includes(':') ? `[${host}]` : host}:${process.env['KUBERNETES_SERVICE_PORT'] ?? '443'}`;
    return { kind: 'in-cluster', server, caFile: `${sa}/ca.crt`, tokenFile: `${sa}/token` };
  }
  return { kind: 'file', path: join(homedir(), '.kube', 'config') };
}

/**
 * What {@link setupHelmController} takes: the flag values (runtime flags plus the helm-controller's;
 * any left out take their flag default, as in one-process mode) and the event recorder.
 */
export type HelmControllerSetupValues = Partial<HelmControllerFlagValues> & {
  events: EventRecorder;
  /** `SOURCE_CONTROLLER_LOCALHOST`: host:port replacing the artifact URLs' host. @default the environment variable */
  artifactHostOverride?: string;
};

/** What {@link setupHelmController} leaves to clean up. */
export interface HelmControllerHandle {
  /** The reconciler registered on the manager. */
  reconciler: HelmReleaseReconciler;
  /** Removes the temporary work directory (when `--work-dir` was empty); call after the manager stopped. */
  stop(): Promise<void>;
}

const HELMRELEASE = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' };

/**
 * Registers the HelmRelease controller and its watches with `mgr`; see the module doc.
 * Gates of other controllers are ignored (one-process mode shares one list; `main.ts` rejects them).
 * @throws FlagError for a helm-controller gate whose value is not a boolean.
 */
export async function setupHelmController(mgr: Manager, values: HelmControllerSetupValues): Promise<HelmControllerHandle> {
  const v: HelmControllerFlagValues = { ...helmControllerDefaults(), ...definedOnly(values) };
  const gates = parseFeatureGates(v.featureGates, helmFeatureGates, { ignoreUnsupported: true });
  const ownWorkDir = !v.workDir;
  const workDir = v.workDir || (await mkdtemp(join(tmpdir(), 'eddy-helm-controller-')));
  const driver = new HelmDriver({ helmPath: v.helmPath, workDir, clock: mgr.clock });
  await driver.init();
  const hostOverride = values.artifactHostOverride ?? process.env['SOURCE_CONTROLLER_LOCALHOST'];
  const reconciler = new HelmReleaseReconciler({
    client: mgr.client,
    driver,
    access: controllerAccess(v.kubeconfig),
    workDir,
    events: values.events,
    clock: mgr.clock,
    kustomizePath: v.kustomizePath,
    dependencyRequeueMs: v.requeueDependency,
    noCrossNamespaceRefs: v.noCrossNamespaceRefs,
    insecureKubeconfig: { exec: v.insecureKubeconfigExec, tls: v.insecureKubeconfigTls },
    intervalJitter: v.intervalJitterPercentage / 100,
    additiveCELDependencyCheck: gates.AdditiveCELDependencyCheck,
    ...(v.defaultServiceAccount ? { defaultServiceAccount: v.defaultServiceAccount } : {}),
    ...(hostOverride ? { artifactHostOverride: hostOverride } : {}),
  });
  const cache = mgr.getCache(HELMRELEASE);
  cache.addIndexer(SOURCE_INDEX, sourceIndex);
  cache.addIndexer(DEPENDS_ON_INDEX, dependsOnIndex);
  const builder = controllerManagedBy(mgr)
    .named('helmrelease')
    .for(HELMRELEASE, { predicates: [or(generationChanged(), reconcileRequested())] })
    .watches(HELMRELEASE, requestsForDependents((key) => cache.byIndex(DEPENDS_ON_INDEX, key)), { predicates: [becameReady] })
    .withOptions({ maxConcurrentReconciles: v.concurrent });
  for (const [kind, apiVersion] of Object.entries(CHART_SOURCE_KINDS)) {
    builder.watches({ apiVersion, kind }, requestsForSource((key) => cache.byIndex(SOURCE_INDEX, key)), { predicates: [artifactChanged] });
  }
  builder.complete(reconciler);
  return {
    reconciler,
    stop: async () => {
      if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** `values` without the keys explicitly set to undefined, so they do not mask the defaults. */
function definedOnly(values: HelmControllerSetupValues): Partial<HelmControllerFlagValues> {
  return Object.fromEntries(Object.entries(values).filter(([k, val]) => val !== undefined && k !== 'events' && k !== 'artifactHostOverride')) as Partial<HelmControllerFlagValues>;
}
