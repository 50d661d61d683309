// SPDX-License-Identifier: Apache-2.0
/**
 * The entry point every controller binary shares: parse the flags (the runtime's plus the
 * controller's own), validate them, refuse unsupported feature gates (as Flux's binaries do),
 * configure the root logger, create the manager with the lease `<component>-leader-election`
 * and an event recorder reporting as `<component>`, let the controller register itself, then run
 * until SIGINT/SIGTERM and stop what the setup opened. A binary's `main.ts` is one call.
 */
import type { Logger } from 'winston';
import { EventRecorder } from '../events/index.ts';
import { defineFlags, managerOptionsFromFlags, parseFeatureGates, validateRuntimeFlags, type FeatureGates, type FlagSpecs, type FlagValues, type RuntimeFlagValues, type runtimeFlags } from '../flags/index.ts';
import { configureRootLogger } from '../log/index.ts';
import { Manager } from '../manager/index.ts';

/** What a controller's setup gets. */
export interface ControllerMainContext<S extends FlagSpecs, G extends Readonly<Record<string, boolean>>> {
  mgr: Manager;
  values: FlagValues<S>;
  gates: FeatureGates<G>;
  events: EventRecorder;
  logger: Logger;
}

/** How a controller binary is made. */
export interface ControllerMainOptions<S extends FlagSpecs & typeof runtimeFlags, G extends Readonly<Record<string, boolean>>> {
  /** The Flux component name, e.g. `source-controller`; the binary is `eddy-<component>`. */
  component: string;
  flags: S;
  /** The feature gates the controller supports, with their defaults; any other is refused. */
  featureGates: G;
  /** Registers the controllers on the manager; what it returns is stopped after the manager. */
  setup(ctx: ControllerMainContext<S, G>): Promise<{ stop?(): Promise<void> } | void> | { stop?(): Promise<void> } | void;
}

/** Runs a controller binary until it is signalled; rejects on bad flags or a lost lease. */
export async function runControllerMain<S extends FlagSpecs & typeof runtimeFlags, G extends Readonly<Record<string, boolean>>>(argv: string[], opts: ControllerMainOptions<S, G>): Promise<void> {
  const values = defineFlags(opts.flags, `eddy-${opts.component}`).parseOrExit(argv);
  const runtime = values as unknown as RuntimeFlagValues;
  const problems = validateRuntimeFlags(runtime);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const gates = parseFeatureGates(runtime.featureGates, opts.featureGates);
  const logger = configureRootLogger({ level: runtime.logLevel, encoding: runtime.logEncoding });
  const mgr = new Manager(managerOptionsFromFlags(runtime, { leaderElectionId: `${opts.component}-leader-election`, logger }));
  const events = new EventRecorder({ reportingController: opts.component, client: mgr.client, clock: mgr.clock, ...(runtime.eventsAddr ? { webhook: runtime.eventsAddr } : {}) });
  const handle = await opts.setup({ mgr, values, gates, events, logger });
  const uninstall = mgr.handleSignals();
  try {
    await mgr.start();
  } finally {
    uninstall();
    await handle?.stop?.();
    await events.stop();
  }
}

/**
 * Runs `main` when this module is the process's entry point (directly or through the `bin` link
 * `binary`), then exits as a Go controller does: 0 after a clean shutdown whatever timers remain,
 * 1 with the error's message.
 */
export function runIfMain(importMetaUrl: string, binary: string, main: (argv: string[]) => Promise<void>): void {
  const entry = process.argv[1];
  if (importMetaUrl !== `file://${entry}` && !entry?.endsWith(binary)) return;
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
