// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanTimeoutMs } from './registry-auth.ts';

describe('scanTimeoutMs', () => {
  it('is spec.timeout, else interval - 30s, never below 30s', () => {
    assert.equal(scanTimeoutMs(45_000, 600_000), 45_000);
    assert.equal(scanTimeoutMs(undefined, 600_000), 570_000);
    assert.equal(scanTimeoutMs(undefined, 40_000), 30_000);
    assert.equal(scanTimeoutMs(5_000, 600_000), 30_000);
  });
});
