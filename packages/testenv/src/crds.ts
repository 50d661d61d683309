// SPDX-License-Identifier: Apache-2.0
/**
 * Installing CustomResourceDefinitions from YAML files with server-side apply, then waiting until each is
 * Established and its resource is served by discovery.
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TestEnvError } from './errors.ts';
import type { KubeConnection } from './kube-http.ts';
import { kubeRequest, kubeRequestOk } from './kube-http.ts';
import { waitUntil } from './process.ts';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const FIELD_MANAGER = 'eddy-testenv';

/** The parts of a CRD this module reads. */
interface Crd {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: { group?: string; names?: { plural?: string }; versions?: { name: string; served?: boolean }[] };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const isYaml = (f: string): boolean => /\.ya?ml$/i.test(f) && basename(f) !== 'kustomization.yaml';

/**
 * The YAML files of a CRD directory (recursively, sorted) or a list of files/directories.
 * @param dirOrFiles - a directory, a file, or a list of them.
 */
export function crdFiles(dirOrFiles: string | string[]): string[] {
  const out: string[] = [];
  for (const p of Array.isArray(dirOrFiles) ? dirOrFiles : [dirOrFiles]) {
    if (!existsSync(p)) throw new TestEnvError(`CRD path ${p} does not exist`);
    if (statSync(p).isDirectory()) {
      const entries = readdirSync(p, { recursive: true, encoding: 'utf8' }).sort();
      out.push(...entries.map((e) => join(p, e)).filter((f) => isYaml(f) && statSync(f).isFile()));
    } else {
      out.push(p);
    }
  }
  return out;
}

/**
 * Whether a directory exists and holds at least one YAML file.
 * @param dir - the directory.
 */
export function hasYaml(dir: string): boolean {
  try {
    return crdFiles(dir).length > 0;
  } catch {
    return false;
  }
}

function readCrds(files: string[]): Crd[] {
  const crds: Crd[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      if (doc.errors.length > 0) throw new TestEnvError(`${file}: invalid YAML: ${doc.errors[0]!.message}`);
      const obj = doc.toJS() as Crd | null;
      if (!obj) continue;
      if (obj.kind !== 'CustomResourceDefinition' || !obj.metadata?.name) {
        throw new TestEnvError(
          `${file}: expected only CustomResourceDefinitions, found ${obj.kind ?? 'a document without kind'} ` +
            `${obj.metadata?.name ?? ''}: pass CRD files only to installCrds`,
        );
      }
      crds.push(obj);
    }
  }
  return crds;
}

function established(crd: Crd): boolean {
  return !!crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
}

/** The served group/versions of a CRD, e.g. `source.toolkit.fluxcd.io/v1`. */
function servedGroupVersions(crd: Crd): string[] {
  return (crd.spec?.versions ?? []).filter((v) => v.served !== false).map((v) => `${crd.spec?.group}/${v.name}`);
}

/** Fetches discovery once per group/version and says which of `crds` are served in every served version. */
async function servedByDiscovery(conn: KubeConnection, crds: Crd[]): Promise<Set<Crd>> {
  const gvs = [...new Set(crds.flatMap(servedGroupVersions))];
  const resources = new Map<string, Set<string>>();
  await Promise.all(
    gvs.map(async (gv) => {
      const res = await kubeRequest<{ resources?: { name: string }[] }>(conn, 'GET', `/apis/${gv}`);
      resources.set(gv, new Set(res.status === 200 ? (res.body.resources ?? []).map((r) => r.name) : []));
    }),
  );
  const plural = (crd: Crd): string => crd.spec?.names?.plural ?? '';
  return new Set(crds.filter((crd) => servedGroupVersions(crd).every((gv) => resources.get(gv)?.has(plural(crd)))));
}

/**
 * Applies every CRD in the given YAML files (server-side apply, field manager `eddy-testenv`, forced), then
 * waits until each one is Established and served by discovery.
 * @param conn - the apiserver.
 * @param dirOrFiles - a directory (searched recursively for `*.yaml`/`*.yml`, `kustomization.yaml` skipped), a
 *   file, or a list of them.
 * @param timeoutMs - how long to wait for all of them (default 60 s).
 * @returns the names of the CRDs installed.
 * @throws {@link TestEnvError} on a non-CRD document, an apply error, or when a CRD does not become
 *   Established in time (the message names it and its conditions).
 */
export async function applyCrds(
  conn: KubeConnection,
  dirOrFiles: string | string[],
  timeoutMs = 60_000,
): Promise<string[]> {
  const crds = readCrds(crdFiles(dirOrFiles));
  await Promise.all(
    crds.map((crd) =>
      kubeRequestOk(conn, 'PATCH', `${CRD_PATH}/${crd.metadata!.name}?fieldManager=${FIELD_MANAGER}&force=true`, {
        body: crd,
        contentType: 'application/apply-patch+yaml',
      }),
    ),
  );
  const pending = new Set(crds);
  const last = new Map<string, Crd>();
  try {
    await waitUntil(
      async () => {
        const ready: Crd[] = [];
        await Promise.all(
          [...pending].map(async (crd) => {
            const got = await kubeRequestOk<Crd>(conn, 'GET', `${CRD_PATH}/${crd.metadata!.name}`);
            last.set(crd.metadata!.name!, got);
            if (established(got)) ready.push(crd);
          }),
        );
        for (const crd of await servedByDiscovery(conn, ready)) pending.delete(crd);
        return pending.size === 0;
      },
      { what: 'CRDs to be Established and served', timeoutMs, intervalMs: 50 },
    );
  } catch (err) {
    const waiting = [...pending].map((c) => {
      const conditions = last.get(c.metadata!.name!)?.status?.conditions ?? [];
      return `${c.metadata!.name} ${JSON.stringify(conditions)}`;
    });
    const reason = err instanceof Error ? err.message : String(err);
    throw new TestEnvError(`${reason}; still waiting for: ${waiting.join('; ')}`, { cause: err });
  }
  return crds.map((c) => c.metadata!.name!);
}
