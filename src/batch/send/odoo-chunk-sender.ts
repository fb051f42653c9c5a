/**
 * {@link OdooChunkSender}: sends batch chunks to Odoo with `create`, `load`, `write`, `unlink` and method calls, and
 * reconciles idempotent creates through `ir.model.data` and guarded calls through their guard.
 *
 * ## Idempotent creates: `load` versus `create` + `ir.model.data`
 *
 * A create chunk with external ids is sent one of two ways:
 *
 * - **`load` with an `id` column** (preferred, chosen whenever every value of the chunk can be written as a load
 *   cell): Odoo creates each record and its external id in one transaction, and updates instead of duplicating when the
 *   external id already exists. A lost answer is reconciled by looking the external ids up: since the call was atomic,
 *   the records found exist and the missing ones were not committed, so only those are resent. Row problems come
 *   back as per-row messages, mapped to the record indexes.
 * - **`create`, then `ir.model.data.create`** (fallback for values `load` cannot express: x2many commands other than
 *   a plain set of ids, nested values, empty strings, chunks whose records do not all have the same fields): existing
 *   external ids are looked up first and their records are not created again; the rest are created, then their
 *   external ids. These are two transactions: if the answer to the `create` is lost, the records may exist without
 *   their external ids, so reconciliation cannot tell and they are reported as outcome-unknown (never resent).
 *
 * @packageDocumentation
 */
import { LoadRowError, ProtocolError, RpcFault } from '../../errors.js';
import type { CallOptions, FieldInfo, LoadMessage } from '../../client/types.js';
import type { BatchClient } from '../batch-client.js';
import type {
  ChunkRequest,
  ChunkSendOptions,
  ChunkSendResult,
  ChunkSender,
  ReconcileResult,
  RowRejection,
} from './chunk-sender.js';
import type { MethodCall } from '../operations/method-call.js';
import { Reconciler } from './reconciler.js';
import { splitExternalId } from '../../client/external-id-query.js';

/** How create chunks with external ids are sent. */
export type IdempotentCreateStrategy = 'auto' | 'load' | 'create';

/** Options of an {@link OdooChunkSender}. */
export interface OdooChunkSenderOptions {
  /**
   * `auto` uses `load` for chunks whose values it can express and `create` + `ir.model.data` otherwise; `load` fails
   * such chunks instead; `create` never uses `load`.
   * @default 'auto'
   */
  readonly idempotentCreate?: IdempotentCreateStrategy;
}

/** Default {@link OdooChunkSenderOptions.idempotentCreate}. */
export const DEFAULT_IDEMPOTENT_CREATE: IdempotentCreateStrategy = 'auto';

/** A chunk expressed as `load` columns and rows. */
interface LoadPlan {
  readonly fields: string[];
  readonly rows: string[][];
}

/** Field types whose string values `load` takes as they are. */
const STRING_TYPES = new Set(['char', 'text', 'html', 'selection', 'date', 'datetime']);
const NUMBER_TYPES = new Set(['integer', 'float', 'monetary']);

/** Sends chunks through an Odoo client. */
export class OdooChunkSender implements ChunkSender {
  readonly #client: BatchClient;
  readonly #reconciler: Reconciler;
  readonly #strategy: IdempotentCreateStrategy;
  readonly #fields = new Map<string, Promise<Readonly<Record<string, FieldInfo>>>>();
  // methodOf() and send() both need a request's load plan: build it once.
  readonly #plans = new WeakMap<ChunkRequest, Promise<LoadPlan | undefined>>();

  constructor(client: BatchClient, options: OdooChunkSenderOptions = {}) {
    if (client === null || typeof client !== 'object' || typeof client.executeKw !== 'function') {
      throw new TypeError('Expected `client` to be an OdooClient (an object with an executeKw method).');
    }
    const { idempotentCreate = DEFAULT_IDEMPOTENT_CREATE } = options;
    if (!['auto', 'load', 'create'].includes(idempotentCreate)) {
      throw new TypeError(
        `Expected \`idempotentCreate\` to be 'auto', 'load' or 'create', got ${String(idempotentCreate)}.`,
      );
    }
    this.#client = client;
    this.#reconciler = new Reconciler(client);
    this.#strategy = idempotentCreate;
  }

  async methodOf(request: ChunkRequest): Promise<string> {
    switch (request.operationType) {
      case 'create':
        if (request.xmlids === undefined) return 'create';
        return (await this.#loadPlan(request, undefined)) === undefined ? 'create' : 'load';
      case 'update':
        return 'write';
      case 'delete':
        return 'unlink';
      case 'call':
        return expectCall(request).method;
    }
  }

  async send(request: ChunkRequest, options: ChunkSendOptions): Promise<ChunkSendResult> {
    const call = this.#callOptions(request, options);
    switch (request.operationType) {
      case 'create':
        return request.xmlids === undefined
          ? this.#create(request, call)
          : this.#idempotentCreate(request, options, call);
      case 'update': {
        await this.#client.executeKw(request.model, 'write', [request.ids, request.values], {}, call);
        return { kind: 'applied', ids: request.ids ?? [] };
      }
      case 'delete':
        return this.#unlink(request, call);
      case 'call':
        return this.#callMethod(request, call);
    }
  }

  /** A call is reconciled by its guard: the records of the chunk that still match it were not called. */
  canReconcile(request: ChunkRequest): boolean {
    return request.operationType === 'call' && request.call?.guard !== undefined;
  }

  async reconcile(request: ChunkRequest, options: ChunkSendOptions): Promise<ReconcileResult> {
    if (request.operationType === 'call') return this.#reconcileCall(request, options);
    const xmlids = request.xmlids ?? [];
    const call = this.#callOptions(request, options);
    const found = await this.#lookup(request.model, xmlids, call);
    return {
      ids: xmlids.map((xmlid) => found.get(xmlid)),
      // Only an atomic write (load) lets the missing ones be resent without risking a duplicate.
      resendable: (await this.#loadPlan(request, options)) !== undefined,
    };
  }

  async #create(request: ChunkRequest, call: CallOptions): Promise<ChunkSendResult> {
    const records = request.records ?? [];
    const ids = await this.#client.executeKw(request.model, 'create', [records], {}, call);
    return { kind: 'applied', ids: expectIds(ids, records.length, request.model, 'create') };
  }

  async #idempotentCreate(
    request: ChunkRequest,
    options: ChunkSendOptions,
    call: CallOptions,
  ): Promise<ChunkSendResult> {
    const plan = await this.#loadPlan(request, options);
    if (plan !== undefined) {
      const result = (await this.#client.executeKw(request.model, 'load', [plan.fields, plan.rows], {}, call)) as {
        ids?: unknown;
        messages?: LoadMessage[];
      } | null;
      if (result === null || typeof result !== 'object') {
        throw new ProtocolError(
          `${request.model}.load answered ${JSON.stringify(result)}, not {ids, messages}.`,
          String(result),
          {
            model: request.model,
            method: 'load',
          },
        );
      }
      if (result.ids === false)
        return { kind: 'rows-rejected', rejections: loadRejections(request, result.messages ?? []) };
      return { kind: 'applied', ids: expectIds(result.ids, request.size, request.model, 'load') };
    }
    if (this.#strategy === 'load') {
      throw new TypeError(
        `The values of a ${request.model} create chunk cannot be expressed as load rows (idempotentCreate: 'load'); use 'auto' to fall back to create + ir.model.data.`,
      );
    }
    return this.#createThenXmlids(request, call);
  }

  /** The `create` + `ir.model.data` path: skip records whose external id exists, create the rest, then their ids. */
  async #createThenXmlids(request: ChunkRequest, call: CallOptions): Promise<ChunkSendResult> {
    const xmlids = request.xmlids ?? [];
    const records = request.records ?? [];
    const existing = await this.#lookup(request.model, xmlids, call);
    const missing = xmlids.flatMap((xmlid, position) => (existing.has(xmlid) ? [] : [position]));
    const ids = xmlids.map((xmlid) => existing.get(xmlid));
    if (missing.length > 0) {
      const created = expectIds(
        await this.#client.executeKw(request.model, 'create', [missing.map((p) => records[p])], {}, call),
        missing.length,
        request.model,
        'create',
      );
      const rows = missing.map((position, i) => {
        const { module, name } = splitExternalId(xmlids[position]!)!;
        return { module, name, model: request.model, res_id: created[i] };
      });
      try {
        await this.#client.executeKw('ir.model.data', 'create', [rows], {}, call);
      } catch (error) {
        if (error instanceof RpcFault) {
          // Nothing of the external ids was committed: remove the records just created so a rerun starts clean.
          await this.#client.executeKw(request.model, 'unlink', [created], {}, call).catch(() => undefined);
        }
        throw error;
      }
      missing.forEach((position, i) => (ids[position] = created[i]));
    }
    return { kind: 'applied', ids: ids as number[] };
  }

  /** `model.method(ids, *args, **kwargs)`: whatever the method returns (None included) means it ran on every id. */
  async #callMethod(request: ChunkRequest, call: CallOptions): Promise<ChunkSendResult> {
    const ids = request.ids ?? [];
    const { method, args = [], kwargs = {} } = expectCall(request);
    if (this.#client.callMethod !== undefined) {
      await this.#client.callMethod(request.model, method, ids, { ...call, args, kwargs });
    } else {
      await this.#client.executeKw(request.model, method, [ids, ...args], kwargs, call);
    }
    return { kind: 'applied', ids };
  }

  /**
   * Selects the chunk's ids with the call's guard again: a record that no longer matches was moved out of it by the
   * call (applied); one that still matches was not called (one call is one transaction: all or nothing), so it may
   * be called again.
   */
  async #reconcileCall(request: ChunkRequest, options: ChunkSendOptions): Promise<ReconcileResult> {
    const ids = request.ids ?? [];
    const { guard } = expectCall(request);
    if (guard === undefined) return { ids: ids.map(() => undefined), resendable: false };
    const matching = await this.#reconciler.matching(request.model, ids, guard, this.#callOptions(request, options));
    return { ids: ids.map((id) => (matching.has(id) ? undefined : id)), resendable: true };
  }

  async #unlink(request: ChunkRequest, call: CallOptions): Promise<ChunkSendResult> {
    const ids = request.ids ?? [];
    await this.#client.unlink(request.model, ids, call);
    return { kind: 'applied', ids };
  }

  /** Finds the records of `xmlids` (of `model`) in `ir.model.data`. */
  async #lookup(model: string, xmlids: readonly string[], call: CallOptions): Promise<Map<string, number>> {
    const ids = await this.#reconciler.byXmlids(model, xmlids, call);
    const found = new Map<string, number>();
    ids.forEach((id, position) => {
      if (id !== undefined) found.set(xmlids[position]!, id);
    });
    return found;
  }

  /** The chunk as `load` columns and rows, or `undefined` when its values cannot be expressed as load cells. */
  #loadPlan(request: ChunkRequest, options: ChunkSendOptions | undefined): Promise<LoadPlan | undefined> {
    let plan = this.#plans.get(request);
    if (plan === undefined) {
      plan = this.#buildLoadPlan(request, options);
      this.#plans.set(request, plan);
    }
    return plan;
  }

  async #buildLoadPlan(request: ChunkRequest, options: ChunkSendOptions | undefined): Promise<LoadPlan | undefined> {
    if (this.#strategy === 'create' || request.records === undefined || request.xmlids === undefined) return undefined;
    const records = request.records;
    const first = records[0];
    if (first === undefined) return undefined;
    const keys = Object.keys(first);
    // A missing key means "default value" to create but "empty" to load: require the same fields on every record.
    if (records.some((record) => Object.keys(record).length !== keys.length || keys.some((key) => !(key in record))))
      return undefined;
    const fields = await this.#fieldsOf(request.model, options);
    const columns: string[] = ['id'];
    const converters: ((value: unknown) => string | undefined)[] = [];
    for (const key of keys) {
      const info = fields[key];
      if (info === undefined) return undefined; // let create report the unknown field with Odoo's clear message
      const column = loadColumn(key, info);
      if (column === undefined) return undefined;
      columns.push(column.name);
      converters.push(column.convert);
    }
    const rows: string[][] = [];
    for (const [position, record] of records.entries()) {
      const row = [request.xmlids[position]!];
      for (const [i, key] of keys.entries()) {
        const cell = converters[i]!(record[key]);
        if (cell === undefined) return undefined;
        row.push(cell);
      }
      rows.push(row);
    }
    return { fields: columns, rows };
  }

  #fieldsOf(model: string, options: ChunkSendOptions | undefined): Promise<Readonly<Record<string, FieldInfo>>> {
    let fields = this.#fields.get(model);
    if (fields === undefined) {
      fields = this.#client.executeKw(
        model,
        'fields_get',
        [],
        { attributes: ['type', 'relation', 'readonly'] },
        {
          ...(options?.signal === undefined ? {} : { signal: options.signal }),
        },
      ) as Promise<Readonly<Record<string, FieldInfo>>>;
      // A failed look-up is not cached: the next chunk asks again.
      fields.catch(() => this.#fields.delete(model));
      this.#fields.set(model, fields);
    }
    return fields;
  }

  #callOptions(request: ChunkRequest, options: ChunkSendOptions): CallOptions {
    return {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(request.context === undefined ? {} : { context: request.context }),
      retry: { limit: options.retryAttempts },
    };
  }
}

/** How one field is written as a load column. */
function loadColumn(
  field: string,
  info: FieldInfo,
): { name: string; convert: (value: unknown) => string | undefined } | undefined {
  const type = info.type;
  if (STRING_TYPES.has(type)) {
    // '' would mean "empty" to load but an empty string to create: leave such chunks to create.
    return {
      name: field,
      convert: (v) => (v === false || v === null ? '' : typeof v === 'string' && v !== '' ? v : undefined),
    };
  }
  if (NUMBER_TYPES.has(type)) {
    return {
      name: field,
      convert: (v) => (v === false || v === null ? '' : typeof v === 'number' ? String(v) : undefined),
    };
  }
  if (type === 'boolean') {
    return { name: field, convert: (v) => (typeof v === 'boolean' ? String(v) : v === null ? 'false' : undefined) };
  }
  if (type === 'many2one') {
    return {
      name: `${field}/.id`,
      convert: (v) =>
        v === false || v === null ? '' : typeof v === 'number' && Number.isInteger(v) && v > 0 ? String(v) : undefined,
    };
  }
  if (type === 'many2many') {
    // Only a plain "set to these ids" ([[6, 0, ids]] with at least one id) has a load equivalent.
    return {
      name: `${field}/.id`,
      convert: (v) => {
        if (!Array.isArray(v) || v.length !== 1) return undefined;
        const command: unknown = v[0];
        if (!Array.isArray(command) || command[0] !== 6 || !Array.isArray(command[2]) || command[2].length === 0)
          return undefined;
        const ids = command[2] as unknown[];
        return ids.every((id) => typeof id === 'number' && Number.isInteger(id) && id > 0) ? ids.join(',') : undefined;
      },
    };
  }
  return undefined;
}

/** Maps load messages to the request's rows. */
function loadRejections(request: ChunkRequest, messages: readonly LoadMessage[]): RowRejection[] {
  const rejections = new Map<number, RowRejection>();
  for (const message of messages) {
    if (message.type !== 'error') continue;
    const position = typeof message.record === 'number' ? message.record : message.rows?.from;
    const positions = position === undefined ? Array.from({ length: request.size }, (_, i) => i) : [position];
    for (const p of positions) {
      if (p < 0 || p >= request.size || rejections.has(p)) continue;
      rejections.set(p, {
        position: p,
        error: new LoadRowError(message.message, message.field, { model: request.model, method: 'load' }),
      });
    }
  }
  if (rejections.size === 0) {
    // ids: false without an error message: the server rolled back without saying why; refuse every row.
    const error = new LoadRowError('load answered ids: false without an error message.', undefined, {
      model: request.model,
      method: 'load',
    });
    return Array.from({ length: request.size }, (_, position) => ({ position, error }));
  }
  return [...rejections.values()].sort((a, b) => a.position - b.position);
}

/** The method of a call request (the executor always gives one; a hand-built request may not). */
function expectCall(request: ChunkRequest): MethodCall {
  if (request.call === undefined)
    throw new TypeError(`A call chunk of ${request.model} needs \`call\` (the method to call on its ids).`);
  return request.call;
}

/** Checks that a create or load answered one id per record. */
function expectIds(value: unknown, count: number, model: string, method: string): number[] {
  if (!Array.isArray(value) || value.length !== count || !value.every((id) => typeof id === 'number')) {
    const answer = JSON.stringify(value)?.slice(0, 200) ?? String(value);
    throw new ProtocolError(
      `${model}.${method} answered ${answer} for ${count} records; expected ${count} ids.`,
      answer,
      {
        model,
        method,
      },
    );
  }
  return value as number[];
}
