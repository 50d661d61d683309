// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allKinds } from '../kinds.ts';
import { KustomizationKind } from '../kustomize/v1/kustomization.ts';
import { HelmReleaseKind } from '../helm/v2/helm-release.ts';
import { ProviderKind } from '../notification/v1beta3/provider.ts';
import { toYaml } from '../schema/yaml.ts';
import { fieldRows, typeName } from './fields.ts';
import { GENERATED_MARKER, kindDocPath, renderIndex, renderKindDoc } from './render.ts';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

describe('fieldRows', () => {
  it('flattens nested objects, lists and maps with paths', () => {
    const { rows, rules } = fieldRows(HelmReleaseKind.spec.json, 'spec');
    const paths = rows.map((r) => r.path);
    for (const p of ['spec.chart.spec.sourceRef.kind', 'spec.valuesFrom[].targetPath', 'spec.install.strategy.retryInterval', 'spec.values']) {
      assert.ok(paths.includes(p), p);
    }
    assert.equal(rows.find((r) => r.path === 'spec.interval')?.type, 'duration');
    assert.equal(rows.find((r) => r.path === 'spec.interval')?.required, true);
    assert.equal(rows.find((r) => r.path === 'spec.values')?.type, 'JSON');
    assert.ok(rules.some((r) => r.path === 'spec' && r.rule.message === 'either chart or chartRef must be set'));
  });

  it('names types', () => {
    assert.equal(typeName({ type: 'array', items: { type: 'string' } }), '[]string');
    assert.equal(typeName({ type: 'object', additionalProperties: { type: 'string' } }), 'map[string]string');
  });
});

describe('renderKindDoc', () => {
  it('documents Eddy extensions on the Kustomization page', () => {
    const page = renderKindDoc(KustomizationKind);
    assert.ok(page.startsWith(`<!-- ${GENERATED_MARKER} -->`));
    assert.match(page, /## Eddy extensions/);
    assert.match(page, /`spec\.dependsOn\[\]\.kind`/);
    assert.ok(page.includes(toYaml(KustomizationKind.docs.example).trimEnd()));
  });

  it('says when a kind has no status', () => {
    assert.match(renderKindDoc(ProviderKind), /Provider has no status\./);
  });

  it('escapes pipes in tables', () => {
    assert.ok(renderKindDoc(KustomizationKind).includes('\\|\\|'));
  });

  it('is deterministic and matches the generated files (run make generate when this fails)', () => {
    for (const kind of allKinds()) {
      const page = renderKindDoc(kind);
      assert.equal(renderKindDoc(kind), page);
      const file = join(repoRoot, 'docs', 'spec', kindDocPath(kind));
      if (existsSync(file)) assert.equal(readFileSync(file, 'utf8'), page, file);
      const crdFile = join(repoRoot, 'packages', 'api', 'crds', `${kind.group}_${kind.plural}.yaml`);
      if (existsSync(crdFile)) assert.equal(readFileSync(crdFile, 'utf8'), `# ${GENERATED_MARKER}\n---\n${toYaml(kind.crd())}`, crdFile);
    }
    assert.match(renderIndex(allKinds()), /\[HelmRelease\]\(v2\/helmreleases\.md\)/);
  });
});
