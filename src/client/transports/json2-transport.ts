/**
 * The JSON-2 transport of Odoo 19 and later: `POST /json/2/<model>/<method>` with the method's arguments by name, the
 * API key as `Authorization: bearer`, the database in `X-Odoo-Database`, plain JSON results, errors as HTTP statuses.
 * Stateless: every call carries the key and runs in a transaction of its own. `/jsonrpc`, which Odoo 19 deprecates
 * and schedules for removal in Odoo 20, is not used at all.
 *
 * The uid comes from `res.users.context_get`, the one call every user may make that names the user the key belongs
 * to (JSON-2 has no login: the key decides the user, the configured login only names it in messages).
 *
 * @packageDocumentation
 */
import { ProtocolError } from '../../errors.js';
import type { ZenooErrorOptions } from '../../errors.js';
import { describeValue } from '../json-rpc-envelope.js';
import { authenticationRefused } from '../odoo-transport.js';
import type { OrmCall, TransportCallOptions, TransportConfig } from '../odoo-transport.js';
import { HttpTransport } from './http-transport.js';
import { json2Body } from './json2-arguments.js';
import { decodeJson2Answer } from './json2-answer.js';

/** Path prefix of the JSON-2 API. */
export const JSON2_PATH = '/json/2';
/** Version route that needs neither a database nor a login (JSON-2 has no version method). */
export const JSON2_VERSION_PATH = '/web/webclient/version_info';

/**
 * How to get an API key, for messages that refuse a password where JSON-2 needs a key. Shared by the option check
 * of mode `json2` and by mode `auto` on a server of version 19 or later.
 */
export const API_KEY_HOWTO =
  'Create one in Odoo under your avatar → Preferences → Account Security → New API Key (or, for another user, ' +
  'Settings → Users → the user → Account Security). A key is shown once; keys of users who are not administrators ' +
  'must have an expiry date (at most what their groups allow), so plan to renew it. Then pass it as `apiKey` ' +
  '(CLI: --api-key, ZENOO_API_KEY, or api_key in a profile) instead of the password.';

/** Talks to `POST /json/2/<model>/<method>` with a bearer API key. */
export class Json2Transport extends HttpTransport {
  /** Transport name. */
  readonly mode = 'json2';
  readonly #apiKey: string;
  #uid: number | undefined;

  /** @param config - `secret` is the API key (Odoo refuses passwords on JSON-2). */
  constructor(config: TransportConfig) {
    super(config, () => [config.secret]);
    this.#apiKey = config.secret;
  }

  /** The uid of the key's user, once known. */
  get uid(): number | undefined {
    return this.#uid;
  }

  /** `/web/webclient/version_info`: the `common.version` object, without database or key. */
  async version(options: TransportCallOptions): Promise<Record<string, unknown>> {
    const { result } = await this.http.post(
      JSON2_VERSION_PATH,
      {},
      {
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        subject: 'version_info',
        errorOptions: options.errorOptions,
      },
    );
    if (typeof result !== 'object' || result === null || Array.isArray(result)) {
      throw new ProtocolError(
        `${JSON2_VERSION_PATH} at ${this.config.baseUrl} answered ${describeValue(result)} instead of a version object.`,
        describeValue(result),
        options.errorOptions,
      );
    }
    return result as Record<string, unknown>;
  }

  /**
   * Checks the key and learns the uid: `res.users.context_get` answers the user's context, `uid` included.
   *
   * @throws AuthenticationError when the server refuses the key (401).
   */
  async authenticate(options: TransportCallOptions): Promise<number> {
    const context = await this.#post('res.users', 'context_get', {}, options);
    const uid = (context as { uid?: unknown } | null)?.uid;
    if (typeof uid !== 'number' || !Number.isInteger(uid) || uid <= 0) {
      throw new ProtocolError(
        `res.users.context_get at ${this.config.baseUrl} answered ${describeValue(context)} without a user id.`,
        describeValue(context),
        options.errorOptions,
      );
    }
    this.#uid = uid;
    return uid;
  }

  /**
   * `POST /json/2/<model>/<method>` with `ids`, the arguments by name and `context`. A `create` given one dict
   * resolves to its id, as over JSON-RPC (JSON-2 always answers a list of ids).
   *
   * @throws TypeError when positional arguments cannot be named (see `json2Body`); the mapped error otherwise.
   */
  async call(call: OrmCall, options: TransportCallOptions): Promise<unknown> {
    const body = json2Body(call);
    if (this.#uid === undefined) await this.authenticate(options);
    const result = await this.#post(call.model, call.method, body, options);
    if (call.method === 'create' && isSingleValues(body['vals_list']) && Array.isArray(result) && result.length === 1) {
      return result[0];
    }
    return result;
  }

  async #post(
    model: string,
    method: string,
    body: Readonly<Record<string, unknown>>,
    options: TransportCallOptions,
  ): Promise<unknown> {
    const subject = `${model}.${method}`;
    const answer = await this.http.send(
      `${JSON2_PATH}/${encodeURIComponent(model)}/${encodeURIComponent(method)}`,
      JSON.stringify(body),
      {
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        subject,
        errorOptions: options.errorOptions,
        // The database header always: a single-database server would guess, a multi-database one would answer 404.
        headers: { authorization: `bearer ${this.#apiKey}`, 'x-odoo-database': this.config.db },
      },
    );
    return decodeJson2Answer(answer, {
      label: answer.label,
      baseUrl: this.config.baseUrl,
      db: this.config.db,
      errorOptions: options.errorOptions,
      redact: (text) => this.http.redact(text),
      unauthorized: (reason) => this.#refused(reason, options.errorOptions),
    });
  }

  #refused(reason: string, errorOptions: ZenooErrorOptions): ReturnType<typeof authenticationRefused> {
    return authenticationRefused(
      this.config,
      errorOptions,
      `${reason.replace(/\.$/, '')} (JSON-2 takes an API key, not a password; the key may be wrong, expired or ` +
        'revoked, or its user archived)',
    );
  }
}

/** Whether `create`'s `vals_list` is one dict rather than a list (Odoo accepts both). */
function isSingleValues(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
