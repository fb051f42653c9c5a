/**
 * {@link readBatches}: reads an array, iterable or async iterable in batches of `size` items.
 *
 * @packageDocumentation
 */
import { isBatchedSource } from './operations/batch-operation.js';
import type { RecordSource } from './operations/batch-operation.js';
import { nextChunkSize } from './chunk-sizing.js';
import type { ChunkSizing } from './chunk-sizing.js';

/**
 * Yields the items of `source` in arrays of `size` (the last one may be shorter; a `size` function is asked before
 * each array). Sync sources are read
 * synchronously (one await per batch, not per item: `for await` over an array would cost a microtask per record);
 * a {@link BatchedRecordSource} is asked for a batch at a time; other async sources are read item by item, only as
 * fast as the batches are consumed.
 *
 * @internal
 */
export async function* readBatches<T>(
  source: RecordSource<T>,
  sizing: ChunkSizing,
): AsyncGenerator<T[], void, undefined> {
  let size = nextChunkSize(sizing);
  if (Array.isArray(source)) {
    let start = 0;
    while (start < source.length) {
      const batch = source.slice(start, start + size);
      start += batch.length;
      yield batch;
      size = nextChunkSize(sizing);
    }
    return;
  }
  if (isBatchedSource(source)) {
    let ended = false;
    try {
      for (;;) {
        const next = await source.nextBatch(size);
        if (next === undefined) {
          ended = true;
          return;
        }
        yield next;
        size = nextChunkSize(sizing);
      }
    } finally {
      if (!ended) source.abandon();
    }
  }
  let batch: T[] = [];
  if (Symbol.iterator in source) {
    for (const item of source as Iterable<T>) {
      batch.push(item);
      if (batch.length >= size) {
        yield batch;
        batch = [];
        size = nextChunkSize(sizing);
      }
    }
  } else {
    for await (const item of source) {
      batch.push(item);
      if (batch.length >= size) {
        yield batch;
        batch = [];
        size = nextChunkSize(sizing);
      }
    }
  }
  if (batch.length > 0) yield batch;
}
