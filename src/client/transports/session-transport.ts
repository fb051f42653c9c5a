/**
 * The web-session transport: logs in once through `/web/session/authenticate`, then calls
 * `/web/dataset/call_kw` with the `session_id` cookie, like Odoo's own web client. For servers where a proxy blocks
 * `/jsonrpc`. Odoo refuses API keys on this login (it counts as interactive), so it needs a password.
 *
 * When the server answers "session expired" (code 100), the transport logs in again once and resends the call: the
 * server refused the call before dispatching it, so nothing was committed and resending is safe for writes too.
 *
 * @packageDocumentation
 */

import { AccessDeniedError, AuthenticationError, ProtocolError, SessionExpiredError } from '../../errors.js';
import { HttpTransport } from './http-transport.js';
import { describeValue } from '../json-rpc-envelope.js';
import { authenticationRefused, executeKwArguments } from '../odoo-transport.js';
import type { OrmCall, TransportCallOptions, TransportConfig } from '../odoo-transport.js';

/** Login route of the web client. */
export const SESSION_AUTHENTICATE_PATH = '/web/session/authenticate';
/** ORM call route of the web client (the model and method are appended for readable server logs). */
export const SESSION_CALL_KW_PATH = '/web/dataset/call_kw';
/** Version route that needs neither a database nor a login. */
export const SESSION_VERSION_PATH = '/web/webclient/version_info';

/** Talks to Odoo like the web client, with a session cookie. */
export class SessionTransport extends HttpTransport {
  /** Transport name. */
  readonly mode = 'session';
  readonly #password: string;
  #sessionId: string | undefined;
  #uid: number | undefined;
  /** The login in flight, shared by concurrent calls so that an expired session causes one login, not one per call. */
  #login: Promise<number> | undefined;

  constructor(config: TransportConfig) {
    // The session id is a secret too, read when a message is built (it changes on every login).
    super(config, () => [config.secret, this.#sessionId]);
    this.#password = config.secret;
  }

  /** The uid of the logged-in user, once known. */
  get uid(): number | undefined {
    return this.#uid;
  }

  /** `/web/webclient/version_info`: the `common.version` object, without database or login. */
  async version(options: TransportCallOptions): Promise<Record<string, unknown>> {
    const { result } = await this.http.post(
      SESSION_VERSION_PATH,
      {},
      { ...this.#postOptions(options), subject: 'version_info' },
    );
    if (typeof result !== 'object' || result === null || Array.isArray(result)) {
      throw new ProtocolError(
        `${SESSION_VERSION_PATH} at ${this.config.baseUrl} answered ${describeValue(result)} instead of a version object.`,
        describeValue(result),
        options.errorOptions,
      );
    }
    return result as Record<string, unknown>;
  }

  /** Logs in through `/web/session/authenticate` and keeps the session cookie. */
  authenticate(options: TransportCallOptions): Promise<number> {
    this.#login ??= this.#doLogin(options).finally(() => {
      this.#login = undefined;
    });
    return this.#login;
  }

  /** `/web/dataset/call_kw` with the session cookie; logs in first, and again once if the session expired. */
  async call(call: OrmCall, options: TransportCallOptions): Promise<unknown> {
    const { model, method } = call;
    const { args, kwargs } = executeKwArguments(call);
    if (this.#sessionId === undefined) await this.authenticate(options);
    try {
      return await this.#callKw(model, method, args, kwargs, options);
    } catch (error) {
      if (!(error instanceof SessionExpiredError)) throw error;
      await this.#relogin(error, options);
      return this.#callKw(model, method, args, kwargs, options);
    }
  }

  /** Closes the keep-alive connections and forgets the session. */
  override close(): void {
    this.#sessionId = undefined;
    super.close();
  }

  async #callKw(
    model: string,
    method: string,
    args: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>>,
    options: TransportCallOptions,
  ): Promise<unknown> {
    const sessionId = this.#sessionId;
    try {
      const { result, setCookie } = await this.http.post(
        `${SESSION_CALL_KW_PATH}/${encodeURIComponent(model)}/${encodeURIComponent(method)}`,
        { model, method, args, kwargs },
        {
          ...this.#postOptions(options),
          subject: `${model}.${method}`,
          headers: sessionId === undefined ? {} : { cookie: `session_id=${sessionId}` },
        },
      );
      this.#adoptCookie(setCookie);
      return result;
    } catch (error) {
      // Forget a session the server no longer knows, unless a concurrent call already replaced it.
      if (error instanceof SessionExpiredError && this.#sessionId === sessionId) this.#sessionId = undefined;
      throw error;
    }
  }

  /**
   * Logs in again after `expired`. Refused credentials surface as they are; any other login failure is reported as
   * the original expired-session error (with the login failure as cause), because the call itself was not processed.
   */
  async #relogin(expired: SessionExpiredError, options: TransportCallOptions): Promise<void> {
    if (this.#sessionId !== undefined) return;
    try {
      await this.authenticate(options);
    } catch (loginError) {
      if (loginError instanceof AuthenticationError) throw loginError;
      throw new SessionExpiredError(
        {
          code: expired.rpcCode,
          message: 'Odoo Session Expired',
          data: { name: expired.faultName, message: expired.faultMessage, debug: expired.debug },
        },
        { ...expired.context, cause: loginError },
      );
    }
  }

  async #doLogin(options: TransportCallOptions): Promise<number> {
    const { db, login } = this.config;
    let answer;
    try {
      answer = await this.http.post(
        SESSION_AUTHENTICATE_PATH,
        { db, login, password: this.#password },
        { ...this.#postOptions(options), subject: 'session authenticate' },
      );
    } catch (error) {
      if (error instanceof AccessDeniedError) {
        throw authenticationRefused(this.config, { ...options.errorOptions, cause: error });
      }
      throw error;
    }
    const uid = (answer.result as { uid?: unknown } | null)?.uid;
    if (uid === null) {
      throw authenticationRefused(
        this.config,
        options.errorOptions,
        'the user has two-factor authentication, which a session login cannot complete; use mode "jsonrpc" with an API key',
      );
    }
    if (typeof uid !== 'number' || !Number.isInteger(uid) || uid <= 0) {
      throw new ProtocolError(
        `${SESSION_AUTHENTICATE_PATH} at ${this.config.baseUrl} answered without a user id.`,
        describeValue(answer.result),
        options.errorOptions,
      );
    }
    if (!this.#adoptCookie(answer.setCookie)) {
      throw new ProtocolError(
        `${SESSION_AUTHENTICATE_PATH} at ${this.config.baseUrl} set no session_id cookie; a proxy may strip cookies. Use mode "jsonrpc" instead.`,
        '',
        options.errorOptions,
      );
    }
    this.#uid = uid;
    return uid;
  }

  /** Takes the `session_id` from `Set-Cookie` headers, if any; returns whether one was found. */
  #adoptCookie(setCookie: readonly string[]): boolean {
    for (const header of setCookie) {
      const match = /^\s*session_id=([^;]*)/.exec(header);
      if (match?.[1]) {
        this.#sessionId = match[1];
        return true;
      }
    }
    return false;
  }

  #postOptions(options: TransportCallOptions): {
    signal: AbortSignal | undefined;
    timeoutMs: number;
    errorOptions: TransportCallOptions['errorOptions'];
    readOnly: boolean | undefined;
  } {
    return {
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      errorOptions: options.errorOptions,
      readOnly: options.readOnly,
    };
  }
}
