// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy controllers --enable source,kustomize,…`: one-process mode for small clusters. Every
 * enabled controller registers on one {@link Manager} (one client, one informer cache, one metrics
 * and health server, one leader lease), with the flags and defaults of the separate controllers.
 * Ctrl-C or SIGTERM stops the manager, then whatever the setups opened.
 */
import { flagDefaults, runtimeFlags } from '@eddy/runtime/flags';
import { createLogger } from '@eddy/runtime/log';
import { Manager } from '@eddy/runtime/manager';
import { CliError, type CliContext } from '../context.ts';
import { checkFeatureGates, loadAdapter, parseEnable, type ControllerHandle } from '../controllers/adapters.ts';

/** Options of `controllers`. */
export interface ControllersOptions {
  enable: string;
  metricsAddr: string;
  healthAddr: string;
  enableLeaderElection?: boolean;
  watchAllNamespaces?: boolean;
  /** False when `--no-cross-namespace-refs` is given (commander's negated flag). */
  crossNamespaceRefs?: boolean;
  /** False when `--no-remote-bases` is given. */
  remoteBases?: boolean;
  defaultServiceAccount?: string;
  featureGates?: string;
  minRetryDelay?: number;
  maxRetryDelay?: number;
  concurrent: string;
  requeueDependency: number;
  logLevel: string;
  logEncoding: string;
  eventsAddr?: string;
  storagePath: string;
  storageAddr: string;
  storageAdvAddr?: string;
  imageStoragePath: string;
}

/** The flag values handed to every setup: the runtime flags' defaults, overridden by ours. */
export function setupValues(ctx: CliContext, o: ControllersOptions): Record<string, unknown> {
  const concurrent = Number(o.concurrent);
  if (!Number.isInteger(concurrent) || concurrent < 1) throw new CliError(`--concurrent must be a positive integer, got '${o.concurrent}'`);
  return {
    ...flagDefaults(runtimeFlags),
    kubeconfig: ctx.opts.kubeconfig ?? '',
    metricsAddr: o.metricsAddr,
    healthAddr: o.healthAddr,
    enableLeaderElection: o.enableLeaderElection === true,
    watchAllNamespaces: o.watchAllNamespaces !== false,
    noCrossNamespaceRefs: o.crossNamespaceRefs === false,
    noRemoteBases: o.remoteBases === false,
    defaultServiceAccount: o.defaultServiceAccount ?? '',
    featureGates: (o.featureGates ?? '').split(',').map((g) => g.trim()).filter(Boolean),
    concurrent,
    requeueDependency: o.requeueDependency,
    ...(o.minRetryDelay !== undefined ? { minRetryDelay: o.minRetryDelay } : {}),
    ...(o.maxRetryDelay !== undefined ? { maxRetryDelay: o.maxRetryDelay } : {}),
    logLevel: o.logLevel,
    logEncoding: o.logEncoding,
    eventsAddr: o.eventsAddr ?? '',
    storagePath: o.storagePath,
    storageAddr: o.storageAddr,
    storageAdvAddr: o.storageAdvAddr ?? '',
    imageStoragePath: o.imageStoragePath,
    artifactRetentionTtl: 60_000,
    artifactRetentionRecords: 2,
  };
}

/** Runs `controllers` until cancelled. */
export async function runControllers(ctx: CliContext, o: ControllersOptions): Promise<void> {
  let adapters;
  try {
    adapters = parseEnable(o.enable);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  if (adapters.length === 0) throw new CliError('no controller enabled: --enable source,kustomize,helm,image-reflector,image-automation');
  const loaded = await Promise.all(adapters.map(loadAdapter));
  const missing = loaded.flatMap((l) => ('missing' in l ? [`${l.adapter.name}: ${l.missing}`] : []));
  if (missing.length > 0) throw new CliError(`cannot run in one process:\n  ${missing.join('\n  ')}`);
  const values = setupValues(ctx, o);
  try {
    checkFeatureGates(loaded.flatMap((l) => ('mod' in l ? [l] : [])), values['featureGates'] as string[]);
  } catch (err) {
    throw new CliError(`--feature-gates: ${(err as Error).message}`);
  }
  const logger = createLogger({ level: o.logLevel, encoding: o.logEncoding });
  const mgr = new Manager({
    ...(ctx.opts.kubeconfig ? { kubeconfig: ctx.opts.kubeconfig } : {}),
    logger,
    metricsAddr: o.metricsAddr,
    healthAddr: o.healthAddr,
    namespace: o.watchAllNamespaces === false ? ctx.opts.namespace : '',
    retryDelay: { minMs: values['minRetryDelay'] as number, maxMs: values['maxRetryDelay'] as number },
    leaderElection: { enabled: o.enableLeaderElection === true, id: 'eddy-controllers-leader-election', namespace: ctx.opts.namespace },
  });
  const handles: ControllerHandle[] = [];
  for (const l of loaded) {
    if (!('mod' in l)) continue;
    handles.push(await l.adapter.configure(l.mod, { mgr, values }));
    ctx.err(`✔ ${l.adapter.component} registered`);
  }
  const stop = (): void => {
    void mgr.stop();
  };
  ctx.signal.addEventListener('abort', stop, { once: true });
  process.once('SIGTERM', stop);
  ctx.err(`► running ${loaded.map((l) => l.adapter.component).join(', ')} in one process (Ctrl-C to stop)`);
  try {
    await mgr.start();
  } finally {
    process.off('SIGTERM', stop);
    for (const h of handles.reverse()) await h.stop();
  }
}
