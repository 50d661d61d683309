// SPDX-License-Identifier: Apache-2.0
/**
 * The Git side of an ImageUpdateAutomation, resolved before anything is cloned (Flux
 * `source.NewSourceManager` and `buildGitConfig`): the GitRepository (`spec.sourceRef`, same
 * namespace by default), its URL, credentials, proxy and timeout; the checkout reference
 * (`spec.git.checkout.ref`, else the GitRepository's); the push branch (`spec.git.push.branch`,
 * else the checkout branch) and whether it differs from the checkout branch; the refspec and push
 * options; and the commit signing key.
 *
 * Errors say what the reconciler does with them: {@link InvalidSourceConfigError} and
 * {@link SourceAccessDeniedError} stall (a spec change is needed), {@link SourceConfigError} is
 * Ready=False `SourceManagerFailed` and retried (a missing GitRepository or Secret may appear).
 */
import type { ImageUpdateAutomation } from '@eddy/api/image/v1';
import type { GitRepository } from '@eddy/api/source/v1';
import type { KubeClient, KubeObject } from '@eddy/runtime/client';
import type { CheckoutRef, GitAuth, GitProxy, SecretData, SigningKey } from '@eddy/runtime/git';
import { DEFAULT_BRANCH, authFromSecret, secretString } from '@eddy/runtime/git';

/** The spec cannot work as written (Flux `ErrInvalidSourceConfiguration`): stalls `InvalidSourceConfiguration`. */
export class InvalidSourceConfigError extends Error {
  override readonly name = 'InvalidSourceConfigError';
}

/** A cross-namespace reference refused by `--no-cross-namespace-refs`: stalls `AccessDenied`. */
export class SourceAccessDeniedError extends Error {
  override readonly name = 'SourceAccessDeniedError';
}

/** Anything else that stops the source from being configured: `SourceManagerFailed`, retried. */
export class SourceConfigError extends Error {
  override readonly name = 'SourceConfigError';
}

/** Everything needed to check out, commit and push. */
export interface GitSourceConfig {
  source: { namespace: string; name: string };
  url: string;
  auth: GitAuth;
  proxy?: GitProxy;
  /** `GitRepository.spec.timeout`. @default 60000 */
  timeoutMs: number;
  /** Undefined: Flux's default branch. */
  checkoutRef?: CheckoutRef;
  pushBranch: string;
  /** The push branch differs from the checkout branch. */
  switchBranch: boolean;
  refspec?: string;
  pushOptions?: Record<string, string>;
  signingKey?: SigningKey;
}

const GIT_REPOSITORY = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' } as const;

/** Reads a Secret's data; undefined when it does not exist. */
export async function readSecretData(client: KubeClient, namespace: string, name: string): Promise<Record<string, Uint8Array> | undefined> {
  const s = await client.get<KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> }>({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace,
    name,
  });
  if (!s) return undefined;
  const out: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64');
  for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = Buffer.from(v, 'utf8');
  return out;
}

function parseTimeout(v: string | undefined, parse: (s: string) => number): number {
  if (!v) return 60_000;
  try {
    return parse(v);
  } catch {
    return 60_000;
  }
}

function pushTarget(obj: ImageUpdateAutomation, checkoutRef: CheckoutRef | undefined): { pushBranch: string; switchBranch: boolean } {
  const branch = obj.spec.git?.push?.branch;
  if (branch) return { pushBranch: branch, switchBranch: branch !== (checkoutRef ? (checkoutRef.branch ?? '') : DEFAULT_BRANCH) };
  if (!checkoutRef?.branch) {
    throw new SourceConfigError('push spec not provided, and cannot be inferred from .spec.git.checkout.ref or GitRepository .spec.ref');
  }
  return { pushBranch: checkoutRef.branch, switchBranch: false };
}

async function signingKeyOf(client: KubeClient, obj: ImageUpdateAutomation): Promise<SigningKey | undefined> {
  const spec = obj.spec.git?.commit.signingKey;
  if (!spec) return undefined;
  const name = spec.secretRef.name;
  const data = await readSecretData(client, obj.metadata.namespace ?? '', name);
  if (!data) throw new SourceConfigError(`could not find signing key secret '${name}': secrets "${name}" not found`);
  if ((spec.type ?? 'gpg') === 'ssh') {
    const identity = secretString(data, 'identity');
    if (!identity) throw new SourceConfigError(`signing key secret '${name}' does not contain an 'identity' key`);
    if (secretString(data, 'password')) throw new SourceConfigError(`signing key secret '${name}': passphrase-protected SSH signing keys are not supported yet`);
    return { type: 'ssh', privateKey: identity };
  }
  const armored = secretString(data, 'git.asc');
  if (!armored) throw new SourceConfigError(`signing key secret '${name}' does not contain a 'git.asc' key`);
  const passphrase = secretString(data, 'passphrase');
  return { type: 'gpg', privateKey: armored, ...(passphrase ? { passphrase } : {}) };
}

function validateRefspec(refspec: string | undefined): void {
  if (refspec === undefined || refspec === '') return;
  if (refspec.startsWith('+')) throw new InvalidSourceConfigError(`refspec '${refspec}': force-update refspecs are not supported`);
  if (refspec.startsWith(':')) throw new InvalidSourceConfigError(`refspec '${refspec}': deletion refspecs are not supported`);
}

async function gitAuth(client: KubeClient, repo: GitRepository, ns: string): Promise<{ auth: GitAuth; proxy?: GitProxy }> {
  const provider = repo.spec.provider ?? 'generic';
  if (provider === 'github' && !repo.spec.secretRef) {
    throw new InvalidSourceConfigError('secretRef with github app data must be specified when provider is set to github: invalid source configuration');
  }
  if (provider !== 'generic') throw new SourceConfigError(`failed to configure authentication options: provider '${provider}' is not supported`);
  let proxy: GitProxy | undefined;
  if (repo.spec.proxySecretRef) {
    const name = repo.spec.proxySecretRef.name;
    const p = await readSecretData(client, ns, name);
    if (!p) throw new SourceConfigError(`failed to get proxy secret '${ns}/${name}': secrets "${name}" not found`);
    const address = secretString(p, 'address');
    if (!address) throw new SourceConfigError(`invalid proxy secret '${ns}/${name}': key 'address' is missing`);
    const username = secretString(p, 'username');
    const password = secretString(p, 'password');
    proxy = { address, ...(username ? { username } : {}), ...(password ? { password } : {}) };
  }
  let data: SecretData | undefined;
  if (repo.spec.secretRef) {
    const name = repo.spec.secretRef.name;
    data = await readSecretData(client, ns, name);
    if (!data) throw new SourceConfigError(`failed to get auth secret '${ns}/${name}': secrets "${name}" not found`);
  }
  try {
    return { auth: authFromSecret(repo.spec.url, data), ...(proxy ? { proxy } : {}) };
  } catch (err) {
    throw new SourceConfigError(`failed to configure authentication options: ${(err as Error).message}`);
  }
}

/** Checks what needs no lookup; returns the GitRepository's key. */
function sourceKeyOf(obj: ImageUpdateAutomation, noCrossNamespaceRefs: boolean): { namespace: string; name: string } {
  const kind = obj.spec.sourceRef.kind ?? 'GitRepository';
  if (kind !== 'GitRepository') throw new InvalidSourceConfigError(`source kind '${kind}' not supported: invalid source configuration`);
  if (!obj.spec.git) throw new InvalidSourceConfigError("source kind 'GitRepository' necessitates field .spec.git: invalid source configuration");
  const namespace = obj.spec.sourceRef.namespace || (obj.metadata.namespace ?? '');
  const name = obj.spec.sourceRef.name;
  if (noCrossNamespaceRefs && namespace !== obj.metadata.namespace) {
    throw new SourceAccessDeniedError(`can't access 'GitRepository/${namespace}/${name}', cross-namespace references have been blocked`);
  }
  validateRefspec(obj.spec.git.push?.refspec);
  return { namespace, name };
}

/** Resolves the Git configuration of `obj` (see the module doc). */
export async function buildSourceConfig(
  client: KubeClient,
  obj: ImageUpdateAutomation,
  opts: { noCrossNamespaceRefs: boolean; parseDuration: (s: string) => number },
): Promise<GitSourceConfig> {
  const source = sourceKeyOf(obj, opts.noCrossNamespaceRefs);
  const git = obj.spec.git!;
  const repo = await client.get<GitRepository & { [k: string]: unknown }>({ ...GIT_REPOSITORY, ...source });
  if (!repo) {
    throw new SourceConfigError(`referenced git repository does not exist: gitrepositories.source.toolkit.fluxcd.io "${source.name}" not found`);
  }
  const checkoutRef: CheckoutRef | undefined = git.checkout?.ref ?? repo.spec.ref ?? undefined;
  const push = pushTarget(obj, checkoutRef);
  const { auth, proxy } = await gitAuth(client, repo, source.namespace);
  const signingKey = await signingKeyOf(client, obj);
  const options = git.push?.options;
  return {
    source,
    url: repo.spec.url,
    auth,
    ...(proxy ? { proxy } : {}),
    timeoutMs: parseTimeout(repo.spec.timeout as string | undefined, opts.parseDuration),
    ...(checkoutRef ? { checkoutRef } : {}),
    ...push,
    ...(git.push?.refspec ? { refspec: git.push.refspec } : {}),
    ...(options && Object.keys(options).length > 0 ? { pushOptions: options } : {}),
    ...(signingKey ? { signingKey } : {}),
  };
}
