// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeFlags } from '../flags/index.ts';
import { runControllerMain } from './controller-main.ts';

describe('runControllerMain', () => {
  const opts = (onSetup: () => void) => ({
    component: 'test-controller',
    flags: runtimeFlags,
    featureGates: { Known: false },
    setup: onSetup,
  });

  it('refuses invalid runtime flags before connecting or setting anything up', async () => {
    let setups = 0;
    await assert.rejects(runControllerMain(['--concurrent=0'], opts(() => void setups++)), /--concurrent must be at least 1/);
    assert.equal(setups, 0);
  });

  it('refuses a feature gate the controller does not support, as Flux binaries do', async () => {
    let setups = 0;
    await assert.rejects(runControllerMain(['--feature-gates=Unknown=true'], opts(() => void setups++)), /feature-gate 'Unknown' not supported/);
    await assert.rejects(runControllerMain(['--feature-gates=Known=maybe'], opts(() => void setups++)), /Known/);
    assert.equal(setups, 0);
  });
});
