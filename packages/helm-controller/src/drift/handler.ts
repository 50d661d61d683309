// SPDX-License-Identifier: Apache-2.0
/** Adapts a {@link DriftDetector} to the release actions' {@link DriftHandler}. */
import type { DriftHandler } from '../release/action-env.ts';
import { DriftDetector, summarizeDrift, type DriftOptions, type ObjectDrift } from './detect.ts';

/** A {@link DriftHandler} for one release. */
export function driftHandler(opts: DriftOptions): DriftHandler {
  const detector = new DriftDetector(opts);
  return {
    async detect(manifest) {
      const { drifts, errors } = await detector.detect(manifest);
      if (drifts.length === 0 && errors.length > 0) throw new Error(`unable to determine cluster state: ${errors.join('; ')}`);
      return { detected: drifts.length > 0, summary: summarizeDrift(drifts), details: drifts };
    },
    correct: (details) => detector.correct(details as ObjectDrift[]),
  };
}
