// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnvsubstParseError, VariableNotSetError, envsubst, globMatch, type Mapping } from './envsubst.ts';

const lenient =
  (params: Record<string, string>): Mapping =>
  (n) => [params[n] ?? '', true];
const strict =
  (params: Record<string, string>): Mapping =>
  (n) => [params[n] ?? '', n in params];

// The expansion table of fluxcd/pkg envsubst (cases sourced from tldp.org).
const expand: Array<[Record<string, string>, string, string]> = [
  [{}, 'abcdEFGH28ij', 'abcdEFGH28ij'],
  [{ var01: 'abcdEFGH28ij' }, '${#var01}', '12'],
  [{ var01: 'abcdEFGH28ij' }, '${var01^}', 'AbcdEFGH28ij'],
  [{ var01: 'abcdEFGH28ij' }, '${var01^^}', 'ABCDEFGH28IJ'],
  [{ var01: 'ABCDEFGH28IJ' }, '${var01,}', 'aBCDEFGH28IJ'],
  [{ var01: 'ABCDEFGH28IJ' }, '${var01,,}', 'abcdefgh28ij'],
  [{ path_name: '/home/bozo/ideas/thoughts.for.today' }, '${path_name:11}', 'ideas/thoughts.for.today'],
  [{ path_name: '/home/bozo/ideas/thoughts.for.today' }, '${path_name:11:5}', 'ideas'],
  [{ var: 'abc' }, '${var=xyz}', 'abc'],
  [{}, '${var=xyz}', 'xyz'],
  [{ default_var: 'foo' }, 'something ${var=${default_var}}', 'something foo'],
  [{ default_var: 'foo1' }, 'foo: ${var=${default_var}-suffix}', 'foo: foo1-suffix'],
  [{ default_var: 'foo1' }, 'foo: ${var=prefix${default_var}-suffix}', 'foo: prefixfoo1-suffix'],
  [{}, '${var:=xyz}', 'xyz'],
  [{}, '${var:-xyz}', 'xyz'],
  [{ stringZ: 'abcABC123ABCabc' }, '${stringZ/%abc/XYZ}', 'abcABC123ABCXYZ'],
  [{ stringZ: 'abcABC123ABCabc' }, '${stringZ/#abc/XYZ}', 'XYZABC123ABCabc'],
  [{ stringZ: 'somevalue' }, '${stringZ/#/prefix-}', 'prefix-somevalue'],
  [{ stringZ: 'somevalue' }, '${stringZ/%/-suffix}', 'somevalue-suffix'],
  [{ stringZ: 'abcABC123ABCabc' }, '${stringZ//abc/xyz}', 'xyzABC123ABCxyz'],
  [{ stringZ: 'abcABC123ABCabc' }, '${stringZ/abc/xyz}', 'xyzABC123ABCabc'],
  [{ filename: 'bash.string.txt' }, '${filename#*.}', 'string.txt'],
  [{ filename: 'path/to/file' }, '${filename#*/}', 'to/file'],
  [{ filename: '/path/to/file' }, '${filename#*/}', 'path/to/file'],
  [{ filename: 'bash.string.txt' }, '${filename##*.}', 'txt'],
  [{ filename: 'path/to/file' }, '${filename##*/}', 'file'],
  [{ filename: '/path/to/file' }, '${filename##*/}', 'file'],
  [{ filename: 'bash.string.txt' }, '${filename%.*}', 'bash.string'],
  [{ filename: 'bash.string.txt' }, '${filename%%.*}', 'bash'],
  [{ var01: 'abcdEFGH28ij' }, '${var=${var01^^}}', 'ABCDEFGH28IJ'],
  [{ var01: 'abcdEFGH28ij' }, '$${var01}', '${var01}'],
  [{ var01: 'abcdEFGH28ij' }, 'some text ${var01}$${var$${var01}$var01${var01}', 'some text abcdEFGH28ij${var${var01}$var01abcdEFGH28ij'],
  [{ default_var: 'foo' }, 'something $${var=${default_var}}', 'something ${var=foo}'],
  [{ stringZ: 'foo/bar' }, '${stringZ/\\//-}', 'foo-bar'],
  [{ stringZ: 'foo/bar/baz' }, '${stringZ//\\//-}', 'foo-bar-baz'],
  [{ default_var: 'foo' }, '\\\\something ${var=${default_var}}', '\\\\something foo'],
  [{ stringZ: 'foo.bar' }, '${stringZ/./}', 'foobar'],
  // Beyond the upstream table: bash-style negative offsets and lengths, bytes not characters.
  [{ v: 'abcdef' }, '${v:-2}', 'abcdef'],
  [{ v: 'abcdef' }, '${v:1:-1}', 'bcde'],
  [{ v: 'abcdef' }, '${v:10}', ''],
  [{ v: 'héllo' }, '${#v}', '6'],
  [{ v: '' }, '${v:+alt}', 'alt'],
  [{ v: 'x' }, 'plain $v and $ alone', 'plain $v and $ alone'],
  [{ v: 'x' }, 'name: ${v}-${v,,}', 'name: x-x'],
];

describe('envsubst', () => {
  for (const [params, input, want] of expand) {
    it(`expands ${input}`, () => assert.equal(envsubst(input, lenient(params)), want));
  }

  const strictMissing = ['${missing}', '${#missing}', '${missing^}', '${missing^^}', '${missing,}', '${missing,,}', '${missing:0}', '${missing:0:10}', '${missing/p/r}', '${missing//p/r}', '${missing/#p/r}', '${missing/%p/r}', '${missing#p}', '${missing##p}', '${missing%p}', '${missing%%p}'];
  for (const input of strictMissing) {
    it(`fails on ${input} in strict mode`, () => {
      assert.throws(() => envsubst(input, strict({})), (err: unknown) => err instanceof VariableNotSetError && err.variable === 'missing');
    });
  }
  for (const [input, want] of [
    ['${missing:-fallback}', 'fallback'],
    ['${missing:=assigned}', 'assigned'],
    ['${missing=assigned}', 'assigned'],
    ['${present}', ''],
  ] as const) {
    it(`keeps ${input} working in strict mode`, () => assert.equal(envsubst(input, strict({ present: '' })), want));
  }

  const bad: Array<[string, RegExp]> = [
    ['${', /unable to parse variable name/],
    ['${}', /unable to parse variable name/],
    ['${var', /missing closing brace/],
    ['${var-default}', /missing closing brace/],
    ['${var:=', /unable to parse substitution within function/],
    ['${a:1:2', /bad substitution/],
    ['${a^x}', /bad substitution/],
  ];
  for (const [input, match] of bad) {
    it(`rejects ${input}`, () => assert.throws(() => envsubst(input, lenient({})), (err: unknown) => err instanceof EnvsubstParseError && match.test(err.message)));
  }
});

describe('globMatch', () => {
  const cases: Array<[string, string, boolean | undefined]> = [
    ['*.', 'bash.', true],
    ['*/', 'a/b/', true],
    ['a?c', 'abc', true],
    ['[a-c]x', 'bx', true],
    ['[^a-c]x', 'bx', false],
    ['\\*', '*', true],
    ['[', 'x', undefined],
  ];
  for (const [p, n, want] of cases) it(`${p} ~ ${n}`, () => assert.equal(globMatch(p, n), want));
});
