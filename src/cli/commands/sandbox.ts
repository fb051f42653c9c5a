/**
 * `zenoo sandbox`: serves the embedded Odoo 17-compatible sandbox (or, with `--odoo-version 19.0`, an Odoo 19.0 that
 * also serves the JSON-2 API) until SIGINT/SIGTERM.
 *
 * The first line on stdout is exactly `zenoo sandbox listening on URL` so that scripts (benchmarks, chaos tests) can
 * spawn it with `--port 0` and read the real URL from it.
 *
 * @packageDocumentation
 */
import { InvalidArgumentError, type Command } from 'commander';
import { formatFaultSpec, parseFaultSpec } from '../../sandbox/sandbox-faults.js';
import {
  DEFAULT_SANDBOX_MODELS,
  DEFAULT_SANDBOX_ODOO_VERSION,
  SANDBOX_MODEL_SETS,
  SANDBOX_ODOO_VERSIONS,
  type SandboxLatency,
  type SandboxModels,
  type SandboxOdooVersion,
  type SandboxOptions,
} from '../../sandbox/sandbox-options.js';
import type { SandboxCapacity } from '../../sandbox/server-capacity.js';

/** Port `zenoo sandbox` listens on by default: Odoo's own. */
export const DEFAULT_CLI_SANDBOX_PORT = 8069;

/** Where the command writes and which process signals stop it (injectable for tests). */
export interface SandboxCommandIo {
  /** Receives the banner (first line: the URL). */
  readonly stdout: { write(text: string): unknown };
  /** Receives the shutdown notice and errors. */
  readonly stderr: { write(text: string): unknown };
  /** Emits `SIGINT` / `SIGTERM`. */
  readonly signals: Pick<NodeJS.EventEmitter, 'once' | 'off'>;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new InvalidArgumentError('Expected a port from 0 to 65535 (0 picks a free port).');
  return port;
}

function parseSeed(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('Expected an integer.');
  return Number(value);
}

function parseLatency(value: string): SandboxLatency {
  const match = /^(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(value);
  if (match === null) throw new InvalidArgumentError('Expected MS or MS:JITTER, e.g. 20 or 20:10 (milliseconds).');
  return { fixed: Number(match[1]), jitter: match[2] === undefined ? 0 : Number(match[2]) };
}

function parseModels(value: string): SandboxModels {
  if (!(SANDBOX_MODEL_SETS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`Expected one of ${SANDBOX_MODEL_SETS.join(', ')}.`);
  return value as SandboxModels;
}

function parseOdooVersion(value: string): SandboxOdooVersion {
  if (!(SANDBOX_ODOO_VERSIONS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`Expected one of ${SANDBOX_ODOO_VERSIONS.join(', ')}.`);
  return value as SandboxOdooVersion;
}

function parseWorkers(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('Expected an integer from 1 and up.');
  return Number(value);
}

function parseMs(value: string): number {
  if (!/^\d+(?:\.\d+)?$/.test(value)) throw new InvalidArgumentError('Expected milliseconds, e.g. 0.8 or 120000.');
  return Number(value);
}

function parseFaults(value: string): string {
  try {
    parseFaultSpec(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
  return value;
}

interface SandboxCommandFlags {
  readonly port: number;
  readonly host: string;
  readonly db: string;
  readonly data?: string;
  readonly latency?: SandboxLatency;
  readonly faults?: string;
  readonly seed?: number;
  readonly models: SandboxModels;
  readonly odooVersion: SandboxOdooVersion;
  readonly workers?: number;
  readonly recordCost?: number;
  readonly callCost?: number;
  readonly timeLimit?: number;
}

/** The capacity the flags give (workers and costs, for benchmarks), or none when `--workers` is not given. */
function capacityOf(flags: SandboxCommandFlags, command: Command): SandboxCapacity | undefined {
  if (flags.workers === undefined) {
    if (flags.recordCost !== undefined || flags.callCost !== undefined || flags.timeLimit !== undefined)
      command.error('error: --record-cost, --call-cost and --time-limit need --workers', { exitCode: 1 });
    return undefined;
  }
  return {
    workers: flags.workers,
    ...(flags.recordCost === undefined ? {} : { recordCostMs: flags.recordCost }),
    ...(flags.callCost === undefined ? {} : { callCostMs: flags.callCost }),
    ...(flags.timeLimit === undefined ? {} : { timeLimitMs: flags.timeLimit }),
  };
}

/** Registers `zenoo sandbox` on `program`. */
export function registerSandboxCommand(
  program: Command,
  io: SandboxCommandIo = { stdout: process.stdout, stderr: process.stderr, signals: process },
): void {
  program
    .command('sandbox')
    .description(
      'Serve an embedded Odoo 17-compatible JSON-RPC server (SQLite) until Ctrl+C: a target for tests and trying zenoo.',
    )
    .option('--port <port>', 'TCP port (0 picks a free port)', parsePort, DEFAULT_CLI_SANDBOX_PORT)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--db <name>', 'database name clients must send', 'sandbox')
    .option('--data <file>', 'SQLite file keeping the data across restarts (default: in memory)')
    .option('--latency <ms>', 'latency per call in milliseconds: MS or MS:JITTER', parseLatency)
    .option(
      '--faults <spec>',
      'faults to inject, e.g. transient=0.05,drop=0.02,slow=0.1:2000,seed=7 (keys: transient, kinds=503+reset+serialization, drop, slow=RATE[:MS], scope=object|all, seed)',
      parseFaults,
    )
    .option('--seed <n>', 'seed of fault decisions and latency jitter', parseSeed)
    .option(
      '--models <set>',
      'models hosted: base (a fresh Odoo with base and web) or company (sales, purchase, inventory, manufacturing, CRM, employees, invoicing)',
      parseModels,
      DEFAULT_SANDBOX_MODELS,
    )
    .option(
      '--odoo-version <version>',
      'Odoo version served: 17.0 (JSON-RPC) or 19.0 (reports 19.0 and also serves JSON-2: POST /json/2/<model>/<method> with "Authorization: bearer <api key>")',
      parseOdooVersion,
      DEFAULT_SANDBOX_ODOO_VERSION,
    )
    .option(
      '--workers <n>',
      'serve like a loaded server (benchmarks): requests served at once, the rest queued',
      parseWorkers,
    )
    .option(
      '--record-cost <ms>',
      'with --workers: worker time per record written (0.8 ≈ a res.partner create)',
      parseMs,
    )
    .option('--call-cost <ms>', 'with --workers: worker time of every ORM call', parseMs)
    .option(
      '--time-limit <ms>',
      'with --workers: a request holding its worker longer is cut (nothing written, connection closed)',
      parseMs,
    )
    .addHelpText(
      'after',
      '\nThe first line of stdout is "zenoo sandbox listening on URL". Login admin / password admin; the API key printed\n' +
        'below works in the password slot of /jsonrpc. Faults apply to ORM calls only unless scope=all.\n' +
        '\nExit codes: 0 stopped by Ctrl-C or SIGTERM, 1 it could not start (port in use, bad option).',
    )
    .action(async (flags: SandboxCommandFlags, command: Command) => {
      let options: SandboxOptions = {
        port: flags.port,
        host: flags.host,
        db: flags.db,
        models: flags.models,
        odooVersion: flags.odooVersion,
        ...(flags.data === undefined ? {} : { file: flags.data }),
        ...(flags.latency === undefined ? {} : { latencyMs: flags.latency }),
        ...(flags.faults === undefined ? {} : { faults: flags.faults }),
        ...(flags.seed === undefined ? {} : { seed: flags.seed }),
      };
      const capacity = capacityOf(flags, command);
      if (capacity !== undefined) options = { ...options, capacity };
      let sandbox;
      try {
        // Loaded only when used, so that the other commands start without the sandbox's ORM.
        const { startSandbox } = await import('../../sandbox/start-sandbox.js');
        sandbox = await startSandbox(options);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const message =
          code === 'EADDRINUSE'
            ? `port ${flags.port} is already in use on ${flags.host}: choose another with --port (0 picks a free one)`
            : error instanceof Error
              ? error.message
              : String(error);
        command.error(`error: cannot start the sandbox: ${message}`, { exitCode: 1 });
        return;
      }
      const latency = flags.latency;
      io.stdout.write(
        [
          `zenoo sandbox listening on ${sandbox.url}`,
          `  db:       ${sandbox.db}`,
          `  login:    ${sandbox.login}`,
          `  password: ${sandbox.password}`,
          `  api key:  ${sandbox.apiKey}`,
          `  models:   ${flags.models}`,
          // Printed only for 19.0, so that the default banner stays as it was.
          ...(sandbox.odooVersion === '19.0'
            ? [`  odoo:     19.0 (JSON-2 on ${sandbox.url}/json/2/<model>/<method>, bearer api key)`]
            : []),
          `  data:     ${flags.data ?? 'in memory (lost on exit; use --data FILE to keep it)'}`,
          `  latency:  ${latency === undefined ? 'none' : `${latency.fixed ?? 0} ms${latency.jitter ? ` + up to ${latency.jitter} ms` : ''}`}`,
          `  faults:   ${formatFaultSpec(sandbox.faults)}`,
          ...(capacity === undefined
            ? []
            : [
                `  capacity: ${capacity.workers} worker(s), ${capacity.recordCostMs ?? 0} ms per record written, ${capacity.callCostMs ?? 0} ms per call${capacity.timeLimitMs === undefined ? '' : `, cut after ${capacity.timeLimitMs} ms`}`,
              ]),
          'Press Ctrl+C to stop.',
          '',
        ].join('\n'),
      );
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        const onInt = (): void => done('SIGINT');
        const onTerm = (): void => done('SIGTERM');
        const done = (name: NodeJS.Signals): void => {
          io.signals.off('SIGINT', onInt);
          io.signals.off('SIGTERM', onTerm);
          resolve(name);
        };
        io.signals.once('SIGINT', onInt);
        io.signals.once('SIGTERM', onTerm);
      });
      await sandbox.close();
      io.stderr.write(
        `zenoo sandbox stopped (${signal})${flags.data === undefined ? '' : `; data kept in ${flags.data}`}\n`,
      );
    });
}
