// SPDX-License-Identifier: Apache-2.0
/**
 * Go regexp translation, `filterTags` and `exclusionList`; expectations for the expansion cases
 * come from Go's `regexp.ExpandString` on the same inputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DEFAULT_EXCLUSION_LIST, TagFilter, excludeTags, selectLatestTag } from './filter.ts';
import { GoRegexpError, compileGoRegexp, expandGoTemplate } from './go-regexp.ts';
import { InvalidPolicyError, NoMatchingTagError } from './policies.ts';

describe('expandGoTemplate (Go regexp.ExpandString)', () => {
  const cases: { pattern: string; tag: string; extract: string; want: string }[] = [
    { pattern: String.raw`^RELEASE\.(?P<timestamp>.*)Z$`, tag: 'RELEASE.2021-05-20T22-31-44Z', extract: '$timestamp', want: '2021-05-20T22-31-44' },
    { pattern: String.raw`ver(\d+)`, tag: 'ver12', extract: '$1', want: '12' },
    { pattern: String.raw`ver(\d+)`, tag: 'ver12', extract: '${1}x', want: '12x' },
    { pattern: String.raw`ver(\d+)`, tag: 'ver12', extract: '$1x', want: '' },
    { pattern: String.raw`^main-[a-f0-9]+-(?P<ts>[0-9]+)`, tag: 'main-abc123-1612345678', extract: '$ts', want: '1612345678' },
    { pattern: String.raw`(?P<a>x)|(?P<b>y)`, tag: 'y', extract: '[$a][$b]', want: '[][y]' },
    { pattern: String.raw`(?i)^V(?P<n>\d+)`, tag: 'v42', extract: '$n', want: '42' },
    { pattern: String.raw`^(?P<1st>\d)`, tag: '7x', extract: '${1st}-$1', want: '7-7' },
    { pattern: '^a', tag: 'abc', extract: '$$-$-${', want: '$-$-${' },
    { pattern: String.raw`\Qa.b\E(\d)`, tag: 'a.b5', extract: '$1', want: '5' },
    { pattern: String.raw`^[[:digit:]]+\z`, tag: '123', extract: 'ok', want: 'ok' },
    { pattern: '[]a]+', tag: ']a]', extract: '$0', want: ']a]' },
    { pattern: String.raw`^(\d+)-(?:rc|beta)\.(\d+)$`, tag: '12-rc.3', extract: '$1.$2', want: '12.3' },
  ];
  for (const c of cases) {
    it(`${c.pattern} / ${c.extract}`, () => {
      const re = compileGoRegexp(c.pattern);
      const m = re.regex.exec(c.tag);
      assert.ok(m, 'pattern should match');
      assert.equal(expandGoTemplate(re, c.extract, m), c.want);
    });
  }
});

describe('compileGoRegexp', () => {
  it('rejects what Go rejects', () => {
    for (const p of ['(?=a)', '(?!a)', '(?<=a)b', String.raw`(a)\1`, 'a{1001}', '[[:foo:]]', String.raw`\8`, '(', '[a']) {
      assert.throws(() => compileGoRegexp(p), GoRegexpError, p);
    }
  });
  it('supports (?U) by swapping greediness', () => {
    const re = compileGoRegexp('(?U)^(a+)(a*)$');
    assert.deepEqual(re.regex.exec('aaa')?.slice(1), ['a', 'aa']);
    assert.deepEqual(compileGoRegexp('(?U)^(a+?)').regex.exec('aaa')?.[1], 'aaa');
  });
  it('treats \\z as end of text even in multi-line mode', () => {
    assert.equal(compileGoRegexp(String.raw`(?m)a\z`).regex.test('a\nb'), false);
    assert.equal(compileGoRegexp('(?m)a$').regex.test('a\nb'), true);
  });
});

describe('TagFilter', () => {
  it('keeps everything without a pattern (Flux "none")', () => {
    assert.deepEqual([...new TagFilter('').apply(['a']).keys()], ['a']);
  });
  it('filters by pattern (Flux "valid pattern")', () => {
    assert.deepEqual([...new TagFilter('^ver').apply(['ver1', 'ver2', 'ver3', 'rel1']).keys()], ['ver1', 'ver2', 'ver3']);
  });
  it('extracts a capture group (Flux "valid pattern with capture group")', () => {
    const f = new TagFilter(String.raw`ver(\d+)`, '$1');
    assert.deepEqual([...f.apply(['ver1', 'ver2', 'ver3', 'rel1']).entries()], [['1', 'ver1'], ['2', 'ver2'], ['3', 'ver3']]);
  });
  it('stalls on an invalid pattern', () => {
    assert.throws(() => new TagFilter('(?=x)'), InvalidPolicyError);
  });
});

describe('selectLatestTag', () => {
  it('docs: latest release candidate (semver + filter)', () => {
    const spec = { filterTags: { pattern: '.*-rc.*' }, policy: { semver: { range: '^1.x-0' } } };
    assert.equal(selectLatestTag(spec, ['1.0.0', '1.1.0-rc.1', '1.1.0-rc.2', '1.2.0-beta.1']), '1.1.0-rc.2');
  });
  it('docs: minio RELEASE timestamps (alphabetical + extract) reports the original tag', () => {
    const spec = { filterTags: { pattern: String.raw`^RELEASE\.(?P<timestamp>.*)Z$`, extract: '$timestamp' }, policy: { alphabetical: { order: 'asc' } } };
    const tags = ['RELEASE.2021-05-20T22-31-44Z', 'RELEASE.2021-06-01T00-00-00Z', 'latest', 'RELEASE.2020-12-31T23-59-59Z'];
    assert.equal(selectLatestTag(spec, tags), 'RELEASE.2021-06-01T00-00-00Z');
  });
  it('numerical on an extracted build number', () => {
    const spec = { filterTags: { pattern: String.raw`^main-[a-f0-9]+-(?P<ts>[0-9]+)`, extract: '$ts' }, policy: { numerical: { order: 'asc' } } };
    assert.equal(selectLatestTag(spec, ['main-aaa-9', 'main-bbb-10', 'dev-ccc-99']), 'main-bbb-10');
  });
  it('reports no match when the filter leaves nothing', () => {
    assert.throws(() => selectLatestTag({ filterTags: { pattern: '^nope' }, policy: { alphabetical: {} } }, ['a']), NoMatchingTagError);
  });
});

describe('excludeTags', () => {
  it('drops cosign signatures by default', () => {
    assert.deepEqual(DEFAULT_EXCLUSION_LIST, [String.raw`^.*\.sig$`]);
    assert.deepEqual(excludeTags(['1.0.0', 'sha256-abc.sig', '1.0.1']), ['1.0.0', '1.0.1']);
  });
  it('uses the given list instead of the default', () => {
    assert.deepEqual(excludeTags(['1.0.0', 'x.sig', 'latest'], ['^latest$']), ['1.0.0', 'x.sig']);
  });
});
