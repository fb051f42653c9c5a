/**
 * Reads the live state a diff needs, in chunks: records by key (one `search_read` per chunk of rows), records by
 * external id (`ir.model.data` then the model), records matching a `where` domain (paged), and `write_date`s for the
 * staleness check of a saved diff. Only the fields the plan touches are read, and every read is counted so that tests
 * and benchmarks can check the number of calls stays ≈ ⌈rows / chunk⌉.
 *
 * @packageDocumentation
 */
import type { CallOptions, Domain, FieldInfo, SearchReadOptions } from '../../client/types.js';
import type { ModelFields } from '../model/model-fields.js';
import { keyDomain } from '../../batch/send/record-keys.js';
import type { ReferenceReadClient } from './reference-reader.js';
import { readExternalIds } from './reference-reader.js';

/** A record as read by `search_read`. */
export type ReadRecord = Readonly<Record<string, unknown>> & { readonly id: number };

/** The slice of the Odoo client the state reader needs (structurally satisfied by `OdooClient`). */
export interface StateClient {
  /** `search_read(domain, fields, offset, limit, order)` with context in kwargs. */
  searchRead(
    model: string,
    domain: Domain,
    options?: SearchReadOptions & CallOptions,
  ): Promise<Record<string, unknown>[]>;
  /** `fields_get` of a model. */
  fieldsGet(
    model: string,
    options?: { readonly attributes?: readonly string[] } & CallOptions,
  ): Promise<Record<string, FieldInfo>>;
}

/** Fields read on every record besides the plan's own: what a diff shows and what a saved diff checks. */
export const ALWAYS_READ = Object.freeze(['display_name', 'write_date']);

/** Field attributes the diff needs (a subset of what `preparePlan` reads, so that its fields serve the reader). */
export const STATE_FIELD_ATTRIBUTES: readonly string[] = Object.freeze([
  'type',
  'relation',
  'string',
  'required',
  'readonly',
]);

/** Options of every read. */
export interface ReadOptions {
  /** Odoo context of the read (merged by the client into kwargs). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Cancels the read. */
  readonly signal?: AbortSignal | undefined;
}

/** Reads state, counting calls. One instance per diff or apply. */
export class StateReader {
  readonly #client: StateClient;
  #reads = 0;
  readonly #fields = new Map<string, Promise<Record<string, FieldInfo>>>();

  /**
   * @param fields - the fields of models already read in this command (`preparePlan` reads each model once): the
   * reader takes them from there instead of calling `fields_get` again.
   */
  constructor(client: StateClient, fields?: ModelFields) {
    this.#client = client;
    for (const [model, info] of fields ?? []) this.#fields.set(model, Promise.resolve(info));
  }

  /** Number of read calls made so far (search_read and fields_get). */
  get readCalls(): number {
    return this.#reads;
  }

  /** `fields_get` of `model`, cached for the reader's lifetime. */
  fieldsOf(model: string, options: ReadOptions = {}): Promise<Record<string, FieldInfo>> {
    let fields = this.#fields.get(model);
    if (fields === undefined) {
      this.#reads += 1;
      fields = this.#client.fieldsGet(model, {
        attributes: STATE_FIELD_ATTRIBUTES,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      // A failed look-up must not be cached: the next caller gets a fresh attempt.
      fields.catch(() => this.#fields.delete(model));
      this.#fields.set(model, fields);
    }
    return fields;
  }

  /** `search_read` with a counted call. */
  async searchRead(
    model: string,
    domain: Domain,
    fields: readonly string[],
    options: ReadOptions & { readonly limit?: number; readonly offset?: number; readonly order?: string } = {},
  ): Promise<ReadRecord[]> {
    this.#reads += 1;
    const rows = await this.#client.searchRead(model, domain, {
      fields: [...new Set(fields)],
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.offset !== undefined ? { offset: options.offset } : {}),
      ...(options.order !== undefined ? { order: options.order } : {}),
      ...(options.context ? { context: options.context } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return rows as ReadRecord[];
  }

  /** This reader as the client of a {@link ReferenceReader}: its `search_read`s are counted with the others. */
  referenceClient(): ReferenceReadClient {
    return {
      searchRead: (model, domain, options = {}) =>
        this.searchRead(model, domain, options.fields ?? [], {
          ...(options.limit !== undefined ? { limit: options.limit } : {}),
          signal: options.signal,
        }),
    };
  }

  /** Records of `model` whose `keyFields` match one of `keys` (archived ones included). One call. */
  readByKeys(
    model: string,
    keyFields: readonly string[],
    keys: readonly (readonly unknown[])[],
    fields: readonly string[],
    options: ReadOptions = {},
  ): Promise<ReadRecord[]> {
    if (keys.length === 0) {
      return Promise.resolve([]);
    }
    return this.searchRead(model, keyDomain(keyFields, keys), [...fields, ...keyFields, ...ALWAYS_READ], {
      ...options,
      context: { ...options.context, active_test: false },
    });
  }

  /**
   * Records of `model` with the external ids `module.name` for each of `names` (archived ones included): one
   * `ir.model.data` read and one read of the model. Resolves to a map name → record.
   */
  async readByXmlids(
    model: string,
    module: string,
    names: readonly string[],
    fields: readonly string[],
    options: ReadOptions = {},
  ): Promise<Map<string, ReadRecord>> {
    const found = new Map<string, ReadRecord>();
    if (names.length === 0) {
      return found;
    }
    // The one ir.model.data query of the plan layer, through this reader so that the call is counted.
    const data = await readExternalIds(
      this.referenceClient(),
      { module, name: names, model },
      { signal: options.signal },
    );
    if (data.size === 0) {
      return found;
    }
    const ids = [...data.values()].map((record) => record.id);
    const records = await this.searchRead(model, [['id', 'in', ids]], [...fields, ...ALWAYS_READ], {
      ...options,
      context: { ...options.context, active_test: false },
    });
    const byId = new Map(records.map((record) => [record.id, record]));
    for (const name of names) {
      const record = byId.get(data.get(`${module}.${name}`)?.id ?? 0);
      // An external id whose record was deleted is dangling: the record does not exist.
      if (record) found.set(name, record);
    }
    return found;
  }

  /** Records matching `domain`, `chunkSize` at a time in id order. */
  async *readWhere(
    model: string,
    domain: Domain,
    fields: readonly string[],
    chunkSize: number,
    options: ReadOptions = {},
  ): AsyncGenerator<ReadRecord[]> {
    // Paging by id rather than offset: a page boundary never moves when records change meanwhile.
    let lastId = 0;
    for (;;) {
      const page = await this.searchRead(model, [...domain, ['id', '>', lastId]], [...fields, ...ALWAYS_READ], {
        ...options,
        limit: chunkSize,
        order: 'id',
      });
      if (page.length > 0) {
        yield page;
        lastId = page[page.length - 1]!.id;
      }
      if (page.length < chunkSize) {
        return;
      }
    }
  }
}
