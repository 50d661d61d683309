// SPDX-License-Identifier: Apache-2.0
/**
 * The start/stop state of a {@link Manager}: the stop signal, runnables, the "elected" promise,
 * the first fatal error, signal handlers and the once-only shutdown. Kept apart from the manager
 * so its wiring stays readable.
 */
import type { Logger } from 'winston';
import type { Clock } from '../clock/index.ts';

/** Something the manager starts and stops with itself. */
export interface Runnable {
  /** Starts; `signal` aborts at shutdown (or when leadership ends, for leader runnables). */
  start(signal: AbortSignal): void | Promise<void>;
  /** Start only on the elected leader. @default true */
  needLeaderElection?: boolean;
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** @internal The manager's lifecycle bookkeeping. */
export class ManagerLifecycle {
  private readonly stopController = new AbortController();
  private readonly stoppedD = deferred();
  private readonly finishedD = deferred();
  private readonly electedD = deferred();
  private readonly electionD = deferred();
  private readonly runnables: Runnable[] = [];
  private readonly running: Promise<unknown>[] = [];
  private failure: Error | undefined;
  private shuttingDown: Promise<void> | undefined;
  private begun = false;

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  /** Aborts at shutdown. */
  get signal(): AbortSignal {
    return this.stopController.signal;
  }
  /** True once started. */
  get started(): boolean {
    return this.begun;
  }
  /** Resolves when a stop was requested or a fatal error occurred. */
  get stopped(): Promise<void> {
    return this.stoppedD.promise;
  }
  /** Resolves when shutdown is complete. */
  get finished(): Promise<void> {
    return this.finishedD.promise;
  }
  /** Resolves on election (or immediately without leader election). */
  get elected(): Promise<void> {
    return this.electedD.promise;
  }
  /** Resolves when the election loop has returned. */
  get electionDone(): Promise<void> {
    return this.electionD.promise;
  }

  /** Marks the start; a manager runs once. */
  begin(): void {
    if (this.begun) throw new Error('manager already started; create a new one');
    this.begun = true;
  }

  /** Registers a runnable. */
  add(r: Runnable): void {
    this.runnables.push(r);
  }

  /** Starts the runnables that (do not) need leader election. */
  startRunnables(leader: boolean, signal: AbortSignal): void {
    for (const r of this.runnables) {
      if ((r.needLeaderElection ?? true) !== leader) continue;
      this.running.push(
        Promise.resolve()
          .then(() => r.start(signal))
          .catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err)))),
      );
    }
  }

  /** Waits (bounded) for started runnables to return. */
  async waitRunnables(timeoutMs: number): Promise<void> {
    await Promise.race([Promise.all(this.running), this.clock.sleep(timeoutMs)]);
  }

  /** Records election. */
  markElected(): void {
    this.electedD.resolve();
  }

  /** Records the end of the election loop. */
  electionEnded(): void {
    this.electionD.resolve();
  }

  /** Asks for a graceful stop. */
  requestStop(): void {
    this.stoppedD.resolve();
    if (!this.begun) this.finishedD.resolve();
  }

  /** Records a fatal error (the first wins) and asks for a stop. */
  fail(err: Error): void {
    if (!this.failure) {
      this.failure = err;
      this.logger.error(`manager stopping: ${err.message}`);
    }
    this.stoppedD.resolve();
  }

  /** Aborts the stop signal (runnables, election). */
  abortAll(): void {
    this.stopController.abort(new Error('manager shutting down'));
  }

  /** Runs `fn` once; later calls wait for the same run. */
  shutdownOnce(fn: () => Promise<void>): Promise<void> {
    this.shuttingDown ??= fn()
      .catch((err: unknown) => {
        this.logger.error('error during shutdown', { error: String(err) });
      })
      .finally(() => {
        this.electionD.resolve();
        this.finishedD.resolve();
      });
    return this.shuttingDown;
  }

  /** Throws the recorded fatal error, if any. */
  throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /** Installs SIGTERM/SIGINT handlers calling `stop`; a second signal exits with 1. */
  handleSignals(stop: () => Promise<void>): () => void {
    let count = 0;
    const onSignal = (sig: NodeJS.Signals): void => {
      count++;
      if (count > 1) {
        this.logger.error(`received ${sig} again, exiting now`);
        process.exit(1);
      }
      this.logger.info(`received ${sig}, shutting down gracefully`);
      void stop();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    return () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    };
  }
}
