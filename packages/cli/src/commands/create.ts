// SPDX-License-Identifier: Apache-2.0
/**
 * `eddy create …`: builds an object from flags (Flux's flag names), then prints it (`--export`)
 * or applies it with server-side apply and waits for it to become Ready, as Flux's CLI does.
 */
import { stringify } from 'yaml';
import type { KubeObject } from '@eddy/runtime/client';
import type { CliContext } from '../context.ts';
import { CliError } from '../context.ts';
import { findKind } from '../kinds.ts';
import { reconcileWaitReady } from './wait.ts';
import { compact, list, localRef, meta, parseSourceRef, str as s, type Builder, type CreateFlags } from './create-flags.ts';
import { IMAGE_BUILDERS } from './create-image.ts';

export { parseSourceRef, type CreateFlags } from './create-flags.ts';

/** Parses Flux's `--health-check Kind/name.namespace`. */
function parseHealthCheck(value: string): { apiVersion?: string; kind: string; name: string; namespace?: string } {
  const ref = parseSourceRef(value, '');
  if (!ref.kind) throw new CliError(`invalid health check '${value}': want <kind>/<name>.<namespace>`);
  return ref;
}

const BUILDERS: Record<string, Builder> = {
  GitRepository: (name, ns, f) => {
    const url = s(f, 'url');
    if (!url) throw new CliError('--url is required');
    if (!/^(https?|ssh):\/\//.test(url)) throw new CliError(`--url must start with http://, https:// or ssh://, got '${url}'`);
    const ref = compact({ commit: s(f, 'commit'), name: s(f, 'refName'), semver: s(f, 'tagSemver'), tag: s(f, 'tag'), branch: s(f, 'branch') });
    if (Object.keys(ref).length === 0) throw new CliError('a Git ref is required, use one of --branch, --tag, --tag-semver, --commit or --ref-name');
    return {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: meta(name, ns, f),
      spec: compact({
        url,
        interval: s(f, 'interval') ?? '1m0s',
        ref,
        secretRef: localRef(f, 'secretRef'),
        ignore: s(f, 'ignorePaths') ? list(f, 'ignorePaths').join('\n') : undefined,
        recurseSubmodules: f['recurseSubmodules'] === true ? true : undefined,
      }),
    };
  },
  HelmRepository: (name, ns, f) => {
    const url = s(f, 'url');
    if (!url) throw new CliError('--url is required');
    return {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: meta(name, ns, f),
      spec: compact({
        url,
        interval: s(f, 'interval') ?? '1m0s',
        type: url.startsWith('oci://') ? 'oci' : undefined,
        secretRef: localRef(f, 'secretRef'),
        passCredentials: f['passCredentials'] === true ? true : undefined,
      }),
    };
  },
  OCIRepository: (name, ns, f) => {
    const url = s(f, 'url');
    if (!url?.startsWith('oci://')) throw new CliError('--url is required and must start with oci://');
    const ref = compact({ digest: s(f, 'digest'), semver: s(f, 'tagSemver'), tag: s(f, 'tag') });
    return {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: meta(name, ns, f),
      spec: compact({
        url,
        interval: s(f, 'interval') ?? '1m0s',
        ref: Object.keys(ref).length ? ref : { tag: 'latest' },
        secretRef: localRef(f, 'secretRef'),
        insecure: f['insecure'] === true ? true : undefined,
      }),
    };
  },
  Bucket: (name, ns, f) => {
    const bucketName = s(f, 'bucketName');
    const endpoint = s(f, 'endpoint');
    if (!bucketName || !endpoint) throw new CliError('--bucket-name and --endpoint are required');
    return {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'Bucket',
      metadata: meta(name, ns, f),
      spec: compact({
        bucketName,
        endpoint,
        provider: s(f, 'provider') ?? 'generic',
        region: s(f, 'region'),
        insecure: f['insecure'] === true ? true : undefined,
        interval: s(f, 'interval') ?? '1m0s',
        secretRef: localRef(f, 'secretRef'),
      }),
    };
  },
  Kustomization: (name, ns, f) => {
    const source = s(f, 'source');
    if (!source) throw new CliError('--source is required, e.g. --source=GitRepository/podinfo');
    const dependsOn = list(f, 'dependsOn').map((d) => {
      const [n, depNs] = d.includes('/') ? d.split('/', 2).reverse() : [d, undefined];
      return compact({ name: n, namespace: depNs });
    });
    return {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: meta(name, ns, f),
      spec: compact({
        interval: s(f, 'interval') ?? '1m0s',
        sourceRef: parseSourceRef(source, 'GitRepository'),
        path: s(f, 'path') ?? './',
        prune: f['prune'] === true,
        targetNamespace: s(f, 'targetNamespace'),
        dependsOn,
        wait: f['wait'] === true ? true : undefined,
        healthChecks: list(f, 'healthCheck').map(parseHealthCheck),
        timeout: s(f, 'healthCheckTimeout'),
        retryInterval: s(f, 'retryInterval'),
        serviceAccountName: s(f, 'serviceAccount'),
        decryption: s(f, 'decryptionProvider') ? compact({ provider: s(f, 'decryptionProvider'), secretRef: localRef(f, 'decryptionSecret') }) : undefined,
      }),
    };
  },
  HelmRelease: (name, ns, f) => {
    const source = s(f, 'source');
    const chartRef = s(f, 'chartRef');
    if (!chartRef && (!source || !s(f, 'chart'))) throw new CliError('--source and --chart are required (or --chart-ref)');
    const chart = chartRef
      ? { chartRef: parseSourceRef(chartRef, 'OCIRepository') }
      : {
          chart: {
            spec: compact({ chart: s(f, 'chart'), version: s(f, 'chartVersion'), sourceRef: parseSourceRef(source ?? '', 'HelmRepository') }),
          },
        };
    return {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: meta(name, ns, f),
      spec: compact({
        interval: s(f, 'interval') ?? '1m0s',
        releaseName: s(f, 'releaseName'),
        targetNamespace: s(f, 'targetNamespace'),
        storageNamespace: s(f, 'storageNamespace'),
        serviceAccountName: s(f, 'serviceAccount'),
        dependsOn: list(f, 'dependsOn').map((d) => {
          const [n, depNs] = d.includes('/') ? d.split('/', 2).reverse() : [d, undefined];
          return compact({ name: n, namespace: depNs });
        }),
        install: f['createTargetNamespace'] === true ? { createNamespace: true } : undefined,
        ...chart,
      }),
    };
  },
  ...IMAGE_BUILDERS,
};

/** Builds the object for a `create` subcommand (exported for tests). */
export function buildObject(kindWords: string[], name: string, namespace: string, flags: CreateFlags): KubeObject {
  const found = findKind(kindWords);
  const builder = found ? BUILDERS[found.kind.kind] : undefined;
  if (!found || !builder) throw new CliError(`cannot create ${kindWords.join(' ')}`);
  return builder(name, namespace, flags);
}

/**
 * The Secret Flux's `create source git|helm` writes when `--username`/`--password` (or
 * `--bearer-token`) are given: named like the source, which then refers to it.
 */
export function credentialsSecret(obj: KubeObject, flags: CreateFlags): KubeObject | undefined {
  const username = s(flags, 'username');
  const password = s(flags, 'password');
  const bearerToken = s(flags, 'bearerToken');
  if (!username && !password && !bearerToken) return undefined;
  if (!bearerToken && (!username || !password)) throw new CliError('--username and --password are required together');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace },
    stringData: compact({ username, password, bearerToken }),
  };
}

/** Runs a `create` subcommand. */
export async function create(ctx: CliContext, kindWords: string[], name: string, flags: CreateFlags): Promise<void> {
  const obj = buildObject(kindWords, name, ctx.opts.namespace, flags);
  const secret = credentialsSecret(obj, flags);
  if (secret) (obj['spec'] as Record<string, unknown>)['secretRef'] = { name: secret.metadata.name };
  if (flags['export'] === true) {
    ctx.out(`---\n${stringify(obj)}`);
    return;
  }
  if (secret) {
    ctx.out(`► applying secret with repository credentials`);
    await ctx.client().apply(secret, { fieldManager: 'eddy', force: true });
    ctx.out(`✔ authentication configured`);
  }
  ctx.out(`► applying ${obj.kind} ${name} in ${ctx.opts.namespace} namespace`);
  await ctx.client().apply(obj, { fieldManager: 'eddy', force: true });
  ctx.out(`✔ ${obj.kind} created`);
  await reconcileWaitReady(ctx, obj);
}
