/**
 * The stateless `/jsonrpc` transport: `common.version`, `common.authenticate`, and `object.execute_kw` with the
 * credentials on every call. Works with passwords and API keys, on every Odoo version from 14 to 18.
 *
 * @packageDocumentation
 */

import { inspect } from 'node:util';
import { ProtocolError } from '../errors.js';
import { describeValue as describe } from './json-rpc-envelope.js';
import { JsonRpcHttp } from './json-rpc-http.js';
import { authenticationRefused } from './odoo-transport.js';
import type { OdooTransport, TransportCallOptions, TransportConfig } from './odoo-transport.js';
import { redactSecrets } from './redact-secrets.js';

/** Path of Odoo's external JSON-RPC endpoint. */
export const JSON_RPC_PATH = '/jsonrpc';

/** Talks to `POST /jsonrpc` (services `common` and `object`). */
export class JsonRpcTransport implements OdooTransport {
  /** Transport name. */
  readonly mode = 'jsonrpc';
  readonly #config: Omit<TransportConfig, 'secret'>;
  readonly #secret: string;
  readonly #http: JsonRpcHttp;
  #uid: number | undefined;

  constructor(config: TransportConfig) {
    const { secret, ...rest } = config;
    this.#config = rest;
    this.#secret = secret;
    this.#http = new JsonRpcHttp({
      baseUrl: config.baseUrl,
      maxSockets: config.maxSockets,
      redact: (text) => redactSecrets(text, [this.#secret]),
    });
  }

  /** The uid of the logged-in user, once known. */
  get uid(): number | undefined {
    return this.#uid;
  }

  /** `common.version`. */
  async version(options: TransportCallOptions): Promise<Record<string, unknown>> {
    const result = await this.#service('common', 'version', [], options);
    if (typeof result !== 'object' || result === null || Array.isArray(result)) {
      throw new ProtocolError(
        `common.version at ${this.#config.baseUrl} answered ${describe(result)} instead of a version object.`,
        describe(result),
        options.errorOptions,
      );
    }
    return result as Record<string, unknown>;
  }

  /** `common.authenticate(db, login, secret, {})`: the uid, or `false` turned into an `AuthenticationError`. */
  async authenticate(options: TransportCallOptions): Promise<number> {
    const { db, login } = this.#config;
    const result = await this.#service('common', 'authenticate', [db, login, this.#secret, {}], options);
    if (result === false) throw authenticationRefused(this.#config, options.errorOptions);
    if (typeof result !== 'number' || !Number.isInteger(result) || result <= 0) {
      throw new ProtocolError(
        `common.authenticate at ${this.#config.baseUrl} answered ${describe(result)} instead of a user id or false.`,
        describe(result),
        options.errorOptions,
      );
    }
    this.#uid = result;
    return result;
  }

  /** `object.execute_kw(db, uid, secret, model, method, args, kwargs)`. */
  async executeKw(
    model: string,
    method: string,
    args: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>>,
    options: TransportCallOptions,
  ): Promise<unknown> {
    const uid = this.#uid ?? (await this.authenticate(options));
    return this.#service(
      'object',
      'execute_kw',
      [this.#config.db, uid, this.#secret, model, method, args, kwargs],
      options,
      `${model}.${method}`,
    );
  }

  /** Closes the keep-alive connections. */
  close(): void {
    this.#http.close();
  }

  /** What `util.inspect` shows: never the secret. */
  [inspect.custom](): string {
    return `JsonRpcTransport { url: '${this.#config.baseUrl}', db: '${this.#config.db}', login: '${this.#config.login}' }`;
  }

  /** What `JSON.stringify` shows: never the secret. */
  toJSON(): Record<string, unknown> {
    return { mode: this.mode, url: this.#config.baseUrl, db: this.#config.db, login: this.#config.login };
  }

  async #service(
    service: string,
    method: string,
    args: readonly unknown[],
    options: TransportCallOptions,
    subject = `${service}.${method}`,
  ): Promise<unknown> {
    const { result } = await this.#http.post(
      JSON_RPC_PATH,
      { service, method, args },
      { signal: options.signal, timeoutMs: options.timeoutMs, subject, errorOptions: options.errorOptions },
    );
    return result;
  }
}
