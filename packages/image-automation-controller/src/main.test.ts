// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFeatureGates } from '@eddy/runtime/flags';
import { imageAutomationFeatureGates } from './setup.ts';

describe('imageAutomationFeatureGates', () => {
  it("has Flux's gates, all on by default", () => {
    assert.deepEqual(parseFeatureGates([], imageAutomationFeatureGates), { GitForcePushBranch: true, GitAllBranchReferences: true, GitShallowClone: true });
  });
  it('turns gates off and rejects unknown ones', () => {
    assert.equal(parseFeatureGates(['GitForcePushBranch=false'], imageAutomationFeatureGates).GitForcePushBranch, false);
    assert.throws(() => parseFeatureGates(['Nope=true'], imageAutomationFeatureGates), /feature-gate 'Nope' not supported/);
  });
});
