/**
 * The durability points of a batch run: where a checkpoint journal writes what a chunk may do before it is sent, and
 * what it did once it settled. An explicit hook rather than events, because these two calls are awaited by contract
 * (the engine does not send a chunk before `planned`'s promise resolved), while events are observations that never
 * hold the engine up.
 *
 * @packageDocumentation
 */
import type { ZenooError } from '../errors.js';
import type { ChunkRef } from './batch-events.js';
import type { RecordRejection } from './operations/operation-result.js';

/** A chunk as the engine formed it: which records, and the external ids or ids it writes. */
export interface CheckpointChunk extends ChunkRef {
  /** External ids of a create's records, by position in the chunk. */
  readonly xmlids?: readonly string[] | undefined;
  /** Ids an update or delete touches. */
  readonly ids?: readonly number[] | undefined;
}

/** How a chunk settled: every record of it is applied, rejected, failed with the chunk, or of unknown outcome. */
export interface ChunkSettlement {
  /** Id of each record by position in the chunk; `undefined` where it was not applied. */
  readonly ids: readonly (number | undefined)[];
  /** Records the server refused one by one (policy `isolate`, or the rows a `load` names). */
  readonly rejected: readonly RecordRejection[];
  /** Why (part of) the chunk failed as a whole; nothing of that part was committed. */
  readonly failed?: ZenooError | undefined;
  /** Why (part of) the chunk has an unknown outcome: it was sent and its answer lost; it may have committed. */
  readonly unknown?: ZenooError | undefined;
  /** Time from sending to settling, in ms. */
  readonly durationMs: number;
}

/**
 * Called by the batch engine around each chunk. Both calls are awaited: a rejection stops the chunk (`planned`:
 * it is not sent) or the operation (`settled`), as any other failure of the run.
 *
 * @example
 * ```ts
 * const checkpoint: ChunkCheckpoint = {
 *   planned: (chunk) => journal.append({ type: 'chunk-in-doubt', chunk: chunk.chunkIndex }),
 *   settled: (chunk, settlement) => journal.append({ type: 'chunk-done', chunk: chunk.chunkIndex, ids: settlement.ids }),
 * };
 * await executor.execute(operations, { checkpoint });
 * ```
 */
export interface ChunkCheckpoint {
  /**
   * The chunk is formed, before it waits for a concurrency slot. The engine awaits the promise returned just before
   * the chunk is sent, so that the slow part (a sync to disk) overlaps the wait for a slot. A chunk formed but never
   * sent (a stop, an abort) had `planned` called and `settled` not.
   */
  planned(chunk: CheckpointChunk): Promise<void> | void;
  /** Every record of the chunk is settled. Awaited before the chunk counts as settled in progress and results. */
  settled(chunk: CheckpointChunk, settlement: ChunkSettlement): Promise<void> | void;
}
