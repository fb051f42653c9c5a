/**
 * The seam between the Odoo client and the wire. A transport knows one way of talking to Odoo (stateless `/jsonrpc`,
 * the web session, later Odoo 19's JSON-2 API); the client on top of it adds context handling, retries, events and
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
 * One way of calling Odoo. Implementations: {@link JsonRpcTransport} (`/jsonrpc`, credentials on every call) and
 * {@link SessionTransport} (`/web/session/authenticate` + `/web/dataset/call_kw`, a session cookie).
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
  /** Calls an ORM method as the logged-in user (logging in first when needed). `kwargs` already holds the context. */
  executeKw(
    model: string,
    method: string,
    args: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>>,
    options: TransportCallOptions,
  ): Promise<unknown>;
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
