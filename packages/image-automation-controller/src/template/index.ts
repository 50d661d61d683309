// SPDX-License-Identifier: Apache-2.0
/**
 * Go `text/template` for commit messages (with Flux's hermetic Sprig functions).
 * @packageDocumentation
 */
export { TemplateExecError, truth } from './exec.ts';
export type { TemplateFunc } from './exec.ts';
export { TEMPLATE_FUNCS } from './funcs.ts';
export { GO_FORMAT, GO_TYPE, formatValue, goQuote, goTypeName, sprint, sprintf, sprintln } from './go-values.ts';
export { TemplateParseError } from './lexer.ts';
export { GoTemplate, renderTemplate } from './template.ts';
