// SPDX-License-Identifier: Apache-2.0
/** The CLI's own version, read from its package.json (the same file in `src/` and `dist/` layouts). */
import { readFileSync } from 'node:fs';

/** The eddy CLI version, e.g. `0.1.0`. */
export const CLI_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
