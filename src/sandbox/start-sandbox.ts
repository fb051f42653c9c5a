/**
 * `startSandbox()`: an embedded Odoo 17 (or, with `odooVersion: '19.0'`, Odoo 19 with its JSON-2 API) on a local port, for tests, benchmarks and trying zenoo without a server.
 *
 * @packageDocumentation
 */
import { AbortError } from '../errors.js';
import { COMPANY_MODEL_SET } from './company/company-model-set.js';
import { BASE_MODEL_SET } from './orm/models/registry.js';
import { SandboxDatabase } from './orm/sandbox-database.js';
import { resolveFaults, type ResolvedSandboxFaults, type SandboxFaults } from './sandbox-faults.js';
import { resolveSandboxOptions, type SandboxOdooVersion, type SandboxOptions } from './sandbox-options.js';
import { SandboxServer } from './sandbox-server.js';
import type { SandboxStats } from './sandbox-stats.js';

/** A running sandbox. */
export interface Sandbox {
  /** Base URL, e.g. `http://127.0.0.1:40123` (the real port when started with port 0). */
  readonly url: string;
  /** Database name to send. */
  readonly db: string;
  /** Admin login. */
  readonly login: 'admin';
  /** Admin password. */
  readonly password: 'admin';
  /**
   * Admin API key, accepted in the password slot of `/jsonrpc` calls (refused by `/web/session/authenticate`) and, on
   * a 19.0 sandbox, as the bearer key of JSON-2 calls (`Authorization: bearer <apiKey>`).
   */
  readonly apiKey: string;
  /** The Odoo version the sandbox poses as (`17.0` unless started with `odooVersion: '19.0'`). */
  readonly odooVersion: SandboxOdooVersion;
  /** Live, read-only counters. */
  readonly stats: SandboxStats;
  /** Current fault settings. */
  readonly faults: ResolvedSandboxFaults;
  /**
   * Replaces the fault settings (object or SPEC string) at run time; the fault sequence restarts from its seed.
   * @throws TypeError on invalid settings (the previous settings stay in force).
   */
  setFaults(faults: SandboxFaults | string): void;
  /** Sets every counter of {@link stats} back to zero. */
  resetStats(): void;
  /** Stops serving, closes connections and the database (a data file is kept). Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a sandbox: an Odoo 17-compatible JSON-RPC server backed by SQLite; with `odooVersion: '19.0'`, an Odoo
 * 19.0 that also serves the JSON-2 API (`POST /json/2/<model>/<method>`, bearer {@link Sandbox.apiKey}).
 *
 * @example
 * ```ts
 * import { startSandbox } from 'zenoo/sandbox';
 *
 * const sandbox = await startSandbox({ faults: 'transient=0.05,seed=7' });
 * // ... point an OdooClient at sandbox.url, db sandbox.db, login 'admin', password 'admin'
 * console.log(sandbox.stats.writes['res.partner']?.['create']);
 * await sandbox.close();
 * ```
 *
 * @throws TypeError on invalid options; AbortError when `options.signal` aborts before the sandbox listens; the
 *   listen error (e.g. `EADDRINUSE`) when the port is taken.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const resolved = resolveSandboxOptions(options);
  const { signal } = resolved;
  if (signal?.aborted) throw new AbortError('startSandbox was aborted before the sandbox started.');
  const models = resolved.models === 'company' ? COMPANY_MODEL_SET : BASE_MODEL_SET;
  const database = SandboxDatabase.open(resolved.file === undefined ? { models } : { file: resolved.file, models });
  const server = new SandboxServer(resolved, database);
  let url: string;
  try {
    url = await server.listen();
  } catch (error) {
    await server.close();
    throw error;
  }
  if (signal?.aborted) {
    await server.close();
    throw new AbortError('startSandbox was aborted before the sandbox started.');
  }
  const onAbort = (): void => void server.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  return Object.freeze({
    url,
    db: resolved.db,
    login: 'admin' as const,
    password: 'admin' as const,
    apiKey: database.apiKey,
    odooVersion: resolved.odooVersion,
    stats: server.stats,
    get faults() {
      return server.faults;
    },
    setFaults(faults: SandboxFaults | string) {
      server.setFaults(resolveFaults(faults, 'setFaults()'));
    },
    resetStats() {
      server.resetStats();
    },
    close() {
      signal?.removeEventListener('abort', onAbort);
      return server.close();
    },
  });
}
