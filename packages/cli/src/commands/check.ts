// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy check [--pre]`, in the shape of Flux's: `► checking <section>` followed by one `✔`/`✗`
 * line per entry. Pre-checks: the Kubernetes version from `/version` against `>=1.30.0`.
 * Installation checks: the controllers' Deployments (label `app.kubernetes.io/part-of=flux`) are
 * Available, and the CRDs with that label are Established with a stored version.
 */
import { CliError, type CliContext } from '../context.ts';
import { waitForDeployments } from '../install/apply.ts';
import { PART_OF } from '../install/manifests.ts';

/** The oldest Kubernetes minor Eddy supports (Flux 2.9's constraint). */
export const MIN_KUBERNETES = { major: 1, minor: 30 };

/** One section of the report. */
export interface CheckResult {
  title: string;
  entries: Array<{ name: string; failed: boolean }>;
}

/** Parses a `gitVersion` like `v1.36.3` or `v1.30.2-eks-1234`; undefined when it is not a version. */
export function parseKubeVersion(gitVersion: string): { major: number; minor: number; patch: number } | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(gitVersion);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}

/** Judges the Kubernetes version against {@link MIN_KUBERNETES} (pure; exported for tests). */
export function kubernetesCheck(gitVersion: string): CheckResult {
  const v = parseKubeVersion(gitVersion);
  const constraint = `>=${MIN_KUBERNETES.major}.${MIN_KUBERNETES.minor}.0-0`;
  if (!v) return { title: 'kubernetes pre-requisites', entries: [{ name: `error parsing kubernetes version '${gitVersion}'`, failed: true }] };
  const ok = v.major > MIN_KUBERNETES.major || (v.major === MIN_KUBERNETES.major && v.minor >= MIN_KUBERNETES.minor);
  return { title: 'kubernetes pre-requisites', entries: [{ name: `kubernetes ${v.major}.${v.minor}.${v.patch}${constraint}`, failed: !ok }] };
}

/** Reads the apiserver's `/version`. */
export async function serverVersion(ctx: CliContext): Promise<string> {
  const res = await ctx.client().transport.request({ method: 'GET', path: '/version' });
  if (res.status !== 200) throw new CliError(`error getting kubernetes version: HTTP ${res.status}`);
  return String((JSON.parse(res.body) as { gitVersion?: string }).gitVersion ?? '');
}

async function controllersCheck(ctx: CliContext): Promise<CheckResult> {
  const res: CheckResult = { title: 'eddy controllers', entries: [] };
  const ns = ctx.opts.namespace;
  const list = await ctx.client().list('apps/v1', 'Deployment', { namespace: ns, labelSelector: `${PART_OF}=flux` });
  if (list.items.length === 0) {
    res.entries.push({ name: `no controllers found in the '${ns}' namespace with the label selector '${PART_OF}=flux'`, failed: true });
    return res;
  }
  const byName = new Map(list.items.map((d) => [d.metadata.name ?? '', d]));
  const health = await waitForDeployments(ctx, ns, [...byName.keys()].sort());
  for (const h of health) {
    const containers = ((byName.get(h.name)?.['spec'] as { template?: { spec?: { containers?: Array<{ image?: string }> } } })?.template?.spec?.containers ?? []);
    const image = containers.map((c) => c.image ?? '').join(', ');
    res.entries.push(h.ready ? { name: `${h.name}: ${image}`, failed: false } : { name: `${h.name}: ${h.message}`, failed: true });
  }
  return res;
}

async function crdsCheck(ctx: CliContext): Promise<CheckResult> {
  const res: CheckResult = { title: 'eddy crds', entries: [] };
  const list = await ctx.client().list('apiextensions.k8s.io/v1', 'CustomResourceDefinition', { labelSelector: `${PART_OF}=flux` });
  if (list.items.length === 0) res.entries.push({ name: `no crds found with the label selector '${PART_OF}=flux'`, failed: true });
  for (const crd of [...list.items].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
    const status = (crd['status'] ?? {}) as { storedVersions?: string[]; conditions?: Array<{ type: string; status: string }> };
    const established = status.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
    const stored = status.storedVersions ?? [];
    const name = crd.metadata.name ?? '';
    if (!established) res.entries.push({ name: `${name} is not established`, failed: true });
    else if (stored.length === 0) res.entries.push({ name: `no stored versions for ${name}`, failed: true });
    else res.entries.push({ name: `${name}/${stored[stored.length - 1]}`, failed: false });
  }
  return res;
}

function report(ctx: CliContext, res: CheckResult): boolean {
  ctx.out(`► checking ${res.title}`);
  for (const e of res.entries) ctx.out(`${e.failed ? '✗' : '✔'} ${e.name}`);
  return !res.entries.some((e) => e.failed);
}

/** Runs `check`. */
export async function check(ctx: CliContext, opts: { pre?: boolean }): Promise<void> {
  let version: string;
  try {
    version = await serverVersion(ctx);
  } catch (err) {
    throw new CliError(`kubernetes client initialization failed: ${(err as Error).message}`);
  }
  if (!report(ctx, kubernetesCheck(version))) throw new CliError('pre-requisites checks failed');
  if (opts.pre) {
    ctx.out('✔ prerequisites checks passed');
    return;
  }
  const ok = [report(ctx, await controllersCheck(ctx)), report(ctx, await crdsCheck(ctx))].every(Boolean);
  if (!ok) throw new CliError('checks failed');
  ctx.out('✔ all checks passed');
}
