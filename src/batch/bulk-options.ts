/**
 * The options of the Batch API's bulk calls and runs, and the contracts a batch and a transaction need of their
 * manager.
 *
 * @packageDocumentation
 */
import type { BatchClient } from './batch-client.js';
import type { BatchEventListener, ProgressCallback } from './batch-events.js';
import type { ExecutionResult } from './batch-executor.js';
import type { BatchOperation, OdooContext, RecordSource, RecordValues } from './operations/batch-operation.js';
import type { OnErrorPolicy } from './batch-options.js';
import type { XmlidFunction } from './operations/create-operation.js';
import type { RecordUpdate } from './operations/update-operation.js';

/** What a transaction needs from a client (only `execute_kw`). */
export type TransactionClient = BatchClient;

/** What a client needs for every feature of the manager (`OdooClient` has it all). */
export type BatchManagerClient = BatchClient & TransactionClient;

/** Options shared by the bulk methods. */
export interface BulkOptions {
  /** Records per chunk. @default the manager's `maxChunkSize` */
  readonly chunkSize?: number | undefined;
  /** Odoo context of every call (sent in kwargs). @default undefined */
  readonly context?: OdooContext | undefined;
  /** Failure policy. @default the manager's `onError` ('stop') */
  readonly onError?: OnErrorPolicy | undefined;
  /** Called after each chunk (awaited). @default undefined */
  readonly onProgress?: ProgressCallback | undefined;
  /** Receives this call's events (awaited). @default undefined */
  readonly onEvent?: BatchEventListener | undefined;
  /** Stops sending new chunks; calls in flight are aborted. @default undefined */
  readonly signal?: AbortSignal | undefined;
}

/** Options of `BatchManager.bulkCreate`. */
export interface BulkCreateOptions extends BulkOptions {
  /** External id of each record: makes the create idempotent and reconcilable. @default undefined */
  readonly xmlid?: XmlidFunction | undefined;
}

/** Options of `BatchManager.bulkUpdate`. */
export interface BulkUpdateOptions extends BulkOptions {
  /** The ids to write when `data` is one object of values. @default undefined */
  readonly recordIds?: RecordSource<number> | undefined;
}

/** Options of a run of several operations. */
export interface RunOptions {
  /** Called after each chunk (awaited). @default undefined */
  readonly onProgress?: ProgressCallback | undefined;
  /** Receives this run's events (awaited). @default undefined */
  readonly onEvent?: BatchEventListener | undefined;
  /** Stops sending new chunks; calls in flight are aborted. @default undefined */
  readonly signal?: AbortSignal | undefined;
}

/**
 * What a hand-built `Batch` needs of its manager: run operations, and forget the batch once it ran. The manager
 * implements it; the batch depends on this contract, not on the manager (so that the two do not import each other).
 */
export interface OperationRunner {
  /** Runs `operations` (see `BatchManager.executeOperations`). */
  executeOperations(operations: readonly BatchOperation[], options?: RunOptions): Promise<ExecutionResult>;
  /** Forgets a batch that ran. */
  release(batch: { readonly batchId: string }): void;
}

/** What a `BatchTransaction` needs of its manager: its client and the bulk writes it records. */
export interface BulkWriter {
  /** The client the writes go through (the transaction reads old values with it). */
  readonly client: BatchManagerClient;
  /** See `BatchManager.bulkCreate`. */
  bulkCreate(model: string, records: RecordSource<RecordValues>, options?: BulkCreateOptions): Promise<number[]>;
  /** See `BatchManager.bulkUpdate`. */
  bulkUpdate(
    model: string,
    data: RecordValues | RecordSource<RecordUpdate>,
    options?: BulkUpdateOptions,
  ): Promise<true>;
  /** See `BatchManager.bulkDelete`. */
  bulkDelete(model: string, recordIds: RecordSource<number>, options?: BulkOptions): Promise<true>;
}
