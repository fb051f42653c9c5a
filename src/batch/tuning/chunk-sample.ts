/**
 * What the adaptive tuners learn from: one settled call of a chunk (or of part of one), as the executor saw it.
 *
 * @packageDocumentation
 */

/**
 * How a call ended, for tuning: `ok` (answered, whatever the answer: a rejected record is the data's fault, not the
 * load's), `overloaded` (the server said it is busy: a 502, 503 or 504 the client retried), `lost` (no answer: a
 * timeout or a dropped connection after sending, as when a server's time limit kills the worker).
 */
export type ChunkSampleOutcome = 'ok' | 'overloaded' | 'lost';

/** One settled call. */
export interface ChunkSample {
  /** Records the call carried. */
  readonly records: number;
  /** Wall time from sending to the answer (or to the failure), in ms. */
  readonly durationMs: number;
  /** How it ended. */
  readonly outcome: ChunkSampleOutcome;
}

/**
 * The tuning of one execution, as the executor uses it: asked for the size of each chunk it forms and for the
 * number of chunks to keep ready, told of every settled call. The plan apply builds it from a
 * {@link ChunkSizeTuner} (per step) and a {@link ConcurrencyTuner} (per run).
 */
export interface ChunkTuning {
  /** Records of the next chunk (`undefined`: the operation's own chunk size). */
  chunkSize?(): number;
  /** Chunks that may be in flight now (`undefined`: the executor's own limit). */
  concurrency?(): number;
  /** Called once per settled call, and once per retry the client made on an overloaded server. */
  observe(sample: ChunkSample): void;
  /** Whether a create whose answer was lost is resent in halves (the server may have cut it for its size). */
  readonly splitLost?: boolean;
}
