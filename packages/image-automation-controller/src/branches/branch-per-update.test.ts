// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { renderCommitMessage } from '../commit/message.ts';
import { UpdateResult } from '../setters/result.ts';
import {
  BRANCH_PER_UPDATE_ANNOTATION,
  InvalidBranchNameError,
  branchPerUpdatePrefix,
  isValidBranchName,
  planBranchUpdates,
  updateBranchName,
} from './branch-per-update.ts';

const policies = [
  { metadata: { namespace: 'flux-system', name: 'podinfo' }, status: { latestRef: { name: 'ghcr.io/org/podinfo', tag: '6.1.0' } } },
  { metadata: { namespace: 'flux-system', name: 'web' }, status: { latestRef: { name: 'ghcr.io/org/web', tag: 'main-abc@x', digest: `sha256:${'b'.repeat(64)}` } } },
];

describe('branchPerUpdatePrefix', () => {
  it('is off unless the field or the annotation is set; the field wins', () => {
    assert.equal(branchPerUpdatePrefix(undefined, undefined), undefined);
    assert.equal(branchPerUpdatePrefix({}, { other: 'x' }), undefined);
    assert.equal(branchPerUpdatePrefix(undefined, { [BRANCH_PER_UPDATE_ANNOTATION]: '' }), 'image-updates/');
    assert.equal(branchPerUpdatePrefix(undefined, { [BRANCH_PER_UPDATE_ANNOTATION]: 'bump/' }), 'bump/');
    assert.equal(branchPerUpdatePrefix({ branchPerUpdate: { prefix: 'auto/' } }, { [BRANCH_PER_UPDATE_ANNOTATION]: 'bump/' }), 'auto/');
    assert.equal(branchPerUpdatePrefix({ branchPerUpdate: {} }, undefined), 'image-updates/');
  });
  it('rejects prefixes that cannot start a branch', () => {
    assert.throws(() => branchPerUpdatePrefix(undefined, { [BRANCH_PER_UPDATE_ANNOTATION]: 'a..b/' }), InvalidBranchNameError);
    assert.throws(() => branchPerUpdatePrefix({ branchPerUpdate: { prefix: '-x' } }, undefined), InvalidBranchNameError);
  });
});

describe('updateBranchName', () => {
  it('names branches from policy and tag, making them ref-safe', () => {
    assert.equal(updateBranchName('image-updates/', policies[0]!.metadata, policies[0]!.status.latestRef), 'image-updates/flux-system/podinfo/6.1.0');
    assert.equal(updateBranchName('u/', { namespace: 'ns', name: 'p' }, { name: 'x', tag: 'v1..2.lock' }), 'u/ns/p/v1.2-lock');
    assert.equal(updateBranchName('u/', { namespace: 'ns', name: 'p' }, { name: 'x', tag: 'main-abc@x' }), 'u/ns/p/main-abc-x');
  });
  it('agrees with git check-ref-format on samples', () => {
    for (const ok of ['a/b', 'image-updates/ns/p/1.0.0', 'x.y']) assert.ok(isValidBranchName(ok), ok);
    for (const bad of ['a..b', 'a/.b', 'a.lock', 'a b', 'a:b', 'a/', '-a', 'a@{b', '@']) assert.equal(isValidBranchName(bad), false, bad);
  });
});

describe('planBranchUpdates', () => {
  it('splits changes per policy, one branch each, with per-branch commit messages', () => {
    const r = new UpdateResult();
    const dep = { APIVersion: 'apps/v1', Kind: 'Deployment', Name: 'app', Namespace: 'default' };
    r.add('a.yaml', dep, { OldValue: 'ghcr.io/org/podinfo:6.0.0', NewValue: 'ghcr.io/org/podinfo:6.1.0', Setter: 'flux-system:podinfo' }, 3);
    r.add('a.yaml', dep, { OldValue: 'old', NewValue: 'main-abc@x', Setter: 'flux-system:web:tag' }, 5);
    r.add('b.yaml', dep, { OldValue: '6.0.0', NewValue: '6.1.0', Setter: 'flux-system:podinfo:tag' }, 1);
    r.add('c.yaml', dep, { OldValue: 'a', NewValue: 'b', Setter: 'other-ns:gone' }, 1);
    const plans = planBranchUpdates(r, policies, 'image-updates/');
    assert.deepEqual(plans.map((p) => [p.branch, p.result.files(), p.result.Changes().map((c) => c.Setter)]), [
      ['image-updates/flux-system/podinfo/6.1.0', ['a.yaml', 'b.yaml'], ['flux-system:podinfo', 'flux-system:podinfo:tag']],
      ['image-updates/flux-system/web/main-abc-x', ['a.yaml'], ['flux-system:web:tag']],
    ]);
    const msg = renderCommitMessage({
      automation: { namespace: 'flux-system', name: 'auto' },
      changed: plans[1]!.result,
      messageTemplate: '{{ range .Changed.Changes }}{{ .Setter }} -> {{ .NewValue }}{{ end }}',
    });
    assert.equal(msg, 'flux-system:web:tag -> main-abc@x');
  });
});
