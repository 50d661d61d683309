// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy logs`: the controllers' logs, read through the API from the pods of the Deployments
 * labelled `app.kubernetes.io/part-of=flux` (container `manager`), filtered by object kind, name,
 * namespace and level, printed like Flux: `<ts> <level> <Kind>/<name>.<namespace> - <msg>`.
 * Controllers run as local processes (`make demo`, `eddy controllers`) have no pods: their logs go
 * to their own stderr, and the command says so.
 */
import type { KubeObject } from '@eddy/runtime/client';
import { CliError, type CliContext } from '../context.ts';
import { PART_OF } from '../install/manifests.ts';

/** Options of `logs`. */
export interface LogsOptions {
  kind?: string;
  name?: string;
  level?: string;
  tail?: number;
  since?: number;
  follow?: boolean;
  allNamespaces?: boolean;
  /** The namespace the controllers run in. @default the `-n` namespace */
  fluxNamespace?: string;
}

/** One parsed JSON log line. */
interface Entry {
  level?: string;
  ts?: string;
  msg?: string;
  controllerKind?: string;
  name?: string;
  namespace?: string;
  [key: string]: unknown;
}

/** Whether a parsed entry passes the `--level`, `--kind`, `--name` and namespace filters. */
function matches(e: Entry, opts: LogsOptions, objectNamespace: string): boolean {
  const same = (a: string | undefined, b: string | undefined): boolean => b === undefined || a?.toLowerCase() === b.toLowerCase();
  if (!same(e.level, opts.level) || !same(e.controllerKind, opts.kind)) return false;
  if (opts.name !== undefined && e.name !== opts.name) return false;
  const scoped = !opts.allNamespaces && (opts.kind !== undefined || opts.name !== undefined);
  return !scoped || e.namespace === objectNamespace;
}

/**
 * Formats one log line when it passes the filters; `undefined` to skip it (pure; exported for
 * tests). Non-JSON lines pass through unless a filter is set.
 */
export function formatLogLine(line: string, opts: LogsOptions, objectNamespace: string): string | undefined {
  let e: Entry;
  try {
    e = JSON.parse(line) as Entry;
  } catch {
    return opts.kind || opts.name || opts.level ? undefined : line;
  }
  if (!matches(e, opts, objectNamespace)) return undefined;
  const subject = e.controllerKind ? `${e.controllerKind}/${e.name ?? ''}.${e.namespace ?? ''} - ` : '';
  return `${e.ts ?? ''} ${e.level ?? ''} ${subject}${e.msg ?? ''}`.trim();
}

async function podsOf(ctx: CliContext, namespace: string): Promise<KubeObject[]> {
  const list = await ctx.client().list('v1', 'Pod', { namespace, labelSelector: `${PART_OF}=flux` });
  return list.items;
}

async function readLogs(ctx: CliContext, pod: KubeObject, opts: LogsOptions, emit: (line: string) => void): Promise<void> {
  const ns = pod.metadata.namespace ?? '';
  const path = `/api/v1/namespaces/${ns}/pods/${pod.metadata.name ?? ''}/log`;
  const query = {
    container: 'manager',
    ...(opts.tail !== undefined && opts.tail >= 0 ? { tailLines: opts.tail } : {}),
    ...(opts.since ? { sinceSeconds: Math.ceil(opts.since / 1000) } : {}),
    ...(opts.follow ? { follow: true } : {}),
  };
  if (!opts.follow) {
    const res = await ctx.client().transport.request({ method: 'GET', path, query });
    if (res.status !== 200) throw new CliError(`reading logs of pod ${ns}/${pod.metadata.name ?? ''}: HTTP ${res.status}`);
    for (const line of res.body.split('\n')) if (line) emit(line);
    return;
  }
  const stream = await ctx.client().transport.stream({ method: 'GET', path, query, signal: ctx.signal });
  let buf = '';
  await new Promise<void>((resolve) => {
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (l) emit(l);
    });
    stream.on('end', resolve);
    stream.on('error', () => resolve());
    stream.on('close', resolve);
  });
}

/** Runs `logs`. */
export async function logs(ctx: CliContext, opts: LogsOptions): Promise<void> {
  const controllersNs = opts.fluxNamespace ?? ctx.opts.namespace;
  const pods = await podsOf(ctx, controllersNs);
  if (pods.length === 0) {
    throw new CliError(
      `no Eddy controller pods found in the '${controllersNs}' namespace (label ${PART_OF}=flux); ` +
        'controllers started as processes (make demo, eddy controllers) write their logs to their own stderr',
    );
  }
  const emit = (line: string): void => {
    const out = formatLogLine(line, opts, ctx.opts.namespace);
    if (out !== undefined) ctx.out(out);
  };
  await Promise.all(pods.map((p) => readLogs(ctx, p, opts, emit)));
}
