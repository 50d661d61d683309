// SPDX-License-Identifier: Apache-2.0
/** Retrying the apiserver's "come back later" answers, which a CLI should not turn into errors. */
import { ApiError } from '@eddy/runtime/client';
import { pause, type CliContext } from './context.ts';

/**
 * True for answers that ask the client to retry: 429 (e.g. "storage is (re)initializing" right
 * after a CRD is created) and 503.
 */
export function isTransient(err: unknown): boolean {
  return ApiError.is(err) && (err.code === 429 || err.code === 503);
}

/** Runs `fn`, retrying transient API errors every 500 ms up to `attempts` times. */
export async function retryTransient<T>(ctx: CliContext, fn: () => Promise<T>, attempts = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || attempt >= attempts) throw err;
      await pause(ctx, 500);
    }
  }
}
