/**
 * {@link ChunkSizing}: how many records the next chunk gets, fixed or asked again before each chunk.
 *
 * @packageDocumentation
 */

/** A chunk size: fixed, or asked again before each chunk (the current value of an adaptive tuner). */
export type ChunkSizing = number | (() => number);

/** The size the next chunk gets. */
export function nextChunkSize(sizing: ChunkSizing): number {
  return typeof sizing === 'number' ? sizing : sizing();
}
