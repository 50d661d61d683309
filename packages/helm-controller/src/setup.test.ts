// SPDX-License-Identifier: Apache-2.0
/** Unit tests of the flag handling of {@link setupHelmController}. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventRecorder } from '@eddy/runtime/events';
import type { Manager } from '@eddy/runtime/manager';
import { helmFeatureGates, setupHelmController } from './setup.ts';

describe('setupHelmController feature gates', () => {
  it('supports AdditiveCELDependencyCheck, off by default', () => {
    assert.deepEqual(helmFeatureGates, { AdditiveCELDependencyCheck: false });
  });

  it('rejects a bad value of its own gate before touching the manager', async () => {
    const mgr = {} as Manager;
    await assert.rejects(setupHelmController(mgr, { events: {} as EventRecorder, featureGates: ['FailFast,AdditiveCELDependencyCheck=maybe'] }), /invalid value of feature-gate 'AdditiveCELDependencyCheck'/);
  });
});
