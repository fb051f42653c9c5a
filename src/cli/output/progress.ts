/**
 * Turns apply events into what the operator sees: a progress bar on a terminal (overall steps and the current step,
 * records/s, ETA; cli-progress), one plain line per step otherwise, or an NDJSON event stream with `--json`.
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
      return (
        `${mark} ${result.step} (${result.model}, ${result.action}): ${counts.created} created, ${counts.updated} updated, ` +
        `${counts.deleted} deleted, ${counts.unchanged} unchanged, ${counts.rejected} rejected in ${formatDuration(result.durationMs)}` +
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

/** Two bars: overall (steps) and the current step (records, records/s, ETA). */
function ttyReporter(stream: TextStream, chalk: ChalkInstance, info: ConnectionInfo | undefined): Reporter {
  const bars = new cliProgress.MultiBar(
    {
      stream: stream as unknown as NodeJS.WritableStream,
      clearOnComplete: true,
      hideCursor: true,
      etaBuffer: 50,
      format: ' {label} [{bar}] {value}/{total} {unit} | {speed}/s | ETA {eta_formatted}',
      barsize: 30,
      forceRedraw: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let overall: cliProgress.SingleBar | undefined;
  let current: cliProgress.SingleBar | undefined;
  let written = 0;
  let startedAt = Date.now();
  let stopped = false;
  const speed = (): string => {
    const seconds = (Date.now() - startedAt) / 1000;
    return seconds > 0 ? String(Math.round(written / seconds)) : '0';
  };
  const log = (line: string): void => {
    // MultiBar.log keeps the bars below the printed line.
    bars.log(`${line}\n`);
  };
  return {
    onEvent(event) {
      if (stopped) {
        return;
      }
      switch (event.type) {
        case 'run-start':
          startedAt = Date.now();
          overall = bars.create(event.steps.length, 0, { label: 'plan   ', unit: 'steps', speed: '0' });
          log(humanLine(event, chalk, info)!);
          return;
        case 'step-start':
          current?.stop();
          if (current) {
            bars.remove(current);
          }
          current = bars.create(Math.max(event.total, 1), 0, {
            label: event.step.padEnd(7).slice(0, 12),
            unit: 'records',
            speed: speed(),
          });
          if (event.total === 0) {
            current.update(1, { speed: speed() });
          }
          return;
        case 'rows-unchanged':
          current?.increment(event.rows, { speed: speed() });
          return;
        case 'chunk-done':
          written += event.records;
          current?.increment(event.records, { speed: speed() });
          overall?.update(overall.getProgress() * overall.getTotal(), { speed: speed() });
          return;
        case 'step-done':
          overall?.increment(1, { speed: speed() });
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
    stop() {
      if (!stopped) {
        stopped = true;
        // Lines logged since the last redraw are only written by a redraw: flush them before the bars go.
        bars.update();
        bars.stop();
      }
    },
  };
}

/**
 * Creates the reporter for a mode, writing to `stream` (stderr for humans, stdout for `--json`).
 *
 * @param info - the server's version and the transport, for the run header (`run-start`).
 */
export function createReporter(
  mode: ReporterMode,
  stream: TextStream,
  chalk: ChalkInstance,
  info?: ConnectionInfo,
): Reporter {
  switch (mode) {
    case 'json':
      return jsonReporter(stream, info);
    case 'plain':
      return plainReporter(stream, chalk, info);
    case 'tty':
      return ttyReporter(stream, chalk, info);
    default:
      return mode satisfies never;
  }
}
