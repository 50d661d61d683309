// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allCrds, allKinds, findKind, findKindByGroup } from './kinds.ts';
import type { JsonSchema } from './schema/schema.ts';
import { validateValue } from './schema/validate.ts';

/** Flux's names for each kind: [crd name, short names, printer column names]. */
const FLUX_NAMES: Record<string, [string, string[], string[]]> = {
  GitRepository: ['gitrepositories.source.toolkit.fluxcd.io', ['gitrepo'], ['URL', 'Age', 'Ready', 'Status']],
  OCIRepository: ['ocirepositories.source.toolkit.fluxcd.io', ['ocirepo'], ['URL', 'Ready', 'Status', 'Age']],
  HelmRepository: ['helmrepositories.source.toolkit.fluxcd.io', ['helmrepo'], ['URL', 'Age', 'Ready', 'Status']],
  HelmChart: ['helmcharts.source.toolkit.fluxcd.io', ['hc'], ['Chart', 'Version', 'Source Kind', 'Source Name', 'Age', 'Ready', 'Status']],
  Bucket: ['buckets.source.toolkit.fluxcd.io', [], ['Endpoint', 'Age', 'Ready', 'Status']],
  ExternalArtifact: ['externalartifacts.source.toolkit.fluxcd.io', ['ea'], ['Age', 'Ready', 'Status', 'Source']],
  ArtifactGenerator: ['artifactgenerators.source.extensions.fluxcd.io', [], ['Age', 'Ready', 'Status']],
  Kustomization: ['kustomizations.kustomize.toolkit.fluxcd.io', ['ks'], ['Age', 'Ready', 'Status']],
  HelmRelease: ['helmreleases.helm.toolkit.fluxcd.io', ['hr'], ['Age', 'Ready', 'Status']],
  ImageRepository: ['imagerepositories.image.toolkit.fluxcd.io', ['imgrepo', 'imagerepo'], ['Image', 'Tags', 'Ready', 'Status', 'Last scan', 'Age']],
  ImagePolicy: ['imagepolicies.image.toolkit.fluxcd.io', ['imgpol', 'imagepol'], ['Image', 'Tag', 'Ready', 'Status', 'Age']],
  ImageUpdateAutomation: ['imageupdateautomations.image.toolkit.fluxcd.io', ['iua', 'imgupd', 'imgauto'], ['Ready', 'Status', 'Last run', 'Age']],
  Receiver: ['receivers.notification.toolkit.fluxcd.io', [], ['Age', 'Ready', 'Status']],
  Alert: ['alerts.notification.toolkit.fluxcd.io', [], ['Age']],
  Provider: ['providers.notification.toolkit.fluxcd.io', [], ['Age']],
};

function structuralProblems(schema: JsonSchema, path: string, out: string[]): void {
  const free = schema['x-kubernetes-preserve-unknown-fields'] === true || schema['x-kubernetes-int-or-string'] === true;
  if (schema.type === undefined && !free) out.push(`${path}: no type`);
  if (schema.properties !== undefined && schema.type !== 'object') out.push(`${path}: properties on a non-object`);
  if (schema.properties !== undefined && schema.additionalProperties !== undefined) out.push(`${path}: both properties and additionalProperties`);
  for (const name of schema.required ?? []) if (schema.properties?.[name] === undefined) out.push(`${path}: required ${name} not a property`);
  for (const [name, child] of Object.entries(schema.properties ?? {})) structuralProblems(child, `${path}.${name}`, out);
  if (schema.items !== undefined) structuralProblems(schema.items, `${path}[]`, out);
  if (schema.additionalProperties !== undefined) structuralProblems(schema.additionalProperties, `${path}.*`, out);
  if (schema.type === 'array' && schema.items === undefined) out.push(`${path}: array without items`);
}

describe('kind registry', () => {
  it('has every Flux kind with its CRD name, short names and printer columns', () => {
    const kinds = allKinds();
    assert.deepEqual(kinds.map((k) => k.kind).sort(), Object.keys(FLUX_NAMES).sort());
    for (const kind of kinds) {
      const [crdName, shortNames, columns] = FLUX_NAMES[kind.kind]!;
      assert.equal(kind.crdName, crdName);
      assert.deepEqual(kind.shortNames ?? [], shortNames, kind.kind);
      assert.deepEqual(kind.printerColumns.map((c) => c.name), columns, kind.kind);
    }
  });

  it('labels every CRD so flux check finds it, with the serving controller', () => {
    for (const crd of allCrds()) {
      assert.equal(crd.metadata.labels['app.kubernetes.io/part-of'], 'flux');
      assert.match(crd.metadata.labels['app.kubernetes.io/component']!, /-(controller|watcher)$/);
      assert.equal(crd.metadata.labels['eddy.dev/crd'], 'true');
      assert.equal(crd.spec.versions.length, 1);
      assert.equal(crd.spec.versions[0]!.storage, true);
    }
  });

  it('defaults status to observedGeneration -1 on reconciled kinds only', () => {
    const withDefault = new Set(Object.keys(FLUX_NAMES));
    for (const k of ['ExternalArtifact', 'ArtifactGenerator', 'Alert', 'Provider']) withDefault.delete(k);
    for (const kind of allKinds()) {
      const status = kind.openApiSchema().properties!.status;
      if (withDefault.has(kind.kind)) assert.deepEqual(status?.default, { observedGeneration: -1 }, kind.kind);
      else assert.equal(status?.default, undefined, kind.kind);
      const subresources = kind.crd().spec.versions[0]!.subresources;
      assert.deepEqual(subresources, ['Alert', 'Provider'].includes(kind.kind) ? undefined : { status: {} }, kind.kind);
    }
  });

  it('emits structural schemas', () => {
    for (const kind of allKinds()) {
      const problems: string[] = [];
      structuralProblems(kind.openApiSchema(), kind.kind, problems);
      assert.deepEqual(problems, []);
    }
  });

  it('has docs examples the schema accepts', () => {
    for (const kind of allKinds()) {
      const example = kind.docs.example as { apiVersion: string; kind: string; spec: unknown };
      assert.equal(example.apiVersion, kind.apiVersion);
      assert.equal(example.kind, kind.kind);
      assert.deepEqual(validateValue(kind.spec.json, example.spec, 'spec'), [], kind.kind);
    }
  });

  it('finds kinds by apiVersion or group', () => {
    assert.equal(findKind('helm.toolkit.fluxcd.io/v2', 'HelmRelease')?.plural, 'helmreleases');
    assert.equal(findKind('helm.toolkit.fluxcd.io/v2beta1', 'HelmRelease'), undefined);
    assert.equal(findKindByGroup('source.toolkit.fluxcd.io', 'Bucket')?.version, 'v1');
  });

  it('returns fresh CRD objects', () => {
    const [a] = allCrds();
    a!.metadata.labels.x = 'y';
    assert.equal(allCrds()[0]!.metadata.labels.x, undefined);
  });
});
