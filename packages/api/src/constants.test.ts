// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FINALIZER,
  FORCE_REQUEST_ANNOTATION,
  HelmLabel,
  KustomizeAnnotation,
  KustomizeLabel,
  RECONCILE_REQUEST_ANNOTATION,
  RESET_REQUEST_ANNOTATION,
  SsaPolicy,
  annotationIs,
} from './annotations/index.ts';
import { ConditionType, NEGATIVE_POLARITY_CONDITIONS, Reason } from './conditions/index.ts';
import { SOURCE_NEGATIVE_POLARITY, SourceCondition } from './source/v1/conditions.ts';
import { HelmReleaseCondition } from './helm/v2/conditions.ts';

describe('wire constants', () => {
  it('spells annotations, labels and the finalizer like Flux', () => {
    assert.equal(FINALIZER, 'finalizers.fluxcd.io');
    assert.equal(RECONCILE_REQUEST_ANNOTATION, 'reconcile.fluxcd.io/requestedAt');
    assert.equal(FORCE_REQUEST_ANNOTATION, 'reconcile.fluxcd.io/forceAt');
    assert.equal(RESET_REQUEST_ANNOTATION, 'reconcile.fluxcd.io/resetAt');
    assert.deepEqual(KustomizeLabel, { Name: 'kustomize.toolkit.fluxcd.io/name', Namespace: 'kustomize.toolkit.fluxcd.io/namespace' });
    assert.deepEqual(HelmLabel, { Name: 'helm.toolkit.fluxcd.io/name', Namespace: 'helm.toolkit.fluxcd.io/namespace' });
    assert.equal(KustomizeAnnotation.Ssa, 'kustomize.toolkit.fluxcd.io/ssa');
    assert.deepEqual(Object.values(SsaPolicy), ['Override', 'Merge', 'IfNotPresent', 'Ignore']);
  });

  it('spells conditions and reasons like Flux', () => {
    assert.deepEqual(Object.values(ConditionType), ['Ready', 'Reconciling', 'Stalled', 'Healthy']);
    assert.deepEqual(NEGATIVE_POLARITY_CONDITIONS, ['Reconciling', 'Stalled']);
    assert.equal(Reason.ProgressingWithRetry, 'ProgressingWithRetry');
    assert.equal(SourceCondition.ArtifactInStorage, 'ArtifactInStorage');
    assert.ok(SOURCE_NEGATIVE_POLARITY.includes('FetchFailed'));
    assert.ok(!SOURCE_NEGATIVE_POLARITY.includes('ArtifactInStorage'));
    assert.deepEqual(Object.values(HelmReleaseCondition), ['Released', 'TestSuccess', 'Remediated', 'Drifted']);
    for (const reason of Object.values(Reason)) assert.match(reason, /^[A-Z][A-Za-z]+$/);
  });

  it('compares annotation values case-insensitively, annotations before labels', () => {
    assert.equal(annotationIs({ annotations: { [KustomizeAnnotation.Prune]: 'disabled' } }, KustomizeAnnotation.Prune, 'Disabled'), true);
    assert.equal(annotationIs({ labels: { [KustomizeAnnotation.Reconcile]: 'Disabled' } }, KustomizeAnnotation.Reconcile, 'disabled'), true);
    assert.equal(annotationIs({ annotations: { [KustomizeAnnotation.Ssa]: 'Merge' } }, KustomizeAnnotation.Ssa, 'Ignore'), false);
    assert.equal(annotationIs({}, KustomizeAnnotation.Ssa, 'Merge'), false);
  });
});
