// SPDX-License-Identifier: Apache-2.0
/** The eddy CLI as a library: `run(argv)` and the pieces tests and the demo drive directly. */
export { run, buildProgram } from './program.ts';
export { makeContext, CliError, DEFAULT_NAMESPACE, type CliContext, type CliIo, type GlobalOptions } from './context.ts';
export { KINDS, findKind, kindOf, type CliKind } from './kinds.ts';
export { buildObject, parseSourceRef } from './commands/create.ts';
export { judge, requestToken } from './commands/reconcile.ts';
export { renderAll, type GetOptions } from './commands/get.ts';
export { renderTree, buildTree } from './commands/tree.ts';
export { installManifests, loadInstallManifests, toYamlStream, ALL_COMPONENTS, DEFAULT_COMPONENTS } from './install/manifests.ts';
export { CLI_VERSION } from './version.ts';
