// SPDX-License-Identifier: Apache-2.0
/**
 * One run's working copy of the automation's repository, on `@eddy/runtime/git`: clone the
 * checkout reference (skipping the fetch when the remote did not move), switch to the push branch
 * (starting from its remote state when it exists, as Flux's `GitAllBranchReferences`), commit,
 * and push `HEAD` to branches or refspecs. The directory lives in a private temporary directory
 * that {@link GitWorkspace.dispose} removes, so a failed run never leaves a half-made commit
 * anywhere but there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloneResult, CommitResult, SigningKey } from '@eddy/runtime/git';
import { GitError, cloneRepository, commitAll, effectiveUrl, pushRefs, switchBranch, withSession } from '@eddy/runtime/git';
import type { GitSourceConfig } from './source-config.ts';

/** Options of {@link GitWorkspace.checkout}. */
export interface CheckoutOptions {
  /** Skip fetching when the remote still points at this revision (returns a non-concrete commit). */
  lastObservedRevision?: string;
  signal?: AbortSignal;
}

/** Flux's Git feature gates that shape the workspace. */
export interface WorkspaceFeatures {
  /** `GitShallowClone`: clone only the tip. @default true */
  shallowClone?: boolean;
  /** `GitAllBranchReferences`: start the push branch from its remote state when it exists. @default true */
  allBranchReferences?: boolean;
}

/** A temporary working copy; always {@link GitWorkspace.dispose} it. */
export class GitWorkspace {
  private attempt = 0;
  private current = '';

  private constructor(
    private readonly root: string,
    private readonly cfg: GitSourceConfig,
    private readonly features: WorkspaceFeatures,
  ) {}

  /** Creates an empty workspace for `cfg`. */
  static async create(cfg: GitSourceConfig, features: WorkspaceFeatures = {}): Promise<GitWorkspace> {
    const root = await mkdtemp(join(tmpdir(), `${cfg.source.namespace}-${cfg.source.name}-`));
    return new GitWorkspace(root, cfg, features);
  }

  /** The checkout's directory (valid after {@link checkout}). */
  get dir(): string {
    return this.current;
  }

  private session(signal: AbortSignal | undefined): Parameters<typeof withSession>[0] {
    return {
      auth: this.cfg.auth,
      ...(this.cfg.proxy ? { proxy: this.cfg.proxy } : {}),
      timeoutMs: this.cfg.timeoutMs,
      ...(signal ? { signal } : {}),
    };
  }

  /** Clones the checkout reference into a fresh directory. Throws {@link GitError}. */
  async checkout(opts: CheckoutOptions = {}): Promise<CloneResult> {
    this.current = join(this.root, `repo-${this.attempt++}`);
    return cloneRepository(this.cfg.url, this.current, {
      ...this.session(opts.signal),
      ref: this.cfg.checkoutRef ?? {},
      shallow: this.features.shallowClone ?? true,
      ...(opts.lastObservedRevision ? { lastObservedRevision: opts.lastObservedRevision } : {}),
    });
  }

  /**
   * Switches to the push branch: its remote state when it exists, else a new branch from the
   * checkout (always the latter without `GitAllBranchReferences`). Throws {@link GitError}.
   */
  async switchToPushBranch(signal?: AbortSignal): Promise<void> {
    const branch = this.cfg.pushBranch;
    const url = effectiveUrl(this.cfg.url, this.cfg.auth.username);
    const depth = this.features.shallowClone === false ? [] : ['--depth', '1'];
    if (this.features.allBranchReferences === false) {
      await switchBranch(this.current, branch, signal ? { signal } : {});
      return;
    }
    try {
      await withSession({ ...this.session(signal), url }, (s) =>
        s.run(['fetch', '-q', '--no-tags', ...depth, 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`], this.current, `unable to fetch branch '${branch}'`),
      );
    } catch (err) {
      if (!GitError.is(err, 'NotFound')) throw err;
    }
    await switchBranch(this.current, branch, signal ? { signal } : {});
  }

  /** Commits every change; `created` is false when nothing changed. Throws {@link GitError}. */
  async commit(input: { author: { name: string; email: string }; message: string; signingKey?: SigningKey; date: string; signal?: AbortSignal }): Promise<CommitResult> {
    return commitAll(this.current, {
      author: input.author,
      message: input.message,
      date: input.date,
      ...(input.signingKey ? { signingKey: input.signingKey } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    });
  }

  /** Pushes `HEAD` to `refs/heads/<branch>`. Throws {@link GitError} (`PushRejected` for a non-fast-forward). */
  async pushBranch(branch: string, opts: { force: boolean; signal?: AbortSignal }): Promise<void> {
    await this.push([`HEAD:refs/heads/${branch}`], opts.force, opts.signal);
  }

  /** Pushes a refspec as given (never forced). Throws {@link GitError}. */
  async pushRefspec(refspec: string, signal?: AbortSignal): Promise<void> {
    await this.push([refspec], false, signal);
  }

  private async push(refspecs: string[], force: boolean, signal: AbortSignal | undefined): Promise<void> {
    await pushRefs(this.current, this.cfg.url, {
      ...this.session(signal),
      refspecs,
      force,
      ...(this.cfg.pushOptions ? { options: this.cfg.pushOptions } : {}),
    });
  }

  /** Discards every local change and moves `HEAD` (detached) to `hash`. */
  async resetTo(hash: string, signal?: AbortSignal): Promise<void> {
    await withSession(signal ? { signal } : {}, async (s) => {
      await s.run(['checkout', '-q', '--force', '--detach', hash], this.current, `unable to checkout '${hash}'`);
      await s.run(['reset', '-q', '--hard', hash], this.current, `unable to reset to '${hash}'`);
      await s.run(['clean', '-q', '-fd'], this.current, 'unable to clean the worktree');
    });
  }

  /** Removes the workspace and everything in it. */
  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
