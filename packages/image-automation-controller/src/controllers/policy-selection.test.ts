// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImagePolicy } from '@eddy/api/image/v1';
import { PolicySelectorError, labelSelectorString, observedPoliciesChanged, observedPoliciesOf } from './policy-selection.ts';

describe('labelSelectorString', () => {
  const ok: { name: string; sel: Parameters<typeof labelSelectorString>[0]; want: string }[] = [
    { name: 'no selector selects everything', sel: undefined, want: '' },
    { name: 'empty matchLabels selects everything', sel: { matchLabels: {} }, want: '' },
    { name: 'matchLabels', sel: { matchLabels: { app: 'podinfo', 'app.kubernetes.io/part-of': 'demo' } }, want: 'app=podinfo,app.kubernetes.io/part-of=demo' },
    {
      name: 'every operator',
      sel: {
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['web', 'api'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'team', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      },
      want: 'tier in (api,web),env notin (dev),team,!legacy',
    },
  ];
  for (const c of ok) it(c.name, () => assert.equal(labelSelectorString(c.sel), c.want));

  const bad: { name: string; sel: Parameters<typeof labelSelectorString>[0]; message: RegExp }[] = [
    { name: 'unknown operator', sel: { matchExpressions: [{ key: 'a', operator: 'Near', values: ['x'] }] }, message: /"Near" is not a valid label selector operator/ },
    { name: 'In without values', sel: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, message: /values set can't be empty/ },
    { name: 'Exists with values', sel: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, message: /values set must be empty/ },
    { name: 'invalid key', sel: { matchLabels: { 'bad key': 'x' } }, message: /Invalid value: "bad key"/ },
    { name: 'invalid value', sel: { matchLabels: { a: 'no spaces' } }, message: /Invalid value: "no spaces"/ },
  ];
  for (const c of bad) it(`rejects ${c.name}`, () => assert.throws(() => labelSelectorString(c.sel), (e: unknown) => e instanceof PolicySelectorError && c.message.test(e.message)));
});

describe('observed policies', () => {
  const pol = (name: string, tag: string, digest?: string): ImagePolicy =>
    ({ metadata: { name }, status: { latestRef: { name: 'ghcr.io/a/b', tag, ...(digest ? { digest } : {}) } } }) as unknown as ImagePolicy;
  it('maps policy names to their latest image', () => {
    assert.deepEqual(observedPoliciesOf([pol('a', '1.0.0'), pol('b', '2.0.0', 'sha256:x')]), {
      a: { name: 'ghcr.io/a/b', tag: '1.0.0' },
      b: { name: 'ghcr.io/a/b', tag: '2.0.0', digest: 'sha256:x' },
    });
  });
  it('detects added, removed and moved policies', () => {
    const now = observedPoliciesOf([pol('a', '1.0.0')]);
    assert.equal(observedPoliciesChanged(undefined, now), true);
    assert.equal(observedPoliciesChanged({ a: { name: 'ghcr.io/a/b', tag: '1.0.0' } }, now), false);
    assert.equal(observedPoliciesChanged({ a: { name: 'ghcr.io/a/b', tag: '0.9.0' } }, now), true);
    assert.equal(observedPoliciesChanged({ b: { name: 'ghcr.io/a/b', tag: '1.0.0' } }, now), true);
    assert.equal(observedPoliciesChanged({ a: { name: 'ghcr.io/a/b', tag: '1.0.0', digest: 'sha256:y' } }, now), true);
  });
});
