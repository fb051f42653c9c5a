/**
 * A transport that answers from a function and records every call: the memory implementation of the transport seam,
 * for tests of whatever sits on the client (no server, no sockets). It logs in as `uid` and reports `version`.
 *
 * @packageDocumentation
 */
import { throwIfAborted } from '../../util/abort.js';
import type { OdooTransport, OrmCall, TransportCallOptions } from '../odoo-transport.js';

/** Answers one ORM call: return (or resolve to) the result, or throw (or reject with) the error Odoo would give. */
export type MemoryHandler = (call: OrmCall) => unknown;

/** Options of a {@link MemoryTransport}. */
export interface MemoryTransportOptions {
  /** The uid a login gives. @default 2 */
  readonly uid?: number;
  /** What `common.version` answers. @default an Odoo 17.0 version object */
  readonly version?: Readonly<Record<string, unknown>>;
}

/** The transport of the memory seam: answers through `handler`, keeps the calls it got in {@link calls}. */
export class MemoryTransport implements OdooTransport {
  readonly mode = 'memory';
  /** Every ORM call received, in order (logins and version requests are counted apart). */
  readonly calls: OrmCall[] = [];
  /** Logins made. */
  logins = 0;
  readonly #handler: MemoryHandler;
  readonly #uid: number;
  readonly #version: Readonly<Record<string, unknown>>;
  #loggedIn = false;
  #closed = false;

  constructor(handler: MemoryHandler, options: MemoryTransportOptions = {}) {
    this.#handler = handler;
    this.#uid = options.uid ?? 2;
    this.#version = options.version ?? {
      server_version: '17.0',
      server_version_info: [17, 0, 0, 'final', 0, ''],
      server_serie: '17.0',
      protocol_version: 1,
    };
  }

  /** The uid, once logged in. */
  get uid(): number | undefined {
    return this.#loggedIn ? this.#uid : undefined;
  }

  version(options: TransportCallOptions): Promise<Record<string, unknown>> {
    throwIfAborted(options.signal, 'The call');
    return Promise.resolve({ ...this.#version });
  }

  authenticate(options: TransportCallOptions): Promise<number> {
    throwIfAborted(options.signal, 'The call');
    this.logins += 1;
    this.#loggedIn = true;
    return Promise.resolve(this.#uid);
  }

  async call(call: OrmCall, options: TransportCallOptions): Promise<unknown> {
    if (this.#closed) throw new Error('the memory transport is closed');
    throwIfAborted(options.signal, 'The call');
    if (!this.#loggedIn) await this.authenticate(options);
    this.calls.push(call);
    return this.#handler(call);
  }

  close(): void {
    this.#closed = true;
  }
}
