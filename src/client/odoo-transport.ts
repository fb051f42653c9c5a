/**
 * The seam between the Odoo client and the wire. A transport knows one way of talking to Odoo (stateless `/jsonrpc`,
 * the web session, Odoo 19's JSON-2 API); the client on top of it adds context handling, retries, events and
 * typed helpers, and never needs to know which transport runs.
 *
 * @packageDocumentation
 */

import { AuthenticationError } from '../errors.js';
import type { ZenooErrorOptions } from '../errors.js';

/** Options of one transport call. */
export interface TransportCallOptions {
  /** Cancels the call. */
  readonly signal?: AbortSignal | undefined;
  /** Timeout of the call, in ms. */
  readonly timeoutMs: number;
  /** Context (url, db, model, method, step, chunk…) copied into any error. */
  readonly errorOptions: ZenooErrorOptions;
  /**
   * The call changes nothing on the server (a read, a login): an unanswered one has no unknown outcome, and its error
   * must not say the server "may have processed it".
   */
  readonly readOnly?: boolean | undefined;
}

/**
 * One ORM call, named rather than positional: the model, the method, the records it runs on, its own arguments and
 * the context. A JSON-RPC transport flattens it into `execute_kw(model, method, [ids, ...args], {...kwargs,
 * context})`; a transport with named arguments (JSON-2) sends `ids`, the arguments by name and `context` as they are.
 */
export interface OrmCall {
  /** The model, e.g. `res.partner`. */
  readonly model: string;
  /** The method, e.g. `search_read` or `action_confirm`. */
  readonly method: string;
  /** The records a recordset method runs on (`write`, `unlink`, `read`, `action_*`); absent for model methods. */
  readonly ids?: readonly number[] | undefined;
  /** The method's positional arguments (after the ids). */
  readonly args: readonly unknown[];
  /** The method's keyword arguments, without the context. */
  readonly kwargs: Readonly<Record<string, unknown>>;
  /** The Odoo context of the call. */
  readonly context: Readonly<Record<string, unknown>>;
}

/** `execute_kw`'s positional form of a call: `[ids, ...args]` and the kwargs with the context inside. */
export function executeKwArguments(call: OrmCall): {
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
} {
  return {
    args: call.ids === undefined ? call.args : [call.ids, ...call.args],
    kwargs: { ...call.kwargs, context: call.context },
  };
}

/** What a transport needs to connect and log in. The secret never leaves the transport. */
export interface TransportConfig {
  /** Base URL of the server, without credentials and without a trailing slash. */
  readonly baseUrl: string;
  /** Database name. */
  readonly db: string;
  /** Login of the user. */
  readonly login: string;
  /** Password or API key. */
  readonly secret: string;
  /** Maximum number of concurrent connections. */
  readonly maxSockets: number;
}

/**
 * One way of calling Odoo. Implementations: `JsonRpcTransport` (`/jsonrpc`, credentials on every call),
 * `SessionTransport` (`/web/session/authenticate` + `/web/dataset/call_kw`, a session cookie), `Json2Transport`
 * (`/json/2/<model>/<method>`, a bearer API key, Odoo 19+), `AutoTransport` (one of the first and the third, by the
 * server's version), and `MemoryTransport` (answers from a function, records every call: for tests).
 *
 * Implementations keep their secret in a private field and must not expose it through inspection or JSON.
 */
export interface OdooTransport {
  /** Name of the transport, e.g. `jsonrpc` or `session`. */
  readonly mode: string;
  /** The uid of the logged-in user, once known. */
  readonly uid: number | undefined;
  /** The raw version object of the server (`common.version` shape). */
  version(options: TransportCallOptions): Promise<Record<string, unknown>>;
  /**
   * Logs in and remembers the uid.
   *
   * @throws AuthenticationError when the server refuses the credentials.
   */
  authenticate(options: TransportCallOptions): Promise<number>;
  /** Calls an ORM method as the logged-in user (logging in first when needed). */
  call(call: OrmCall, options: TransportCallOptions): Promise<unknown>;
  /** Releases connections. */
  close(): void;
}

/**
 * The error for refused credentials: names url, db and login, never the secret.
 *
 * @param detail - why, when more is known than "refused" (e.g. two-factor authentication).
 */
export function authenticationRefused(
  config: Pick<TransportConfig, 'baseUrl' | 'db' | 'login'>,
  errorOptions: ZenooErrorOptions,
  detail = 'wrong login, password or API key, or a user that cannot use this database',
): AuthenticationError {
  return new AuthenticationError(
    `Odoo at ${config.baseUrl} refused the login "${config.login}" on database "${config.db}": ${detail}. ` +
      'Check the login and the password or API key.',
    config.login,
    errorOptions,
  );
}
