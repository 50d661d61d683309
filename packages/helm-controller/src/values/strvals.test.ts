// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseInto, parseIntoString, parseLiteralInto, replacePathValue } from './strvals.ts';

function parse(s: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  parseInto(s, out);
  return out;
}

// Cases from Helm's pkg/strvals/parser_test.go (TestParseSet).
const ok: Array<[string, unknown]> = [
  ['name1=null,f=false,t=true', { name1: null, f: false, t: true }],
  ['name1=value1,name2=value2,', { name1: 'value1', name2: 'value2' }],
  ['name1=,name2=value2', { name1: '', name2: 'value2' }],
  ['leading_zeros=00009', { leading_zeros: '00009' }],
  ['zero_int=0', { zero_int: 0 }],
  ['long_int=1234567890', { long_int: 1234567890 }],
  ['plus=+5', { plus: 5 }],
  ['name1=one\\,two,name2=three\\=four', { name1: 'one,two', name2: 'three=four' }],
  ['outer.inner1=value,outer.middle.inner=value', { outer: { inner1: 'value', middle: { inner: 'value' } } }],
  ['name1.name2=', { name1: { name2: '' } }],
  ['name1={value1,value2},name2={1021,902}', { name1: ['value1', 'value2'], name2: [1021, 902] }],
  ['list[0]=foo,list[3]=bar', { list: ['foo', null, null, 'bar'] }],
  ['list[0].foo=bar,list[0].hello=world', { list: [{ foo: 'bar', hello: 'world' }] }],
  ['noval[0]', { noval: [] }],
  ['noval[0]=', { noval: [''] }],
  ['nested[1][1]=1', { nested: [null, [null, 1]] }],
  ['name1.name2[1].foo=bar,name1.name2[0].foo=bar', { name1: { name2: [{ foo: 'bar' }, { foo: 'bar' }] } }],
  ['a\\.b=c', { 'a.b': 'c' }],
];
const bad = [
  'name1=value1,,,,name2=value2,',
  'name1,name2=',
  'name1,name2=value2\\',
  'name1.name2',
  'name1.=name2',
  'name1={1021,902',
  'list[0].foo=bar,list[-30].hello=world',
  'illegal[0]name.foo=bar',
  ']={}].',
];

describe('strvals.parseInto', () => {
  for (const [input, want] of ok) it(`parses ${input}`, () => assert.deepEqual(parse(input), want));
  for (const input of bad) it(`rejects ${input}`, () => assert.throws(() => parse(input)));
  it('merges into existing values, overwriting keys', () => {
    const got: Record<string, unknown> = { outer: { inner1: 'overwrite', inner2: 'value2' } };
    parseInto('outer.inner1=value1,outer.inner3=value3,outer.inner4=4', got);
    assert.deepEqual(got, { outer: { inner1: 'value1', inner2: 'value2', inner3: 'value3', inner4: 4 } });
  });
});

describe('strvals.parseIntoString and parseLiteralInto', () => {
  it('keeps every value a string', () => {
    const got: Record<string, unknown> = {};
    parseIntoString('a=true,b=0,c=null', got);
    assert.deepEqual(got, { a: 'true', b: '0', c: 'null' });
  });
  it('takes the literal value verbatim, commas and brackets included', () => {
    const got: Record<string, unknown> = {};
    parseLiteralInto('cfg.file=a,b=[c]{d}\\n', got);
    assert.deepEqual(got, { cfg: { file: 'a,b=[c]{d}\\n' } });
  });
});

describe('replacePathValue (Flux targetPath)', () => {
  it('sets typed values at a dotted path', () => {
    const v: Record<string, unknown> = { image: { tag: 'x' } };
    replacePathValue(v, 'image.tag', '1.2.3');
    replacePathValue(v, 'replicas', '3');
    assert.deepEqual(v, { image: { tag: '1.2.3' }, replicas: 3 });
  });
  it('keeps quoted values as strings without the quotes', () => {
    const v: Record<string, unknown> = {};
    replacePathValue(v, 'a', '"123"');
    replacePathValue(v, 'b', "'true'");
    assert.deepEqual(v, { a: '123', b: 'true' });
  });
  it('honours literal', () => {
    const v: Record<string, unknown> = {};
    replacePathValue(v, 'externalConfig.application\\.yml.content', 'a: [1, 2]\nb=c', true);
    assert.deepEqual(v, { externalConfig: { 'application.yml': { content: 'a: [1, 2]\nb=c' } } });
  });
});
