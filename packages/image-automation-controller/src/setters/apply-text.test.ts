// SPDX-License-Identifier: Apache-2.0
/** Text-preserving setter application: exactly the marked values change, one line per change. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { applySettersToText } from './apply-text.ts';
import { parseMarker, setterDefinitions } from './markers.ts';

const defs = setterDefinitions([
  { metadata: { namespace: 'ns', name: 'app' }, status: { latestRef: { name: 'ghcr.io/org/app', tag: '1.10' } } },
  { metadata: { namespace: 'ns', name: 'web' }, status: { latestRef: { name: 'ghcr.io/org/web', tag: 'v2.0.0', digest: `sha256:${'a'.repeat(64)}` } } },
]);

function apply(text: string): { text: string; lines: string[] } {
  const out = applySettersToText(text, defs);
  assert.ok(out.ok);
  const before = text.split('\n');
  const after = out.text.split('\n');
  assert.equal(after.length, before.length, 'line count must not change');
  return { text: out.text, lines: after.filter((l, i) => l !== before[i]) };
}

describe('applySettersToText', () => {
  it('keeps quoting style, comments, indentation and other lines byte for byte', () => {
    const text = [
      '# head comment',
      'spec:',
      '  a: "ghcr.io/org/app:1.0"   # {"$imagepolicy": "ns:app"}',
      "  b: 'old' #{\"$imagepolicy\":\"ns:web:tag\"}",
      '  c:    old    ## {"$imagepolicy": "ns:web:name"}',
      '  untouched: value # a comment',
      '',
    ].join('\n');
    const { lines } = apply(text);
    assert.deepEqual(lines, [
      '  a: "ghcr.io/org/app:1.10"   # {"$imagepolicy": "ns:app"}',
      "  b: 'v2.0.0' #{\"$imagepolicy\":\"ns:web:tag\"}",
      '  c:    ghcr.io/org/web    ## {"$imagepolicy": "ns:web:name"}',
    ]);
  });

  it('double-quotes a plain value YAML 1.1 would read as a number (kyaml FormatNonStringStyle)', () => {
    assert.deepEqual(apply('tag: 1.0 # {"$imagepolicy": "ns:app:tag"}\n').lines, ['tag: "1.10" # {"$imagepolicy": "ns:app:tag"}']);
  });

  it('reports the original text of a non-string old value', () => {
    const out = applySettersToText('tag: 5 # {"$imagepolicy": "ns:app:tag"}\n', defs);
    assert.ok(out.ok);
    assert.deepEqual(out.changes[0]!.change, { OldValue: '5', NewValue: '1.10', Setter: 'ns:app:tag' });
  });

  it('handles multi-document files with per-document object identity and CRLF line endings', () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: one, namespace: apps}',
      'spec: {containers: [{image: "x:1"}]}',
      'image: x:1 # {"$imagepolicy": "ns:app"}',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: two',
      'image: x:1 # {"$imagepolicy": "ns:web"}',
      '',
    ].join('\r\n');
    const out = applySettersToText(text, defs);
    assert.ok(out.ok);
    assert.ok(out.text.includes('image: ghcr.io/org/app:1.10 # {"$imagepolicy": "ns:app"}\r\n'));
    assert.deepEqual(
      out.changes.map((c) => [c.object.Kind, c.object.Name, c.object.Namespace, c.line]),
      [
        ['Pod', 'one', 'apps', 5],
        ['Deployment', 'two', '', 11],
      ],
    );
    assert.equal(out.text.split('\r\n').length, text.split('\r\n').length);
  });

  it('sets items of multi-line flow sequences and block sequence items with a head comment', () => {
    const text = ['args: [', '  "x:1", # {"$imagepolicy": "ns:app"}', '  other', ']', 'list:', '  # {"$imagepolicy": "ns:web:tag"}', '  - old', '  - keep', ''].join('\n');
    assert.deepEqual(apply(text).lines, ['  "ghcr.io/org/app:1.10", # {"$imagepolicy": "ns:app"}', '  - v2.0.0']);
  });

  it('does not treat a comment after a closing bracket as a scalar marker (yaml.v3 attaches it to the sequence)', () => {
    const out = applySettersToText('args: [x:1] # {"$imagepolicy": "ns:app"}\n', defs);
    assert.ok(out.ok);
    assert.deepEqual(out.changes, []);
  });

  it('ignores markers on keys, non-marker comments and # inside quoted values', () => {
    const text = ['"a # {\\"$imagepolicy\\": \\"ns:app\\"}": v', 'b: x # {"$imagepolicy": 3}', 'c: "# {\\"$imagepolicy\\": \\"ns:app\\"}"', ''].join('\n');
    const out = applySettersToText(text, defs);
    assert.ok(out.ok);
    assert.equal(out.text, text);
  });

  it('leaves a file without changes identical and reports parse failures', () => {
    assert.equal(apply('image: ghcr.io/org/app:1.10 # {"$imagepolicy": "ns:app"}\n').lines.length, 0);
    assert.deepEqual(applySettersToText('a: [\n', defs).ok, false);
  });
});

describe('marker attachment matches yaml.v3 (checked with kyaml on the same text)', () => {
  it('sets exactly the scalars yaml.v3 gives a line or head comment', () => {
    const text = [
      'spec:',
      '  args: [x:1] # {"$imagepolicy": "ns:app"}',
      '  flow: [',
      '    "x:1", # {"$imagepolicy": "ns:app"}',
      '    other',
      '  ]',
      '  list:',
      '    # {"$imagepolicy": "ns:web:tag"}',
      '    - old',
      '    - keep',
      '  list2:',
      '  # {"$imagepolicy": "ns:web:tag"}',
      '  - old2',
      '  - keep2 # {"$imagepolicy": "ns:app:tag"}',
      '  map: {a: x:1} # {"$imagepolicy": "ns:app"}',
      '',
    ].join('\n');
    const out = applySettersToText(text, defs);
    assert.ok(out.ok);
    assert.deepEqual(
      out.changes.map((c) => [c.change.OldValue, c.change.Setter, c.line]),
      [
        ['x:1', 'ns:app', 4],
        ['old', 'ns:web:tag', 9],
        ['old2', 'ns:web:tag', 13],
        ['keep2', 'ns:app:tag', 14],
      ],
    );
  });
});

describe('parseMarker', () => {
  const cases: [string, string | undefined][] = [
    [' {"$imagepolicy": "ns:app"}', 'ns:app'],
    ['# {"$imagepolicy": "ns:app:tag"}', 'ns:app:tag'],
    ['{"$imagepolicy":"ns:app","other":"x"}', 'ns:app'],
    [' {"$ref": "#/definitions/io.k8s.cli.setters.ns:app"}', 'ns:app'],
    [' {"$imagepolicy": ""}', undefined],
    [' {"$imagepolicy": "ns:app"} trailing', undefined],
    [' {"$imagepolicy": "ns:app", "n": 1}', undefined],
    [' just a comment', undefined],
  ];
  for (const [comment, want] of cases) it(JSON.stringify(comment), () => assert.equal(parseMarker(comment), want));
});
