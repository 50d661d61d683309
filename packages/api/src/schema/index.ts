// SPDX-License-Identifier: Apache-2.0
/** The schema DSL and the YAML writer. */
export * from './schema.ts';
export * from './builders.ts';
export * from './yaml.ts';
export * from './validate.ts';
