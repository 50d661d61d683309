// SPDX-License-Identifier: Apache-2.0
/**
 * The flags every Eddy controller accepts, with Flux's names and defaults (fluxcd/pkg
 * `runtime/{client,leaderelection,logger,controller,acl,jitter}` and the controllers' `main.go`).
 * Controllers spread {@link runtimeFlags} into their own set and add theirs, then turn the
 * values into manager options with {@link managerOptionsFromFlags}, so `--metrics-addr`,
 * `--health-addr`, `--enable-leader-election`, `--leader-election-*`, `--watch-all-namespaces`,
 * `--watch-label-selector`, `--kubeconfig` and `--graceful-shutdown-timeout` mean the same
 * everywhere.
 */
import type { Logger } from 'winston';
import type { ManagerOptions } from '../manager/manager.ts';
import type { FlagSpec } from './flags.ts';

/** Builders that keep each flag's value type. */
export const flag = {
  /** A string flag. */
  string: (name: string, def: string, help: string): FlagSpec<'string'> => ({ name, type: 'string', default: def, help }),
  /** A boolean flag (`--x`, `--x=false`). */
  bool: (name: string, def: boolean, help: string): FlagSpec<'bool'> => ({ name, type: 'bool', default: def, help }),
  /** An integer flag. */
  int: (name: string, def: number, help: string): FlagSpec<'int'> => ({ name, type: 'int', default: def, help }),
  /** A floating-point flag. */
  float: (name: string, def: number, help: string): FlagSpec<'float'> => ({ name, type: 'float', default: def, help }),
  /** A Go duration flag; the value is milliseconds. */
  duration: (name: string, defMs: number, help: string): FlagSpec<'duration'> => ({ name, type: 'duration', default: defMs, help }),
  /** A repeatable, comma-separated list flag. */
  stringArray: (name: string, def: string[], help: string): FlagSpec<'stringArray'> => ({ name, type: 'stringArray', default: def, help }),
};

/** Flags shared by all controllers. */
export const runtimeFlags = {
  concurrent: flag.int('concurrent', 4, 'The number of concurrent reconciles per controller.'),
  metricsAddr: flag.string('metrics-addr', ':8080', 'The address the metric endpoint binds to.'),
  healthAddr: flag.string('health-addr', ':9440', 'The address the health endpoint binds to.'),
  enableLeaderElection: flag.bool(
    'enable-leader-election',
    false,
    'Enable leader election for controller manager. Enabling this will ensure there is only one active controller manager.',
  ),
  leaderElectionReleaseOnCancel: flag.bool(
    'leader-election-release-on-cancel',
    true,
    'Defines if the leader should step down voluntarily on controller manager shutdown.',
  ),
  leaderElectionLeaseDuration: flag.duration(
    'leader-election-lease-duration',
    35_000,
    'Interval at which non-leader candidates will wait to force acquire leadership (duration string).',
  ),
  leaderElectionRenewDeadline: flag.duration(
    'leader-election-renew-deadline',
    30_000,
    'Duration that the leading controller manager will retry refreshing leadership before giving up (duration string).',
  ),
  leaderElectionRetryPeriod: flag.duration(
    'leader-election-retry-period',
    5_000,
    'Duration the LeaderElector clients should wait between tries of actions (duration string).',
  ),
  watchAllNamespaces: flag.bool(
    'watch-all-namespaces',
    true,
    'Watch for custom resources in all namespaces, if set to false it will only watch the runtime namespace.',
  ),
  watchLabelSelector: flag.string('watch-label-selector', '', "Watch for resources with matching labels e.g. 'sharding.fluxcd.io/key=shard1'."),
  logLevel: flag.string('log-level', 'info', 'Log verbosity level. Can be one of \'trace\', \'debug\', \'info\', \'error\'.'),
  logEncoding: flag.string('log-encoding', 'json', "Log encoding format. Can be 'json' or 'console'."),
  kubeconfig: flag.string('kubeconfig', '', 'Paths to a kubeconfig. Only required if out-of-cluster.'),
  kubeApiQps: flag.float('kube-api-qps', 50, 'The maximum queries-per-second of requests sent to the Kubernetes API.'),
  kubeApiBurst: flag.int('kube-api-burst', 300, 'The maximum burst queries-per-second of requests sent to the Kubernetes API.'),
  requeueDependency: flag.duration('requeue-dependency', 30_000, 'The interval at which failing dependencies are reevaluated.'),
  eventsAddr: flag.string('events-addr', '', 'The address of the events receiver.'),
  noCrossNamespaceRefs: flag.bool(
    'no-cross-namespace-refs',
    false,
    'When set to true, references between custom resources are allowed only if the reference and the referee are in the same namespace.',
  ),
  defaultServiceAccount: flag.string('default-service-account', '', 'Default service account used for impersonation.'),
  noRemoteBases: flag.bool(
    'no-remote-bases',
    false,
    'Disallow remote bases usage in Kustomize overlays. When this flag is enabled, all resources must refer to local files included in the source artifact.',
  ),
  intervalJitterPercentage: flag.int(
    'interval-jitter-percentage',
    10,
    'Percentage of jitter to apply to interval durations. A value of 10 will apply a jitter of +/-10% to the interval duration. It cannot be negative, and must be less than 100.',
  ),
  gracefulShutdownTimeout: flag.duration(
    'graceful-shutdown-timeout',
    600_000,
    'The duration given to the reconciler to finish before forcibly stopping.',
  ),
  minRetryDelay: flag.duration('min-retry-delay', 750, 'The minimum amount of time for which an object being reconciled will have to wait before a retry.'),
  maxRetryDelay: flag.duration('max-retry-delay', 900_000, 'The maximum amount of time for which an object being reconciled will have to wait before a retry.'),
  featureGates: flag.stringArray('feature-gates', [], 'A comma separated list of key=value pairs defining the state of experimental features.'),
} as const;

/** The parsed values of {@link runtimeFlags}. */
export type RuntimeFlagValues = { -readonly [K in keyof typeof runtimeFlags]: (typeof runtimeFlags)[K]['default'] };

/** Checks cross-flag rules Flux enforces at start-up; returns the problems found. */
export function validateRuntimeFlags(v: Partial<RuntimeFlagValues>): string[] {
  const { leaderElectionLeaseDuration: lease, leaderElectionRenewDeadline: renew, leaderElectionRetryPeriod: retry } = v;
  const jitter = v.intervalJitterPercentage ?? 0;
  const rules: Array<[boolean, string]> = [
    [(v.concurrent ?? 1) < 1, '--concurrent must be at least 1'],
    [jitter < 0 || jitter >= 100, '--interval-jitter-percentage must be a non-negative value and less than 100'],
    [
      lease !== undefined && renew !== undefined && lease <= renew,
      '--leader-election-lease-duration must be greater than --leader-election-renew-deadline',
    ],
    [
      renew !== undefined && retry !== undefined && renew <= retry,
      '--leader-election-renew-deadline must be greater than --leader-election-retry-period',
    ],
    [!['trace', 'debug', 'info', 'warn', 'error'].includes(v.logLevel ?? 'info'), `--log-level "${v.logLevel}" is not one of trace, debug, info, error`],
    [!['json', 'console'].includes(v.logEncoding ?? 'json'), `--log-encoding "${v.logEncoding}" is not one of json, console`],
  ];
  return rules.filter(([bad]) => bad).map(([, message]) => message);
}

/** What the flags do not say. */
export interface ManagerFlagContext {
  /** Lease name, e.g. `source-controller-leader-election`. */
  leaderElectionId: string;
  /** The controller's own namespace (watched alone with `--watch-all-namespaces=false`). @default `RUNTIME_NAMESPACE` */
  runtimeNamespace?: string;
  logger?: Logger;
}

/** Builds manager options from parsed runtime flags. */
export function managerOptionsFromFlags(flags: Partial<RuntimeFlagValues>, ctx: ManagerFlagContext): ManagerOptions {
  const runtimeNamespace = ctx.runtimeNamespace ?? process.env.RUNTIME_NAMESPACE ?? '';
  const watchAll = flags.watchAllNamespaces ?? true;
  if (!watchAll && !runtimeNamespace) {
    throw new Error('--watch-all-namespaces=false needs the RUNTIME_NAMESPACE environment variable');
  }
  return {
    kubeconfig: flags.kubeconfig || undefined,
    logger: ctx.logger,
    namespace: watchAll ? '' : runtimeNamespace,
    labelSelector: flags.watchLabelSelector || undefined,
    metricsAddr: flags.metricsAddr ?? ':8080',
    healthAddr: flags.healthAddr ?? ':9440',
    gracefulShutdownTimeoutMs: flags.gracefulShutdownTimeout,
    retryDelay: { minMs: flags.minRetryDelay ?? 750, maxMs: flags.maxRetryDelay ?? 900_000 },
    leaderElection: {
      enabled: flags.enableLeaderElection ?? false,
      id: ctx.leaderElectionId,
      namespace: runtimeNamespace || undefined,
      leaseDurationMs: flags.leaderElectionLeaseDuration,
      renewDeadlineMs: flags.leaderElectionRenewDeadline,
      retryPeriodMs: flags.leaderElectionRetryPeriod,
      releaseOnCancel: flags.leaderElectionReleaseOnCancel,
    },
  };
}
