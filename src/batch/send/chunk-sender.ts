/**
 * The seam between the executor and the server: a {@link ChunkSender} turns one chunk into RPC calls. The executor
 * owns chunking, concurrency, failure policies and reconciliation; the sender owns the wire shape. Tests inject a fake
 * sender; {@link OdooChunkSender} is the real one.
 *
 * @packageDocumentation
 */
import type { ZenooError } from '../../errors.js';
import type { OdooContext, RecordValues } from '../operations/batch-operation.js';
import type { MethodCall } from '../operations/method-call.js';
import type { OperationType } from '../operations/operation-result.js';

/** One chunk (or a part of one, when it is bisected or partly resent) ready to be sent. */
export interface ChunkRequest {
  /** Odoo model. */
  readonly model: string;
  /** What the chunk does. */
  readonly operationType: OperationType;
  /** Context of the operation (sent in kwargs). */
  readonly context: OdooContext | undefined;
  /** Number of records in the request. */
  readonly size: number;
  /** create: values per record. */
  readonly records?: readonly RecordValues[];
  /** create: external id per record (idempotent creates). */
  readonly xmlids?: readonly string[];
  /** update: values written to every id. */
  readonly values?: RecordValues;
  /** update / delete / call: the ids. */
  readonly ids?: readonly number[];
  /** call: the method, its arguments and its guard. */
  readonly call?: MethodCall;
}

/** Per-call options the executor gives the sender. */
export interface ChunkSendOptions {
  /** Aborts the call (a write aborted after it was sent has an unknown outcome). */
  readonly signal?: AbortSignal | undefined;
  /** Time limit of each call, in ms. */
  readonly timeoutMs?: number | undefined;
  /** How many times the client may retry a call it knows to be safe (0 = never). */
  readonly retryAttempts: number;
}

/** A row of a chunk the server refused while nothing of the chunk was committed (`load` reports rows this way). */
export interface RowRejection {
  /** Position of the record within the request (0-based). */
  readonly position: number;
  /** Why. */
  readonly error: ZenooError;
}

/**
 * Outcome of a sent chunk:
 * - `applied`: every record was applied; `ids[i]` is the id of the request's record `i` (new ids for creates, in
 *   request order; the given ids for updates and deletes);
 * - `rows-rejected`: the server refused some rows and committed nothing.
 */
export type ChunkSendResult =
  | { readonly kind: 'applied'; readonly ids: readonly number[] }
  | { readonly kind: 'rows-rejected'; readonly rejections: readonly RowRejection[] };

/** What a reconciliation found for a request whose outcome is unknown. */
export interface ReconcileResult {
  /** Per position, the id of the record if it is known to exist now, else `undefined`. */
  readonly ids: readonly (number | undefined)[];
  /**
   * Whether the missing records may be sent again without risking duplicates (true when the lost write was atomic,
   * e.g. a `load`: if any of its external ids is missing, none of its records was committed).
   */
  readonly resendable: boolean;
}

/**
 * Sends chunks. Implementations throw zenoo errors: an `RpcFault` means nothing was committed; an
 * `OutcomeUnknownError` (or a `TimeoutError`/`NetworkError`/`AbortError` in phase `sent`) means the outcome is unknown.
 */
export interface ChunkSender {
  /** The RPC method a request will be sent with (`load`, `create`, `write`, `unlink`, a call's method), for events and journals. */
  methodOf(request: ChunkRequest): Promise<string>;
  /** Sends one request. */
  send(request: ChunkRequest, options: ChunkSendOptions): Promise<ChunkSendResult>;
  /**
   * Looks up the records of a request whose outcome is unknown: a create with external ids (or one
   * {@link canReconcile} accepts), or a call with a guard (`ids[i]` set where the record no longer matches the guard:
   * the call took effect; `undefined` where it still matches: it did not, and may be sent again).
   */
  reconcile(request: ChunkRequest, options: ChunkSendOptions): Promise<ReconcileResult>;
  /**
   * Whether {@link reconcile} can settle a request other than a create with external ids: a create by a key field,
   * a call with a guard. Without it, only creates with external ids are reconciled after an unknown outcome.
   */
  canReconcile?(request: ChunkRequest): boolean;
}

/**
 * The request holding only the records at `positions` of `request`.
 *
 * @internal
 */
export function subRequest(request: ChunkRequest, positions: readonly number[]): ChunkRequest {
  const pick = <T>(items: readonly T[] | undefined): T[] | undefined =>
    items === undefined ? undefined : positions.map((position) => items[position] as T);
  const records = pick(request.records);
  const xmlids = pick(request.xmlids);
  const ids = pick(request.ids);
  return {
    model: request.model,
    operationType: request.operationType,
    context: request.context,
    size: positions.length,
    ...(records === undefined ? {} : { records }),
    ...(xmlids === undefined ? {} : { xmlids }),
    ...(request.values === undefined ? {} : { values: request.values }),
    ...(ids === undefined ? {} : { ids }),
    ...(request.call === undefined ? {} : { call: request.call }),
  };
}
