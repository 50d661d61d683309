// SPDX-License-Identifier: Apache-2.0
/**
 * Renders the commit message (Flux `templateMsg`): `spec.git.commit.messageTemplate`, or Flux's
 * default `Update from image update automation` when empty, executed against
 * {@link TemplateData}. Templates that use the removed `.Updated` / `.Changed.ImageResult`
 * fields fail with {@link RemovedTemplateFieldError} (the automation stalls with reason
 * `RemovedTemplateField`); other failures are {@link CommitTemplateError}.
 */
import { TemplateExecError } from '../template/exec.ts';
import { TemplateParseError } from '../template/lexer.ts';
import { GoTemplate } from '../template/template.ts';
import type { UpdateResult } from '../setters/result.ts';
import { TemplateData } from './template-data.ts';

/** Flux's commit message when `messageTemplate` is empty. */
export const DEFAULT_MESSAGE_TEMPLATE = 'Update from image update automation';

/** The template name Flux gives the commit message template (it appears in error messages). */
export const TEMPLATE_NAME = 'commit message';

const DOCS = 'See: https://fluxcd.io/flux/components/image/imageupdateautomations/#message-template';

/** The template could not be parsed or executed. */
export class CommitTemplateError extends Error {
  override readonly name: string = 'CommitTemplateError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The template uses a field removed from the v1 API (Flux reason `RemovedTemplateField`). */
export class RemovedTemplateFieldError extends CommitTemplateError {
  override readonly name = 'RemovedTemplateFieldError';
  readonly reason = 'RemovedTemplateField';
  constructor(readonly field: '.Updated' | '.Changed.ImageResult') {
    super(
      field === '.Updated'
        ? `template uses removed '.Updated' field. Please use '.Changed' instead. ${DOCS}`
        : `template uses removed '.Changed.ImageResult' field. Please use '.Changed.FileChanges' or '.Changed.Objects' instead. ${DOCS}`,
    );
  }
}

/** Inputs of {@link renderCommitMessage}. */
export interface CommitMessageInput {
  automation: { namespace: string; name: string };
  changed: UpdateResult;
  messageTemplate?: string | undefined;
  messageTemplateValues?: Record<string, string> | undefined;
}

/** Renders the commit message for a set of changes. */
export function renderCommitMessage(input: CommitMessageInput): string {
  const src = input.messageTemplate || DEFAULT_MESSAGE_TEMPLATE;
  let tmpl: GoTemplate;
  try {
    tmpl = GoTemplate.parse(TEMPLATE_NAME, src);
  } catch (err) {
    if (err instanceof TemplateParseError) throw new CommitTemplateError(`unable to create commit message template from spec: ${err.message}`, { cause: err });
    throw err;
  }
  try {
    return tmpl.execute(new TemplateData(input.automation, input.changed, input.messageTemplateValues));
  } catch (err) {
    if (!(err instanceof TemplateExecError)) throw err;
    if (err.message.includes("can't evaluate field Updated in type source.TemplateData")) throw new RemovedTemplateFieldError('.Updated');
    if (err.message.includes("can't evaluate field ImageResult in type update.Result")) throw new RemovedTemplateFieldError('.Changed.ImageResult');
    throw new CommitTemplateError(`failed to run template from spec: ${err.message}`, { cause: err });
  }
}
