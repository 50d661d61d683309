// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { boolFlag } from '../command-kit.ts';
import { makeContext } from '../context.ts';
import { setupValues, type ControllersOptions } from './controllers.ts';

const base: ControllersOptions = {
  enable: 'kustomize',
  metricsAddr: ':8080',
  healthAddr: ':9440',
  concurrent: '4',
  requeueDependency: 30_000,
  logLevel: 'info',
  logEncoding: 'json',
  storagePath: '/data',
  storageAddr: ':9090',
  imageStoragePath: '/tmp/images',
};
const ctx = makeContext({ namespace: 'flux-system', timeoutMs: 1000 }, { out: () => undefined, err: () => undefined });

describe('setupValues', () => {
  it('gives every setup the separate controllers’ defaults', () => {
    const v = setupValues(ctx, base);
    assert.equal(v['noCrossNamespaceRefs'], false);
    assert.equal(v['noRemoteBases'], false);
    assert.equal(v['defaultServiceAccount'], '');
    assert.deepEqual(v['featureGates'], []);
    assert.equal(v['enableLeaderElection'], false);
    assert.equal(v['watchAllNamespaces'], true);
    assert.equal(v['minRetryDelay'], 750);
    assert.equal(v['maxRetryDelay'], 900_000);
  });

  it('takes Flux\'s retry delays', () => {
    const v = setupValues(ctx, { ...base, minRetryDelay: 1000, maxRetryDelay: 60_000 });
    assert.equal(v['minRetryDelay'], 1000);
    assert.equal(v['maxRetryDelay'], 60_000);
  });

  it('carries the multi-tenancy lockdown and feature gates to the setups', () => {
    const v = setupValues(ctx, { ...base, crossNamespaceRefs: false, remoteBases: false, defaultServiceAccount: 'default', featureGates: 'A=true, B=false', enableLeaderElection: true });
    assert.equal(v['noCrossNamespaceRefs'], true);
    assert.equal(v['noRemoteBases'], true);
    assert.equal(v['defaultServiceAccount'], 'default');
    assert.deepEqual(v['featureGates'], ['A=true', 'B=false']);
    assert.equal(v['enableLeaderElection'], true);
  });

  it('refuses a concurrency that is not a positive integer', () => {
    assert.throws(() => setupValues(ctx, { ...base, concurrent: '0' }), /--concurrent must be a positive integer/);
  });
});

describe('boolFlag', () => {
  it('reads Go-style boolean values', () => {
    assert.equal(boolFlag(true, '--x'), true);
    assert.equal(boolFlag('false', '--x'), false);
    assert.equal(boolFlag('T', '--x'), true);
    assert.throws(() => boolFlag('maybe', '--x'), /invalid --x 'maybe'/);
  });
});
