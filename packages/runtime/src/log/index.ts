// SPDX-License-Identifier: Apache-2.0
/** Logging: one redacting winston root logger, JSON lines, controller and reconcile children. */
export * from './logger.ts';
export * from './redact.ts';
