/**
 * {@link adaptiveTuning}: the {@link ChunkTuning} of an execution whose chunk size, concurrency or both are `auto`.
 *
 * Both tuners see every settled call and move on their own: the chunk size on the time per record of full chunks,
 * the concurrency on records per second. Holding the concurrency until the chunk size settled was tried: with the
 * bigger chunks, each concurrency window takes longer, and on a server with 8 workers the climb took most of a
 * 100,000-record run (70 % of the best fixed setting in the modelled server, against 95 % moving both at once).
 *
 * @packageDocumentation
 */
import type { ChunkTuning } from './chunk-sample.js';
import type { ChunkSizeChange, ChunkSizeTuner } from './chunk-size-tuner.js';
import type { ConcurrencyChange, ConcurrencyTuner } from './concurrency-tuner.js';

/** What {@link adaptiveTuning} combines. */
export interface AdaptiveTuningOptions {
  /** Tunes the chunk size of this execution (`chunk_size: auto`). */
  readonly chunkSize?: ChunkSizeTuner | undefined;
  /** Tunes the chunks in flight (`concurrency: auto`), possibly shared by the executions of one run. */
  readonly concurrency?: ConcurrencyTuner | undefined;
  /** This execution's own cap on chunks in flight, within the tuned limit. @default none */
  readonly cap?: number | undefined;
  /** Monotonic time in ms. @default performance.now */
  readonly now?: () => number;
  /** Called with each change either tuner makes. */
  readonly onChange?: (change: {
    readonly chunkSize?: ChunkSizeChange;
    readonly concurrency?: ConcurrencyChange;
  }) => void;
}

/** The tuning of one execution, from its tuners. */
export function adaptiveTuning(options: AdaptiveTuningOptions): ChunkTuning {
  const { chunkSize, concurrency, cap, onChange } = options;
  const now = options.now ?? (() => performance.now());
  return {
    ...(chunkSize === undefined ? {} : { chunkSize: () => chunkSize.size }),
    ...(concurrency === undefined ? {} : { concurrency: () => Math.min(concurrency.limit, cap ?? concurrency.limit) }),
    splitLost: chunkSize !== undefined,
    observe(sample) {
      const sized = chunkSize?.observe(sample);
      if (sized !== undefined) onChange?.({ chunkSize: sized });
      const changed = concurrency?.observe(sample, now());
      if (changed !== undefined) onChange?.({ concurrency: changed });
    },
  };
}
