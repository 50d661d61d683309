// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFeatureGates } from './main.ts';

describe('parseFeatureGates', () => {
  const known = { GitForcePushBranch: true, GitShallowClone: true };
  it('overrides known gates', () => assert.deepEqual(parseFeatureGates(['GitForcePushBranch=false'], known), { GitForcePushBranch: false, GitShallowClone: true }));
  it('rejects unknown gates and values', () => {
    assert.throws(() => parseFeatureGates(['Nope=true'], known), /unknown feature gate 'Nope'/);
    assert.throws(() => parseFeatureGates(['GitShallowClone=maybe'], known), /invalid value/);
  });
});
