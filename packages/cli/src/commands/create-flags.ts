// SPDX-License-Identifier: Apache-2.0
/** Reading `create` flags into object fields: the small helpers every builder shares. */
import type { KubeObject } from '@eddy/runtime/client';
import { CliError } from '../context.ts';

/** Flags of every `create` subcommand, by their Flux names (camelCased by commander). */
export type CreateFlags = Record<string, string | boolean | string[] | undefined>;

/** Builds one object from its name, namespace and flags. */
export type Builder = (name: string, namespace: string, flags: CreateFlags) => KubeObject;

/** A non-empty string flag, or undefined. */
export const str = (f: CreateFlags, k: string): string | undefined => (typeof f[k] === 'string' && f[k] !== '' ? (f[k] as string) : undefined);

/** A repeatable, comma-separated list flag. */
export const list = (f: CreateFlags, k: string): string[] => {
  const v = f[k];
  if (Array.isArray(v)) return v.flatMap((x) => x.split(',')).filter(Boolean);
  return typeof v === 'string' && v ? v.split(',') : [];
};

/** Drops undefined fields and empty arrays, so exported YAML stays as short as Flux's. */
export const compact = <T extends Record<string, unknown>>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as T;

/** `{ name }` when the flag is set (Flux's `LocalObjectReference`). */
export const localRef = (f: CreateFlags, k: string): { name: string } | undefined => {
  const v = str(f, k);
  return v ? { name: v } : undefined;
};

/** `true` when a boolean flag is set, else undefined (so it is left out of the object). */
export const flagTrue = (f: CreateFlags, k: string): true | undefined => (f[k] === true ? true : undefined);

/** Object metadata with `--label k=v` labels. */
export function meta(name: string, namespace: string, f: CreateFlags): KubeObject['metadata'] {
  const pairs = list(f, 'label').map((l) => {
    const eq = l.indexOf('=');
    if (eq <= 0) throw new CliError(`invalid label format '${l}', must be key=value`);
    return [l.slice(0, eq), l.slice(eq + 1)] as const;
  });
  const labels = Object.fromEntries(pairs);
  return compact({ name, namespace, labels: pairs.length ? labels : undefined });
}

/** Parses `Kind/name[.namespace]` as Flux's `--source` flag does. */
export function parseSourceRef(value: string, defaultKind: string): { kind: string; name: string; namespace?: string } {
  const [kindOrName, rest] = value.includes('/') ? (value.split('/', 2) as [string, string]) : [defaultKind, value];
  const dot = rest.indexOf('.');
  const name = dot === -1 ? rest : rest.slice(0, dot);
  const namespace = dot === -1 ? undefined : rest.slice(dot + 1);
  if (!name) throw new CliError(`invalid source reference '${value}': want <kind>/<name>[.<namespace>]`);
  return compact({ kind: kindOrName, name, namespace });
}
