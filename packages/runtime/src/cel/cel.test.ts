// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CelExpression, CelStatusEvaluators, InvalidCELExpressionError, toCel } from './index.ts';

const sealed = (status: 'True' | 'False', generation = 1, observed = 1): Record<string, unknown> => ({
  apiVersion: 'bitnami.com/v1alpha1',
  kind: 'SealedSecret',
  metadata: { name: 's', namespace: 'apps', generation },
  status: { observedGeneration: observed, conditions: [{ type: 'Synced', status }] },
});

// The example from Flux's Kustomization docs.
const SEALED_EXPRS = [
  {
    apiVersion: 'bitnami.com/v1alpha1',
    kind: 'SealedSecret',
    failed: "status.conditions.filter(e, e.type == 'Synced').all(e, e.status == 'False')",
    current: "status.conditions.filter(e, e.type == 'Synced').all(e, e.status == 'True')",
  },
];

describe('CelStatusEvaluators', () => {
  const cel = CelStatusEvaluators.compile(SEALED_EXPRS);
  it('evaluates current, failed and stale generations like Flux', () => {
    assert.equal(cel.evaluate(sealed('True'))!.status, 'Current');
    const failed = cel.evaluate(sealed('False'))!;
    assert.equal(failed.status, 'Failed');
    assert.match(failed.message, /failed expression is true: status\.conditions\.filter/, 'the message names the expression');
    assert.equal(cel.evaluate(sealed('True', 2, 1))!.status, 'InProgress');
    assert.equal(cel.evaluate({ apiVersion: 'apps/v1', kind: 'Deployment' }), undefined, 'other kinds use kstatus');
  });
  it('matches by group and kind, any version', () => {
    assert.equal(cel.supports({ apiVersion: 'bitnami.com/v1', kind: 'SealedSecret' }), true);
    assert.equal(cel.supports({ apiVersion: 'other.com/v1alpha1', kind: 'SealedSecret' }), false);
    assert.equal(cel.supportsKind('bitnami.com', 'SealedSecret'), true);
    assert.equal(cel.supportsKind('', 'SealedSecret'), false);
    assert.equal(cel.supports({ apiVersion: 'v1', kind: 'SealedSecret' }), false, 'the core group is a group of its own');
  });
  it('evaluates inProgress before failed before current; none true is InProgress', () => {
    const e = CelStatusEvaluators.compile([{ apiVersion: 'v1', kind: 'ConfigMap', inProgress: "data.phase == 'wip'", failed: "data.phase in ['wip', 'bad']", current: "data.phase != ''" }]);
    const cm = (phase: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', data: { phase } });
    assert.equal(e.evaluate(cm('wip'))!.status, 'InProgress');
    assert.equal(e.evaluate(cm('bad'))!.status, 'Failed');
    assert.equal(e.evaluate(cm('ok'))!.status, 'Current');
    const none = e.evaluate(cm(''))!;
    assert.equal(none.status, 'InProgress');
    assert.match(none.message, /no health check expression is true \(current: data\.phase != ''\)/);
  });
  it('reports evaluation errors as Unknown, not as a crash', () => {
    const r = cel.evaluate({ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 's' } });
    assert.equal(r!.status, 'Unknown');
    assert.match(r!.message, /failed to evaluate the CEL expression/);
  });
  it('treats whole numbers as ints and supports has() and optionals', () => {
    const e = CelStatusEvaluators.compile([{ apiVersion: 'example.com/v1', kind: 'W', current: "has(status.ready) && status.replicas == 3 && status.?phase.orValue('x') == 'x'" }]);
    assert.equal(e.evaluate({ apiVersion: 'example.com/v1', kind: 'W', status: { ready: true, replicas: 3 } })!.status, 'Current');
    assert.equal(e.evaluate({ apiVersion: 'example.com/v1', kind: 'W', status: { ready: true, replicas: 2 } })!.status, 'InProgress');
    assert.equal(e.size, 1);
  });
  it('rejects invalid expressions up front (InvalidCELExpression)', () => {
    assert.throws(() => CelStatusEvaluators.compile([{ apiVersion: 'a/v1', kind: 'K', current: 'status.(' }]), InvalidCELExpressionError);
    assert.throws(() => CelStatusEvaluators.compile([{ apiVersion: 'a/v1', kind: 'K', current: '' }]), /expression Current not specified/);
    assert.throws(() => CelStatusEvaluators.compile([{ apiVersion: 'a/v1', kind: 'K', current: 'true', failed: '1 +' }]), /failed to parse the expression Failed/);
  });
});

describe('CelExpression', () => {
  it('evaluates readyExpr-style expressions over dep and self', () => {
    const e = CelExpression.parse("dep.metadata.labels['v'] == self.metadata.labels['v'] && dep.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')");
    const dep = (v: string, ready: string): unknown => ({ metadata: { labels: { v } }, status: { conditions: [{ type: 'Ready', status: ready }] } });
    const self = { metadata: { labels: { v: '1' } } };
    assert.equal(e.evaluateBoolean({ dep: dep('1', 'True'), self }), true);
    assert.equal(e.evaluateBoolean({ dep: dep('2', 'True'), self }), false);
    assert.equal(e.evaluateBoolean({ dep: dep('1', 'False'), self }), false);
    assert.equal(e.expr.startsWith('dep.metadata'), true);
  });
  it('fails to parse invalid expressions and to evaluate non-booleans or missing fields', () => {
    assert.throws(() => CelExpression.parse('1 +'), InvalidCELExpressionError);
    assert.throws(() => CelExpression.parse('1 + 1').evaluateBoolean({}), /as boolean/);
    assert.throws(() => CelExpression.parse('dep.status.ready').evaluateBoolean({ dep: {} }), /failed to evaluate the CEL expression 'dep.status.ready'/);
  });
  it('converts JSON numbers: integers to int, fractions stay double', () => {
    assert.deepEqual(toCel({ a: 1, b: [2.5, 'x'], c: null }), { a: 1n, b: [2.5, 'x'], c: null });
    assert.equal(CelExpression.parse('x.n == 2 && x.f > 1.5').evaluateBoolean({ x: { n: 2, f: 1.75 } }), true);
  });
  it('loads the CEL library only when an expression is first parsed', () => {
    const mod = fileURLToPath(new URL('./index.ts', import.meta.url));
    const script = `const m = await import(${JSON.stringify(mod)}); const before = m.celLoaded(); m.CelStatusEvaluators.compile([]); const empty = m.celLoaded(); m.CelExpression.parse('true'); console.log(JSON.stringify([before, empty, m.celLoaded()]));`;
    const out = execFileSync(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--test')), '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out.trim().split('\n').pop()!), [false, false, true]);
  });
});
