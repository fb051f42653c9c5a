/**
 * What an operation did: ids by input index, rejected records with Odoo's message, records whose outcome is unknown.
 *
 * @packageDocumentation
 */
import type { ZenooError } from '../../errors.js';

/** A record the server refused (or that could not be sent), by its index in the operation's input. */
export interface RecordRejection {
  /** Index of the record in the operation's input (0-based). */
  readonly index: number;
  /** Why: for a server fault, Odoo's own message is in `error.message` (and `faultMessage` on an `RpcFault`). */
  readonly error: ZenooError;
}

/** A chunk that failed as a whole (policy `stop` or `continue`, or a failure `isolate` cannot bisect). */
export interface FailedChunk {
  /** Index of the chunk within its operation. */
  readonly chunkIndex: number;
  /** Indexes of its records in the operation's input. */
  readonly inputIndexes: readonly number[];
  /** Why it failed. Nothing of it was committed (an Odoo call is all or nothing). */
  readonly error: ZenooError;
}

/** What one operation did. Multi-record work reports per-record outcomes instead of throwing them away. */
export interface OperationResult {
  /** The operation. */
  readonly operationId: string;
  /** Its model. */
  readonly model: string;
  /** What it does. */
  readonly operationType: OperationType;
  /** How it ended. */
  readonly status: OperationStatus;
  /** Records read from its input (for a stopped stream: only those read before it stopped). */
  readonly records: number;
  /**
   * Per input index, the id of the record that was created, written or deleted; `undefined` where the record was
   * rejected, not sent, or its outcome is unknown. For creates these are the new ids **in input order**. Empty when
   * the run was told not to keep them (`keepIds: false`).
   */
  readonly ids: readonly (number | undefined)[];
  /** Records applied. */
  readonly applied: number;
  /** Records refused by the server (found by `isolate`, or reported row by row by `load`). */
  readonly rejected: readonly RecordRejection[];
  /** Chunks that failed as a whole: none of their records was applied. */
  readonly failedChunks: readonly FailedChunk[];
  /**
   * Input indexes of records whose write was sent but whose outcome is unknown (timeout, lost connection) and could
   * not be reconciled: they may or may not exist on the server. They were never resent.
   */
  readonly unknown: readonly number[];
  /** Wall time of the operation, in ms. */
  readonly durationMs: number;
}

/**
 * What a batch operation does and where it is in its lifecycle: the write actions of the Batch API, and a method call
 * on records.
 *
 * @packageDocumentation
 */

/** What an operation does. */
export type OperationType = 'create' | 'update' | 'delete' | 'call';

/**
 * Lifecycle of an operation: `pending` → `running` → `completed` (every record applied), `partial` (some records
 * applied, some rejected or of unknown outcome), `failed` (nothing applied) or `cancelled` (aborted or stopped before
 * it could finish).
 */
export type OperationStatus = 'pending' | 'running' | 'completed' | 'partial' | 'failed' | 'cancelled';
