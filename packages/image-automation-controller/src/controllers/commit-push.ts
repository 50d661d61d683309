// SPDX-License-Identifier: Apache-2.0
/**
 * Committing and pushing an update (Flux `SourceManager.CommitAndPush`): render the commit
 * message first (so a bad template never leaves a commit behind), commit with the configured
 * author and signing key, push `HEAD` to the push branch (forced only when it differs from the
 * checkout branch and `GitForcePushBranch` is on), then to `spec.git.push.refspec` if set (never
 * forced). Also the Eddy branch-per-update mode: one commit per ImagePolicy, each force-pushed to
 * its own branch.
 *
 * Errors propagate untouched: `CommitTemplateError` / `RemovedTemplateFieldError` from the
 * template, `GitError` from git; the reconciler maps them to conditions.
 */
import type { ImageUpdateAutomation } from '@eddy/api/image/v1';
import { commitRevision } from '@eddy/runtime/git';
import type { BranchUpdate } from '../branches/branch-per-update.ts';
import { renderCommitMessage } from '../commit/message.ts';
import type { PolicyLike } from '../setters/markers.ts';
import type { UpdateResult } from '../setters/result.ts';
import { updateWithSetters } from '../setters/update-files.ts';
import type { GitWorkspace } from './git-workspace.ts';
import type { GitSourceConfig } from './source-config.ts';

/** What a push did. */
export interface PushOutcome {
  /** The pushed commit. */
  hash: string;
  /** The branch it was pushed to. */
  branch: string;
  /** Its revision, `<branch>@sha1:<hash>`. */
  revision: string;
  /** The commit message. */
  message: string;
  /** The refspec also pushed, if any. */
  refspec?: string;
}

/** What a commit needs besides the changes. */
export interface CommitInput {
  automation: ImageUpdateAutomation;
  /** RFC 3339 commit time (from the injected clock). */
  date: string;
  /** `GitForcePushBranch`: force-push a push branch that differs from the checkout branch. */
  forcePushBranch: boolean;
  signal?: AbortSignal;
}

function messageFor(input: CommitInput, result: UpdateResult): string {
  const commit = input.automation.spec.git!.commit;
  return renderCommitMessage({
    automation: { namespace: input.automation.metadata.namespace ?? '', name: input.automation.metadata.name ?? '' },
    changed: result,
    messageTemplate: commit.messageTemplate,
    messageTemplateValues: commit.messageTemplateValues,
  });
}

async function commitOnly(ws: GitWorkspace, cfg: GitSourceConfig, input: CommitInput, message: string): Promise<string | undefined> {
  const author = input.automation.spec.git!.commit.author;
  const res = await ws.commit({
    author: { name: author.name || author.email, email: author.email },
    message,
    date: input.date,
    ...(cfg.signingKey ? { signingKey: cfg.signingKey } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  return res.created ? res.hash : undefined;
}

/**
 * Commits the worktree and pushes it to the push branch (and refspec). Returns undefined when
 * there was nothing to commit.
 */
export async function commitAndPush(ws: GitWorkspace, cfg: GitSourceConfig, input: CommitInput, result: UpdateResult): Promise<PushOutcome | undefined> {
  const message = messageFor(input, result);
  const hash = await commitOnly(ws, cfg, input, message);
  if (!hash) return undefined;
  const signal = input.signal ? { signal: input.signal } : {};
  await ws.pushBranch(cfg.pushBranch, { force: cfg.switchBranch && input.forcePushBranch, ...signal });
  if (cfg.refspec) await ws.pushRefspec(cfg.refspec, input.signal);
  return {
    hash,
    branch: cfg.pushBranch,
    revision: commitRevision(`refs/heads/${cfg.pushBranch}`, hash),
    message,
    ...(cfg.refspec ? { refspec: cfg.refspec } : {}),
  };
}

/**
 * Branch-per-update: for each plan, starting over from `baseHash`, applies only that policy's
 * setters, commits, and force-pushes to the plan's branch. Messages are rendered before any
 * commit, so a bad template pushes nothing.
 */
export async function pushBranchPerUpdate(
  ws: GitWorkspace,
  cfg: GitSourceConfig,
  input: CommitInput & { baseHash: string; updatePath: (dir: string) => string },
  plans: readonly BranchUpdate[],
): Promise<PushOutcome[]> {
  const messages = plans.map((p) => messageFor(input, p.result));
  const out: PushOutcome[] = [];
  for (const [i, plan] of plans.entries()) {
    await ws.resetTo(input.baseHash, input.signal);
    const applied = await updateWithSetters(input.updatePath(ws.dir), [plan.policy as PolicyLike]);
    if (applied.result.empty) continue;
    const message = messages[i]!;
    const hash = await commitOnly(ws, cfg, input, message);
    if (!hash) continue;
    await ws.pushBranch(plan.branch, { force: true, ...(input.signal ? { signal: input.signal } : {}) });
    out.push({ hash, branch: plan.branch, revision: commitRevision(`refs/heads/${plan.branch}`, hash), message });
  }
  return out;
}
