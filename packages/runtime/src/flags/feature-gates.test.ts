// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFeatureGates } from './feature-gates.ts';
import { defineFlags, FlagError } from './flags.ts';
import { runtimeFlags } from './runtime-flags.ts';

const known = { ExternalArtifact: false, FailFast: false, GitShallowClone: true };

describe('parseFeatureGates', () => {
  it('returns the defaults when no gate is set', () => {
    assert.deepEqual(parseFeatureGates([], known), known);
  });

  it('reads Name=bool pairs, bare names as true, later entries winning', () => {
    assert.deepEqual(parseFeatureGates(['FailFast', 'ExternalArtifact=true, GitShallowClone=false', 'FailFast=false'], known), {
      ExternalArtifact: true,
      FailFast: false,
      GitShallowClone: false,
    });
  });

  it("accepts Go's boolean spellings and skips empty entries", () => {
    assert.deepEqual(parseFeatureGates(['ExternalArtifact=1,,FailFast=T', ''], known), { ExternalArtifact: true, FailFast: true, GitShallowClone: true });
    assert.deepEqual(parseFeatureGates(['GitShallowClone=FALSE'], known).GitShallowClone, false);
  });

  it('rejects gates the controller does not support, as Flux does at start-up', () => {
    assert.throws(() => parseFeatureGates(['FailFast=true,Nope=true'], known), (err: unknown) => err instanceof FlagError && err.message === "feature-gate 'Nope' not supported");
    assert.throws(() => parseFeatureGates(['toString'], known), /feature-gate 'toString' not supported/);
  });

  it('leaves the gates of other controllers alone when asked (one-process mode)', () => {
    assert.deepEqual(parseFeatureGates(['FailFast,DetectDrift=true', 'Other=maybe'], known, { ignoreUnsupported: true }), { ...known, FailFast: true });
    assert.throws(() => parseFeatureGates(['FailFast=maybe'], known, { ignoreUnsupported: true }), /invalid value of feature-gate 'FailFast'/);
  });

  it('rejects values that are not booleans', () => {
    assert.throws(() => parseFeatureGates(['GitShallowClone=maybe'], known), /invalid value of feature-gate 'GitShallowClone': 'maybe'/);
    assert.throws(() => parseFeatureGates(['FailFast='], known), /invalid value of feature-gate 'FailFast'/);
  });

  it('reads what --feature-gates parsed to', () => {
    const { values } = defineFlags(runtimeFlags, 'x').parse(['--feature-gates=ExternalArtifact=true,FailFast', '--feature-gates', 'ExternalArtifact=false']);
    assert.deepEqual(parseFeatureGates(values.featureGates, known), { ExternalArtifact: false, FailFast: true, GitShallowClone: true });
  });
});
