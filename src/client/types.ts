/**
 * Wire types shared by the Odoo client, its transports and its callers: domains, call options, `fields_get`
 * metadata, `load` results and the parsed server version.
 *
 * @packageDocumentation
 */

import type { ErrorContext } from '../errors.js';

/**
 * An Odoo search domain in prefix notation: leaves `[field, operator, value]` and the operators `'&'`, `'|'`, `'!'`.
 * An empty domain matches every record.
 *
 * @example
 * ```ts
 * const domain: Domain = ['|', ['name', 'ilike', 'acme'], ['email', '=like', '%@acme.test']];
 * ```
 */
export type Domain = readonly (string | readonly [string, string, unknown])[];

/** Context fields a caller can attach to the errors of one call (the client adds url, db, model and method). */
export type CallErrorContext = Pick<ErrorContext, 'step' | 'chunk' | 'recordIndexes'>;

/** Options of every client call. */
export interface CallOptions {
  /** Cancels the call; an aborted call rejects with `AbortError`. */
  readonly signal?: AbortSignal;
  /** Timeout of each attempt, in milliseconds. @default the client's `timeoutMs` */
  readonly timeoutMs?: number;
  /** Context merged over the client's default context and sent inside kwargs. @default {} */
  readonly context?: Readonly<Record<string, unknown>>;
  /**
   * `false` disables retries for this call; `{ limit }` overrides the client's retry limit for this call (retries after
   * the first attempt). Outcome-unknown writes always reject with `OutcomeUnknownError`, whatever the limit.
   * @default the client's `retry` options
   */
  readonly retry?: false | { readonly limit: number };
  /** Extra context (step, chunk, record indexes) copied into any error this call raises. */
  readonly errorContext?: CallErrorContext;
}

/** Paging and ordering options of `search` and `search_read`. */
export interface SearchOptions {
  /** Number of records to skip. @default 0 */
  readonly offset?: number;
  /** Maximum number of records; omitted means no limit. */
  readonly limit?: number;
  /** SQL-like order, e.g. `'name desc, id'`. @default the model's `_order` */
  readonly order?: string;
}

/** Options of `searchRead`: paging plus the fields to read. */
export interface SearchReadOptions extends SearchOptions {
  /** Fields to read; omitted reads every field (slow on wide models). */
  readonly fields?: readonly string[];
}

/** Options of `fieldsGet`. */
export interface FieldsGetOptions {
  /** Attributes to return per field, e.g. `['string', 'type', 'required', 'relation']`. @default all attributes */
  readonly attributes?: readonly string[];
}

/** Options of `nameSearch`. */
export interface NameSearchOptions {
  /** Extra domain the matches must satisfy (sent as `args`). @default [] */
  readonly domain?: Domain;
  /** Operator applied to the display name. @default 'ilike' */
  readonly operator?: string;
  /** Maximum number of matches. @default 100 (Odoo's default) */
  readonly limit?: number;
}

/** Metadata of one field as returned by `fields_get` (attributes that do not apply are absent). */
export interface FieldInfo {
  /** Field type, e.g. `char`, `many2one`, `selection`. */
  readonly type: string;
  /** Human label. */
  readonly string?: string;
  /** Whether a value is required. */
  readonly required?: boolean;
  /** Whether the field is read-only in the UI. */
  readonly readonly?: boolean;
  /** Comodel of relational fields, e.g. `res.country`. */
  readonly relation?: string;
  /** Allowed values of selection fields, as `[value, label]` pairs. */
  readonly selection?: readonly (readonly [string, string])[];
  /** Whether the field is stored in the database. */
  readonly store?: boolean;
  /** Any other attribute the server sent. */
  readonly [attribute: string]: unknown;
}

/** One row problem reported by `load` (row errors never raise; they come back here). */
export interface LoadMessage {
  /** `error`, `warning` or `info`. */
  readonly type: string;
  /** Human-readable message. */
  readonly message: string;
  /** Affected input rows (0-based, inclusive). */
  readonly rows?: { readonly from: number; readonly to: number };
  /** Index of the record the message is about. */
  readonly record?: number;
  /** Technical name of the field at fault. */
  readonly field?: string;
  /** Label of the field at fault. */
  readonly field_name?: string;
  /** Any other member the server sent (e.g. `moreinfo`). */
  readonly [member: string]: unknown;
}

/** Result of `load`: `ids` is `false` when any row failed, in which case nothing was written. */
export interface LoadResult {
  /** Ids of the created or updated records, in row order; `false` when the whole load was rolled back. */
  readonly ids: number[] | false;
  /** Row problems. */
  readonly messages: LoadMessage[];
  /** Index of the next row to load when the server stopped early (0 when it did not). */
  readonly nextrow?: number;
}

/** The server version, parsed so that callers can branch on it. */
export interface OdooVersion {
  /** `server_version` as sent, e.g. `17.0`, `17.0+e`, `saas~17.2+e`. */
  readonly serverVersion: string;
  /** Major version, e.g. `17`. */
  readonly major: number;
  /** Minor version, e.g. `0` (or `2` for `saas~17.2`). */
  readonly minor: number;
  /** The whole answer of `common.version` (or `/web/webclient/version_info`). */
  readonly raw: Readonly<Record<string, unknown>>;
}
