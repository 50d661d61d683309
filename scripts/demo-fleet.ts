// SPDX-License-Identifier: Apache-2.0
/**
 * The demo fleet repository `make demo` serves from its local git server, built from the shared
 * fixtures so it needs nothing from the internet:
 *
 *   clusters/demo/        Kustomizations `infrastructure` and `apps` (apps dependsOn infrastructure)
 *   infrastructure/       the `podinfo` Namespace
 *   apps/podinfo/         podinfo's plain kustomize manifests (Deployment, HPA, Service)
 *   apps/podinfo-helm/    a HelmRepository on the local chart server and a HelmRelease of the
 *                         podinfo chart (only when the helm-controller runs)
 *
 * The demo itself creates the GitRepository and Kustomization `flux-system` pointing at
 * `./clusters/demo`, the way `flux bootstrap` would.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the fixtures live (`../shared/fixtures` next to the repository, or `$EDDY_FIXTURES`). */
export function fixturesDir(root: string): string {
  return process.env.EDDY_FIXTURES ?? join(root, '..', 'shared', 'fixtures');
}

function kustomization(name: string, path: string, dependsOn?: string): string {
  return `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m
  retryInterval: 30s
  path: ${path}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
${dependsOn ? `  dependsOn:\n    - name: ${dependsOn}\n` : ''}`;
}

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: podinfo
  labels:
    toolkit.fluxcd.io/tenant: dev-team
`;

const helmRepository = (url: string): string => `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
spec:
  interval: 5m
  url: ${url}
`;

const HELM_RELEASE = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo-helm
spec:
  interval: 10m
  chart:
    spec:
      chart: podinfo
      version: ">=6.0.0"
      sourceRef:
        kind: HelmRepository
        name: podinfo
  # No kubelet in the demo's control plane: Pods never run, so do not wait for them.
  install:
    disableWait: true
  upgrade:
    disableWait: true
  values:
    replicaCount: 1
    ui:
      message: Hello from Eddy
`;

const kustomizeResources = (resources: string[], namespace?: string): string =>
  `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
${namespace ? `namespace: ${namespace}\n` : ''}resources:
${resources.map((r) => `  - ${r}\n`).join('')}`;

/** The files of the fleet repository, by path. `chartRepoUrl` adds the Helm part. */
export function demoFleet(root: string, chartRepoUrl?: string): Record<string, string> {
  const podinfo = join(fixturesDir(root), 'manifests', 'podinfo-kustomize');
  const files: Record<string, string> = {
    'README.md': '# Eddy demo fleet\n\nEdit anything under `apps/` or `infrastructure/`, commit and push: Eddy applies it.\n',
    'clusters/demo/infrastructure.yaml': kustomization('infrastructure', './infrastructure'),
    'clusters/demo/apps.yaml': kustomization('apps', './apps', 'infrastructure'),
    'infrastructure/namespace.yaml': NAMESPACE,
  };
  for (const f of readdirSync(podinfo).filter((n) => n.endsWith('.yaml'))) {
    let text = readFileSync(join(podinfo, f), 'utf8');
    if (f === 'kustomization.yaml') text = text.replace('kind: Kustomization\n', 'kind: Kustomization\nnamespace: podinfo\n');
    files[`apps/podinfo/${f}`] = text;
  }
  const apps = ['podinfo'];
  if (chartRepoUrl) {
    apps.push('podinfo-helm');
    files['apps/podinfo-helm/kustomization.yaml'] = kustomizeResources(['repository.yaml', 'release.yaml'], 'podinfo');
    files['apps/podinfo-helm/repository.yaml'] = helmRepository(chartRepoUrl);
    files['apps/podinfo-helm/release.yaml'] = HELM_RELEASE;
  }
  files['apps/kustomization.yaml'] = kustomizeResources(apps);
  return files;
}

/** The objects the demo creates: the credentials Secret, GitRepository and Kustomization `flux-system`. */
export function syncObjects(url: string, username: string, password: string): Array<{ apiVersion: string; kind: string; metadata: { name: string; namespace: string }; [k: string]: unknown }> {
  const meta = { name: 'flux-system', namespace: 'flux-system' };
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: meta, stringData: { username, password } },
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: meta,
      spec: { interval: '30s', url, ref: { branch: 'main' }, secretRef: { name: 'flux-system' } },
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: meta,
      spec: { interval: '10m', path: './clusters/demo', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
    },
  ];
}

/** The objects the demo fleet creates that must become Ready: `[apiVersion, kind, namespace, name]`. */
export const DEMO_READY_OBJECTS: ReadonlyArray<readonly [string, string, string, string]> = [
  ['source.toolkit.fluxcd.io/v1', 'GitRepository', 'flux-system', 'flux-system'],
  ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'flux-system', 'flux-system'],
  ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'flux-system', 'infrastructure'],
  ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'flux-system', 'apps'],
  ['source.toolkit.fluxcd.io/v1', 'HelmRepository', 'podinfo', 'podinfo'],
  ['helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'podinfo', 'podinfo-helm'],
];
