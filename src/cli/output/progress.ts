/**
 * Turns apply events into what the operator sees: progress bars on a terminal (the plan: steps done and elapsed time;
 * the current step: records, records/s and its ETA; cli-progress), one plain line per step otherwise, or an NDJSON event stream with `--json`.
 *
 * @packageDocumentation
 */
import cliProgress from 'cli-progress';
import type { ChalkInstance } from 'chalk';
import type { ApplyEvent, ApplyListener } from '../../plan/apply/apply-events.js';
import { describeHolder } from '../../plan/lock/lock.js';
import { formatDuration } from './summary.js';

/** How events are shown. */
export type ReporterMode = 'tty' | 'plain' | 'json';

/** A writable text stream (process.stderr, a test buffer). */
export interface TextStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** An event sink plus a way to stop it (clears the bar). */
export interface Reporter {
  /** Receives every apply event. */
  readonly onEvent: ApplyListener;
  /**
   * Prints a notice (ends with a newline) above the progress bars, for text that must not be written to the terminal
   * under them (the Ctrl-C notice): the bars would be redrawn over it and not cleared at the end. Only the terminal
   * reporter has one; elsewhere the notice goes to stderr as it is.
   */
  readonly notice?: (text: string) => void;
  /** Stops the progress bar, if any. Safe to call twice. */
  stop(): void;
}

/** What the run header says about the connection, besides the target: the server's version and the transport. */
export interface ConnectionInfo {
  /** The server's version, e.g. `19.0`. */
  readonly odooVersion: string;
  /** The transport in use, e.g. `json2`. */
  readonly transport: string;
}

/** `Odoo 19.0 over json2`, for run headers. */
export function describeConnectionInfo(info: ConnectionInfo): string {
  return `Odoo ${info.odooVersion} over ${info.transport}`;
}

/** Chooses the reporter mode: `json` when asked, `tty` on a terminal, `plain` otherwise. */
export function reporterMode(json: boolean, stream: { readonly isTTY?: boolean }): ReporterMode {
  if (json) {
    return 'json';
  }
  return stream.isTTY === true ? 'tty' : 'plain';
}

/** NDJSON: one event per line, with a timestamp; `run-start` also names the server's version and the transport. */
function jsonReporter(stream: TextStream, info: ConnectionInfo | undefined): Reporter {
  return {
    onEvent(event) {
      const extra = event.type === 'run-start' && info ? info : {};
      stream.write(`${JSON.stringify({ ts: new Date().toISOString(), ...event, ...extra })}\n`);
    },
    stop() {},
  };
}

/** Lines for events that are worth a line in every human mode. */
function humanLine(event: ApplyEvent, chalk: ChalkInstance, info?: ConnectionInfo): string | undefined {
  switch (event.type) {
    case 'run-start':
      return (
        `${event.resumed ? 'Resuming' : 'Applying'} plan ${chalk.bold(event.plan)} on ${event.url} (database ${event.db}` +
        `${info ? `, ${describeConnectionInfo(info)}` : ''}): ${event.steps.length} step${event.steps.length === 1 ? '' : 's'}`
      );
    case 'lock-taken-over':
      return chalk.yellow(`Took over the stale lock ${event.key} held by ${describeHolder(event.holder)}.`);
    case 'reconciled':
      return `Reconciled chunk ${event.chunk} of step ${event.step}: ${event.found} record(s) had been written, ${event.missing} will be written now.`;
    case 'step-done': {
      const { result } = event;
      const { counts } = result;
      const mark =
        result.status === 'done'
          ? chalk.green('✓')
          : result.status === 'interrupted'
            ? chalk.yellow('‖')
            : chalk.red('✗');
      // Anything but done says its status in words: a mark alone does not tell interrupted from failed.
      const status = result.status === 'done' ? '' : ` ${result.status}`;
      return (
        `${mark} ${result.step} (${result.model}, ${result.action})${status}: ${counts.created} created, ${counts.updated} updated, ` +
        `${counts.deleted} deleted, ${result.action === 'call' ? `${counts.called ?? 0} called, ` : ''}${counts.unchanged} unchanged, ${counts.rejected} rejected in ${formatDuration(result.durationMs)}` +
        (result.error ? `\n  ${chalk.red(result.error.message)}` : '')
      );
    }
    default:
      return undefined;
  }
}

/** One plain line per step (CI logs). */
function plainReporter(stream: TextStream, chalk: ChalkInstance, info: ConnectionInfo | undefined): Reporter {
  return {
    onEvent(event) {
      const line = humanLine(event, chalk, info);
      if (line !== undefined) {
        stream.write(`${line}\n`);
      }
    },
    stop() {},
  };
}

/** Widest label of a bar: a longer step id is cut with an ellipsis, so that one long id does not push the bars right. */
export const MAX_LABEL_WIDTH = 20;

/** `text` padded or cut to exactly `width` columns, so that every bar of a run starts in the same column. */
export function barLabel(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(width - 1, 0))}…` : text.padEnd(width);
}

/**
 * The ETA of `remaining` items at `perSecond`: `–` while the rate is 0 or not known yet (nothing done, or no time
 * passed), never `Infinity`/`NaN` (cli-progress's own ETA printed `NFs`, the end of "INF", at 0 rows/s).
 */
export function formatEta(remaining: number, perSecond: number): string {
  if (remaining <= 0) return '0 s';
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '–';
  const seconds = Math.ceil(remaining / perSecond);
  return seconds < 60 ? `${seconds} s` : formatDuration(seconds * 1000);
}

/** Records per second, rounded, 0 until time has passed. */
function rate(done: number, sinceMs: number, now: number): number {
  const seconds = (now - sinceMs) / 1000;
  return seconds > 0 ? done / seconds : 0;
}

/**
 * Two bars: the plan (steps done, elapsed time) and the current step (records, records/s, ETA of the step). The ETA
 * covers the current step only: how many records later steps hold is not known before they start.
 */
function ttyReporter(
  stream: TextStream,
  chalk: ChalkInstance,
  info: ConnectionInfo | undefined,
  now: () => number,
): Reporter {
  const bars = new cliProgress.MultiBar(
    {
      stream: stream as unknown as NodeJS.WritableStream,
      clearOnComplete: true,
      hideCursor: true,
      barsize: 30,
      forceRedraw: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let overall: cliProgress.SingleBar | undefined;
  let current: cliProgress.SingleBar | undefined;
  let width = 4;
  let stepStartedAt = now();
  let stepDone = 0;
  let stepTotal = 0;
  let stopped = false;
  // `left`, not `eta`: cli-progress fills its own `eta` token over a payload key of that name.
  const stepPayload = (): { speed: string; left: string } => {
    const perSecond = rate(stepDone, stepStartedAt, now());
    return { speed: String(Math.round(perSecond)), left: formatEta(stepTotal - stepDone, perSecond) };
  };
  const advance = (records: number): void => {
    stepDone += records;
    current?.update(Math.min(stepDone, Math.max(stepTotal, 1)), stepPayload());
  };
  const log = (line: string): void => {
    // MultiBar.log keeps the bars below the printed line.
    bars.log(`${line}\n`);
  };
  const stop = (): void => {
    if (!stopped) {
      stopped = true;
      // Lines logged since the last redraw are only written by a redraw: flush them before the bars go.
      bars.update();
      bars.stop();
    }
  };
  return {
    onEvent(event) {
      if (stopped) {
        return;
      }
      switch (event.type) {
        case 'run-start':
          width = Math.min(MAX_LABEL_WIDTH, Math.max(4, ...event.steps.map((step) => step.step.length)));
          overall = bars.create(
            event.steps.length,
            0,
            { label: barLabel('plan', width) },
            { format: ' {label} [{bar}] {value}/{total} steps | {duration_formatted} elapsed' },
          );
          log(humanLine(event, chalk, info)!);
          return;
        case 'step-start':
          current?.stop();
          if (current) {
            bars.remove(current);
          }
          stepStartedAt = now();
          stepDone = 0;
          stepTotal = event.total;
          current = bars.create(
            Math.max(event.total, 1),
            0,
            { label: barLabel(event.step, width), ...stepPayload() },
            { format: ' {label} [{bar}] {value}/{total} records | {speed} records/s | ETA {left}' },
          );
          if (event.total === 0) {
            current.update(1, stepPayload());
          }
          return;
        case 'rows-unchanged':
          advance(event.rows);
          return;
        case 'chunk-done':
          advance(event.records);
          return;
        case 'step-done':
          overall?.increment(1);
          log(humanLine(event, chalk)!);
          return;
        default: {
          const line = humanLine(event, chalk);
          if (line !== undefined) {
            log(line);
          }
        }
      }
    },
    notice(text) {
      if (stopped) stream.write(text);
      else bars.log(text);
    },
    stop,
  };
}

/**
 * Creates the reporter for a mode, writing to `stream` (stderr for humans, stdout for `--json`).
 *
 * @param info - the server's version and the transport, for the run header (`run-start`).
 * @param now - the clock of the rates and ETAs (tests pass their own).
 */
export function createReporter(
  mode: ReporterMode,
  stream: TextStream,
  chalk: ChalkInstance,
  info?: ConnectionInfo,
  now: () => number = Date.now,
): Reporter {
  switch (mode) {
    case 'json':
      return jsonReporter(stream, info);
    case 'plain':
      return plainReporter(stream, chalk, info);
    case 'tty':
      return ttyReporter(stream, chalk, info, now);
    default:
      return mode satisfies never;
  }
}
