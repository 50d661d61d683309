// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findKind } from '../src/kinds.ts';
import { validateValue } from '../src/schema/validate.ts';
import { fleetsDir, loadFleetManifests } from './fleet-fixtures.ts';

const dir = fleetsDir();

describe('fleet fixtures against the schemas (offline)', { skip: dir === undefined ? 'shared fixtures not found' : false }, () => {
  const manifests = dir === undefined ? [] : loadFleetManifests(dir);

  it('finds the Flux kinds of flux2-kustomize-helm-example, patches merged', () => {
    const kinds = new Set(manifests.map((m) => m.object.kind));
    for (const k of ['HelmRelease', 'HelmRepository', 'OCIRepository', 'Kustomization', 'ArtifactGenerator']) assert.ok(kinds.has(k), k);
    assert.ok(manifests.some((m) => m.source.includes('+') && m.source.endsWith('apps/staging/podinfo-values.yaml')));
  });

  it('has no unknown field, missing field or bad value in any manifest', () => {
    assert.ok(manifests.length >= 10, `only ${manifests.length} manifests`);
    for (const m of manifests) {
      const kind = findKind(m.object.apiVersion, m.object.kind)!;
      assert.deepEqual(validateValue(kind.openApiSchema(), m.object), [], m.source);
    }
  });
});
