/**
 * What `zenoo plan diff | apply | status | unlock` share: their input/output streams, how a plan is loaded and checked
 * against the target, how the target is identified in journals (stable across runs, never with secrets), the
 * confirmation prompt, and how errors become one clear message and exit code 1.
 *
 * @packageDocumentation
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { ZenooError } from '../../errors.js';
import { loadPlan } from '../../plan/load/load-plan.js';
import type { Plan } from '../../plan/model/plan-types.js';
import { preparePlan } from '../../plan/prepare/prepare-plan.js';
import type { PreparedPlan } from '../../plan/prepare/prepare-plan.js';
import { DEFAULT_SANDBOX_DB } from '../../sandbox/sandbox-options.js';
import { openConnection, resolveConnection } from '../connection.js';
import { chalkFor } from '../output/colors.js';
import type { ConnectionInfo } from '../output/progress.js';
import { renderPlanWarnings } from '../output/plan-problems.js';
import type { ConnectionFlags, OpenConnection, ResolvedConnection } from '../connection.js';

/** The process streams and signals a plan command uses (injectable for in-process tests). */
export interface PlanCommandIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly signals: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The real process. */
export function processIo(): PlanCommandIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, signals: process, env: process.env };
}

/** What owns the terminal while a run shows progress (a progress reporter). */
export interface ProgressDisplay {
  /** Prints a notice above the display (see Reporter.notice), if it has its own way to. */
  readonly notice?: ((text: string) => void) | undefined;
  /** Clears the display. */
  stop(): void;
}

/** A graceful Ctrl-C: the signal to pass to the run, and `dispose()` to remove the handlers when it is over. */
export interface Interruption {
  /** Aborted on the first SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /**
   * Routes the Ctrl-C notices through `display` while it is shown (undefined: straight to stderr again): written under
   * live progress bars, they would be drawn over, and the bars not cleared at the end.
   */
  attach(display: ProgressDisplay | undefined): void;
  /** Removes the signal handlers. */
  dispose(): void;
}

/**
 * Handles Ctrl-C for a long run: the first SIGINT/SIGTERM aborts `signal` (the engine stops scheduling, lets running
 * chunks settle and records them), a second one quits at once. `resumeCommand` names what reconciles the chunks left
 * in doubt, e.g. "the next apply".
 */
export function interruptOnSignals(io: PlanCommandIo, resumeCommand: string): Interruption {
  const controller = new AbortController();
  let interrupts = 0;
  let display: ProgressDisplay | undefined;
  const onSignal = (): void => {
    interrupts += 1;
    if (interrupts === 1) {
      const text =
        'Stopping: no new chunk is sent; chunks in flight finish and are recorded. Ctrl-C again to quit at once.\n';
      if (display?.notice !== undefined) display.notice(text);
      else io.stderr.write(`\n${text}`);
      controller.abort();
    } else {
      // Leave a clean terminal (bars cleared, cursor shown) even when quitting at once.
      display?.stop();
      io.stderr.write(`\nQuitting now: chunks in flight are in doubt; ${resumeCommand} reconciles them.\n`);
      process.exit(1);
    }
  };
  io.signals.on('SIGINT', onSignal);
  io.signals.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    attach: (next) => {
      display = next;
    },
    dispose: () => {
      io.signals.off('SIGINT', onSignal);
      io.signals.off('SIGTERM', onSignal);
    },
  };
}

/**
 * How a target is named in journals and lock messages: the URL and database, or `sandbox:<file>` for an in-process
 * sandbox (its URL has a new port on every run, its data file does not).
 */
export function targetIdentity(connection: ResolvedConnection, open?: OpenConnection): { url: string; db: string } {
  if (connection.kind === 'sandbox') return { url: `sandbox:${connection.file}`, db: open?.db ?? DEFAULT_SANDBOX_DB };
  return { url: open?.url ?? connection.url, db: connection.db };
}

/** Loads and validates a plan file (schema, references, data files): nothing is written when this throws. */
export function loadPlanFile(file: string, signal?: AbortSignal): Promise<Plan> {
  return loadPlan(file, { signal });
}

/**
 * Prepares the plan against the (logged-in) target: fields read once per model, the plan checked against them (every
 * problem thrown at once), references resolved. The diff and the apply that follow take the preparation and read
 * nothing of it again.
 */
export async function prepareRemote(
  plan: Plan,
  open: OpenConnection,
  io: PlanCommandIo,
  signal?: AbortSignal,
): Promise<PreparedPlan> {
  const prepared = await preparePlan(plan, open.client, signal ? { signal } : {});
  if (prepared.warnings.length > 0) io.stderr.write(renderPlanWarnings(prepared.warnings, chalkFor(io.stderr, io.env)));
  return prepared;
}

/**
 * Resolves and opens the target, runs `work`, and always closes the connection (and stops a sandbox). The client's
 * notices (a password where JSON-2 wants an API key) go to stderr as warnings; `work` gets the server's version and
 * the transport chosen, for the run header.
 */
export async function withTarget<T>(
  /** The connection flags, and the project's state directory (where the default sandbox keeps its data). */
  flags: ConnectionFlags & { readonly stateDir?: string },
  io: PlanCommandIo,
  work: (
    open: OpenConnection,
    target: { url: string; db: string },
    connection: ResolvedConnection,
    info: ConnectionInfo,
  ) => Promise<T>,
): Promise<T> {
  const connection = await resolveConnection(flags, {
    env: io.env,
    ...(flags.stateDir === undefined ? {} : { stateDir: flags.stateDir }),
  });
  const open = await openConnection(connection, { onNotice: (message) => io.stderr.write(`warning: ${message}\n`) });
  try {
    // Log in first: wrong credentials or a database that does not exist are reported as such, not as missing models.
    await open.client.authenticate();
    // Mode auto asked the version to choose the transport: this is no further request then.
    const version = await open.client.version();
    const info = { odooVersion: version.serverVersion, transport: open.client.activeMode };
    return await work(open, targetIdentity(connection, open), connection, info);
  } finally {
    await open.close();
  }
}

/** Asks a yes/no question on the terminal; anything but y/yes (including end of input) is no. */
export async function confirm(question: string, io: PlanCommandIo): Promise<boolean> {
  io.stderr.write(`${question} [y/N] `);
  // Line mode, not readline's terminal mode: the terminal echoes the answer, and any stream works (tests).
  const rl = createInterface({ input: io.stdin, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Whether a prompt can be shown (both stdin and stderr are terminals). */
export function canPrompt(io: PlanCommandIo): boolean {
  return io.stdin.isTTY === true && io.stderr.isTTY === true;
}

/**
 * The message of an error for the terminal: its message only. A class name (`TypeError: …`) says nothing to the person
 * running the command; bad input is reported by the check that found it, in words.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof ZenooError) return error.message;
  if (error instanceof Error) return error.message === '' ? `unexpected ${error.name}` : error.message;
  return String(error);
}

/**
 * Prints `error: MESSAGE` on stderr and returns exit code 1. Runtime errors are not usage errors: commander's
 * `command.error` would print the help after them.
 */
export function reportError(io: PlanCommandIo, error: unknown): number {
  io.stderr.write(`error: ${errorMessage(error)}\n`);
  return 1;
}

/** Prints `error: MESSAGE` through commander and makes the command exit with 1 (throws commander's exit error). */
export function failCommand(command: Command, error: unknown): never {
  command.error(`error: ${errorMessage(error)}`, {
    exitCode: 1,
    code: error instanceof ZenooError ? error.code : 'ERR_ZENOO',
  });
}
