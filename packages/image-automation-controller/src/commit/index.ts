// SPDX-License-Identifier: Apache-2.0
/**
 * Commit messages: Flux's template data and default message.
 * @packageDocumentation
 */
export { CommitTemplateError, DEFAULT_MESSAGE_TEMPLATE, RemovedTemplateFieldError, TEMPLATE_NAME, renderCommitMessage } from './message.ts';
export type { CommitMessageInput } from './message.ts';
export { ChangeValue, NamespacedName, ObjectIdentifierValue, ResultValue, TemplateData } from './template-data.ts';
