// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { installArgs, rollbackArgs, testArgs, uninstallArgs, upgradeArgs } from './args.ts';
import { classifyHelmError, helmCause } from './errors.ts';

const files = { kubeconfig: '/t/kc', values: '/t/values.yaml', postRenderConfig: '/t/pr.json' };
const target = { releaseName: 'podinfo', namespace: 'apps', timeout: '5m0s' };

describe('helm argv builders', () => {
  it('install: never --atomic, SSA with forced conflicts, post-renderer plugin', () => {
    const a = installArgs('/c', { ...target, wait: 'watcher', waitForJobs: true, disableHooks: false, disableOpenAPIValidation: true, disableSchemaValidation: false, replace: false, skipCRDs: false, createNamespace: true, takeOwnership: true, serverSide: true }, files);
    assert.deepEqual(a, [
      'install', 'podinfo', '/c', '--kubeconfig', '/t/kc', '--namespace', 'apps', '--timeout', '5m0s', '--wait=watcher', '--wait-for-jobs',
      '--disable-openapi-validation', '--create-namespace', '--take-ownership', '--server-side=true', '--force-conflicts',
      '--values', '/t/values.yaml', '--post-renderer', 'eddy-postrender', '--post-renderer-args', '/t/pr.json',
    ]);
    assert.ok(!a.some((x) => /atomic|rollback-on-failure/.test(x)));
  });
  it('upgrade: hookOnly wait drops --wait-for-jobs; history limit; reset values', () => {
    const a = upgradeArgs('/c', { ...target, wait: 'hookOnly', waitForJobs: true, disableHooks: true, disableOpenAPIValidation: false, disableSchemaValidation: true, force: true, preserveValues: false, cleanupOnFail: true, maxHistory: 5, takeOwnership: false, serverSide: 'false', skipCRDs: true }, { kubeconfig: '/t/kc' });
    assert.deepEqual(a.slice(3), [
      '--kubeconfig', '/t/kc', '--namespace', 'apps', '--timeout', '5m0s', '--wait=hookOnly', '--no-hooks', '--skip-schema-validation', '--force-replace',
      '--reset-values', '--cleanup-on-fail', '--history-max', '5', '--server-side=false', '--skip-crds',
    ]);
  });
  it('rollback, uninstall and test', () => {
    assert.deepEqual(rollbackArgs({ ...target, version: 3, wait: 'legacy', waitForJobs: false, disableHooks: false, force: false, cleanupOnFail: false, maxHistory: 0, serverSide: 'auto' }, files).slice(0, 3), ['rollback', 'podinfo', '3']);
    assert.deepEqual(uninstallArgs({ ...target, disableHooks: false, keepHistory: true, wait: false, deletionPropagation: 'foreground' }, files).slice(8), ['--wait=hookOnly', '--keep-history', '--cascade', 'foreground']);
    assert.deepEqual(testArgs({ ...target, filters: [{ name: 'a' }, { name: 'b', exclude: true }] }, files).slice(-2), ['--filter', 'name=a,!name=b']);
  });
});

describe('helm errors', () => {
  const cases: Array<[string, string, string, string]> = [
    ['upgrade', 'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress', 'locked', 'another operation (install/upgrade/rollback) is in progress'],
    ['install', 'Error: INSTALLATION FAILED: context deadline exceeded', 'timeout', 'context deadline exceeded'],
    ['install', 'Error: INSTALLATION FAILED: template: podinfo/templates/deployment.yaml:4:11: executing "x" at <.Values.a.b>: nil pointer', 'template', 'template: podinfo/templates/deployment.yaml:4:11: executing "x" at <.Values.a.b>: nil pointer'],
    ['upgrade', 'Error: UPGRADE FAILED: pre-upgrade hooks failed: 1 error occurred:\n\t* job podinfo-pre-upgrade failed: BackoffLimitExceeded', 'hook', 'pre-upgrade hooks failed: 1 error occurred:\n\t* job podinfo-pre-upgrade failed: BackoffLimitExceeded'],
    ['test', 'Error: 1 error occurred:\n\t* pod podinfo-fault-test-abcde failed', 'test', '1 error occurred:\n\t* pod podinfo-fault-test-abcde failed'],
    ['uninstall', 'Error: uninstall: Release not loaded: podinfo: release: not found', 'not-found', 'uninstall: Release not loaded: podinfo: release: not found'],
    ['install', "Error: INSTALLATION FAILED: values don't meet the specifications of the schema(s) in the following chart(s):\npodinfo:\n- replicaCount: Invalid type", 'schema', "values don't meet the specifications of the schema(s) in the following chart(s):\npodinfo:\n- replicaCount: Invalid type"],
  ];
  for (const [cmd, stderr, kind, message] of cases) {
    it(`classifies ${kind}`, () => {
      const e = classifyHelmError(cmd, `level=WARN msg=noise\n${stderr}\n`, 1);
      assert.equal(e.kind, kind);
      assert.equal(e.message, message);
    });
  }
  it('falls back to stderr without an Error: line', () => assert.equal(helmCause('boom\n'), 'boom'));
});
