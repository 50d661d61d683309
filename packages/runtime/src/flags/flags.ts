// SPDX-License-Identifier: Apache-2.0
/**
 * A small command-line parser with Go pflag semantics, shared by every controller entry point so
 * they all accept Flux's flag names and spellings: `--name=value` and `--name value`, booleans as
 * `--flag`, `--flag=true` or `--flag=false`, Go durations (`30s`), `-h`/`--help`. Unknown flags
 * and bad values are errors that name the flag.
 *
 * ```ts
 * const flags = defineFlags({ ...runtimeFlags, storagePath: { name: 'storage-path', type: 'string', default: '/data', help: '…' } });
 * const opts = flags.parseOrExit(process.argv.slice(2));
 * ```
 */
import { formatDuration, parseDuration as parseGoDuration } from '@eddy/api/helpers';

/** The value types a flag can have. */
export type FlagType = 'string' | 'bool' | 'int' | 'float' | 'duration' | 'stringArray';

type ValueOf<K extends FlagType> = K extends 'bool'
  ? boolean
  : K extends 'int' | 'float' | 'duration'
    ? number
    : K extends 'stringArray'
      ? string[]
      : string;

/** One flag. Durations are milliseconds. */
export interface FlagSpec<K extends FlagType = FlagType> {
  /** The name without dashes, e.g. `metrics-addr`. */
  name: string;
  type: K;
  default: ValueOf<K>;
  help: string;
}

/** A record of flag specs, keyed by the property name the parsed value gets. */
export type FlagSpecs = Record<string, FlagSpec>;

/** The parsed values of a spec record. */
export type FlagValues<S extends FlagSpecs> = { -readonly [P in keyof S]: ValueOf<S[P]['type']> };

/** A bad command line. */
export class FlagError extends Error {
  override readonly name = 'FlagError';
}

/** The outcome of {@link FlagSet.parse}. */
export interface ParseResult<S extends FlagSpecs> {
  values: FlagValues<S>;
  /** True when `-h`/`--help` was given. */
  help: boolean;
  /** Arguments that are not flags (after `--`, or bare words). */
  args: string[];
}

const BOOL_TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const BOOL_FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** A boolean as Go's `strconv.ParseBool` reads it (`1`, `t`, `true`, `TRUE`, …); `undefined` when it is none. */
export function parseGoBool(raw: string): boolean | undefined {
  if (BOOL_TRUE.has(raw)) return true;
  if (BOOL_FALSE.has(raw)) return false;
  return undefined;
}

/**
 * The default of every flag in `specs` (arrays copied), keyed like the parsed values: for callers
 * that set only some values, such as the one-process mode.
 */
export function flagDefaults<S extends FlagSpecs>(specs: S): FlagValues<S> {
  return Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, Array.isArray(s.default) ? [...s.default] : s.default])) as FlagValues<S>;
}

function convert(spec: FlagSpec, raw: string): unknown {
  switch (spec.type) {
    case 'bool': {
      const b = parseGoBool(raw);
      if (b !== undefined) return b;
      throw new FlagError(`invalid argument "${raw}" for "--${spec.name}" flag: expected true or false`);
    }
    case 'int': {
      if (!/^[+-]?\d+$/.test(raw)) throw new FlagError(`invalid argument "${raw}" for "--${spec.name}" flag: expected an integer`);
      return Number(raw);
    }
    case 'float': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new FlagError(`invalid argument "${raw}" for "--${spec.name}" flag: expected a number`);
      return n;
    }
    case 'duration':
      try {
        return parseDuration(raw);
      } catch (err) {
        throw new FlagError(`invalid argument "${raw}" for "--${spec.name}" flag: ${(err as Error).message}`);
      }
    default:
      return raw;
  }
}

/** A set of flags that parses argv. */
export class FlagSet<S extends FlagSpecs> {
  private readonly byName = new Map<string, [keyof S, FlagSpec]>();

  constructor(
    readonly specs: S,
    private readonly program = 'controller',
  ) {
    for (const [key, spec] of Object.entries(specs)) {
      if (this.byName.has(spec.name)) throw new Error(`flag --${spec.name} defined twice`);
      this.byName.set(spec.name, [key, spec]);
    }
  }

  /** Parses arguments (without node and script). Throws {@link FlagError} on bad input. */
  parse(argv: readonly string[]): ParseResult<S> {
    const values: Record<string, unknown> = flagDefaults(this.specs);
    const seenArrays = new Set<string>();
    const args: string[] = [];
    let help = false;
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '--') {
        args.push(...argv.slice(i + 1));
        break;
      }
      if (a === '-h' || a === '--help' || a === '-help') {
        help = true;
        continue;
      }
      if (!a.startsWith('-') || a === '-') {
        args.push(a);
        continue;
      }
      const body = a.replace(/^--?/, '');
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      const entry = this.byName.get(name);
      if (!entry) throw new FlagError(`unknown flag: --${name} (see --help)`);
      const [key, spec] = entry;
      let raw: string;
      if (eq >= 0) raw = body.slice(eq + 1);
      else if (spec.type === 'bool') raw = 'true';
      else {
        if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: --${name}`);
        raw = argv[++i]!;
      }
      const v = convert(spec, raw);
      if (spec.type === 'stringArray') {
        const list = seenArrays.has(name) ? (values[key as string] as string[]) : [];
        seenArrays.add(name);
        list.push(...raw.split(',').filter((x) => x !== ''));
        values[key as string] = list;
      } else values[key as string] = v;
    }
    return { values: values as FlagValues<S>, help, args };
  }

  /** Parses, printing usage and exiting 0 on `--help` and printing the error and exiting 2 on bad input. */
  parseOrExit(argv: readonly string[]): FlagValues<S> {
    try {
      const r = this.parse(argv);
      if (r.help) {
        process.stdout.write(this.usage());
        process.exit(0);
      }
      return r.values;
    } catch (err) {
      if (!(err instanceof FlagError)) throw err;
      process.stderr.write(`Error: ${err.message}\n`);
      process.exit(2);
    }
  }

  /** The help text, one flag a line with type and default, sorted by name. */
  usage(): string {
    const rows = [...this.byName.values()]
      .map(([, s]) => s)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => {
        const left = `      --${s.name}${s.type === 'bool' ? '' : ` ${s.type === 'stringArray' ? 'strings' : s.type}`}`;
        return `${left.padEnd(48)} ${s.help}${defaultText(s)}`;
      });
    return `Usage of ${this.program}:\n${rows.join('\n')}\n`;
  }
}

function defaultText(s: FlagSpec): string {
  if (s.type === 'bool') return s.default ? ' (default true)' : '';
  if (s.type === 'duration') return ` (default ${formatDuration(s.default as number)})`;
  if (s.type === 'stringArray') return (s.default as string[]).length ? ` (default [${(s.default as string[]).join(',')}])` : '';
  if (s.type === 'string') return s.default === '' ? '' : ` (default "${String(s.default)}")`;
  return ` (default ${String(s.default)})`;
}

/** Declares a flag set; the spec record's keys name the parsed values. */
export function defineFlags<S extends FlagSpecs>(specs: S, program?: string): FlagSet<S> {
  return new FlagSet(specs, program);
}

/**
 * Parses a Go duration (`30s`, `1h30m`, `-2m`, `1500us`) into milliseconds with `@eddy/api`'s
 * parser; surrounding blanks are ignored. Throws on malformed input.
 */
export function parseDuration(input: string): number {
  const parsed = parseGoDuration(input.trim());
  if (!parsed.ok) throw new Error(`invalid duration "${input}": use e.g. 30s, 5m, 1h30m`);
  return parsed.value;
}

/** Formats milliseconds the way Go prints a duration (`1m30s`, `500ms`, `0s`), with `@eddy/api`'s formatter. */
export { formatDuration };
