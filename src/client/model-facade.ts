/**
 * A small typed facade over the Odoo client for one model: `client.model<Partner>('res.partner').searchRead(...)`.
 *
 * @packageDocumentation
 */

import type { OdooCalls } from './odoo-calls.js';
import type { RecordValues } from './odoo-calls.js';
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

/**
 * The client's calls bound to one model, with `R` as the record type of reads. Every method is the client method of
 * the same name without the model argument.
 */
export class ModelFacade<R = Record<string, unknown>> {
  /** The client the calls go through. */
  readonly client: OdooCalls;
  /** The model, e.g. `res.partner`. */
  readonly name: string;

  constructor(client: OdooCalls, name: string) {
    this.client = client;
    this.name = name;
  }

  /** Creates one record and returns its id. */
  create(values: RecordValues, options?: CallOptions): Promise<number>;
  /** Creates several records and returns their ids in input order. */
  create(values: readonly RecordValues[], options?: CallOptions): Promise<number[]>;
  create(values: RecordValues | readonly RecordValues[], options?: CallOptions): Promise<number | number[]> {
    return Array.isArray(values)
      ? this.client.create(this.name, values as readonly RecordValues[], options)
      : this.client.create(this.name, values as RecordValues, options);
  }

  /** Writes the same values to records. */
  write(ids: readonly number[], values: RecordValues, options?: CallOptions): Promise<boolean> {
    return this.client.write(this.name, ids, values, options);
  }

  /** Deletes records (idempotent). */
  unlink(ids: readonly number[], options?: CallOptions): Promise<boolean> {
    return this.client.unlink(this.name, ids, options);
  }

  /** Reads records by id. */
  read(ids: readonly number[], fields?: readonly string[], options?: CallOptions): Promise<R[]> {
    return this.client.read<R>(this.name, ids, fields, options);
  }

  /** Ids of the records matching a domain. */
  search(domain: Domain, options?: CallOptions & SearchOptions): Promise<number[]> {
    return this.client.search(this.name, domain, options);
  }

  /** Records matching a domain. */
  searchRead(domain: Domain, options?: CallOptions & SearchReadOptions): Promise<R[]> {
    return this.client.searchRead<R>(this.name, domain, options);
  }

  /** Number of records matching a domain. */
  searchCount(domain: Domain, options?: CallOptions): Promise<number> {
    return this.client.searchCount(this.name, domain, options);
  }

  /** Field metadata. */
  fieldsGet(options?: CallOptions & FieldsGetOptions): Promise<Record<string, FieldInfo>> {
    return this.client.fieldsGet(this.name, options);
  }

  /** `[id, display name]` pairs matching `name`. */
  nameSearch(name: string, options?: CallOptions & NameSearchOptions): Promise<[number, string][]> {
    return this.client.nameSearch(this.name, name, options);
  }

  /** Imports rows (see `OdooClient.load`). */
  load(fields: readonly string[], rows: readonly (readonly unknown[])[], options?: CallOptions): Promise<LoadResult> {
    return this.client.load(this.name, fields, rows, options);
  }

  /** Calls any other method of the model. */
  call<T = unknown>(
    method: string,
    args?: readonly unknown[],
    kwargs?: Readonly<Record<string, unknown>>,
    options?: CallOptions,
  ): Promise<T> {
    return this.client.executeKw<T>(this.name, method, args, kwargs, options);
  }
}
