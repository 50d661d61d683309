// SPDX-License-Identifier: Apache-2.0
/** `eddy delete <kind> <name>` and `eddy export <kind> [name|--all]`. */
import { stringify } from 'yaml';
import type { KubeObject } from '@eddy/runtime/client';
import type { CliContext } from '../context.ts';
import { CliError } from '../context.ts';
import type { CliKind } from '../kinds.ts';

/**
 * Deletes one object (its controller finalizes it). Like Flux, it checks the object exists, then
 * asks `Are you sure you want to delete this <kind>` unless `silent`, and returns once the
 * apiserver accepted the deletion: it does not wait for the finalizers to let the object go
 * (`flux delete` does not either). `--timeout` bounds the whole command, prompt included, as
 * Flux's `context.WithTimeout` does: an apiserver that does not answer in time fails it with
 * `context deadline exceeded` instead of hanging.
 */
export async function deleteOne(ctx: CliContext, kind: CliKind, name: string, opts: { silent?: boolean } = {}): Promise<void> {
  const deadline = ctx.clock.now() + ctx.opts.timeoutMs;
  const ref = { apiVersion: kind.apiVersion, kind: kind.kind, name, namespace: ctx.opts.namespace };
  const human = kind.kind.toLowerCase();
  if (!(await beforeDeadline(ctx, deadline, () => ctx.client().get(ref)))) {
    throw new CliError(`${kind.kind} object '${name}' not found in '${ctx.opts.namespace}' namespace`);
  }
  if (!opts.silent && !(await ctx.confirm(`Are you sure you want to delete this ${human}`))) throw new CliError('aborting');
  ctx.out(`► deleting ${human} ${name} in ${ctx.opts.namespace} namespace`);
  const gone = await beforeDeadline(ctx, deadline, () => ctx.client().delete(ref));
  if (!gone) throw new CliError(`${kind.kind} object '${name}' not found in '${ctx.opts.namespace}' namespace`);
  ctx.out(`✔ ${human} deleted`);
}

/**
 * Runs one API call unless the command's deadline passes first; then the client's connections are
 * closed (so the abandoned request does not hold the process) and the command fails as Go's does.
 */
export async function beforeDeadline<T>(ctx: CliContext, deadline: number, call: () => Promise<T>): Promise<T> {
  const expired = (): CliError => {
    ctx.client().transport.close();
    return new CliError('context deadline exceeded');
  };
  if (ctx.clock.now() >= deadline) throw expired();
  let timer: { cancel(): void } | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = ctx.clock.setTimer(deadline - ctx.clock.now(), () => reject(expired()));
  });
  try {
    return await Promise.race([call(), late]);
  } finally {
    timer?.cancel();
  }
}

/** Strips what the cluster added, leaving what a user would commit to Git (Flux's `export`). */
export function cleanForExport(obj: KubeObject): KubeObject {
  const { name, namespace, labels, annotations } = obj.metadata;
  const keptAnnotations = Object.fromEntries(
    Object.entries(annotations ?? {}).filter(
      ([k]) => !k.startsWith('reconcile.fluxcd.io/') && k !== 'kubectl.kubernetes.io/last-applied-configuration',
    ),
  );
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name,
      namespace,
      ...(labels && Object.keys(labels).length ? { labels } : {}),
      ...(Object.keys(keptAnnotations).length ? { annotations: keptAnnotations } : {}),
    },
    ...(obj['spec'] === undefined ? {} : { spec: obj['spec'] }),
  };
}

/** Prints objects as YAML documents ready to commit. */
export async function exportKind(ctx: CliContext, kind: CliKind, name: string | undefined): Promise<void> {
  const client = ctx.client();
  let objs: KubeObject[];
  if (name) {
    const obj = await client.get({ apiVersion: kind.apiVersion, kind: kind.kind, name, namespace: ctx.opts.namespace });
    if (!obj) throw new CliError(`${kind.kind} object '${name}' not found in '${ctx.opts.namespace}' namespace`);
    objs = [obj];
  } else {
    objs = (await client.list(kind.apiVersion, kind.kind, { namespace: ctx.opts.namespace })).items;
  }
  for (const o of objs) ctx.out(`---\n${stringify(cleanForExport(o))}`);
}
