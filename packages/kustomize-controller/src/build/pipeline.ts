// SPDX-License-Identifier: Apache-2.0
/**
 * Flux's build step (kustomize-controller `generate` + `build`): generate the kustomization,
 * decrypt generator sources, run kustomize, then per resource decrypt SOPS data and substitute
 * variables. Resources changed by the per-resource steps are re-serialised by a second kustomize
 * run over their JSON, which reproduces kustomize's own `AsYaml` encoding, so the built YAML (and
 * the `status.history` digest taken from it) is byte for byte what Flux produces.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Digest } from '../artifact/digest.ts';
import { DecryptionError } from '../decrypt/errors.ts';
import type { SopsDecryptor } from '../decrypt/decryptor.ts';
import { gvkString, substituteResource } from '../postbuild/varsub.ts';
import { BuildError } from './errors.ts';
import { generateKustomization, type BuildSpec } from './generator.ts';
import { kustomizeBuild, type KustomizeOptions } from './kustomize.ts';
import { joinDocuments, parseBuildOutput, splitDocuments, type KubeObject, type Manifest } from './manifests.ts';
import { secureJoin } from './paths.ts';

/** Post-build variable substitution settings. */
export interface PostBuildOptions {
  vars: Record<string, string>;
  strict?: boolean;
  always?: boolean;
}

/** Input of {@link buildKustomization}. */
export interface BuildInput {
  /** The extracted artifact (the build may read anything below it, nothing outside). */
  root: string;
  /** `spec.path`, relative to the root. */
  path: string;
  /** The Kustomization's build transforms. */
  spec?: BuildSpec;
  /** Set when `spec.decryption` is configured. */
  decryptor?: SopsDecryptor;
  /** Set when `spec.postBuild` is configured. */
  postBuild?: PostBuildOptions;
  /** How to run kustomize. */
  kustomize?: KustomizeOptions;
}

/** The built resources. */
export interface BuildResult {
  manifests: Manifest[];
  /** The multi-document YAML Flux digests. */
  output: string;
  /** `sha256:<hex>` of {@link output}. */
  digest: string;
}

/** Resolves `spec.path` inside the root; `undefined` when it does not exist (Flux: ArtifactFailed). */
export async function resolveBuildPath(root: string, path: string): Promise<string | undefined> {
  const dir = secureJoin(root, path);
  const st = await stat(dir).catch(() => undefined);
  return st ? dir : undefined;
}

function nameOf(o: KubeObject): string {
  return String((o.metadata as { name?: string } | undefined)?.name ?? '');
}

/** Re-serialises objects with kustomize itself (one run for all of them). */
async function render(objects: KubeObject[], opts: KustomizeOptions): Promise<string[]> {
  const dir = await mkdtemp(join(process.env.TMPDIR ?? '/tmp', 'kustomize-render-'));
  try {
    const names = objects.map((_, i) => `r${i}.json`);
    await Promise.all(objects.map((o, i) => writeFile(join(dir, names[i]!), JSON.stringify(o))));
    await writeFile(join(dir, 'kustomization.yaml'), `resources:\n${names.map((n) => `- ${n}\n`).join('')}`);
    const out = splitDocuments(await kustomizeBuild(dir, dir, { ...opts, noRemoteBases: true }));
    if (out.length !== objects.length) {
      throw new BuildError('KustomizeFailed', `kustomize build failed: re-serialising ${objects.length} resources returned ${out.length}`);
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Builds a Kustomization the way kustomize-controller does.
 * @throws BuildError (including substitution errors) or DecryptionError, with Flux's messages.
 */
export async function buildKustomization(input: BuildInput): Promise<BuildResult> {
  const dir = secureJoin(input.root, input.path);
  await generateKustomization(dir, input.spec ?? {});
  if (input.decryptor) {
    try {
      await input.decryptor.decryptSources(input.root, dir);
    } catch (err) {
      throw new DecryptionError(DecryptionError.is(err) ? err.code : 'InvalidFormat', `error decrypting sources: ${(err as Error).message}`, { cause: err });
    }
  }
  const raw = await kustomizeBuild(input.root, dir, input.kustomize ?? {});
  const manifests = parseBuildOutput(raw);
  const changed = new Set<number>();
  const rerender = async (indexes: number[]): Promise<void> => {
    if (indexes.length === 0) return;
    const rendered = await render(
      indexes.map((i) => manifests[i]!.object),
      input.kustomize ?? {},
    );
    indexes.forEach((i, k) => {
      manifests[i] = { text: rendered[k]!, object: manifests[i]!.object };
      changed.add(i);
    });
  };
  if (input.decryptor) {
    const decrypted: number[] = [];
    for (const [i, m] of manifests.entries()) {
      let out: KubeObject | undefined;
      try {
        out = await input.decryptor.decryptResource(m.object);
      } catch (err) {
        throw new DecryptionError(DecryptionError.is(err) ? err.code : 'InvalidFormat', `decryption failed for '${gvkString(m.object)}/${nameOf(m.object)}': ${(err as Error).message}`, {
          cause: err,
        });
      }
      if (out) {
        manifests[i] = { text: '', object: out };
        decrypted.push(i);
      }
    }
    // Substitution reads each resource's YAML as kustomize writes it.
    await rerender(decrypted);
  }
  if (input.postBuild) {
    const substituted: number[] = [];
    for (const [i, m] of manifests.entries()) {
      const res = substituteResource(m.text, m.object, input.postBuild);
      if (res) {
        manifests[i] = { text: '', object: res.object };
        substituted.push(i);
      }
    }
    await rerender(substituted);
  }
  const output = changed.size > 0 ? joinDocuments(manifests.map((m) => m.text)) : raw;
  return { manifests, output, digest: sha256Digest(output) };
}
