// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyMergePatch, createMergePatch, jsonEqual, type JsonObject } from './merge-patch.ts';

describe('createMergePatch', () => {
  const cases: Array<{ name: string; before: JsonObject; after: JsonObject; want: JsonObject | undefined }> = [
    { name: 'equal objects give no patch', before: { a: 1, b: { c: [1] } }, after: { b: { c: [1] }, a: 1 }, want: undefined },
    { name: 'changed scalar', before: { a: 1 }, after: { a: 2 }, want: { a: 2 } },
    { name: 'removed key becomes null', before: { a: 1, b: 2 }, after: { a: 1 }, want: { b: null } },
    { name: 'undefined counts as removed', before: { a: 1 }, after: { a: undefined }, want: { a: null } },
    { name: 'nested diff keeps only changed keys', before: { m: { x: 1, y: 2 } }, after: { m: { x: 1, y: 3 } }, want: { m: { y: 3 } } },
    { name: 'arrays are replaced whole', before: { f: ['a', 'b'] }, after: { f: ['b'] }, want: { f: ['b'] } },
    { name: 'object replaced by scalar', before: { m: { x: 1 } }, after: { m: 'x' }, want: { m: 'x' } },
    { name: 'added nested object', before: {}, after: { m: { x: 1 } }, want: { m: { x: 1 } } },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got = createMergePatch(tc.before, tc.after);
      assert.deepEqual(got, tc.want);
      if (got) assert.ok(jsonEqual(applyMergePatch(tc.before, got), JSON.parse(JSON.stringify(tc.after))), 'patch round-trips');
    });
  }
});
