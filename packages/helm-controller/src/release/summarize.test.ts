// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as conditions from '@eddy/runtime/conditions';
import { summarize } from './summarize.ts';
import { helmRelease, testClock } from './test-fixtures.ts';
import type { HelmReleaseSpec } from './types.ts';

type Cond = [type: string, status: 'True' | 'False' | 'Unknown', reason: string, generation?: number];

const cases: Array<{ name: string; spec?: Partial<HelmReleaseSpec>; conds: Cond[]; want?: [string, string]; absent?: string[] }> = [
  { name: 'released', conds: [['Released', 'True', 'InstallSucceeded']], want: ['True', 'InstallSucceeded'] },
  { name: 'release failed', conds: [['Released', 'False', 'UpgradeFailed']], want: ['False', 'UpgradeFailed'] },
  { name: 'remediated wins at the same generation and is a failure', conds: [['Released', 'False', 'UpgradeFailed'], ['Remediated', 'True', 'RollbackSucceeded']], want: ['False', 'RollbackSucceeded'] },
  { name: 'a newer release beats an older remediation', conds: [['Remediated', 'True', 'RollbackSucceeded', 1], ['Released', 'True', 'UpgradeSucceeded', 2]], want: ['True', 'UpgradeSucceeded'] },
  { name: 'failed tests count when enabled', spec: { test: { enable: true } }, conds: [['Released', 'True', 'InstallSucceeded'], ['TestSuccess', 'False', 'TestFailed']], want: ['False', 'TestFailed'] },
  { name: 'ignored test failures do not count', spec: { test: { enable: true, ignoreFailures: true } }, conds: [['Released', 'True', 'InstallSucceeded'], ['TestSuccess', 'False', 'TestFailed']], want: ['True', 'InstallSucceeded'] },
  { name: 'disabled tests drop TestSuccess', conds: [['Released', 'True', 'InstallSucceeded'], ['TestSuccess', 'False', 'TestFailed']], want: ['True', 'InstallSucceeded'], absent: ['TestSuccess'] },
  { name: 'ready clears stalled', conds: [['Stalled', 'True', 'RetriesExceeded'], ['Released', 'True', 'UpgradeSucceeded']], want: ['True', 'UpgradeSucceeded'], absent: ['Stalled'] },
];

describe('summarize', () => {
  for (const c of cases) {
    it(c.name, () => {
      const clock = testClock();
      const hr = helmRelease(c.spec);
      for (const [type, status, reason, gen] of c.conds) {
        hr.metadata.generation = gen ?? 1;
        conditions.set(hr, { type, status, reason, message: reason }, clock);
      }
      hr.metadata.generation = 2;
      summarize(hr, clock);
      const ready = conditions.get(hr, 'Ready');
      assert.deepEqual([ready?.status, ready?.reason], c.want);
      assert.equal(ready?.observedGeneration, 2);
      for (const t of c.absent ?? []) assert.equal(conditions.get(hr, t), undefined, `${t} must be gone`);
    });
  }
});
