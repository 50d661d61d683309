// SPDX-License-Identifier: Apache-2.0
/**
 * The controllers `eddy controllers --enable …` can run in one process, and how each is composed
 * onto a shared {@link Manager} from what its package exports. This is composition at the edge:
 * controllers never import each other; the CLI imports each package only here, by name at run
 * time, so a missing or unfinished controller only fails the run that asks for it.
 *
 * The contract asked of every controller package (`src/setup.ts`, re-exported from its index):
 *
 * ```ts
 * export async function setupKustomizeController(mgr: Manager, values: KustomizeControllerFlagValues & { events: EventRecorder }): Promise<{ stop?(): Promise<void> } | void>
 * ```
 *
 * with `values` keyed like the controller's own flags (runtime flags plus its own). Packages that
 * already export a setup with their own option object (source, image-reflector, image-automation)
 * get an adapter below that maps the flags onto it, as their `main.ts` does.
 */
import { mkdirSync } from 'node:fs';
import { EventRecorder } from '@eddy/runtime/events';
import { parseFeatureGates } from '@eddy/runtime/flags';
import type { Manager } from '@eddy/runtime/manager';

/** What a configured controller leaves to clean up. */
export interface ControllerHandle {
  /** Closes servers and recorders the setup opened; called after the manager stopped. */
  stop(): Promise<void>;
}

/** A controller package's exports. */
export type PackageExports = Record<string, unknown>;

/** What a setup is given: the shared manager and the flag values (runtime flags plus controller flags). */
export interface SetupContext {
  mgr: Manager;
  values: Record<string, unknown>;
}

/** How the CLI finds and configures one controller. */
export interface ControllerAdapter {
  /** The name on the command line (`--enable source,kustomize`). */
  name: string;
  /** The Flux component name (Deployment, lease, event reporter). */
  component: string;
  /** The workspace package. */
  pkg: string;
  /** The exports the adapter needs. */
  requires: string[];
  /** The export naming the feature gates the controller supports (`{ Gate: default }`), if any. */
  gates?: string;
  /** Registers the controller on the manager. */
  configure(mod: PackageExports, c: SetupContext): Promise<ControllerHandle>;
}

type Fn = (...args: unknown[]) => unknown;
type Ctor = new (...args: unknown[]) => unknown;

/** An event recorder reporting as `component`, optionally forwarding to `--events-addr`. */
function recorder(c: SetupContext, component: string): EventRecorder {
  const addr = typeof c.values['eventsAddr'] === 'string' ? c.values['eventsAddr'] : '';
  return new EventRecorder({ reportingController: component, client: c.mgr.client, clock: c.mgr.clock, ...(addr ? { webhook: addr } : {}) });
}

/** The documented contract: `setupXController(mgr, { ...values, events })`. */
function byContract(component: string, exportName: string): Pick<ControllerAdapter, 'requires' | 'configure'> {
  return {
    requires: [exportName],
    async configure(mod, c) {
      const events = recorder(c, component);
      const handle = (await (mod[exportName] as Fn)(c.mgr, { ...c.values, events })) as Partial<ControllerHandle> | undefined;
      return { stop: async () => (await handle?.stop?.(), await events.stop()) };
    },
  };
}

const source: ControllerAdapter = {
  name: 'source',
  component: 'source-controller',
  pkg: '@eddy/source-controller',
  requires: ['setupSourceController', 'Storage', 'startArtifactServer'],
  async configure(mod, c) {
    const v = c.values;
    const storagePath = String(v['storagePath']);
    mkdirSync(storagePath, { recursive: true });
    const storageAddr = String(v['storageAddr']);
    const storage = new (mod['Storage'] as Ctor)({
      basePath: storagePath,
      hostname: String(v['storageAdvAddr'] || storageAddr),
      retention: { ttlMs: v['artifactRetentionTtl'], records: v['artifactRetentionRecords'] },
    });
    const server = (await (mod['startArtifactServer'] as Fn)({ root: storagePath, address: storageAddr })) as { close(): Promise<void> | void };
    const events = recorder(c, 'source-controller');
    (mod['setupSourceController'] as Fn)(c.mgr, { storage, events, concurrent: v['concurrent'], dependencyRequeueMs: v['requeueDependency'] });
    return { stop: async () => (await server.close(), await events.stop()) };
  },
};

const imageReflector: ControllerAdapter = {
  name: 'image-reflector',
  component: 'image-reflector-controller',
  pkg: '@eddy/image-reflector-controller',
  requires: ['setupImageReflector'],
  async configure(mod, c) {
    const events = recorder(c, 'image-reflector-controller');
    mkdirSync(String(c.values['imageStoragePath']), { recursive: true, mode: 0o700 });
    (mod['setupImageReflector'] as Fn)(c.mgr, {
      storagePath: c.values['imageStoragePath'],
      events,
      concurrent: c.values['concurrent'],
      noCrossNamespaceRefs: c.values['noCrossNamespaceRefs'],
      dependencyRequeueMs: c.values['requeueDependency'],
    });
    return { stop: () => events.stop() };
  },
};

const imageAutomation: ControllerAdapter = {
  name: 'image-automation',
  component: 'image-automation-controller',
  pkg: '@eddy/image-automation-controller',
  requires: ['setupImageAutomation', 'imageAutomationFeatureGates'],
  gates: 'imageAutomationFeatureGates',
  async configure(mod, c) {
    const events = recorder(c, 'image-automation-controller');
    const known = mod['imageAutomationFeatureGates'] as Record<string, boolean>;
    const gates = parseFeatureGates(c.values['featureGates'] as string[], known, { ignoreUnsupported: true });
    (mod['setupImageAutomation'] as Fn)(c.mgr, {
      events,
      concurrent: c.values['concurrent'],
      noCrossNamespaceRefs: c.values['noCrossNamespaceRefs'],
      forcePushBranch: gates['GitForcePushBranch'],
      allBranchReferences: gates['GitAllBranchReferences'],
      shallowClone: gates['GitShallowClone'],
    });
    return { stop: () => events.stop() };
  },
};

/** Every controller, in start order (sources first). */
export const ADAPTERS: readonly ControllerAdapter[] = [
  source,
  { name: 'kustomize', component: 'kustomize-controller', pkg: '@eddy/kustomize-controller', ...byContract('kustomize-controller', 'setupKustomizeController'), gates: 'kustomizeFeatureGates' },
  { name: 'helm', component: 'helm-controller', pkg: '@eddy/helm-controller', ...byContract('helm-controller', 'setupHelmController'), gates: 'helmFeatureGates' },
  imageReflector,
  imageAutomation,
];

/** A loaded package, or why it cannot be used. */
export type LoadedAdapter = { adapter: ControllerAdapter; mod: PackageExports } | { adapter: ControllerAdapter; missing: string };

/** Imports a controller package and checks it has what the adapter needs. */
export async function loadAdapter(adapter: ControllerAdapter): Promise<LoadedAdapter> {
  let mod: PackageExports;
  try {
    const specifier: string = adapter.pkg;
    mod = (await import(specifier)) as PackageExports;
  } catch (err) {
    return { adapter, missing: `${adapter.pkg} cannot be loaded: ${(err as Error).message.split('\n')[0] ?? ''}` };
  }
  const absent = adapter.requires.filter((name) => mod[name] === undefined);
  if (absent.length > 0) return { adapter, missing: `${adapter.pkg} does not export ${absent.join(', ')} yet` };
  return { adapter, mod };
}

/**
 * Checks one `--feature-gates` list against every loaded controller: each gate must be supported
 * by at least one of them (as each binary refuses gates it does not know), and hold a boolean.
 * @throws FlagError naming the first gate none of them supports.
 */
export function checkFeatureGates(loaded: ReadonlyArray<{ adapter: ControllerAdapter; mod: PackageExports }>, values: readonly string[]): void {
  const known: Record<string, boolean> = {};
  for (const { adapter, mod } of loaded) if (adapter.gates) Object.assign(known, mod[adapter.gates] as Record<string, boolean>);
  parseFeatureGates(values, known);
}

/** Parses `--enable a,b` into adapters, in start order. */
export function parseEnable(value: string): ControllerAdapter[] {
  const names = value
    .split(',')
    .map((s) => s.trim().replace(/-controller$/, ''))
    .filter(Boolean);
  const unknown = names.filter((n) => !ADAPTERS.some((a) => a.name === n));
  if (unknown.length > 0) throw new Error(`unknown controller(s) ${unknown.join(', ')}; choose from ${ADAPTERS.map((a) => a.name).join(', ')}`);
  return ADAPTERS.filter((a) => names.includes(a.name));
}
