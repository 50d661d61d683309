// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTable } from './table.ts';

describe('renderTable', () => {
  it('aligns columns to the widest cell and upper-cases headers', () => {
    const out = renderTable(['name', 'ready', 'message'], [
      ['podinfo', 'True', 'Applied revision: main@sha1:abc'],
      ['a', 'False', 'x'],
    ]);
    assert.equal(
      out,
      ['NAME     READY  MESSAGE', 'podinfo  True   Applied revision: main@sha1:abc', 'a        False  x'].join('\n'),
    );
  });

  it('prints only headers when there are no rows', () => {
    assert.equal(renderTable(['name'], []), 'NAME');
  });
});
