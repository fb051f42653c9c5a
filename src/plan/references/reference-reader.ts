/**
 * Reads what a plan's external ids and lookups point at in the target, for the pre-write reference check and for the
 * resolver of a diff or apply:
 *
 * - external ids (`module.name`) from `ir.model.data`, many in one `search_read` when they are known together (the
 *   literal ids of a plan), one at a time otherwise (an id computed per row);
 * - lookups (a domain that must match exactly one record) with at most two ids read: enough to tell "one" from
 *   "several", and only the check asks the server how many there are.
 *
 * Every answer is remembered for the reader's life (one command), so no external id and no lookup domain is read
 * twice, and concurrent askers share one read. A {@link ReferenceCache} filled by an earlier check of the same command
 * is consulted before anything is read.
 *
 * The `ir.model.data` query itself is the client's ({@link externalIdDomain}), the one `OdooClient.resolveXmlId`
 * sends: the reader does not call `resolveXmlId` because it needs the record's model too (to check it against the
 * field's comodel) and reads through the caller's client, which for a diff or apply is the counting state reader.
 *
 * @packageDocumentation
 */
import type { ExternalIdQuery } from '../../client/external-id-query.js';
import { EXTERNAL_ID_FIELDS, externalIdDomain, splitExternalId } from '../../client/external-id-query.js';
import type { Domain } from '../../client/types.js';
import { InvalidValueError } from '../../errors.js';
import type { CachedXmlid, ReferenceCache } from './reference-cache.js';

/** The slice of a client the reader reads through (structurally satisfied by `OdooClient`). */
export interface ReferenceReadClient {
  /** `search_read`, on `ir.model.data` for external ids and on a lookup's model (`limit: 2`) for lookups. */
  searchRead(
    model: string,
    domain: Domain,
    options?: {
      readonly fields?: readonly string[];
      readonly limit?: number;
      readonly signal?: AbortSignal;
    },
  ): Promise<Record<string, unknown>[]>;
  /** `search_count`: only with {@link ReferenceReaderOptions.countSeveral}, to say how many a lookup matched. */
  searchCount?(model: string, domain: Domain, options?: { readonly signal?: AbortSignal }): Promise<number>;
}

/**
 * What a lookup found: up to two ids (`count` is their number, or the number of matches when several were counted;
 * `undefined` when several were found and not counted), or the server's refusal of the domain.
 */
export type LookupOutcome =
  | { readonly ids: readonly number[]; readonly count: number | undefined }
  | { readonly fault: string; readonly error: InvalidValueError };

/** How a {@link ReferenceReader} reads and what it remembers. */
export interface ReferenceReaderOptions {
  /** Answers of an earlier check of the same command, consulted before anything is read. */
  readonly cache?: ReferenceCache | undefined;
  /**
   * Put the external ids read into {@link cache}. Only the check does: it reads nothing a step of the plan can
   * change, whereas a run also reads the plan's own external ids, which its steps create as they go.
   * @default false
   */
  readonly fillCache?: boolean;
  /**
   * Remember that an external id does not exist, or that a lookup did not find exactly one record. The check does:
   * the target does not change while it runs. A run does not: a step may create what an earlier row missed, and the
   * next row that asks must see it.
   * @default true
   */
  readonly rememberMisses?: boolean;
  /** Count the matches of a lookup matching several records (one `search_count`), for the message. @default false */
  readonly countSeveral?: boolean;
}

/** Options of one read. */
export interface ReferenceReadOptions {
  /** Cancels the read (a cancelled read is not remembered). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * One `ir.model.data` search_read for `query`, grouped by external id: `module.name` → the record it points at. Ids
 * the target does not have are absent. The one reader of `ir.model.data` of the plan layer: the reference reader and
 * `StateReader.readByXmlids` both read through it.
 */
export async function readExternalIds(
  client: ReferenceReadClient,
  query: ExternalIdQuery,
  options: ReferenceReadOptions & { readonly limit?: number } = {},
): Promise<Map<string, CachedXmlid>> {
  const rows = await client.searchRead('ir.model.data', externalIdDomain(query), {
    fields: EXTERNAL_ID_FIELDS,
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return new Map(
    rows.map((row) => [
      `${String(row['module'])}.${String(row['name'])}`,
      { id: row['res_id'] as number, model: String(row['model']) },
    ]),
  );
}

/** Key of a lookup in the reader's memory: its model and its domain. */
function lookupKey(model: string, where: readonly unknown[]): string {
  return `${model}\u0000${JSON.stringify(where)}`;
}

/** Resolves external ids and lookups against the target, each read at most once. One instance per command. */
export class ReferenceReader {
  readonly #client: ReferenceReadClient;
  readonly #cache: ReferenceCache | undefined;
  readonly #fillCache: boolean;
  readonly #countSeveral: boolean;
  readonly #rememberMisses: boolean;
  /** External ids read or being read: `module.name` → the record, or `null` when the target has no such id. */
  readonly #xmlids = new Map<string, Promise<CachedXmlid | null>>();
  /** Answers settled so far, for {@link known} (a promise cannot be looked into synchronously). */
  readonly #settled = new Map<string, CachedXmlid | null>();
  readonly #lookups = new Map<string, Promise<LookupOutcome>>();
  readonly #settledLookups = new Map<string, LookupOutcome>();
  #reads = 0;

  constructor(client: ReferenceReadClient, options: ReferenceReaderOptions = {}) {
    this.#client = client;
    this.#cache = options.cache;
    this.#fillCache = options.fillCache ?? false;
    this.#countSeveral = options.countSeveral ?? false;
    this.#rememberMisses = options.rememberMisses ?? true;
  }

  /** Number of calls the reader made (search_read and search_count). */
  get readCalls(): number {
    return this.#reads;
  }

  /** What `xmlid` points at without reading: the record, `null` when known missing, `undefined` when not known. */
  known(xmlid: string): CachedXmlid | null | undefined {
    const cached = this.#cache?.xmlid(xmlid);
    return cached !== undefined ? cached : this.#settled.get(xmlid);
  }

  /** What the external id `xmlid` (`module.name`) points at, or `null` when the target has no such id. */
  xmlid(xmlid: string, options: ReferenceReadOptions = {}): Promise<CachedXmlid | null> {
    const known = this.known(xmlid);
    if (known !== undefined) return Promise.resolve(known);
    let read = this.#xmlids.get(xmlid);
    if (read === undefined) {
      const parts = splitExternalId(xmlid);
      // A malformed id cannot exist (the evaluator refuses those before asking): no call is needed to say so.
      if (parts === undefined) return Promise.resolve(this.#remember(xmlid, null));
      read = this.#readXmlids([xmlid], parts, options, 1).then((found) => found.get(xmlid) ?? null);
      this.#track(xmlid, read);
    }
    return read;
  }

  /**
   * What each of `xmlids` points at (`null`: no such id), reading all the ones not known yet in one `ir.model.data`
   * search_read (`module IN (...) AND name IN (...)`, from which the exact pairs are kept).
   */
  async xmlids(
    xmlids: readonly string[],
    options: ReferenceReadOptions = {},
  ): Promise<ReadonlyMap<string, CachedXmlid | null>> {
    const unread = [...new Set(xmlids)].filter((xmlid) => this.known(xmlid) === undefined && !this.#xmlids.has(xmlid));
    const parts = unread.flatMap((xmlid) => splitExternalId(xmlid) ?? []);
    if (parts.length > 0) {
      const batch = this.#readXmlids(
        unread,
        {
          module: [...new Set(parts.map((part) => part.module))],
          name: [...new Set(parts.map((part) => part.name))],
        },
        options,
      );
      for (const xmlid of unread) {
        this.#track(
          xmlid,
          batch.then((found) => found.get(xmlid) ?? null),
        );
      }
    }
    const answers = await Promise.all(xmlids.map(async (xmlid) => [xmlid, await this.xmlid(xmlid, options)] as const));
    return new Map(answers);
  }

  /**
   * What the lookup of `model` where `where` finds: at most two ids, and with `countSeveral` how many when there are
   * several. A domain the server refuses is an outcome too (the check reports it); other errors reject. With `step`,
   * the lookup the cache holds for that step is used when it says enough.
   */
  lookup(
    model: string,
    where: readonly unknown[],
    options: ReferenceReadOptions & { readonly step?: string } = {},
  ): Promise<LookupOutcome> {
    const vouched = this.#vouched(model, where, options.step);
    if (vouched !== undefined) return Promise.resolve(vouched);
    const key = lookupKey(model, where);
    let read = this.#lookups.get(key);
    if (read === undefined) {
      read = this.#readLookup(model, where, options.signal).then((outcome) => {
        if (this.#rememberMisses || ('ids' in outcome && outcome.ids.length === 1)) {
          this.#settledLookups.set(key, outcome);
        } else {
          this.#lookups.delete(key);
        }
        return outcome;
      });
      read.catch(() => this.#lookups.delete(key));
      this.#lookups.set(key, read);
    }
    return read;
  }

  /** What {@link lookup} would answer without reading, or `undefined` when it would have to read. */
  knownLookup(model: string, where: readonly unknown[], step?: string): LookupOutcome | undefined {
    return this.#vouched(model, where, step) ?? this.#settledLookups.get(lookupKey(model, where));
  }

  /** What the cache holds for the lookup of `step`, when that says enough. */
  #vouched(model: string, where: readonly unknown[], step: string | undefined): LookupOutcome | undefined {
    const ids = step !== undefined ? this.#cache?.lookup(step, model, where) : undefined;
    // The cache keeps two ids of a lookup matching several, not how many: when they are to be counted, read again.
    if (ids === undefined || (ids.length >= 2 && this.#countSeveral)) return undefined;
    return { ids, count: ids.length < 2 ? ids.length : undefined };
  }

  async #readLookup(model: string, where: readonly unknown[], signal: AbortSignal | undefined): Promise<LookupOutcome> {
    const call = signal ? { signal } : {};
    try {
      this.#reads += 1;
      const rows = await this.#client.searchRead(model, where as Domain, { fields: ['id'], limit: 2, ...call });
      const ids = rows.map((row) => row['id'] as number);
      if (ids.length < 2) return { ids, count: ids.length };
      if (!this.#countSeveral || this.#client.searchCount === undefined) return { ids, count: undefined };
      this.#reads += 1;
      return { ids, count: await this.#client.searchCount(model, where as Domain, call) };
    } catch (error) {
      // A domain the server refuses (a value of the wrong type, an operator the field does not support).
      if (!(error instanceof InvalidValueError)) throw error;
      return { fault: error.faultMessage, error };
    }
  }

  /** One read of `query` whose answers for `xmlids` are remembered once it settles. */
  async #readXmlids(
    xmlids: readonly string[],
    query: ExternalIdQuery,
    options: ReferenceReadOptions,
    limit?: number,
  ): Promise<Map<string, CachedXmlid>> {
    this.#reads += 1;
    const found = await readExternalIds(this.#client, query, { ...options, ...(limit ? { limit } : {}) });
    for (const xmlid of xmlids) this.#remember(xmlid, found.get(xmlid) ?? null);
    return found;
  }

  /** Keeps the read of `xmlid` for those asking meanwhile; a failed read (connection, cancellation) is forgotten. */
  #track(xmlid: string, read: Promise<CachedXmlid | null>): void {
    read.catch(() => this.#xmlids.delete(xmlid));
    this.#xmlids.set(xmlid, read);
  }

  #remember(xmlid: string, record: CachedXmlid | null): CachedXmlid | null {
    if (record === null && !this.#rememberMisses) {
      this.#xmlids.delete(xmlid);
      return null;
    }
    this.#settled.set(xmlid, record);
    if (this.#fillCache) this.#cache?.setXmlid(xmlid, record);
    return record;
  }
}
