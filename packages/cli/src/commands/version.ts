// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy version [--client] [-o yaml|json]`: the CLI version and, unless `--client`, the image tag
 * of every controller Deployment in the namespace — Flux's `version` output.
 */
import { stringify } from 'yaml';
import type { CliContext } from '../context.ts';
import { PART_OF } from '../install/manifests.ts';
import { CLI_VERSION } from '../version.ts';

/** The tag of an image reference (`repo:tag@digest` → `tag`), or the whole reference. */
export function imageTag(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const last = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  return colon === -1 ? 'latest' : last.slice(colon + 1);
}

/** Runs `version`. */
export async function version(ctx: CliContext, opts: { client?: boolean; output?: string }): Promise<void> {
  const info: Record<string, string> = { eddy: `v${CLI_VERSION}` };
  if (!opts.client) {
    const list = await ctx.client().list('apps/v1', 'Deployment', { namespace: ctx.opts.namespace, labelSelector: `${PART_OF}=flux` });
    info['distribution'] = `eddy-v${CLI_VERSION}`;
    for (const d of [...list.items].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
      const containers = ((d['spec'] as { template?: { spec?: { containers?: Array<{ image?: string }> } } }).template?.spec?.containers ?? []);
      const image = containers[0]?.image;
      if (image) info[d.metadata.name ?? ''] = imageTag(image);
    }
  }
  if (opts.output === 'json') ctx.out(JSON.stringify(info, null, 2));
  else if (opts.output === 'yaml') ctx.out(stringify(info).trimEnd());
  else for (const [k, v] of Object.entries(info)) ctx.out(`${k}: ${v}`);
}
