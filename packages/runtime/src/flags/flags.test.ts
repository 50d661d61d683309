// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defineFlags, FlagError } from './flags.ts';
import { formatDuration, parseDuration } from './flags.ts';
import { flag, managerOptionsFromFlags, runtimeFlags, validateRuntimeFlags } from './runtime-flags.ts';

const flags = defineFlags({ ...runtimeFlags, storagePath: flag.string('storage-path', '/data', 'Artifact storage.') }, 'source-controller');

describe('flags', () => {
  it("has Flux's defaults", () => {
    const { values, help, args } = flags.parse([]);
    assert.equal(help, false);
    assert.deepEqual(args, []);
    assert.equal(values.concurrent, 4);
    assert.equal(values.metricsAddr, ':8080');
    assert.equal(values.healthAddr, ':9440');
    assert.equal(values.enableLeaderElection, false);
    assert.equal(values.leaderElectionLeaseDuration, 35_000);
    assert.equal(values.leaderElectionRenewDeadline, 30_000);
    assert.equal(values.leaderElectionRetryPeriod, 5_000);
    assert.equal(values.watchAllNamespaces, true);
    assert.equal(values.logLevel, 'info');
    assert.equal(values.logEncoding, 'json');
    assert.equal(values.requeueDependency, 30_000);
    assert.equal(values.intervalJitterPercentage, 10);
    assert.equal(values.storagePath, '/data');
  });

  it('accepts --name=value, --name value, bare and explicit booleans', () => {
    const { values } = flags.parse([
      '--concurrent=10',
      '--metrics-addr',
      ':9090',
      '--enable-leader-election',
      '--watch-all-namespaces=false',
      '--leader-election-lease-duration=1m30s',
      '--requeue-dependency',
      '5s',
      '--feature-gates=A=true,B=false',
      '--feature-gates',
      'C=true',
      '-log-level=debug',
    ]);
    assert.equal(values.concurrent, 10);
    assert.equal(values.metricsAddr, ':9090');
    assert.equal(values.enableLeaderElection, true);
    assert.equal(values.watchAllNamespaces, false);
    assert.equal(values.leaderElectionLeaseDuration, 90_000);
    assert.equal(values.requeueDependency, 5_000);
    assert.deepEqual(values.featureGates, ['A=true', 'B=false', 'C=true']);
    assert.equal(values.logLevel, 'debug');
  });

  it('rejects unknown flags and bad values, naming the flag', () => {
    assert.throws(() => flags.parse(['--no-such-flag']), (e: unknown) => e instanceof FlagError && /unknown flag: --no-such-flag/.test(e.message));
    assert.throws(() => flags.parse(['--concurrent=four']), /invalid argument "four" for "--concurrent" flag/);
    assert.throws(() => flags.parse(['--watch-all-namespaces=maybe']), /expected true or false/);
    assert.throws(() => flags.parse(['--requeue-dependency=30']), /invalid argument "30" for "--requeue-dependency"/);
    assert.throws(() => flags.parse(['--metrics-addr']), /flag needs an argument: --metrics-addr/);
  });

  it('reports --help and prints a usage with defaults', () => {
    assert.equal(flags.parse(['--help']).help, true);
    assert.equal(flags.parse(['-h']).help, true);
    const usage = flags.usage();
    assert.match(usage, /^Usage of source-controller:/);
    assert.match(usage, /--concurrent int\s+The number of concurrent reconciles per controller\. \(default 4\)/);
    assert.match(usage, /--leader-election-lease-duration duration\s+.*\(default 35s\)/);
    assert.match(usage, /--enable-leader-election\s+Enable leader election/);
  });

  it('keeps arguments after -- and bare words', () => {
    assert.deepEqual(flags.parse(['run', '--', '--concurrent=1']).args, ['run', '--concurrent=1']);
  });

  it('validates cross-flag rules', () => {
    assert.deepEqual(validateRuntimeFlags(flags.parse([]).values), []);
    const bad = flags.parse(['--leader-election-renew-deadline=40s', '--interval-jitter-percentage=100', '--concurrent=0']).values;
    const problems = validateRuntimeFlags(bad);
    assert.equal(problems.length, 3);
  });
});

describe('managerOptionsFromFlags', () => {
  it('maps Flux flags to manager options', () => {
    const v = flags.parse(['--enable-leader-election', '--watch-label-selector=shard=a', '--metrics-addr=:9000', '--leader-election-retry-period=2s']).values;
    const o = managerOptionsFromFlags(v, { leaderElectionId: 'source-controller-leader-election', runtimeNamespace: 'flux-system' });
    assert.equal(o.namespace, '');
    assert.equal(o.labelSelector, 'shard=a');
    assert.equal(o.metricsAddr, ':9000');
    assert.equal(o.healthAddr, ':9440');
    assert.equal(o.gracefulShutdownTimeoutMs, 600_000);
    assert.deepEqual(o.retryDelay, { minMs: 750, maxMs: 900_000 });
    const tuned = flags.parse(['--min-retry-delay=2s', '--max-retry-delay=1m']).values;
    assert.deepEqual(managerOptionsFromFlags(tuned, { leaderElectionId: 'x' }).retryDelay, { minMs: 2_000, maxMs: 60_000 });
    assert.deepEqual(o.leaderElection, {
      enabled: true,
      id: 'source-controller-leader-election',
      namespace: 'flux-system',
      leaseDurationMs: 35_000,
      renewDeadlineMs: 30_000,
      retryPeriodMs: 2_000,
      releaseOnCancel: true,
    });
  });

  it('watches only the runtime namespace with --watch-all-namespaces=false', () => {
    const v = flags.parse(['--watch-all-namespaces=false']).values;
    assert.equal(managerOptionsFromFlags(v, { leaderElectionId: 'x', runtimeNamespace: 'flux-system' }).namespace, 'flux-system');
    assert.throws(() => managerOptionsFromFlags(v, { leaderElectionId: 'x', runtimeNamespace: '' }), /RUNTIME_NAMESPACE/);
  });
});

describe('parseDuration', () => {
  const cases: Array<[string, number]> = [
    ['0', 0],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['-2m', -120_000],
    ['1h2m3s4ms', 3_723_004],
    ['1500us', 1.5],
  ];
  for (const [s, ms] of cases) it(`parses ${s}`, () => assert.equal(parseDuration(s), ms));
  for (const bad of ['', '30', '1d', 'm', '1.2.3s', '5 m']) it(`rejects "${bad}"`, () => assert.throws(() => parseDuration(bad), /invalid duration/));
  it('formats like Go', () => {
    assert.equal(formatDuration(35_000), '35s');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(3_600_000), '1h0m0s');
    assert.equal(formatDuration(500), '500ms');
    assert.equal(formatDuration(0), '0s');
  });
});
