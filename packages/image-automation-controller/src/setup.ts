// SPDX-License-Identifier: Apache-2.0
/**
 * Registers the image-automation-controller with a manager, so the standalone binary and a
 * one-process mode compose it the same way: ImageUpdateAutomations run on generation changes and
 * reconcile requests, when a referenced GitRepository changes (through an index of automations by
 * GitRepository), and when an ImagePolicy of their namespace selects a new image.
 */
import type { KubeObject } from '@eddy/runtime/client';
import type { EventRecorder } from '@eddy/runtime/events';
import type { Manager } from '@eddy/runtime/manager';
import { controllerManagedBy } from '@eddy/runtime/manager';
import { generationChanged, or, reconcileRequested } from '@eddy/runtime/predicates';
import type { RateLimiter } from '@eddy/runtime/queue';
import { IMAGE_UPDATE_AUTOMATION_GVK, ImageUpdateAutomationReconciler } from './controllers/imageupdateautomation-reconciler.ts';
import {
  GIT_REPOSITORY_INDEX,
  automationsForGitRepository,
  automationsForImagePolicy,
  gitRepositoryIndex,
  latestImageChanged,
  sourceConfigChanged,
} from './controllers/imageupdateautomation-watches.ts';

const GIT_REPOSITORY_GVK = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' } as const;
const IMAGE_POLICY_GVK = { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy' } as const;

/** The feature gates image-automation-controller supports, with Flux's defaults (all on); any other is rejected at start-up. */
export const imageAutomationFeatureGates = { GitForcePushBranch: true, GitAllBranchReferences: true, GitShallowClone: true } as const;

/** Options of {@link setupImageAutomation}. */
export interface ImageAutomationSetupOptions {
  events?: EventRecorder;
  /** `--concurrent`. @default 4 */
  concurrent?: number;
  /** `--no-cross-namespace-refs`. @default false */
  noCrossNamespaceRefs?: boolean;
  /** Feature gate `GitForcePushBranch`. @default true */
  forcePushBranch?: boolean;
  /** Feature gate `GitShallowClone`. @default true */
  shallowClone?: boolean;
  /** Feature gate `GitAllBranchReferences`. @default true */
  allBranchReferences?: boolean;
  rateLimiter?: RateLimiter<string>;
  /** Field owner of status patches. @default 'gotk-image-automation-controller' */
  controllerName?: string;
}

/** Registers the ImageUpdateAutomation controller with `mgr` and returns its reconciler. */
export function setupImageAutomation(mgr: Manager, opts: ImageAutomationSetupOptions = {}): ImageUpdateAutomationReconciler {
  const reconciler = new ImageUpdateAutomationReconciler({
    client: mgr.client,
    clock: mgr.clock,
    metrics: mgr.recorder,
    noCrossNamespaceRefs: opts.noCrossNamespaceRefs ?? false,
    forcePushBranch: opts.forcePushBranch ?? true,
    features: { shallowClone: opts.shallowClone ?? true, allBranchReferences: opts.allBranchReferences ?? true },
    ...(opts.events ? { events: opts.events } : {}),
    ...(opts.controllerName ? { controllerName: opts.controllerName } : {}),
  });
  const automations = mgr.getCache(IMAGE_UPDATE_AUTOMATION_GVK);
  automations.addIndexer(GIT_REPOSITORY_INDEX, gitRepositoryIndex);
  controllerManagedBy(mgr)
    .named('imageupdateautomation')
    .for(IMAGE_UPDATE_AUTOMATION_GVK, { predicates: [or<KubeObject>(generationChanged(), reconcileRequested())] })
    .watches(GIT_REPOSITORY_GVK, automationsForGitRepository((key) => automations.byIndex(GIT_REPOSITORY_INDEX, key)), { predicates: [sourceConfigChanged()] })
    .watches(IMAGE_POLICY_GVK, automationsForImagePolicy((namespace) => automations.list({ namespace })), { predicates: [latestImageChanged()] })
    .withOptions({ maxConcurrentReconciles: opts.concurrent ?? 4, ...(opts.rateLimiter ? { rateLimiter: opts.rateLimiter } : {}) })
    .complete(reconciler);
  return reconciler;
}
