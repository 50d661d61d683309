// SPDX-License-Identifier: Apache-2.0
/**
 * The kinds the CLI knows, under the words a Flux user types: `source git`, `kustomization`,
 * `helmrelease`, `image policy`, … Each entry says where the kind lives and how to read the
 * revision it shows in `get`.
 */

/** A kind as the CLI sees it. */
export interface CliKind {
  /** The words that name it on the command line, e.g. `['source', 'git']`. */
  words: string[];
  /** Other single-word names, e.g. `ks`, `hr`, `gitrepository`. */
  aliases: string[];
  apiVersion: string;
  kind: string;
  /** Reads the revision column of `get`. */
  revision(obj: Record<string, unknown>): string;
  /** The source kinds have `--with-source` partners; this names a reconcilable dependency. */
  sourceOf?(obj: Record<string, unknown>): { apiVersion: string; kind: string; name: string; namespace?: string } | undefined;
  /** Whether the kind has `spec.suspend`. @default true */
  suspendable?: boolean;
  /** Whether the kind has a status with conditions. @default true */
  hasStatus?: boolean;
  /**
   * Which `get` columns shorten long hex digests to 8 characters, as flux does (`utils.TruncateHex`
   * on the source kinds and Kustomizations; HelmChart only in its message; none elsewhere).
   * @default none
   */
  truncateHex?: { revision: boolean; message: boolean };
}

/** Hex notations of 40 to 128 characters (SHA-1 to SHA-512), as whole words. */
const LONG_HEX = /\b[a-f0-9]{40,128}\b/g;

/** Shortens every 40–128-character hex digest in `s` to its first 8 characters (flux's `TruncateHex`). */
export function truncateHex(s: string): string {
  return s.replace(LONG_HEX, (m) => m.slice(0, 8));
}

const BOTH = { revision: true, message: true } as const;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const rec = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
const status = (o: Record<string, unknown>): Record<string, unknown> => rec(o['status']);
const spec = (o: Record<string, unknown>): Record<string, unknown> => rec(o['spec']);
const artifactRevision = (o: Record<string, unknown>): string => str(rec(status(o)['artifact'])['revision']);

const SOURCE_V1 = 'source.toolkit.fluxcd.io/v1';
const IMAGE_V1 = 'image.toolkit.fluxcd.io/v1';

/** Every kind, in the order `get all` prints them. */
export const KINDS: CliKind[] = [
  { words: ['source', 'git'], aliases: ['gitrepository', 'gitrepositories', 'gitrepo'], apiVersion: SOURCE_V1, kind: 'GitRepository', revision: artifactRevision, truncateHex: BOTH },
  { words: ['source', 'oci'], aliases: ['ocirepository', 'ocirepositories'], apiVersion: SOURCE_V1, kind: 'OCIRepository', revision: artifactRevision, truncateHex: BOTH },
  { words: ['source', 'helm'], aliases: ['helmrepository', 'helmrepositories'], apiVersion: SOURCE_V1, kind: 'HelmRepository', revision: artifactRevision, truncateHex: BOTH },
  {
    words: ['source', 'chart'],
    aliases: ['helmchart', 'helmcharts'],
    apiVersion: SOURCE_V1,
    kind: 'HelmChart',
    revision: artifactRevision,
    truncateHex: { revision: false, message: true },
    sourceOf: (o) => {
      const ref = rec(spec(o)['sourceRef']);
      return ref['kind'] ? { apiVersion: SOURCE_V1, kind: str(ref['kind']), name: str(ref['name']) } : undefined;
    },
  },
  { words: ['source', 'bucket'], aliases: ['bucket', 'buckets'], apiVersion: SOURCE_V1, kind: 'Bucket', revision: artifactRevision, truncateHex: BOTH },
  { words: ['source', 'external'], aliases: ['externalartifact', 'externalartifacts'], apiVersion: SOURCE_V1, kind: 'ExternalArtifact', revision: artifactRevision, truncateHex: BOTH, suspendable: false },
  {
    words: ['kustomization'],
    aliases: ['kustomizations', 'ks'],
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    revision: (o) => str(status(o)['lastAppliedRevision']),
    truncateHex: BOTH,
    sourceOf: (o) => {
      const ref = rec(spec(o)['sourceRef']);
      return {
        apiVersion: SOURCE_V1,
        kind: str(ref['kind']),
        name: str(ref['name']),
        ...(typeof ref['namespace'] === 'string' ? { namespace: ref['namespace'] } : {}),
      };
    },
  },
  {
    words: ['helmrelease'],
    aliases: ['helmreleases', 'hr'],
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    revision: (o) => {
      const history = status(o)['history'];
      const first = Array.isArray(history) ? rec(history[0]) : {};
      return str(first['chartVersion']) || str(status(o)['lastAttemptedRevision']);
    },
    sourceOf: (o) => {
      const chartRef = rec(spec(o)['chartRef']);
      if (chartRef['kind']) {
        return {
          apiVersion: SOURCE_V1,
          kind: str(chartRef['kind']),
          name: str(chartRef['name']),
          ...(typeof chartRef['namespace'] === 'string' ? { namespace: chartRef['namespace'] } : {}),
        };
      }
      const helmChart = str(status(o)['helmChart']);
      if (!helmChart.includes('/')) return undefined;
      const [namespace, name] = helmChart.split('/', 2) as [string, string];
      return { apiVersion: SOURCE_V1, kind: 'HelmChart', name, namespace };
    },
  },
  {
    words: ['image', 'repository'],
    aliases: ['imagerepository', 'imagerepositories'],
    apiVersion: IMAGE_V1,
    kind: 'ImageRepository',
    revision: (o) => {
      const scan = rec(status(o)['lastScanResult']);
      return scan['tagCount'] === undefined ? '' : `${String(scan['tagCount'])} tags`;
    },
  },
  {
    words: ['image', 'policy'],
    aliases: ['imagepolicy', 'imagepolicies'],
    apiVersion: IMAGE_V1,
    kind: 'ImagePolicy',
    revision: (o) => {
      const ref = rec(status(o)['latestRef']);
      return ref['name'] ? `${str(ref['name'])}:${str(ref['tag'])}` : '';
    },
  },
  {
    words: ['image', 'update'],
    aliases: ['imageupdateautomation', 'imageupdateautomations'],
    apiVersion: IMAGE_V1,
    kind: 'ImageUpdateAutomation',
    revision: (o) => str(status(o)['lastPushCommit']),
  },
  { words: ['receiver'], aliases: ['receivers'], apiVersion: 'notification.toolkit.fluxcd.io/v1', kind: 'Receiver', revision: () => '' },
  {
    words: ['alert'],
    aliases: ['alerts'],
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
    kind: 'Alert',
    revision: () => '',
    hasStatus: false,
  },
  {
    words: ['alert-provider'],
    aliases: ['provider', 'providers'],
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
    kind: 'Provider',
    revision: () => '',
    hasStatus: false,
  },
];

/** `policies` → `policy`, `charts` → `chart`: Flux accepts both forms of a kind word. */
export function singular(word: string): string {
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** Finds a kind by its CLI words (`source git`), an alias (`ks`) or its Kind (`GitRepository`). */
export function findKind(words: string[]): { kind: CliKind; rest: string[] } | undefined {
  for (const k of KINDS) {
    if (k.words.every((w, i) => singular(words[i] ?? '') === w)) return { kind: k, rest: words.slice(k.words.length) };
  }
  const first = (words[0] ?? '').toLowerCase();
  const byAlias = KINDS.find((k) => k.aliases.includes(first) || k.kind.toLowerCase() === first);
  return byAlias ? { kind: byAlias, rest: words.slice(1) } : undefined;
}

/** The kind of a Kubernetes object, when the CLI knows it. */
export function kindOf(apiVersion: string, kind: string): CliKind | undefined {
  return KINDS.find((k) => k.kind === kind && k.apiVersion.split('/')[0] === apiVersion.split('/')[0]);
}

/** `source git` → `gitrepository`, the prefix of `get all` rows. */
export function shortName(k: CliKind): string {
  return k.kind.toLowerCase();
}
