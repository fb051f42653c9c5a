import { describe, expect, it } from 'vitest';
import type { BatchedRecordSource } from '../../../src/batch/operations/batch-operation.js';
import { readBatches } from '../../../src/batch/read-batches.js';

async function collect<T>(batches: AsyncIterable<T[]>): Promise<T[][]> {
  const all: T[][] = [];
  for await (const batch of batches) all.push(batch);
  return all;
}

/** A batched source over `items` that records how it was read. */
function batchedSource(items: number[]): BatchedRecordSource<number> & { asked: number[]; abandoned: boolean } {
  let next = 0;
  const source = {
    asked: [] as number[],
    abandoned: false,
    async nextBatch(max: number): Promise<number[] | undefined> {
      source.asked.push(max);
      if (next >= items.length) return undefined;
      const batch = items.slice(next, next + max);
      next += batch.length;
      return batch;
    },
    abandon(): void {
      source.abandoned = true;
    },
    [Symbol.asyncIterator](): AsyncIterator<number> {
      throw new Error('a batched source is read with nextBatch');
    },
  };
  return source;
}

describe('readBatches', () => {
  it('reads arrays, iterables and async iterables in batches of the given size', async () => {
    const items = Array.from({ length: 7 }, (_, i) => i);
    const expected = [[0, 1, 2], [3, 4, 5], [6]];
    expect(await collect(readBatches(items, 3))).toEqual(expected);
    expect(await collect(readBatches(new Set(items), 3))).toEqual(expected);
    async function* stream(): AsyncGenerator<number> {
      yield* items;
    }
    expect(await collect(readBatches(stream(), 3))).toEqual(expected);
  });

  it('asks a batched source for a whole batch at a time, and tells it when the reader stops early', async () => {
    const source = batchedSource([1, 2, 3, 4, 5]);
    expect(await collect(readBatches(source, 2))).toEqual([[1, 2], [3, 4], [5]]);
    expect(source.asked).toEqual([2, 2, 2, 2]);
    expect(source.abandoned).toBe(false);

    const early = batchedSource([1, 2, 3, 4, 5]);
    for await (const _batch of readBatches(early, 2)) break;
    expect(early.abandoned).toBe(true);
  });
});
