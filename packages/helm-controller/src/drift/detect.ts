// SPDX-License-Identifier: Apache-2.0
/**
 * Drift detection and correction for a Helm release (Flux's `internal/action/diff.go` on
 * fluxcd/pkg `ssa/jsondiff`): every object of the release manifest is server-side applied in dry-run
 * (field manager `helm`, forced) and the result compared with the live object, after dropping
 * server-managed metadata, `status`, and the `driftDetection.ignore` JSON pointers. Objects labelled or
 * annotated `helm.toolkit.fluxcd.io/driftDetection: disabled` are skipped. Missing objects are
 * "removed" drift, differing ones "changed". Correction creates the missing objects and JSON-patches
 * the changed ones, as the controller's field manager.
 */
import { parseAllDocuments } from 'yaml';
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import type { DriftDetectionSpec } from '../release/types.ts';
import { diff, type JsonPatchOp } from './json-diff.ts';
import { removeAt } from './json-pointer.ts';
import { matchesSelector } from './selector.ts';

/** The drift of one object. */
export interface ObjectDrift {
  type: 'create' | 'update';
  /** `Kind/namespace/name`. */
  subject: string;
  desired: KubeObject;
  /** Operations turning the live object into the desired one (updates only). */
  patch: JsonPatchOp[];
}

/** Options of {@link DriftDetector}. */
export interface DriftOptions {
  client: Pick<KubeClient, 'apply' | 'get' | 'create' | 'patch' | 'resourceFor'>;
  /** The release's name and namespace (for helm's ownership metadata and default namespaces). */
  release: { name: string; namespace: string };
  spec: DriftDetectionSpec | undefined;
  /** Field manager of the dry-run apply. @default `helm` */
  dryRunManager?: string;
  /** Field manager of corrections. @default `helm-controller` */
  fieldManager?: string;
}

const DISABLED_KEY = 'helm.toolkit.fluxcd.io/driftDetection';
const SERVER_METADATA = ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp', 'selfLink'];

/** `Kind/namespace/name` (Flux's `ResourceName`). */
export function subjectOf(o: KubeObject): string {
  return o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

function normalize(o: KubeObject, ignore: string[]): KubeObject {
  const c = structuredClone(o);
  delete c['status'];
  for (const k of SERVER_METADATA) delete c.metadata[k];
  for (const p of ignore) removeAt(c, p);
  return c;
}

/** Reads the objects of a release manifest (skipping empty documents). */
export function manifestObjects(manifest: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(manifest)) {
    const v = doc.toJS() as KubeObject | null;
    if (v && typeof v === 'object' && v.kind && v.apiVersion && v.metadata?.name) out.push(v);
  }
  return out;
}

/** Detects and corrects drift of one release; see the module doc. */
export class DriftDetector {
  constructor(private readonly opts: DriftOptions) {}

  private excluded(o: KubeObject): boolean {
    return o.metadata.labels?.[DISABLED_KEY] === 'disabled' || o.metadata.annotations?.[DISABLED_KEY] === 'disabled';
  }

  private ignoredPaths(o: KubeObject): string[] {
    return (this.opts.spec?.ignore ?? []).filter((r) => matchesSelector(o, r.target)).flatMap((r) => r.paths);
  }

  /** Prepares an object as helm applies it: ownership metadata, default namespace. */
  private async desired(o: KubeObject): Promise<KubeObject> {
    const d = structuredClone(o);
    d.metadata.labels = { ...d.metadata.labels, 'app.kubernetes.io/managed-by': 'Helm' };
    d.metadata.annotations = {
      ...d.metadata.annotations,
      'meta.helm.sh/release-name': this.opts.release.name,
      'meta.helm.sh/release-namespace': this.opts.release.namespace,
    };
    if (!d.metadata.namespace && (await this.opts.client.resourceFor(d.apiVersion, d.kind)).namespaced) {
      d.metadata.namespace = this.opts.release.namespace;
    }
    return d;
  }

  /** Compares the manifest with the cluster. Errors for single objects are collected, not thrown. */
  async detect(manifest: string): Promise<{ drifts: ObjectDrift[]; errors: string[] }> {
    const drifts: ObjectDrift[] = [];
    const errors: string[] = [];
    for (const raw of manifestObjects(manifest)) {
      if (this.excluded(raw)) continue;
      try {
        const desired = await this.desired(raw);
        const ref = { apiVersion: desired.apiVersion, kind: desired.kind, name: desired.metadata.name!, ...(desired.metadata.namespace ? { namespace: desired.metadata.namespace } : {}) };
        const live = await this.opts.client.get(ref);
        if (!live) {
          drifts.push({ type: 'create', subject: subjectOf(desired), desired, patch: [] });
          continue;
        }
        if (this.excluded(live)) continue;
        const dry = await this.opts.client.apply(desired, { fieldManager: this.opts.dryRunManager ?? 'helm', force: true, dryRun: true });
        const ignore = this.ignoredPaths(desired);
        if (ignore.includes('')) continue;
        const patch = diff(normalize(live, ignore), normalize(dry, ignore));
        if (patch.length > 0) drifts.push({ type: 'update', subject: subjectOf(desired), desired, patch });
      } catch (e) {
        errors.push(`${subjectOf(raw)}: ${(e as Error).message}`);
      }
    }
    return { drifts, errors };
  }

  /** Creates missing objects and patches changed ones. Returns what changed and what failed. */
  async correct(drifts: ObjectDrift[]): Promise<{ changed: string[]; errors: string[] }> {
    const changed: string[] = [];
    const errors: string[] = [];
    const fieldManager = this.opts.fieldManager ?? 'helm-controller';
    for (const d of [...drifts].sort((a, b) => a.subject.localeCompare(b.subject))) {
      try {
        if (d.type === 'create') {
          await this.opts.client.create(d.desired, { fieldManager });
          changed.push(`${d.subject} created`);
        } else {
          const ref = { apiVersion: d.desired.apiVersion, kind: d.desired.kind, name: d.desired.metadata.name!, ...(d.desired.metadata.namespace ? { namespace: d.desired.metadata.namespace } : {}) };
          await this.opts.client.patch(ref, d.patch, { type: 'json', fieldManager });
          changed.push(`${d.subject} configured`);
        }
      } catch (e) {
        const msg = d.desired.kind === 'Secret' ? (e as Error).message.split(':').pop()!.trim() : (e as Error).message;
        errors.push(`${d.subject} ${d.type === 'create' ? 'creation' : 'patch'} failure: ${msg}`);
      }
    }
    return { changed, errors };
  }
}

/** A one-line summary per drifted object (Flux's `SummarizeDiffSet`). */
export function summarizeDrift(drifts: ObjectDrift[]): string {
  return drifts
    .map((d) => {
      if (d.type === 'create') return `${d.subject} removed`;
      const n = (op: string): number => d.patch.filter((p) => p.op === op).length;
      return `${d.subject} changed (${n('add')} additions, ${n('replace')} changes, ${n('remove')} removals)`;
    })
    .join('\n');
}
