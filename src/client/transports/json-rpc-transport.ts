/**
 * The stateless `/jsonrpc` transport: `common.version`, `common.authenticate`, and `object.execute_kw` with the
 * credentials on every call. Works with passwords and API keys, on every Odoo version from 14 to 18.
 *
 * @packageDocumentation
 */

import { ProtocolError } from '../../errors.js';
import { HttpTransport } from './http-transport.js';
import { describeValue as describe } from '../json-rpc-envelope.js';
import { authenticationRefused, executeKwArguments } from '../odoo-transport.js';
import type { OrmCall, TransportCallOptions, TransportConfig } from '../odoo-transport.js';

/** Path of Odoo's external JSON-RPC endpoint. */
export const JSON_RPC_PATH = '/jsonrpc';

/** Talks to `POST /jsonrpc` (services `common` and `object`). */
export class JsonRpcTransport extends HttpTransport {
  /** Transport name. */
  readonly mode = 'jsonrpc';
  readonly #secret: string;
  #uid: number | undefined;

  constructor(config: TransportConfig) {
    super(config, () => [config.secret]);
    this.#secret = config.secret;
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
        `common.version at ${this.config.baseUrl} answered ${describe(result)} instead of a version object.`,
        describe(result),
        options.errorOptions,
      );
    }
    return result as Record<string, unknown>;
  }

  /** `common.authenticate(db, login, secret, {})`: the uid, or `false` turned into an `AuthenticationError`. */
  async authenticate(options: TransportCallOptions): Promise<number> {
    const { db, login } = this.config;
    const result = await this.#service('common', 'authenticate', [db, login, this.#secret, {}], options);
    if (result === false) throw authenticationRefused(this.config, options.errorOptions);
    if (typeof result !== 'number' || !Number.isInteger(result) || result <= 0) {
      throw new ProtocolError(
        `common.authenticate at ${this.config.baseUrl} answered ${describe(result)} instead of a user id or false.`,
        describe(result),
        options.errorOptions,
      );
    }
    this.#uid = result;
    return result;
  }

  /** `object.execute_kw(db, uid, secret, model, method, [ids, ...args], {...kwargs, context})`. */
  async call(call: OrmCall, options: TransportCallOptions): Promise<unknown> {
    const uid = this.#uid ?? (await this.authenticate(options));
    const { args, kwargs } = executeKwArguments(call);
    return this.#service(
      'object',
      'execute_kw',
      [this.config.db, uid, this.#secret, call.model, call.method, args, kwargs],
      options,
      `${call.model}.${call.method}`,
    );
  }

  async #service(
    service: string,
    method: string,
    args: readonly unknown[],
    options: TransportCallOptions,
    subject = `${service}.${method}`,
  ): Promise<unknown> {
    const { result } = await this.http.post(
      JSON_RPC_PATH,
      { service, method, args },
      {
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        subject,
        errorOptions: options.errorOptions,
        readOnly: options.readOnly,
      },
    );
    return result;
  }
}
