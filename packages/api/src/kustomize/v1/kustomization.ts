// SPDX-License-Identifier: Apache-2.0
/**
 * Kustomization (kustomize.toolkit.fluxcd.io/v1): builds manifests from a source artifact with
 * kustomize, applies them with server-side apply, prunes what disappeared and checks health.
 */
import { object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { defineKind } from '../../crd/define-kind.ts';
import { AGE_COLUMN, READY_COLUMN, STATUS_COLUMN } from '../../crd/columns.ts';
import { History, ResourceInventory, STATUS_DEFAULT, observedShape, reconcileRequestStatusShape } from '../../meta/status.ts';
import type { TypedObject } from '../../meta/object-meta.ts';
import { KustomizationSpec } from './kustomization-spec.ts';
import { KUSTOMIZATION_CONDITION_DOCS, KUSTOMIZATION_REASONS } from './conditions.ts';

/** API group of Kustomization. */
export const KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';

/** `kustomize.toolkit.fluxcd.io/v1`. */
export const KUSTOMIZE_API_VERSION = 'kustomize.toolkit.fluxcd.io/v1';

/** Field manager kustomize-controller applies with. */
export const KUSTOMIZE_FIELD_MANAGER = 'kustomize-controller';

/** Status of a Kustomization. */
export const KustomizationStatus = object({
  ...reconcileRequestStatusShape,
  ...observedShape,
  lastAppliedRevision: string({ description: 'Revision of the source artifact last applied successfully.' }).optional(),
  lastAppliedOriginRevision: string({
    description: 'Origin revision (artifact metadata org.opencontainers.image.revision) of the artifact last applied successfully.',
  }).optional(),
  lastAttemptedRevision: string({ description: 'Revision of the source artifact of the last attempt.' }).optional(),
  inventory: ResourceInventory.describe('The objects applied by the last successful run.').optional(),
  history: History.describe('Recent runs, newest first, at most 5.').optional(),
});
/** Status of a Kustomization. */
export type KustomizationStatus = Infer<typeof KustomizationStatus>;

/** A Kustomization object. */
export type Kustomization = TypedObject<typeof KUSTOMIZE_API_VERSION, 'Kustomization', KustomizationSpec, KustomizationStatus>;

/** The Kustomization kind. */
export const KustomizationKind = defineKind({
  group: KUSTOMIZE_GROUP,
  version: 'v1',
  apiVersion: KUSTOMIZE_API_VERSION,
  kind: 'Kustomization',
  plural: 'kustomizations',
  shortNames: ['ks'],
  controller: 'kustomize-controller',
  description: 'Applies the manifests of a source path to the cluster, keeping them in sync and pruning what was removed.',
  spec: KustomizationSpec,
  status: KustomizationStatus,
  statusDefault: STATUS_DEFAULT,
  printerColumns: [AGE_COLUMN, READY_COLUMN, STATUS_COLUMN],
  conditions: KUSTOMIZATION_CONDITION_DOCS,
  reasons: KUSTOMIZATION_REASONS,
  docs: {
    example: {
      apiVersion: KUSTOMIZE_API_VERSION,
      kind: 'Kustomization',
      metadata: { name: 'podinfo', namespace: 'default' },
      spec: {
        interval: '10m',
        targetNamespace: 'default',
        sourceRef: { kind: 'GitRepository', name: 'podinfo' },
        path: './kustomize',
        prune: true,
        timeout: '1m',
      },
    } satisfies Kustomization,
    extensions: [
      {
        field: 'spec.dependsOn[].kind, spec.dependsOn[].apiVersion',
        body: 'A dependency may be a HelmRelease: set `kind: HelmRelease` (and optionally `apiVersion: helm.toolkit.fluxcd.io/v2`). It is ready when its Ready condition is True for its current generation, or when `readyExpr` says so. Without these fields an entry means a Kustomization, exactly as in Flux, so Flux objects keep their meaning. The field names match the cross-kind dependency fields proposed for Flux.',
      },
    ],
    notes: [
      {
        title: 'Timeout',
        body: 'When `spec.timeout` is empty the run timeout is `spec.interval` minus 30s, and never less than 30s.',
      },
      {
        title: 'Owner labels',
        body: 'Applied objects get `kustomize.toolkit.fluxcd.io/name` and `kustomize.toolkit.fluxcd.io/namespace`; pruning only deletes objects that still carry them.',
      },
    ],
  },
});
