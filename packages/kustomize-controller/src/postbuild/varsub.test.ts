// SPDX-License-Identifier: Apache-2.0
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseManifest } from '../build/manifests.ts';
import { SubstitutionError, gvkString, substituteResource } from './varsub.ts';

const doc = (extra: string, meta = ''): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n${meta}spec:\n${extra}`;

function sub(text: string, vars: Record<string, string>, opts: { strict?: boolean; always?: boolean } = {}) {
  return substituteResource(text, parseManifest(text), { vars, ...opts });
}

describe('substituteResource', () => {
  it('substitutes and re-reads the YAML with go-yaml v2 rules', () => {
    const res = sub(doc('  replicas: ${REPLICAS}\n  enabled: ${FLAG}\n  name: "${NAME:=def}"\n  mode: ${MODE}\n'), {
      REPLICAS: '3',
      FLAG: 'yes',
      MODE: '0755',
    });
    assert.ok(res);
    const spec = res.object.spec as Record<string, unknown>;
    assert.equal(spec.replicas, 3);
    assert.equal(spec.enabled, true, 'yes is a YAML 1.1 boolean');
    assert.equal(spec.name, 'def');
    assert.equal(spec.mode, 493, 'leading-zero octal, like go-yaml v2');
  });

  it('leaves a resource alone when nothing changes', () => {
    assert.equal(sub(doc('  replicas: 1\n'), { X: '1' }), undefined);
  });

  it('honours the substitute: disabled label and annotation', () => {
    for (const meta of ['  labels:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n', '  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n']) {
      assert.equal(sub(doc('  x: ${X}\n', meta), { X: '1' }), undefined);
    }
    assert.ok(sub(doc('  x: ${X}\n', '  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: Disabled\n'), { X: '1' }), 'the value is case-sensitive');
  });

  it('does nothing without variables unless the strategy is Always', () => {
    const text = doc('  x: ${X:=fallback}\n');
    assert.equal(sub(text, {}), undefined);
    assert.equal((sub(text, {}, { always: true })!.object.spec as { x: string }).x, 'fallback');
  });

  it('replaces undefined variables with empty strings, or fails in strict mode', () => {
    const text = doc('  x: "${MISSING}"\n');
    assert.equal((sub(text, { OTHER: '1' })!.object.spec as { x: string }).x, '');
    assert.throws(() => sub(text, { OTHER: '1' }, { strict: true }), (err: unknown) => err instanceof SubstitutionError && /post build failed for 'Deployment\.v1\.apps\/app': variable substitution failed: variable not set \(strict mode\): "MISSING"/.test((err as Error).message));
  });

  it('validates variable names', () => {
    assert.throws(() => sub(doc('  x: 1\n'), { 'bad-name': '1' }), /'bad-name' var name is invalid, must match/);
  });

  it('reports substitutions that break the YAML', () => {
    assert.throws(() => sub(doc('  x: ${X}\n'), { X: '[unclosed' }), /YAMLToJSON/);
  });

  it('keeps escaped references', () => {
    const res = sub(doc('  script: echo $${HOME} $HOME\n'), { X: '1' });
    assert.equal((res!.object.spec as { script: string }).script, 'echo ${HOME} $HOME');
  });

  it('formats kinds like kustomize', () => {
    assert.equal(gvkString({ apiVersion: 'v1', kind: 'ConfigMap' }), 'ConfigMap.v1.[noGrp]');
    assert.equal(gvkString({ apiVersion: 'apps/v1', kind: 'Deployment' }), 'Deployment.v1.apps');
  });
});
