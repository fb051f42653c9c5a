// The executor under adaptive tuning: each chunk takes the tuned size, the chunks in flight follow the tuned
// limit, every settled call is told to the tuning, and a create whose answer was lost is resent in halves.
import { describe, expect, it } from 'vitest';
import { BatchExecutor } from '../../../src/batch/batch-executor.js';
import { CreateOperation } from '../../../src/batch/operations/create-operation.js';
import type { ChunkSample, ChunkTuning } from '../../../src/batch/tuning/chunk-sample.js';
import { FakeSender } from './fake-sender.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `P${i}` }));

describe('BatchExecutor with tuning', () => {
  it('forms each chunk at the size the tuning gives when it is formed, and tells it every call', async () => {
    const sender = new FakeSender();
    const sizes = [5, 10, 20];
    const samples: ChunkSample[] = [];
    const asked: number[] = [];
    const tuning: ChunkTuning = {
      chunkSize: () => {
        const size = sizes[Math.min(samples.length, sizes.length - 1)]!;
        asked.push(size);
        return size;
      },
      concurrency: () => 1,
      observe: (sample) => void samples.push(sample),
    };
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 200, maxConcurrency: 4 });
    const { results } = await executor.execute([new CreateOperation('res.partner', names(55))], { tuning });
    expect(results[0]!.status).toBe('completed');
    expect(sender.created.size).toBe(55);
    // The tuned limit, not maxConcurrency: one call at a time.
    expect(sender.maxInFlight).toBe(1);
    // Each chunk has the size the tuning gave when it was formed (the last one holds what is left); sizes grew as
    // calls settled (chunks are formed one ahead of the call in flight).
    const sent = sender.calls.map((call) => call.size);
    expect(sent.slice(0, -1)).toEqual(asked.slice(0, sent.length - 1));
    expect(sent.reduce((sum, size) => sum + size, 0)).toBe(55);
    expect(sent[0]).toBe(5);
    expect(sent).toContain(20);
    expect(samples.map((sample) => sample.records)).toEqual(sent);
    expect(samples.every((sample) => sample.outcome === 'ok')).toBe(true);
  });

  it('resends the missing records of a lost create in halves, told as lost', async () => {
    const sender = new FakeSender({ dropBeforeCommit: new Set(['P3']) });
    const samples: ChunkSample[] = [];
    const tuning: ChunkTuning = { observe: (sample) => void samples.push(sample), splitLost: true };
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 8, maxConcurrency: 1 });
    const { results } = await executor.execute(
      [new CreateOperation('res.partner', names(8), { xmlid: (record) => `test.${String(record['name'])}` })],
      { tuning },
    );
    expect(results[0]!.status).toBe('completed');
    expect(sender.created.size).toBe(8);
    expect(sender.calls.filter((call) => call.method === 'load').map((call) => call.size)).toEqual([8, 4, 4]);
    expect(samples.map((sample) => sample.outcome)).toEqual(['lost', 'ok', 'ok']);
  });
});
