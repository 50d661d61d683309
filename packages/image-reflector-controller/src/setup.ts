// SPDX-License-Identifier: Apache-2.0
/**
 * Registers the image-reflector-controller's two controllers with a manager, so the standalone
 * binary and a one-process mode compose them the same way:
 *
 * - `imagerepository`: ImageRepositories, on generation changes and reconcile requests;
 * - `imagepolicy`: ImagePolicies, on generation changes and reconcile requests, and whenever a
 *   referenced ImageRepository records a new scan result (looked up through an index of policies
 *   by repository).
 *
 * Both share one {@link TagStore} (what the repositories scanned is what the policies read) and
 * one {@link RegistryClient}.
 */
import type { EventRecorder } from '@eddy/runtime/events';
import type { Manager } from '@eddy/runtime/manager';
import { controllerManagedBy } from '@eddy/runtime/manager';
import type { KubeObject } from '@eddy/runtime/client';
import { generationChanged, or, reconcileRequested } from '@eddy/runtime/predicates';
import type { RateLimiter } from '@eddy/runtime/queue';
import { IMAGE_REPOSITORY_INDEX, imageRepositoryIndex, policiesForRepository, scanResultChanged } from './controllers/imagepolicy-helpers.ts';
import { IMAGE_POLICY_GVK, ImagePolicyReconciler } from './controllers/imagepolicy-reconciler.ts';
import { IMAGE_REPOSITORY_GVK, ImageRepositoryReconciler } from './controllers/imagerepository-reconciler.ts';
import { RegistryClient } from './controllers/registry-client.ts';
import { TagStore } from './store/tag-store.ts';

/** Options of {@link setupImageReflector}. */
export interface ImageReflectorSetupOptions {
  /** The tag store; or give `storagePath` to create one there. */
  store?: TagStore;
  /** Directory of the tag store (`--storage-path`), used when `store` is not given. */
  storagePath?: string;
  /** Upper bound of the tag store's in-memory cache. @default 64 MiB */
  storageCacheBytes?: number;
  /** @default a RegistryClient with the runtime's default egress policy */
  registry?: RegistryClient;
  events?: EventRecorder;
  /** `--concurrent`. @default 4 */
  concurrent?: number;
  /** `--no-cross-namespace-refs`. @default false */
  noCrossNamespaceRefs?: boolean;
  /** `--requeue-dependency`. @default 30000 */
  dependencyRequeueMs?: number;
  rateLimiter?: RateLimiter<string>;
  /** Field owner of status patches. @default 'gotk-image-reflector-controller' */
  controllerName?: string;
}

/** What {@link setupImageReflector} created. */
export interface ImageReflector {
  store: TagStore;
  registry: RegistryClient;
  repositories: ImageRepositoryReconciler;
  policies: ImagePolicyReconciler;
}

/** Registers the ImageRepository and ImagePolicy controllers with `mgr`. */
export function setupImageReflector(mgr: Manager, opts: ImageReflectorSetupOptions): ImageReflector {
  const store = opts.store ?? new TagStore({ dataDir: requireStoragePath(opts.storagePath), ...(opts.storageCacheBytes ? { maxCacheBytes: opts.storageCacheBytes } : {}) });
  const registry = opts.registry ?? new RegistryClient();
  const common = {
    client: mgr.client,
    store,
    registry,
    clock: mgr.clock,
    metrics: mgr.recorder,
    ...(opts.events ? { events: opts.events } : {}),
    ...(opts.controllerName ? { controllerName: opts.controllerName } : {}),
  };
  const options = {
    maxConcurrentReconciles: opts.concurrent ?? 4,
    ...(opts.rateLimiter ? { rateLimiter: opts.rateLimiter } : {}),
  };
  const requested = { predicates: [or<KubeObject>(generationChanged(), reconcileRequested())] };

  const repositories = new ImageRepositoryReconciler(common);
  controllerManagedBy(mgr).named('imagerepository').for(IMAGE_REPOSITORY_GVK, requested).withOptions(options).complete(repositories);

  const policies = new ImagePolicyReconciler({
    ...common,
    noCrossNamespaceRefs: opts.noCrossNamespaceRefs ?? false,
    ...(opts.dependencyRequeueMs !== undefined ? { dependencyRequeueMs: opts.dependencyRequeueMs } : {}),
  });
  const policyCache = mgr.getCache(IMAGE_POLICY_GVK);
  policyCache.addIndexer(IMAGE_REPOSITORY_INDEX, imageRepositoryIndex);
  controllerManagedBy(mgr)
    .named('imagepolicy')
    .for(IMAGE_POLICY_GVK, requested)
    .watches(IMAGE_REPOSITORY_GVK, policiesForRepository((key) => policyCache.byIndex(IMAGE_REPOSITORY_INDEX, key)), { predicates: [scanResultChanged()] })
    .withOptions(options)
    .complete(policies);

  return { store, registry, repositories, policies };
}

function requireStoragePath(path: string | undefined): string {
  if (!path) throw new Error('setupImageReflector: either store or storagePath is required');
  return path;
}
