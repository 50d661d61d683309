// SPDX-License-Identifier: Apache-2.0
/**
 * Eddy extension: one branch (and so one pull request) per image update.
 * @packageDocumentation
 */
export {
  BRANCH_PER_UPDATE_ANNOTATION,
  DEFAULT_BRANCH_PREFIX,
  InvalidBranchNameError,
  branchPerUpdatePrefix,
  isValidBranchName,
  planBranchUpdates,
  updateBranchName,
} from './branch-per-update.ts';
export type { BranchPerUpdateSpec, BranchUpdate } from './branch-per-update.ts';
