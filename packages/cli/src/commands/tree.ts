// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy tree kustomization <name>`: the objects a Kustomization manages, from its inventory,
 * nested through the Kustomizations and HelmReleases it applies (Flux's `tree` format).
 */
import { parseObjMetadata, type ObjMetadata } from '@eddy/api';
import type { KubeObject } from '@eddy/runtime/client';
import type { CliContext } from '../context.ts';
import { CliError } from '../context.ts';

/** A node of the tree. */
export interface TreeNode {
  label: string;
  children: TreeNode[];
}

const NESTED: Record<string, string> = {
  'kustomize.toolkit.fluxcd.io/Kustomization': 'kustomize.toolkit.fluxcd.io/v1',
  'helm.toolkit.fluxcd.io/HelmRelease': 'helm.toolkit.fluxcd.io/v2',
};

function inventoryOf(obj: KubeObject): ObjMetadata[] {
  const inv = ((obj['status'] ?? {}) as { inventory?: { entries?: Array<{ id: string }> } }).inventory;
  const out: ObjMetadata[] = [];
  for (const e of inv?.entries ?? []) {
    const parsed = parseObjMetadata(e.id);
    if (parsed.ok) out.push(parsed.value);
  }
  return out;
}

function labelOf(kind: string, namespace: string | undefined, name: string): string {
  return namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
}

/** Builds the tree below an object, following nested Kustomizations and HelmReleases (cycle-safe). */
export async function buildTree(ctx: CliContext, root: KubeObject, seen = new Set<string>()): Promise<TreeNode> {
  const label = labelOf(root.kind, root.metadata.namespace, root.metadata.name ?? '');
  seen.add(label);
  const node: TreeNode = { label, children: [] };
  for (const entry of inventoryOf(root)) {
    const childLabel = labelOf(entry.kind, entry.namespace || undefined, entry.name);
    const nestedVersion = NESTED[`${entry.group}/${entry.kind}`];
    if (nestedVersion && !seen.has(childLabel)) {
      const child = await ctx.client().get({ apiVersion: nestedVersion, kind: entry.kind, name: entry.name, namespace: entry.namespace });
      if (child) {
        node.children.push(await buildTree(ctx, child, seen));
        continue;
      }
    }
    node.children.push({ label: childLabel, children: [] });
  }
  return node;
}

/** Renders a tree with box-drawing branches. */
export function renderTree(node: TreeNode): string {
  const lines = [node.label];
  const walk = (children: TreeNode[], prefix: string): void => {
    children.forEach((c, i) => {
      const last = i === children.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${c.label}`);
      walk(c.children, `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  walk(node.children, '');
  return lines.join('\n');
}

/** Runs `tree kustomization <name>`. */
export async function tree(ctx: CliContext, name: string): Promise<void> {
  const ref = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', name, namespace: ctx.opts.namespace };
  const root = await ctx.client().get(ref);
  if (!root) throw new CliError(`Kustomization object '${name}' not found in '${ctx.opts.namespace}' namespace`);
  ctx.out(renderTree(await buildTree(ctx, root)));
}
