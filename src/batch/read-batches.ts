/**
 * {@link readBatches}: reads an array, iterable or async iterable in batches of `size` items.
 *
 * @packageDocumentation
 */
import { isBatchedSource } from './operations/batch-operation.js';
import type { RecordSource } from './operations/batch-operation.js';

/**
 * Yields the items of `source` in arrays of `size` (the last one may be shorter). Sync sources are read
 * synchronously (one await per batch, not per item: `for await` over an array would cost a microtask per record);
 * a {@link BatchedRecordSource} is asked for a batch at a time; other async sources are read item by item, only as
 * fast as the batches are consumed.
 *
 * @internal
 */
export async function* readBatches<T>(source: RecordSource<T>, size: number): AsyncGenerator<T[], void, undefined> {
  if (Array.isArray(source)) {
    for (let start = 0; start < source.length; start += size) yield source.slice(start, start + size);
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
      }
    } finally {
      if (!ended) source.abandon();
    }
  }
  let batch: T[] = [];
  if (Symbol.iterator in source) {
    for (const item of source as Iterable<T>) {
      batch.push(item);
      if (batch.length === size) {
        yield batch;
        batch = [];
      }
    }
  } else {
    for await (const item of source) {
      batch.push(item);
      if (batch.length === size) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}
