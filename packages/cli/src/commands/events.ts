// SPDX-License-Identifier: Apache-2.0
/** `eddy events [--for Kind/name]`: the events controllers recorded, newest last. */
import type { KubeObject } from '@eddy/runtime/client';
import type { CliContext } from '../context.ts';
import { renderTable } from '../output/table.ts';

interface EventLike extends KubeObject {
  regarding?: { kind?: string; name?: string; namespace?: string };
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  reason?: string;
  note?: string;
  message?: string;
  type?: string;
  eventTime?: string;
  lastTimestamp?: string;
  series?: { lastObservedTime?: string };
  deprecatedLastTimestamp?: string;
}

function seenAt(e: EventLike): string {
  return e.series?.lastObservedTime ?? e.eventTime ?? e.deprecatedLastTimestamp ?? e.lastTimestamp ?? e.metadata.creationTimestamp ?? '';
}

/** Human age like kubectl: 5s, 3m, 2h, 4d. */
export function age(fromIso: string, nowMs: number): string {
  const t = Date.parse(fromIso);
  if (Number.isNaN(t)) return '<unknown>';
  const s = Math.max(0, Math.floor((nowMs - t) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Runs `events`. */
export async function events(ctx: CliContext, opts: { for?: string; allNamespaces?: boolean }): Promise<void> {
  const [forKind, forName] = opts.for ? (opts.for.split('/', 2) as [string, string | undefined]) : [undefined, undefined];
  const list = await ctx.client().list<EventLike>('events.k8s.io/v1', 'Event', opts.allNamespaces ? {} : { namespace: ctx.opts.namespace });
  const rows = list.items
    .filter((e) => {
      const r = e.regarding ?? e.involvedObject ?? {};
      return (!forKind || r.kind?.toLowerCase() === forKind.toLowerCase()) && (!forName || r.name === forName);
    })
    .sort((a, b) => seenAt(a).localeCompare(seenAt(b)))
    .map((e) => {
      const r = e.regarding ?? e.involvedObject ?? {};
      const row = [age(seenAt(e), ctx.clock.now()), e.type ?? '', e.reason ?? '', `${r.kind ?? ''}/${r.name ?? ''}`, (e.note ?? e.message ?? '').replace(/\s+/g, ' ')];
      return opts.allNamespaces ? [e.metadata.namespace ?? '', ...row] : row;
    });
  const headers = ['last seen', 'type', 'reason', 'object', 'message'];
  ctx.out(renderTable(opts.allNamespaces ? ['namespace', ...headers] : headers, rows));
}
