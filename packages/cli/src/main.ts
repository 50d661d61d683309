#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/** The `eddy` command line. */
import { run } from './program.ts';

const code = await run(process.argv.slice(2));
process.exitCode = code;
// Safety net for long-running commands (`eddy controllers`): once the command has returned, a timer
// left behind by a stopped manager must not keep the process alive. Short commands exit before this.
setTimeout(() => process.exit(code), 3000).unref();
