/**
 * Typed events of the batch engine and the progress snapshot given to progress callbacks. The engine never prints:
 * a CLI turns these into a progress bar. They are observations and never hold the engine up; a checkpoint journal
 * uses the `ChunkCheckpoint` hook instead, whose calls are awaited.
 *
 * @packageDocumentation
 */
import type { ZenooError } from '../errors.js';
import type { EventListener } from '../util/event-hub.js';
import type { OperationType } from './operations/operation-result.js';
import type { BatchStats } from './batch-stats.js';
import type { OperationResult, RecordRejection } from './operations/operation-result.js';

/** A snapshot of a run's progress, given after each chunk. */
export interface BatchProgress {
  /** Records settled so far (applied, rejected, failed or of unknown outcome). */
  readonly completed: number;
  /** Records of the run, or `undefined` while a streamed input has not ended. */
  readonly total: number | undefined;
  /** `completed / total` in percent, or `undefined` while `total` is unknown. */
  readonly percentage: number | undefined;
  /** Records applied so far. */
  readonly records: number;
  /** Settled records per second since the run started. */
  readonly recordsPerSecond: number;
  /** Estimated time to the end, in ms, or `undefined` while `total` is unknown. */
  readonly etaMs: number | undefined;
  /** Counters of the run so far. */
  readonly stats: BatchStats;
}

/**
 * Receives progress after each chunk. It may be async: the engine awaits it (a slow callback slows the run, it never
 * lets chunk results pile up unreported).
 */
export type ProgressCallback = (progress: BatchProgress) => void | Promise<void>;

/** Identifies a chunk in chunk events. */
export interface ChunkRef {
  /** The operation the chunk belongs to. */
  readonly operationId: string;
  /** Its model. */
  readonly model: string;
  /** What it does. */
  readonly operationType: OperationType;
  /** Index of the chunk within its operation. */
  readonly chunkIndex: number;
  /** Indexes of its records in the operation's input. */
  readonly inputIndexes: readonly number[];
}

/**
 * Everything the engine reports, as a discriminated union on `type`.
 *
 * Chunk lifecycle: `chunk-planned` (records read and validated) → `chunk-started` (about to be sent) → one of
 * `chunk-finished`, `chunk-failed`, `chunk-outcome-unknown`; an unknown outcome with external ids is followed by
 * `chunk-reconciled`.
 */
export type BatchEvent =
  | { readonly type: 'run-started'; readonly operations: number; readonly total: number | undefined }
  | {
      readonly type: 'operation-started';
      readonly operationId: string;
      readonly model: string;
      readonly operationType: OperationType;
      readonly total: number | undefined;
    }
  | (ChunkRef & {
      readonly type: 'chunk-planned';
      readonly xmlids?: readonly string[];
      readonly ids?: readonly number[];
    })
  | (ChunkRef & {
      readonly type: 'chunk-started';
      /** The external ids the chunk creates (idempotent creates). */
      readonly xmlids?: readonly string[];
      /** The ids the chunk writes or deletes. */
      readonly ids?: readonly number[];
      /** `load`, `create`, `write` or `unlink`. */
      readonly method: string;
    })
  | (ChunkRef & {
      readonly type: 'chunk-finished';
      /** Per input index of the chunk (same order as `inputIndexes`), the id applied, or `undefined` if rejected. */
      readonly ids: readonly (number | undefined)[];
      /** Records of the chunk the server refused (policy `isolate`, or rows refused by `load`). */
      readonly rejected: readonly RecordRejection[];
      readonly durationMs: number;
    })
  | (ChunkRef & { readonly type: 'chunk-failed'; readonly error: ZenooError; readonly durationMs: number })
  | (ChunkRef & { readonly type: 'chunk-outcome-unknown'; readonly error: ZenooError; readonly durationMs: number })
  | (ChunkRef & {
      readonly type: 'chunk-reconciled';
      /** Input indexes whose records were found by external id (they exist: not resent). */
      readonly found: readonly number[];
      /** Input indexes whose records were missing (resent). */
      readonly missing: readonly number[];
    })
  | (ChunkRef & { readonly type: 'chunk-bisected'; readonly parts: number })
  | { readonly type: 'progress'; readonly progress: BatchProgress }
  | { readonly type: 'operation-finished'; readonly result: OperationResult }
  | { readonly type: 'run-stopped'; readonly reason: 'failure' | 'aborted'; readonly error: ZenooError }
  | { readonly type: 'run-finished'; readonly stats: BatchStats; readonly durationMs: number };

/** The `type` of every {@link BatchEvent}. */
export type BatchEventType = BatchEvent['type'];

/** Receives events as they happen (through an `EventHub`); its return value is ignored. */
export type BatchEventListener = EventListener<BatchEvent>;
