/**
 * The part of the Odoo client the batch engine uses. `OdooClient` satisfies it; so can a test double.
 *
 * @packageDocumentation
 */
import type { CallOptions } from '../client/types.js';

/** What the batch engine needs from a client: `execute_kw`, `unlink` and method calls with per-call options (signal, timeout, context, retry). */
export interface BatchClient {
  /**
   * Calls `model.method(*args, **kwargs)` through `execute_kw`. The context of `options` travels in kwargs.
   * Rejects with zenoo errors: `RpcFault` subclasses (nothing committed), `OutcomeUnknownError` (a write was sent
   * but its answer was lost), `TimeoutError`, `AbortError`.
   */
  executeKw(
    model: string,
    method: string,
    args: readonly unknown[],
    kwargs?: Readonly<Record<string, unknown>>,
    options?: CallOptions,
  ): Promise<unknown>;
  /**
   * Deletes records; records already gone are not an error (Odoo rolls a whole `unlink` back when one id is missing,
   * so the client deletes whatever still exists).
   */
  unlink(model: string, ids: readonly number[], options?: CallOptions): Promise<unknown>;
  /**
   * Calls a public method on records: `model.method(ids, *args, **kwargs)`, with the ids sent as the transport
   * wants them (JSON-2 takes them as `ids`). Resolves to what the method returned (`undefined` for None). A client
   * without it gets the call through {@link executeKw} with the ids as the first positional argument.
   */
  callMethod?(
    model: string,
    method: string,
    ids: readonly number[],
    options?: CallOptions & {
      readonly args?: readonly unknown[];
      readonly kwargs?: Readonly<Record<string, unknown>>;
    },
  ): Promise<unknown>;
  /**
   * Subscribes to the client's `retry` events, if it has them: counted in the run's `retries`, and a busy server's
   * (502, 503, 504, timeout) told to the tuning.
   */
  on?(event: 'retry', listener: (event: { readonly error: unknown }) => void): unknown;
  /** Unsubscribes from `retry` events. */
  off?(event: 'retry', listener: (event: { readonly error: unknown }) => void): unknown;
}
