// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy get <kind> [name]` and `eddy get all`: Flux's table (NAME, REVISION, SUSPENDED, READY,
 * MESSAGE; NAMESPACE first with `-A`), `-o json|yaml`, and `--watch`.
 */
import { stringify } from 'yaml';
import { ApiError, type KubeObject } from '@eddy/runtime/client';
import { get as getCondition } from '@eddy/runtime/conditions';
import type { CliContext } from '../context.ts';
import { CliError } from '../context.ts';
import { KINDS, shortName, truncateHex, type CliKind } from '../kinds.ts';
import { renderTable } from '../output/table.ts';
import { retryTransient } from '../retry.ts';

/** Options of `get`. */
export interface GetOptions {
  allNamespaces?: boolean;
  output?: 'table' | 'json' | 'yaml';
  watch?: boolean;
  /** Prefix names with `<kind>/` (as `get all` does). */
  prefixKind?: boolean;
  /** Only objects whose condition has this status, e.g. `ready=false` (Flux's `--status-selector`). */
  statusSelector?: string;
}

/** Parses `--status-selector <type>=<status>`; case-insensitive like Flux. */
export function statusFilter(selector: string | undefined): (obj: KubeObject) => boolean {
  if (!selector) return () => true;
  const [type, want] = selector.split('=', 2);
  if (!type || !want) throw new CliError(`invalid --status-selector '${selector}': want <condition>=<status>, e.g. ready=false`);
  return (obj) => {
    const conds = ((obj['status'] ?? {}) as { conditions?: Array<{ type: string; status: string }> }).conditions ?? [];
    const c = conds.find((x) => x.type.toLowerCase() === type.toLowerCase());
    return (c?.status ?? 'Unknown').toLowerCase() === want.toLowerCase();
  };
}

/** The READY and MESSAGE cells: static kinds are always ready, others read their Ready condition. */
function readyCells(kind: CliKind, obj: KubeObject): [string, string] {
  if (kind.hasStatus === false) return ['True', 'Static object'];
  const ready = getCondition(obj as never, 'Ready');
  return [ready?.status ?? 'Unknown', (ready?.message ?? 'waiting to be reconciled').replace(/\s+/g, ' ')];
}

/** One row of the table, in Flux's column order. */
export function rowOf(kind: CliKind, obj: KubeObject, opts: { allNamespaces?: boolean; prefixKind?: boolean }): string[] {
  const o = obj as unknown as Record<string, unknown>;
  const suspended = kind.suspendable !== false && (o['spec'] as { suspend?: boolean } | undefined)?.suspend === true;
  const name = opts.prefixKind ? `${shortName(kind)}/${obj.metadata.name ?? ''}` : (obj.metadata.name ?? '');
  const [ready, message] = readyCells(kind, obj);
  const revision = kind.revision(o);
  const row = [
    name,
    kind.truncateHex?.revision ? truncateHex(revision) : revision,
    suspended ? 'True' : 'False',
    ready,
    kind.truncateHex?.message ? truncateHex(message) : message,
  ];
  return opts.allNamespaces ? [obj.metadata.namespace ?? '', ...row] : row;
}

/** The table headers. */
export function headersOf(allNamespaces?: boolean): string[] {
  const h = ['name', 'revision', 'suspended', 'ready', 'message'];
  return allNamespaces ? ['namespace', ...h] : h;
}

async function listKind(ctx: CliContext, kind: CliKind, name: string | undefined, opts: GetOptions): Promise<KubeObject[]> {
  const client = ctx.client();
  if (name) {
    const obj = await client.get({ apiVersion: kind.apiVersion, kind: kind.kind, name, namespace: ctx.opts.namespace });
    if (!obj) throw new CliError(`${kind.kind} object '${name}' not found in '${ctx.opts.namespace}' namespace`);
    return [obj];
  }
  const list = await retryTransient(ctx, () => client.list(kind.apiVersion, kind.kind, opts.allNamespaces ? {} : { namespace: ctx.opts.namespace }));
  return list.items.filter(statusFilter(opts.statusSelector)).sort(
    (a, b) =>
      (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}

function printObjects(ctx: CliContext, objs: KubeObject[], output: 'json' | 'yaml'): void {
  const body = objs.length === 1 ? objs[0] : { apiVersion: 'v1', kind: 'List', items: objs };
  ctx.out(output === 'json' ? JSON.stringify(body, null, 2) : stringify(body));
}

/** Runs `get` for one kind. */
export async function getKind(ctx: CliContext, kind: CliKind, name: string | undefined, opts: GetOptions): Promise<void> {
  const objs = await listKind(ctx, kind, name, opts);
  if (opts.output === 'json' || opts.output === 'yaml') {
    printObjects(ctx, objs, opts.output);
    return;
  }
  if (objs.length === 0 && !opts.watch) {
    const where = opts.allNamespaces ? 'any' : `'${ctx.opts.namespace}'`;
    ctx.err(`✗ no ${kind.kind} objects found in ${where} namespace`);
    return;
  }
  if (objs.length > 0) ctx.out(renderTable(headersOf(opts.allNamespaces), objs.map((o) => rowOf(kind, o, opts))));
  if (opts.watch) await watchKind(ctx, kind, name, opts);
}

/** Streams changed rows until the timeout or Ctrl-C. */
async function watchKind(ctx: CliContext, kind: CliKind, name: string | undefined, opts: GetOptions): Promise<void> {
  const client = ctx.client();
  const handle = await client.watch(
    kind.apiVersion,
    kind.kind,
    {
      ...(opts.allNamespaces ? {} : { namespace: ctx.opts.namespace }),
      ...(name ? { fieldSelector: `metadata.name=${name}` } : {}),
    },
    (ev) => {
      if (ev.type === 'ADDED' || ev.type === 'MODIFIED') {
        ctx.out(renderTable(headersOf(opts.allNamespaces), [rowOf(kind, ev.object, opts)]).split('\n')[1] ?? '');
      }
    },
  );
  const stop = (): void => handle.stop();
  ctx.signal.addEventListener('abort', stop, { once: true });
  const timer = ctx.clock.setTimer(ctx.opts.timeoutMs, stop);
  await handle.done;
  timer.cancel();
  ctx.signal.removeEventListener('abort', stop);
}

/** The kinds of `get all` (every kind), `get sources all` or `get images all`. */
export function kindsOfGroup(group?: 'source' | 'image'): CliKind[] {
  return group ? KINDS.filter((k) => k.words[0] === group) : KINDS;
}

/**
 * Renders the `get all` tables: every kind the cluster serves, sections separated by a blank
 * line; `undefined` when there is nothing to show. Kinds whose CRD is missing are skipped.
 */
export async function renderAll(ctx: CliContext, opts: GetOptions, group?: 'source' | 'image'): Promise<string | undefined> {
  const sections: string[] = [];
  for (const kind of kindsOfGroup(group)) {
    let objs: KubeObject[];
    try {
      objs = await listKind(ctx, kind, undefined, opts);
    } catch (err) {
      if (ApiError.is(err) && err.code === 404) continue;
      throw err;
    }
    if (objs.length === 0) continue;
    sections.push(renderTable(headersOf(opts.allNamespaces), objs.map((o) => rowOf(kind, o, { ...opts, prefixKind: true }))));
  }
  return sections.length > 0 ? sections.join('\n\n') : undefined;
}

/** Runs `get all`, `get sources all` or `get images all`. */
export async function getAll(ctx: CliContext, opts: GetOptions, group?: 'source' | 'image'): Promise<void> {
  const text = await renderAll(ctx, opts, group);
  if (text) ctx.out(text);
  else ctx.err(`✗ no Eddy objects found in ${opts.allNamespaces ? 'any' : `'${ctx.opts.namespace}'`} namespace`);
}
