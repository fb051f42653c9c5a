/**
 * The typed ORM calls of the client, as a contract: `OdooClient` implements it, and what only needs the calls (the
 * model facade, test doubles) depends on this rather than on the client class.
 *
 * @packageDocumentation
 */
import type {
  CallOptions,
  Domain,
  FieldInfo,
  FieldsGetOptions,
  LoadResult,
  NameSearchOptions,
  SearchOptions,
  SearchReadOptions,
} from './types.js';

/** Values of one record, as sent to `create` or `write`. */
export type RecordValues = Readonly<Record<string, unknown>>;

/** The typed ORM calls of a client (see `OdooClient` for each one's behaviour and errors). */
export interface OdooCalls {
  /** `execute_kw(model, method, args, kwargs)`. */
  executeKw<T = unknown>(
    model: string,
    method: string,
    args?: readonly unknown[],
    kwargs?: Readonly<Record<string, unknown>>,
    options?: CallOptions,
  ): Promise<T>;
  /** Creates one record and returns its id. */
  create(model: string, values: RecordValues, options?: CallOptions): Promise<number>;
  /** Creates several records in one call and returns their ids in input order. */
  create(model: string, values: readonly RecordValues[], options?: CallOptions): Promise<number[]>;
  /** Writes `values` on every record of `ids`. */
  write(model: string, ids: readonly number[], values: RecordValues, options?: CallOptions): Promise<boolean>;
  /** Deletes the records of `ids`. */
  unlink(model: string, ids: readonly number[], options?: CallOptions): Promise<boolean>;
  /** Ids of the records matching `domain`. */
  search(model: string, domain: Domain, options?: CallOptions & SearchOptions): Promise<number[]>;
  /** Reads `fields` of the records of `ids`. */
  read<R = Record<string, unknown>>(
    model: string,
    ids: readonly number[],
    fields?: readonly string[],
    options?: CallOptions,
  ): Promise<R[]>;
  /** Reads the records matching `domain`. */
  searchRead<R = Record<string, unknown>>(
    model: string,
    domain: Domain,
    options?: CallOptions & SearchReadOptions,
  ): Promise<R[]>;
  /** Number of records matching `domain`. */
  searchCount(model: string, domain: Domain, options?: CallOptions): Promise<number>;
  /** Field metadata of a model. */
  fieldsGet(model: string, options?: CallOptions & FieldsGetOptions): Promise<Record<string, FieldInfo>>;
  /** The default values of `fields` for a new record (`default_get`). */
  defaultGet(model: string, fields: readonly string[], options?: CallOptions): Promise<Record<string, unknown>>;
  /** `[id, display name]` pairs of records whose display name matches `name`. */
  nameSearch(model: string, name: string, options?: CallOptions & NameSearchOptions): Promise<[number, string][]>;
  /** Imports rows like the web importer. */
  load(
    model: string,
    fields: readonly string[],
    rows: readonly (readonly unknown[])[],
    options?: CallOptions,
  ): Promise<LoadResult>;
}
