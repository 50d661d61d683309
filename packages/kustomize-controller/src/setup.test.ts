// SPDX-License-Identifier: Apache-2.0
/** Unit tests of the flag handling shared by the binary and the one-process mode. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { realClock } from '@eddy/runtime/clock';
import type { EventRecorder } from '@eddy/runtime/events';
import { kustomizeControllerFlags, kustomizeFeatureGates } from './flags.ts';
import { reconcilerOptionsFromFlags } from './setup.ts';

const events = {} as EventRecorder;
const mgr = { client: {} as never, clock: realClock };

describe('kustomizeFeatureGates', () => {
  it('defaults every gate to off', () => {
    assert.deepEqual(kustomizeFeatureGates, { StrictPostBuildSubstitutions: false, ExternalArtifact: false, AdditiveCELDependencyCheck: false, FailFast: false });
  });
});

describe('reconcilerOptionsFromFlags', () => {
  it('takes the flag defaults for values a caller does not know (one-process mode)', () => {
    const o = reconcilerOptionsFromFlags(mgr, { events, concurrent: 8 });
    assert.equal(o.kustomizePath, kustomizeControllerFlags.kustomizePath.default);
    assert.equal(o.artifactFetchRetries, 9);
    assert.equal(o.dependencyRequeueMs, 30_000);
    assert.equal(o.intervalJitter, kustomizeControllerFlags.intervalJitterPercentage.default / 100);
    assert.deepEqual(o.insecureKubeconfig, { exec: false, tls: false });
    assert.equal(o.events, events);
    assert.equal(o.decryption, undefined);
    assert.equal(o.defaultServiceAccount, undefined);
  });

  it('maps flags, gates and the environment', () => {
    const o = reconcilerOptionsFromFlags(
      mgr,
      { events, featureGates: ['FailFast=true', 'AdditiveCELDependencyCheck'], noRemoteBases: true, sopsAgeSecret: 'age', defaultServiceAccount: 'tenant', insecureKubeconfigTls: true },
      { runtimeNamespace: 'flux-system', sourceHostOverride: 'localhost:9090' },
    );
    assert.equal(o.failFast, true);
    assert.equal(o.additiveCELDependencyCheck, true);
    assert.equal(o.allowExternalArtifact, false);
    assert.equal(o.noRemoteBases, true);
    assert.deepEqual(o.decryption, { sopsAgeSecret: { name: 'age', namespace: 'flux-system' } });
    assert.equal(o.defaultServiceAccount, 'tenant');
    assert.equal(o.sourceHostOverride, 'localhost:9090');
    assert.deepEqual(o.insecureKubeconfig, { exec: false, tls: true });
  });

  it('leaves the gates of other controllers to them (one-process mode) but checks its own', () => {
    assert.equal(reconcilerOptionsFromFlags(mgr, { events, featureGates: ['ExternalArtifact,DetectDrift=true'] }).allowExternalArtifact, true);
    assert.throws(() => reconcilerOptionsFromFlags(mgr, { events, featureGates: ['FailFast=maybe'] }), /invalid value of feature-gate 'FailFast'/);
  });

  it('needs the runtime namespace for the SOPS age secret', () => {
    assert.equal(reconcilerOptionsFromFlags(mgr, { events, sopsAgeSecret: 'age' }, {}).decryption, undefined);
  });
});
