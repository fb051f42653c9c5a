/**
 * The Odoo client: authentication, `execute_kw` with the context always inside kwargs, typed helpers for the ORM
 * methods, safe retries, typed events, over a pluggable transport (`/jsonrpc`, the web session, Odoo 19's JSON-2, or `auto`: chosen by the server's version).
 *
 * @packageDocumentation
 */

import { EventHub } from '../util/event-hub.js';
import type { EventListener, EventOf } from '../util/event-hub.js';
import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';
import type { ZenooErrorOptions } from '../errors.js';
import {
  AbortError,
  ClientClosedError,
  MissingError,
  OutcomeUnknownError,
  ProtocolError,
  ZenooError,
} from '../errors.js';
import type { OdooClientEvent } from './client-events.js';
import type { OdooClientMode, OdooClientOptions, ResolvedOdooClientOptions } from './client-options.js';
import { resolveClientOptions } from './client-options.js';
import { externalIdDomain, splitExternalId } from './external-id-query.js';
import { describeValue } from './json-rpc-envelope.js';
import { AutoTransport } from './transports/auto-transport.js';
import { JsonRpcTransport } from './transports/json-rpc-transport.js';
import { Json2Transport } from './transports/json2-transport.js';
import { ModelFacade } from './model-facade.js';
import type { OdooCalls, RecordValues } from './odoo-calls.js';
import type { OdooTransport, OrmCall, TransportCallOptions, TransportConfig } from './odoo-transport.js';
import { parseOdooVersion } from './parse-odoo-version.js';
import type { MethodKind, RetryOptions } from './retry-policy.js';
import { classifyMethod, decideRetry } from './retry-policy.js';
import { SessionTransport } from './transports/session-transport.js';
import type {
  CallOptions,
  Domain,
  FieldInfo,
  FieldsGetOptions,
  LoadResult,
  NameSearchOptions,
  OdooVersion,
  SearchOptions,
  SearchReadOptions,
} from './types.js';

/** What the retry loop needs to know about a call. */
interface CallDescriptor {
  readonly model: string | undefined;
  readonly method: string;
  readonly kind: MethodKind;
  /** The records a write is about, for `OutcomeUnknownError`. */
  readonly records: readonly unknown[];
}

/**
 * A client for Odoo's external API.
 *
 * Calls authenticate lazily (once, shared by concurrent calls); reads are retried on transient failures; writes are
 * retried only when the server cannot have committed them, and a write whose outcome is unknown rejects with
 * `OutcomeUnknownError` instead of being resent. The secret stays in a private field: it is absent from errors,
 * events, `util.inspect(client)` and `JSON.stringify(client)`.
 *
 * @example
 * ```ts
 * const client = new OdooClient({ url: 'https://erp.example.com', db: 'prod', username: 'admin', apiKey: process.env.ODOO_KEY });
 * client.on('retry', (event) => log.warn(`${event.model}.${event.method} retry in ${event.delayMs} ms: ${event.error.code}`));
 * const [id] = await client.create('res.partner', [{ name: 'Acme' }], { context: { tracking_disable: true } });
 * const partners = await client.searchRead('res.partner', [['id', '=', id]], { fields: ['name'] });
 * client.close();
 * ```
 */
export class OdooClient implements OdooCalls {
  /** Base URL of the server (normalized, never with credentials). */
  readonly url: string;
  /** Database name. */
  readonly db: string;
  /** Login of the user. */
  readonly username: string;
  /** Transport mode. */
  readonly mode: OdooClientMode;
  readonly #options: ResolvedOdooClientOptions;
  readonly #transport: OdooTransport;
  readonly #events = new EventHub<OdooClientEvent>();
  #authenticating: Promise<number> | undefined;
  #version: OdooVersion | undefined;
  #closed = false;
  #nextCallId = 1;

  /** @throws TypeError for invalid options (see {@link OdooClientOptions}). */
  constructor(options: OdooClientOptions) {
    const { options: resolved, secret } = resolveClientOptions(options);
    this.#options = resolved;
    this.url = resolved.url;
    this.db = resolved.db;
    this.username = resolved.username;
    this.mode = resolved.mode;
    const config = {
      baseUrl: resolved.url,
      db: resolved.db,
      login: resolved.username,
      secret,
      maxSockets: resolved.maxSockets,
    };
    this.#transport = options.transport?.(config) ?? this.#transportOf(resolved, config);
  }

  /** The transport `mode` names. */
  #transportOf(resolved: ResolvedOdooClientOptions, config: TransportConfig): OdooTransport {
    switch (resolved.mode) {
      case 'session':
        return new SessionTransport(config);
      case 'json2':
        return new Json2Transport(config);
      case 'auto':
        return new AutoTransport(config, resolved.secretKind, (message) =>
          this.#events.emit({ type: 'notice', message }),
        );
      case 'jsonrpc':
        return new JsonRpcTransport(config);
      default:
        return resolved.mode satisfies never;
    }
  }

  /**
   * The transport in use: `jsonrpc`, `session`, `json2` (or the `mode` of a custom transport). For mode `auto`, `auto`
   * until the first call (the login) asked the server's version and chose.
   */
  get activeMode(): string {
    return this.#transport.mode;
  }

  /** The uid of the logged-in user, once authenticated. */
  get uid(): number | undefined {
    return this.#transport.uid;
  }

  /** The resolved retry options. */
  get retryOptions(): Readonly<RetryOptions> {
    return this.#options.retry;
  }

  /**
   * Logs in and caches the uid (other calls do this lazily).
   *
   * @throws AuthenticationError naming url, db and login when the server refuses the credentials.
   */
  async authenticate(options: CallOptions = {}): Promise<number> {
    return this.#run({ model: undefined, method: 'authenticate', kind: 'read', records: [] }, options, (call) =>
      this.#transport.authenticate(call),
    );
  }

  /** The server version, parsed (`major`, `minor`) so that callers can branch on 16/17/18. Cached after the first call. */
  async version(options: CallOptions = {}): Promise<OdooVersion> {
    if (this.#version) return this.#version;
    const raw = await this.#run({ model: undefined, method: 'version', kind: 'read', records: [] }, options, (call) =>
      this.#transport.version(call),
    );
    this.#version = parseOdooVersion(raw, { url: this.url, method: 'version' });
    return this.#version;
  }

  /**
   * Calls an ORM method: `execute_kw(model, method, args, kwargs)`. The context (client default, then
   * `kwargs.context`, then `options.context`) always travels inside kwargs.
   *
   * @throws the mapped `RpcFault` subclass, a transport error, or `OutcomeUnknownError` for a write whose answer was lost.
   */
  async executeKw<T = unknown>(
    model: string,
    method: string,
    args: readonly unknown[] = [],
    kwargs: Readonly<Record<string, unknown>> = {},
    options: CallOptions = {},
  ): Promise<T> {
    if (typeof model !== 'string' || model === '')
      throw new TypeError('Expected `model` to be a non-empty string, e.g. "res.partner"');
    if (typeof method !== 'string' || method === '')
      throw new TypeError('Expected `method` to be a non-empty string, e.g. "search_read"');
    if (!Array.isArray(args))
      throw new TypeError(`Expected the args of ${model}.${method} to be an array of positional arguments`);
    if (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs)) {
      throw new TypeError(`Expected the kwargs of ${model}.${method} to be an object`);
    }
    const { context: given, ...rest } = kwargs;
    return this.#call<T>({ model, method, args, kwargs: rest, context: asContext(given) }, options);
  }

  /**
   * Calls a public method of a model on records: `model.method(ids, *args, **kwargs)`, e.g. `action_confirm` on
   * sale orders. Resolves to what the method returned (`undefined` for a method that returns nothing).
   *
   * @throws the mapped `RpcFault` subclass (a `UserError` of the method as `ValidationError`…), a transport error, or
   * `OutcomeUnknownError` when the answer was lost.
   */
  async callMethod<T = unknown>(
    model: string,
    method: string,
    ids: readonly number[],
    options: CallOptions & {
      readonly args?: readonly unknown[];
      readonly kwargs?: Readonly<Record<string, unknown>>;
    } = {},
  ): Promise<T> {
    if (typeof model !== 'string' || model === '')
      throw new TypeError('Expected `model` to be a non-empty string, e.g. "sale.order"');
    if (typeof method !== 'string' || !/^[A-Za-z]\w*$/.test(method)) {
      throw new TypeError(`Expected \`method\` to be a public method name, got ${JSON.stringify(method)}`);
    }
    assertIds(ids, model, method);
    const { args = [], kwargs = {}, ...callOptions } = options;
    const { context: given, ...rest } = kwargs;
    const result = await this.#call<T | null>(
      { model, method, ids, args, kwargs: rest, context: asContext(given) },
      callOptions,
    );
    // A method returning None answers with no result at all (JSON-RPC omits `result`; the envelope reads it as null).
    return (result === null ? undefined : result) as T;
  }

  /** Runs one ORM call through the transport: the context merged (client default, call's, options'), retries. */
  async #call<T>(call: OrmCall, options: CallOptions): Promise<T> {
    const context = { ...this.#options.context, ...call.context, ...options.context };
    await this.#ensureAuthenticated(options);
    const positional = call.ids === undefined ? call.args : [call.ids, ...call.args];
    const descriptor: CallDescriptor = {
      model: call.model,
      method: call.method,
      kind: classifyMethod(call.method),
      records: affectedRecords(call.method, positional),
    };
    return (await this.#run(descriptor, options, (transportOptions) =>
      this.#transport.call({ ...call, context }, transportOptions),
    )) as T;
  }

  /** Creates one record and returns its id. */
  create(model: string, values: RecordValues, options?: CallOptions): Promise<number>;
  /** Creates several records in one call and returns their ids in input order. */
  create(model: string, values: readonly RecordValues[], options?: CallOptions): Promise<number[]>;
  async create(
    model: string,
    values: RecordValues | readonly RecordValues[],
    options: CallOptions = {},
  ): Promise<number | number[]> {
    if (typeof values !== 'object' || values === null) {
      throw new TypeError(`Expected the values of ${model}.create to be an object or an array of objects`);
    }
    return this.executeKw<number | number[]>(model, 'create', [values], {}, options);
  }

  /** Writes the same values to records; resolves `true`. */
  async write(
    model: string,
    ids: readonly number[],
    values: RecordValues,
    options: CallOptions = {},
  ): Promise<boolean> {
    return this.executeKw<boolean>(model, 'write', [assertIds(ids, model, 'write'), values], {}, options);
  }

  /**
   * Deletes records; resolves `true`. Idempotent: records that are already gone are not an error (Odoo raises
   * MissingError for the whole call, so the client deletes whatever still exists and succeeds).
   */
  async unlink(model: string, ids: readonly number[], options: CallOptions = {}): Promise<boolean> {
    assertIds(ids, model, 'unlink');
    try {
      return await this.executeKw<boolean>(model, 'unlink', [ids], {}, options);
    } catch (error) {
      if (!(error instanceof MissingError)) throw error;
      const remaining = await this.search(model, [['id', 'in', ids]], {
        ...options,
        context: { ...options.context, active_test: false },
      });
      if (remaining.length === 0) return true;
      return this.executeKw<boolean>(model, 'unlink', [remaining], {}, options);
    }
  }

  /** Reads records by id (ids that no longer exist are silently left out by Odoo). */
  async read<R = Record<string, unknown>>(
    model: string,
    ids: readonly number[],
    fields?: readonly string[],
    options: CallOptions = {},
  ): Promise<R[]> {
    const args = fields === undefined ? [assertIds(ids, model, 'read')] : [assertIds(ids, model, 'read'), fields];
    return this.executeKw<R[]>(model, 'read', args, {}, options);
  }

  /** Ids of the records matching a domain. */
  async search(model: string, domain: Domain, options: CallOptions & SearchOptions = {}): Promise<number[]> {
    return this.executeKw<number[]>(
      model,
      'search',
      [assertDomain(domain, model)],
      pick(options, ['offset', 'limit', 'order']),
      options,
    );
  }

  /** Records matching a domain, with the given fields. */
  async searchRead<R = Record<string, unknown>>(
    model: string,
    domain: Domain,
    options: CallOptions & SearchReadOptions = {},
  ): Promise<R[]> {
    return this.executeKw<R[]>(
      model,
      'search_read',
      [assertDomain(domain, model)],
      pick(options, ['fields', 'offset', 'limit', 'order']),
      options,
    );
  }

  /** Number of records matching a domain. */
  async searchCount(model: string, domain: Domain, options: CallOptions = {}): Promise<number> {
    return this.executeKw<number>(model, 'search_count', [assertDomain(domain, model)], {}, options);
  }

  /** Field metadata of a model. */
  async fieldsGet(model: string, options: CallOptions & FieldsGetOptions = {}): Promise<Record<string, FieldInfo>> {
    return this.executeKw<Record<string, FieldInfo>>(model, 'fields_get', [], pick(options, ['attributes']), options);
  }

  /** The default values the server would give `fields` of a new record (`default_get`): only fields with a default. */
  async defaultGet(
    model: string,
    fields: readonly string[],
    options: CallOptions = {},
  ): Promise<Record<string, unknown>> {
    if (!Array.isArray(fields) || fields.some((field) => typeof field !== 'string')) {
      throw new TypeError(`Expected the fields of ${model}.default_get to be an array of field names`);
    }
    return this.executeKw<Record<string, unknown>>(model, 'default_get', [fields], {}, options);
  }

  /** `[id, display name]` pairs of records whose display name matches `name`. */
  async nameSearch(
    model: string,
    name: string,
    options: CallOptions & NameSearchOptions = {},
  ): Promise<[number, string][]> {
    const kwargs: Record<string, unknown> = { name, ...pick(options, ['operator', 'limit']) };
    // `args` is Odoo's name for the extra domain up to 18 (renamed `domain` in 19).
    if (options.domain !== undefined) kwargs['args'] = assertDomain(options.domain, model);
    return this.executeKw<[number, string][]>(model, 'name_search', [], kwargs, options);
  }

  /**
   * Imports rows like the web importer: an `id` column creates or updates by external id, in one transaction.
   * Row problems come back in `messages` (with `ids: false`, nothing written); they do not reject.
   */
  async load(
    model: string,
    fields: readonly string[],
    rows: readonly (readonly unknown[])[],
    options: CallOptions = {},
  ): Promise<LoadResult> {
    if (!Array.isArray(fields) || !Array.isArray(rows)) {
      throw new TypeError(`Expected the fields and rows of ${model}.load to be arrays`);
    }
    return this.executeKw<LoadResult>(model, 'load', [fields, rows], {}, options);
  }

  /** `[model, id]` of an external id (`module`, `name`); rejects with `InvalidValueError` when it does not exist. */
  async checkObjectReference(module: string, name: string, options: CallOptions = {}): Promise<[string, number]> {
    return this.executeKw<[string, number]>('ir.model.data', 'check_object_reference', [module, name], {}, options);
  }

  /**
   * The database id an external id (`module.name`) points to, or `undefined` when there is no such external id.
   * One `ir.model.data` lookup; the target record itself is not read (a record deleted outside Odoo's ORM could leave
   * a dangling external id).
   */
  async resolveXmlId(xmlid: string, options: CallOptions = {}): Promise<number | undefined> {
    const parts = splitExternalId(xmlid);
    if (parts === undefined) {
      throw new TypeError(`Expected an external id as "module.name" (e.g. "base.be"), got ${JSON.stringify(xmlid)}`);
    }
    // The same query as the plan's reference reader (externalIdDomain); only res_id is read, since a caller of this
    // helper wants the id alone.
    const rows = await this.searchRead<{ res_id: unknown }>('ir.model.data', externalIdDomain(parts), {
      ...options,
      fields: ['res_id'],
      limit: 1,
    });
    const resId = rows[0]?.res_id;
    if (resId === undefined || resId === false || resId === 0) return undefined;
    if (typeof resId !== 'number') {
      throw new ProtocolError(`ir.model.data answered a non-numeric res_id for ${xmlid}`, describeValue(resId), {
        url: this.url,
      });
    }
    return resId;
  }

  /** A small typed facade over the same calls for one model. */
  model<R = Record<string, unknown>>(name: string): ModelFacade<R> {
    if (typeof name !== 'string' || name === '')
      throw new TypeError('Expected the model name to be a non-empty string');
    return new ModelFacade<R>(this, name);
  }

  /**
   * Listens to the client's events of one `type` (`request`, `response`, `retry`, `notice`); returns a function that stops
   * listening. Events describe calls and never carry values or secrets.
   */
  on<T extends OdooClientEvent['type']>(type: T, listener: EventListener<EventOf<OdooClientEvent, T>>): () => void {
    return this.#events.on(type, listener);
  }

  /** Stops `listener` listening to `type`. */
  off<T extends OdooClientEvent['type']>(type: T, listener: EventListener<EventOf<OdooClientEvent, T>>): void {
    this.#events.off(type, listener);
  }

  /** Destroys the keep-alive connections. Further calls reject. */
  close(): void {
    this.#closed = true;
    this.#transport.close();
  }

  /** What `util.inspect` shows: no secret. */
  [inspect.custom](): string {
    return `OdooClient { url: '${this.url}', db: '${this.db}', username: '${this.username}', mode: '${this.mode}' }`;
  }

  /** What `JSON.stringify` shows: no secret. */
  toJSON(): Record<string, unknown> {
    return { url: this.url, db: this.db, username: this.username, mode: this.mode, uid: this.uid };
  }

  /** Logs in unless already logged in; concurrent first calls share one login. */
  async #ensureAuthenticated(options: CallOptions): Promise<void> {
    while (this.#transport.uid === undefined) {
      const login = (this.#authenticating ??= this.authenticate(options).finally(() => {
        this.#authenticating = undefined;
      }));
      try {
        await login;
      } catch (error) {
        // The shared login ran under the signal of the call that started it; if that call was aborted, the others
        // were not: they start a login of their own.
        if (error instanceof AbortError && !options.signal?.aborted) continue;
        throw error;
      }
    }
  }

  /** Runs one call through the retry policy, emitting `request`, `response` and `retry` events. */
  async #run<T>(
    call: CallDescriptor,
    options: CallOptions,
    attempt: (options: TransportCallOptions) => Promise<T>,
  ): Promise<T> {
    const subject = call.model ? `${call.model}.${call.method}` : call.method;
    const errorOptions: ZenooErrorOptions = {
      url: this.url,
      db: this.db,
      ...(call.model ? { model: call.model } : {}),
      method: call.method,
      ...options.errorContext,
    };
    if (this.#closed) {
      throw new ClientClosedError(`${subject}: the client is closed; create a new OdooClient.`, errorOptions);
    }
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new TypeError(
        `Expected \`timeoutMs\` of ${subject} to be an integer from 1 and up, got ${String(timeoutMs)}`,
      );
    }
    const retry =
      options.retry === undefined
        ? this.#options.retry
        : { ...this.#options.retry, limit: options.retry === false ? 0 : options.retry.limit };
    const signal = options.signal;
    const callId = this.#nextCallId++;
    for (let number = 1; ; number++) {
      if (signal?.aborted) {
        throw new AbortError(`${subject} was aborted before it was sent.`, 'not-sent', {
          ...errorOptions,
          cause: signal.reason,
        });
      }
      const event = { callId, model: call.model, method: call.method, kind: call.kind, attempt: number };
      this.#events.emit({ type: 'request', ...event });
      const started = performance.now();
      try {
        const result = await attempt({ signal, timeoutMs, errorOptions, readOnly: call.kind === 'read' });
        this.#events.emit({ type: 'response', ...event, durationMs: performance.now() - started });
        return result;
      } catch (caught) {
        if (!(caught instanceof ZenooError)) throw caught;
        this.#events.emit({ type: 'response', ...event, durationMs: performance.now() - started, error: caught });
        const decision = signal?.aborted
          ? ({ action: 'fail' } as const)
          : decideRetry({ error: caught, kind: call.kind, attempt: number, options: retry });
        if (decision.action === 'outcome-unknown') {
          throw new OutcomeUnknownError(
            `${subject}: the request was sent but no answer came back (${caught.message}). The server may or may not ` +
              `have committed it, so it was not resent: look the ${call.records.length} record(s) up (by external id or ` +
              'key) and send only the missing ones.',
            call.records,
            { ...errorOptions, cause: caught },
          );
        }
        if (decision.action !== 'retry') throw caught;
        this.#events.emit({ type: 'retry', ...event, delayMs: decision.delayMs, error: caught });
        try {
          await delay(decision.delayMs, undefined, signal ? { signal } : {});
        } catch {
          throw new AbortError(`${subject} was aborted while waiting to retry.`, 'not-sent', {
            ...errorOptions,
            cause: caught,
          });
        }
      }
    }
  }
}

/** The records a call is about: the values for `create`, the ids for `write`/`unlink`, the rows for `load`. */
function affectedRecords(method: string, args: readonly unknown[]): readonly unknown[] {
  const first = args[0];
  if (method === 'create') return Array.isArray(first) ? first : first === undefined ? [] : [first];
  if (method === 'load') return Array.isArray(args[1]) ? args[1] : [];
  return Array.isArray(first) ? first : args;
}

function asContext(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('Expected `kwargs.context` to be an object');
  }
  return value as Record<string, unknown>;
}

function assertIds(ids: readonly number[], model: string, method: string): readonly number[] {
  if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id) && id > 0)) {
    throw new TypeError(
      `Expected the ids of ${model}.${method} to be an array of positive integers, got ${describeValue(ids)}`,
    );
  }
  return ids;
}

function assertDomain(domain: Domain, model: string): Domain {
  if (!Array.isArray(domain)) {
    throw new TypeError(
      `Expected the domain for ${model} to be an array like [['name', '=', 'x']] (use [] for all records)`,
    );
  }
  return domain;
}

/** Copies the defined keys of `source` (for kwargs: Odoo rejects unknown keys, so send only what was asked). */
function pick<T extends object, K extends keyof T & string>(source: T, keys: readonly K[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of keys) {
    if (source[key] !== undefined) result[key] = source[key];
  }
  return result;
}
