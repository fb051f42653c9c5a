/**
 * Live counters of a running sandbox, so that tests can assert what reached the server: connections (keep-alive
 * reuse), requests, RPC calls by method, committed writes by model and method, and injected faults.
 *
 * @packageDocumentation
 */
import type { FaultKind } from './sandbox-faults.js';

/** A live, read-only view of a sandbox's counters. Every read returns the current value. */
export interface SandboxStats {
  /** TCP connections opened (a keep-alive client opens few; one connection per request means no reuse). */
  readonly connections: number;
  /** HTTP requests received, whatever their route or outcome. */
  readonly requests: number;
  /**
   * RPC calls dispatched: well-formed JSON-RPC calls on a known route and authenticated JSON-2 calls with a readable
   * body, including those answered by an injected fault (a session route called without a valid session, or a JSON-2
   * call refused for its database, content type, key or body, is refused before dispatch and not counted).
   */
  readonly calls: number;
  /** ORM calls that committed at least one write. */
  readonly commits: number;
  /** Calls by method: `res.partner.create`, `common.authenticate`, `db.list`, `session.authenticate`, ... */
  readonly callsByMethod: Readonly<Record<string, number>>;
  /**
   * Calls (as counted by {@link calls}) by endpoint: `/jsonrpc`, `/web/dataset/call_kw`, `/web/session/authenticate`,
   * `/web/webclient/version_info`, ..., and `/json/2` for every JSON-2 call (`POST /json/2/<model>/<method>` that
   * passed authentication and body parsing; only a sandbox posing as Odoo 19.0 serves it). An endpoint never called
   * is absent. E.g. `{ '/json/2': 12 }` after a run that made all its calls over JSON-2.
   */
  readonly callsByEndpoint: Readonly<Record<string, number>>;
  /** Records written, by model then method: `writes['res.partner']['create']`. */
  readonly writes: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /**
   * Injected faults by kind: `http-503`, `reset`, `serialization`, `drop`, `slow`, and `time-limit` for requests cut
   * by a capacity's time limit (see `server-capacity.ts`).
   */
  readonly faults: Readonly<Record<string, number>>;
}

/** The mutable side of {@link SandboxStats}, owned by the sandbox server. */
export class SandboxStatsRecorder {
  #connections = 0;
  #requests = 0;
  #calls = 0;
  #commits = 0;
  #callsByMethod = new Map<string, number>();
  #callsByEndpoint = new Map<string, number>();
  #writes = new Map<string, Map<string, number>>();
  #faults = new Map<FaultKind | 'time-limit', number>();

  /** The live read-only view handed to users. */
  readonly view: SandboxStats;

  constructor() {
    // Getters (not a snapshot) so that `sandbox.stats.calls` is always current; nested records are frozen copies so
    // that callers can neither mutate the counters nor see them change under their feet while iterating.
    const getter = <T>(get: () => T): PropertyDescriptor => ({ get, enumerable: true });
    this.view = Object.freeze(
      Object.defineProperties({} as SandboxStats, {
        connections: getter(() => this.#connections),
        requests: getter(() => this.#requests),
        calls: getter(() => this.#calls),
        commits: getter(() => this.#commits),
        callsByMethod: getter(() => Object.freeze(Object.fromEntries(this.#callsByMethod))),
        callsByEndpoint: getter(() => Object.freeze(Object.fromEntries(this.#callsByEndpoint))),
        writes: getter(() =>
          Object.freeze(
            Object.fromEntries(
              [...this.#writes].map(([model, byMethod]) => [model, Object.freeze(Object.fromEntries(byMethod))]),
            ),
          ),
        ),
        faults: getter(() => Object.freeze(Object.fromEntries(this.#faults))),
      }),
    );
  }

  /** Counts a new TCP connection. */
  connection(): void {
    this.#connections += 1;
  }

  /** Counts an HTTP request. */
  request(): void {
    this.#requests += 1;
  }

  /** Counts a dispatched RPC call under `method` (e.g. `res.partner.create`) and `endpoint` (e.g. `/json/2`). */
  call(method: string, endpoint: string): void {
    this.#calls += 1;
    this.#callsByMethod.set(method, (this.#callsByMethod.get(method) ?? 0) + 1);
    this.#callsByEndpoint.set(endpoint, (this.#callsByEndpoint.get(endpoint) ?? 0) + 1);
  }

  /** Records the writes of one committed ORM call (nothing when `writes` is empty). */
  commit(writes: readonly { readonly model: string; readonly method: string; readonly count: number }[]): void {
    if (writes.length === 0) return;
    this.#commits += 1;
    for (const { model, method, count } of writes) {
      let byMethod = this.#writes.get(model);
      if (byMethod === undefined) {
        byMethod = new Map();
        this.#writes.set(model, byMethod);
      }
      byMethod.set(method, (byMethod.get(method) ?? 0) + count);
    }
  }

  /** Counts an injected fault. */
  fault(kind: FaultKind | 'time-limit'): void {
    this.#faults.set(kind, (this.#faults.get(kind) ?? 0) + 1);
  }

  /** Sets every counter back to zero. */
  reset(): void {
    this.#connections = 0;
    this.#requests = 0;
    this.#calls = 0;
    this.#commits = 0;
    this.#callsByMethod = new Map();
    this.#callsByEndpoint = new Map();
    this.#writes = new Map();
    this.#faults = new Map();
  }
}
