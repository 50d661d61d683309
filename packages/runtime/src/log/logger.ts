// SPDX-License-Identifier: Apache-2.0
/**
 * Eddy's logging: ONE winston root logger per process (many loggers trip winston's
 * MaxListenersExceeded warning), JSON lines like Flux's zap output (`level`, `ts`, `msg`, then
 * fields), redacted before they are written. Controllers and reconciles log through child loggers
 * carrying `controller`, `controllerKind`, the `<Kind>: {name, namespace}` object,
 * `namespace`, `name` and `reconcileID`.
 */
import type { Writable } from 'node:stream';
import winston, { type Logger } from 'winston';
import { redact, redactString } from './redact.ts';

/** The levels accepted by `--log-level`. `trace` maps to winston's `silly`. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** Log line encodings accepted by `--log-encoding`. */
export type LogEncoding = 'json' | 'console';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** @default 'info' */
  level?: LogLevel | string;
  /** @default 'json' */
  encoding?: LogEncoding | string;
  /** Write here instead of stderr (tests). */
  stream?: Writable;
  /** Fields on every entry. */
  defaultMeta?: Record<string, unknown>;
}

const MESSAGE = Symbol.for('message');

function winstonLevel(level: string | undefined): string {
  const l = (level ?? 'info').toLowerCase();
  if (l === 'trace') return 'silly';
  if (['error', 'warn', 'info', 'debug', 'verbose', 'silly'].includes(l)) return l;
  throw new Error(`invalid log level "${level}": use trace, debug, info, warn or error`);
}

/** Renders one entry: redacts it, then writes `level`, `ts`, `msg` first and the fields after. */
const render = (encoding: string): winston.Logform.Format =>
  winston.format((info) => {
    const { level, message, timestamp: _t, ...fields } = info as Record<string, unknown> & { level: string; message: unknown };
    const stack = typeof fields.stack === 'string' ? fields.stack : undefined;
    delete fields.stack;
    const clean = redact(fields) as Record<string, unknown>;
    const msg = redactString(typeof message === 'string' ? message : String(message));
    const ts = new Date().toISOString();
    const entry: Record<string, unknown> = { level: level === 'silly' ? 'trace' : level, ts, msg, ...clean };
    if (stack) entry.stacktrace = redactString(stack);
    (info as Record<symbol, unknown>)[MESSAGE] =
      encoding === 'console'
        ? `${ts}\t${String(entry.level).toUpperCase()}\t${msg}${Object.keys(clean).length ? `\t${JSON.stringify(clean)}` : ''}`
        : JSON.stringify(entry);
    return info;
  })();

function loggerParts(opts: LoggerOptions): winston.LoggerOptions {
  const encoding = opts.encoding ?? 'json';
  if (encoding !== 'json' && encoding !== 'console') throw new Error(`invalid log encoding "${encoding}": use json or console`);
  const transport = opts.stream
    ? new winston.transports.Stream({ stream: opts.stream })
    : new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] });
  return {
    level: winstonLevel(opts.level),
    format: winston.format.combine(winston.format.errors({ stack: true }), render(encoding)),
    ...(opts.defaultMeta ? { defaultMeta: opts.defaultMeta } : {}),
    transports: [transport],
  };
}

/** Creates a logger. Prefer {@link rootLogger}: a process should have one. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  return winston.createLogger(loggerParts(opts));
}

let root: Logger | undefined;

/** The process-wide root logger (info, JSON, stderr until {@link configureRootLogger} is called). */
export function rootLogger(): Logger {
  root ??= createLogger();
  return root;
}

/**
 * Sets level, encoding and output of the root logger. The logger object stays the same, so child
 * loggers made earlier follow the new settings.
 */
export function configureRootLogger(opts: LoggerOptions): Logger {
  const parts = loggerParts(opts);
  if (!root) {
    root = winston.createLogger(parts);
    return root;
  }
  root.configure(parts);
  return root;
}

/** Fields of a controller's logger. */
export interface ControllerLogFields {
  controller: string;
  group?: string;
  kind?: string;
}

/** A child logger for a controller (`controller`, `controllerGroup`, `controllerKind`). */
export function controllerLogger(parent: Logger, f: ControllerLogFields): Logger {
  return parent.child({
    controller: f.controller,
    ...(f.group !== undefined ? { controllerGroup: f.group } : {}),
    ...(f.kind ? { controllerKind: f.kind } : {}),
  });
}

/** A child logger for one reconcile: `<Kind>: {name, namespace}`, `namespace`, `name`, `reconcileID`. */
export function reconcileLogger(parent: Logger, kind: string | undefined, namespace: string, name: string, reconcileID: string): Logger {
  return parent.child({
    ...(kind ? { [kind]: namespace ? { name, namespace } : { name } } : {}),
    namespace,
    name,
    reconcileID,
  });
}
