/**
 * Options of {@link startSandbox}, their defaults, and their one-time validation.
 *
 * @packageDocumentation
 */
import { resolveCapacity } from './server-capacity.js';
import type { ResolvedSandboxCapacity, SandboxCapacity } from './server-capacity.js';
import type { ResolvedLatency } from './fault-injector.js';
import { resolveFaults, type ResolvedSandboxFaults, type SandboxFaults } from './sandbox-faults.js';

/** Default port: 0 lets the operating system pick a free port (read it back from `sandbox.url`). */
export const DEFAULT_SANDBOX_PORT = 0;

/** Default interface: loopback only. */
export const DEFAULT_SANDBOX_HOST = '127.0.0.1';

/** Default database name. */
export const DEFAULT_SANDBOX_DB = 'sandbox';

/** Default seed of fault injection and latency jitter: runs are reproducible unless another seed is given. */
export const DEFAULT_SANDBOX_SEED = 1;

/** The models a sandbox can host. */
export const SANDBOX_MODEL_SETS = Object.freeze(['base', 'company'] as const);

/** `base`: a fresh Odoo 17.0 with base and web. `company`: a company database (from the shipped snapshot). */
export type SandboxModels = (typeof SANDBOX_MODEL_SETS)[number];

/** Default models: the base ones. */
export const DEFAULT_SANDBOX_MODELS: SandboxModels = 'base';

/** The Odoo versions a sandbox can pose as. */
export const SANDBOX_ODOO_VERSIONS = Object.freeze(['17.0', '19.0'] as const);

/**
 * `17.0`: JSON-RPC only, as Odoo 17.0. `19.0`: reports version 19.0 and also serves the JSON-2 API
 * (`POST /json/2/<model>/<method>` with a bearer API key), as Odoo 19.0; `/jsonrpc` keeps working, as it does
 * (deprecated) on Odoo 19.
 */
export type SandboxOdooVersion = (typeof SANDBOX_ODOO_VERSIONS)[number];

/** Default version: Odoo 17.0. */
export const DEFAULT_SANDBOX_ODOO_VERSION: SandboxOdooVersion = '17.0';

/** Latency added to every RPC call. */
export interface SandboxLatency {
  /**
   * Fixed delay, in milliseconds.
   * @default 0
   */
  readonly fixed?: number;
  /**
   * Maximum extra delay drawn uniformly (seeded) per call, in milliseconds.
   * @default 0
   */
  readonly jitter?: number;
}

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /**
   * TCP port; 0 picks a free port.
   * @default DEFAULT_SANDBOX_PORT (0)
   */
  readonly port?: number;
  /**
   * Interface to listen on.
   * @default DEFAULT_SANDBOX_HOST ('127.0.0.1')
   */
  readonly host?: string;
  /**
   * Database name clients must send (any other name gets Odoo's "database does not exist" error).
   * @default DEFAULT_SANDBOX_DB ('sandbox')
   */
  readonly db?: string;
  /**
   * SQLite file holding the data, kept across restarts; in memory when absent.
   * @default undefined
   */
  readonly file?: string;
  /**
   * Latency per RPC call: milliseconds, or `{ fixed, jitter }`.
   * @default 0
   */
  readonly latencyMs?: number | SandboxLatency;
  /**
   * Faults to inject: settings or a SPEC string such as `transient=0.05,drop=0.02,slow=0.1:2000,seed=7`.
   * @default no faults
   */
  readonly faults?: SandboxFaults | string;
  /**
   * Seed of fault decisions and latency jitter (the same seed gives the same fault sequence).
   * @default DEFAULT_SANDBOX_SEED (1)
   */
  readonly seed?: number;
  /**
   * Aborting it before the sandbox is listening rejects `startSandbox`; aborting it later closes the sandbox.
   * @default undefined
   */
  readonly signal?: AbortSignal;
  /**
   * The models hosted: `base` (res.partner, res.partner.category, res.country, res.users, ir.model.data,
   * ir.config_parameter, as a fresh Odoo 17.0 with base and web) or `company` (those plus the 37 business models of
   * a company database with sales, purchase, inventory, manufacturing, CRM, employees, projects and invoicing, from the
   * shipped fields_get + default_get snapshot, with their captured behaviour and the records their defaults need).
   * A `file` created with one set is refused when reopened with another.
   * @default DEFAULT_SANDBOX_MODELS ('base')
   */
  readonly models?: SandboxModels;
  /**
   * The Odoo version the sandbox poses as: `17.0` (JSON-RPC) or `19.0` (version 19.0, the JSON-2 API on `/json/2/`
   * besides JSON-RPC, and Odoo 19's texts for the errors its capture shows). The ORM and its data are the same.
   * @default DEFAULT_SANDBOX_ODOO_VERSION ('17.0')
   */
  readonly odooVersion?: SandboxOdooVersion;
  /**
   * Serve like a loaded real server, for benchmarks: workers, worker time per record written and per call, a time
   * limit per request (see `server-capacity.ts`). @default undefined: every call answered at once, no worker limit
   */
  readonly capacity?: SandboxCapacity;
}

/** {@link SandboxOptions} with every default applied (frozen). */
export interface ResolvedSandboxOptions {
  readonly port: number;
  readonly host: string;
  readonly db: string;
  readonly file: string | undefined;
  readonly latency: ResolvedLatency;
  readonly faults: ResolvedSandboxFaults;
  readonly seed: number;
  readonly signal: AbortSignal | undefined;
  readonly models: SandboxModels;
  readonly odooVersion: SandboxOdooVersion;
  readonly capacity: ResolvedSandboxCapacity | undefined;
}

const KNOWN_OPTIONS = new Set([
  'port',
  'host',
  'db',
  'file',
  'latencyMs',
  'faults',
  'seed',
  'signal',
  'models',
  'odooVersion',
  'capacity',
]);

function resolveLatency(latency: number | SandboxLatency | undefined): ResolvedLatency {
  const check = (value: unknown, name: string): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new TypeError(`Expected \`${name}\` to be a number of milliseconds >= 0, got ${String(value)}`);
    }
    return value;
  };
  if (latency === undefined) return Object.freeze({ fixed: 0, jitter: 0 });
  if (typeof latency === 'number') return Object.freeze({ fixed: check(latency, 'latencyMs'), jitter: 0 });
  if (latency === null || typeof latency !== 'object') {
    throw new TypeError(`Expected \`latencyMs\` to be a number or { fixed, jitter }, got ${String(latency)}`);
  }
  for (const key of Object.keys(latency)) {
    if (key !== 'fixed' && key !== 'jitter')
      throw new TypeError(`Unknown field \`latencyMs.${key}\` (expected fixed, jitter)`);
  }
  return Object.freeze({
    fixed: check(latency.fixed ?? 0, 'latencyMs.fixed'),
    jitter: check(latency.jitter ?? 0, 'latencyMs.jitter'),
  });
}

/**
 * Validates sandbox options and applies the defaults.
 *
 * @throws TypeError naming the offending option.
 */
export function resolveSandboxOptions(options: SandboxOptions = {}): ResolvedSandboxOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`Expected sandbox options to be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key))
      throw new TypeError(`Unknown sandbox option \`${key}\` (expected ${[...KNOWN_OPTIONS].join(', ')})`);
  }
  const port = options.port ?? DEFAULT_SANDBOX_PORT;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`Expected \`port\` to be an integer from 0 to 65535, got ${String(port)}`);
  }
  const host = options.host ?? DEFAULT_SANDBOX_HOST;
  if (typeof host !== 'string' || host === '')
    throw new TypeError(`Expected \`host\` to be a non-empty string, got ${String(host)}`);
  const db = options.db ?? DEFAULT_SANDBOX_DB;
  if (typeof db !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(db)) {
    throw new TypeError(
      `Expected \`db\` to be a database name (letters, digits, "_", "." or "-", not starting with a symbol), got ${JSON.stringify(db)}`,
    );
  }
  const file = options.file;
  if (file !== undefined && (typeof file !== 'string' || file === '')) {
    throw new TypeError(`Expected \`file\` to be a non-empty path, got ${JSON.stringify(file)}`);
  }
  const seed = options.seed ?? DEFAULT_SANDBOX_SEED;
  if (typeof seed !== 'number' || !Number.isInteger(seed))
    throw new TypeError(`Expected \`seed\` to be an integer, got ${String(seed)}`);
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new TypeError('Expected `signal` to be an AbortSignal');
  const models = options.models ?? DEFAULT_SANDBOX_MODELS;
  if (!(SANDBOX_MODEL_SETS as readonly unknown[]).includes(models)) {
    throw new TypeError(
      `Expected \`models\` to be one of ${SANDBOX_MODEL_SETS.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(models)}`,
    );
  }
  const odooVersion = options.odooVersion ?? DEFAULT_SANDBOX_ODOO_VERSION;
  if (!(SANDBOX_ODOO_VERSIONS as readonly unknown[]).includes(odooVersion)) {
    throw new TypeError(
      `Expected \`odooVersion\` to be one of ${SANDBOX_ODOO_VERSIONS.map((v) => `'${v}'`).join(', ')}, got ${JSON.stringify(odooVersion)}`,
    );
  }
  return Object.freeze({
    models,
    odooVersion,
    port,
    host,
    db,
    file,
    latency: resolveLatency(options.latencyMs),
    faults: resolveFaults(options.faults, 'faults'),
    seed,
    signal,
    capacity: resolveCapacity(options.capacity),
  });
}
