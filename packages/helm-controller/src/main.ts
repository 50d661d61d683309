#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy-helm-controller`: the entry point. Flux's helm-controller flags (`--requeue-dependency`,
 * `--no-cross-namespace-refs`, `--default-service-account`, `--insecure-kubeconfig-exec`,
 * `--insecure-kubeconfig-tls`, `--interval-jitter-percentage`) plus Eddy's `--helm-path`,
 * `--kustomize-path` and `--work-dir`, and the watches that trigger reconciles: HelmRelease spec
 * changes and reconcile requests, chart source artifact changes (HelmChart, OCIRepository,
 * ExternalArtifact), and dependencies becoming ready. Every reconcile drives the real `helm` binary.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@eddy/runtime/client';
import { EventRecorder } from '@eddy/runtime/events';
import { defineFlags, flag, managerOptionsFromFlags, runtimeFlags, validateRuntimeFlags } from '@eddy/runtime/flags';
import { createLogger } from '@eddy/runtime/log';
import { controllerManagedBy, Manager } from '@eddy/runtime/manager';
import { generationChanged, or, reconcileRequested } from '@eddy/runtime/predicates';
import type { Request } from '@eddy/runtime/reconcile';
import { HelmReleaseReconciler } from './controllers/helmrelease-reconciler.ts';
import { CHART_SOURCE_KINDS, sourceRefOf } from './controllers/source.ts';
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

type HRItem = KubeObject & { spec: { chartRef?: { kind: string; name: string; namespace?: string }; dependsOn?: Array<{ name: string; namespace?: string }> }; status?: { helmChart?: string; lastAttemptedRevision?: string; lastAttemptedRevisionDigest?: string; conditions?: Array<{ type: string; status: string }> } };

const revisionOf = (o: KubeObject): string => (o as { status?: { artifact?: { revision?: string } } }).status?.artifact?.revision ?? '';

function usesSource(hr: HRItem, src: KubeObject): boolean {
  const ref = sourceRefOf(hr as never);
  return !!ref && ref.kind === src.kind && ref.name === src.metadata.name && ref.namespace === src.metadata.namespace;
}

/** Ready and already attempted at this revision (digest for OCIRepository). */
function upToDate(hr: HRItem, kind: string, revision: string): boolean {
  const ready = (hr.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const digest = revision.includes('@') ? revision.split('@')[1] : revision;
  return ready && (kind === 'OCIRepository' ? hr.status?.lastAttemptedRevisionDigest === digest : hr.status?.lastAttemptedRevision === revision);
}

/** HelmReleases using a source whose artifact changed (Flux's `requestsForHelmChartChange`/`…OCIRepositoryChange`). */
async function requestsForSource(mgr: Manager, src: KubeObject): Promise<Request[]> {
  const revision = revisionOf(src);
  if (!revision) return [];
  const list = await mgr.client.list<HRItem>('helm.toolkit.fluxcd.io/v2', 'HelmRelease');
  const out: Request[] = [];
  for (const hr of list.items) {
    if (usesSource(hr, src) && !upToDate(hr, src.kind, revision)) out.push({ namespace: hr.metadata.namespace ?? '', name: hr.metadata.name ?? '' });
  }
  return out;
}

/** HelmReleases that depend on a HelmRelease that just became ready. */
async function requestsForDependents(mgr: Manager, dep: KubeObject): Promise<Request[]> {
  const list = await mgr.client.list<HRItem>('helm.toolkit.fluxcd.io/v2', 'HelmRelease');
  return list.items
    .filter((hr) => (hr.spec.dependsOn ?? []).some((d) => d.name === dep.metadata.name && (d.namespace || hr.metadata.namespace) === dep.metadata.namespace))
    .map((hr) => ({ namespace: hr.metadata.namespace ?? '', name: hr.metadata.name ?? '' }));
}

const artifactChanged = {
  update: (e: { objectOld: KubeObject; objectNew: KubeObject }): boolean => revisionOf(e.objectOld) !== revisionOf(e.objectNew),
};

const becameReady = {
  update: (e: { objectOld: KubeObject; objectNew: KubeObject }): boolean => {
    const ready = (o: KubeObject): boolean => ((o as HRItem).status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    return !ready(e.objectOld) && ready(e.objectNew);
  },
};

async function main(argv: string[]): Promise<void> {
  const values = defineFlags(helmControllerFlags, 'eddy-helm-controller').parseOrExit(argv);
  const problems = validateRuntimeFlags(values);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const logger = createLogger({ level: values.logLevel as 'info' });
  const mgr = new Manager(managerOptionsFromFlags(values, { leaderElectionId: 'helm-controller-leader-election', logger }));
  const events = new EventRecorder({ reportingController: 'helm-controller', client: mgr.client, ...(values.eventsAddr ? { webhook: values.eventsAddr } : {}) });
  const ownWorkDir = !values.workDir;
  const workDir = values.workDir || (await mkdtemp(join(tmpdir(), 'eddy-helm-controller-')));
  const driver = new HelmDriver({ helmPath: values.helmPath, workDir, clock: mgr.clock });
  await driver.init();
  const reconciler = new HelmReleaseReconciler({
    client: mgr.client,
    driver,
    access: controllerAccess(values.kubeconfig),
    workDir,
    events,
    clock: mgr.clock,
    kustomizePath: values.kustomizePath,
    dependencyRequeueMs: values.requeueDependency,
    noCrossNamespaceRefs: values.noCrossNamespaceRefs,
    insecureKubeconfig: { exec: values.insecureKubeconfigExec, tls: values.insecureKubeconfigTls },
    intervalJitter: values.intervalJitterPercentage / 100,
    ...(values.defaultServiceAccount ? { defaultServiceAccount: values.defaultServiceAccount } : {}),
    ...(process.env['SOURCE_CONTROLLER_LOCALHOST'] ? { artifactHostOverride: process.env['SOURCE_CONTROLLER_LOCALHOST'] } : {}),
  });
  const builder = controllerManagedBy(mgr)
    .named('helmrelease')
    .for({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' }, { predicates: [or(generationChanged(), reconcileRequested())] })
    .watches({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' }, (o) => requestsForDependents(mgr, o), { predicates: [becameReady] })
    .withOptions({ maxConcurrentReconciles: values.concurrent });
  for (const [kind, apiVersion] of Object.entries(CHART_SOURCE_KINDS)) {
    builder.watches({ apiVersion, kind }, (o) => requestsForSource(mgr, o), { predicates: [artifactChanged] });
  }
  builder.complete(reconciler);
  const stop = (): void => {
    void mgr
      .stop()
      .finally(() => void events.stop())
      .finally(() => (ownWorkDir ? rm(workDir, { recursive: true, force: true }) : undefined));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await mgr.start();
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('eddy-helm-controller')) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
