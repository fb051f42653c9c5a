import { describe, expect, it } from 'vitest';
import { AbortError, OutcomeUnknownError, ValidationError } from '../../../src/errors.js';
import { BatchExecutor } from '../../../src/batch/batch-executor.js';
import type { BatchEvent, BatchProgress } from '../../../src/batch/batch-events.js';
import { CreateOperation } from '../../../src/batch/operations/create-operation.js';
import { DeleteOperation } from '../../../src/batch/operations/delete-operation.js';
import { UpdateOperation } from '../../../src/batch/operations/update-operation.js';
import type { ChunkRequest, ReconcileResult } from '../../../src/batch/send/chunk-sender.js';
import { FakeSender } from './fake-sender.js';

const names = (n: number, prefix = 'P') => Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}` }));

describe('BatchExecutor', () => {
  it('sends a chunk only after its checkpoint line is durable, and settles each sent chunk once', async () => {
    const sender = new FakeSender({ maxLatencyMs: 3, badNames: new Set(['P13']) });
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 5, maxConcurrency: 3, onError: 'isolate' });
    const durable = new Set<number>();
    const log: string[] = [];
    const settled = new Map<number, { ids: readonly (number | undefined)[]; rejected: number[] }>();
    const original = sender.send.bind(sender);
    sender.send = async (request, options) => {
      // The chunk's first record names it: P0..P4 is chunk 0, and so on.
      const chunk = Math.floor(Number(String(request.records![0]!['name']).slice(1)) / 5);
      log.push(durable.has(chunk) ? `send ${chunk}` : `send ${chunk} BEFORE ITS LINE`);
      return original(request, options);
    };
    const { results } = await executor.execute([new CreateOperation('res.partner', names(20))], {
      // A sync that takes a while (and longer for later chunks): the send must wait for it.
      checkpoint: {
        planned: (chunk) =>
          new Promise<void>((resolve) =>
            setTimeout(() => {
              durable.add(chunk.chunkIndex);
              resolve();
            }, 2 + chunk.chunkIndex),
          ),
        settled: (chunk, settlement) => {
          expect(settled.has(chunk.chunkIndex)).toBe(false);
          settled.set(chunk.chunkIndex, { ids: settlement.ids, rejected: settlement.rejected.map((r) => r.index) });
        },
      },
    });
    expect(log.filter((line) => line.includes('BEFORE'))).toEqual([]);
    expect([...settled.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect(settled.get(2)!.rejected).toEqual([13]);
    expect(settled.get(2)!.ids.filter((id) => id === undefined)).toHaveLength(1);
    expect(results[0]!.applied).toBe(19);
  });

  it('with keepIds: false, gives each chunk its ids (isolated ones included) and keeps none in the results', async () => {
    const sender = new FakeSender({ badNames: new Set(['P7']) });
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 5, maxConcurrency: 2, onError: 'isolate' });
    const settled = new Map<number, readonly (number | undefined)[]>();
    const { results } = await executor.execute([new CreateOperation('res.partner', names(12))], {
      keepIds: false,
      checkpoint: {
        planned: () => undefined,
        settled: (chunk, settlement) => void settled.set(chunk.chunkIndex, settlement.ids),
      },
    });
    expect(results[0]!.ids).toEqual([]);
    expect(results[0]!.applied).toBe(11);
    const ids = [0, 1, 2].flatMap((chunk) => settled.get(chunk)!);
    expect(ids).toHaveLength(12);
    // The rejected record's position is empty; the others have distinct ids, in input order within each chunk.
    expect(ids[7]).toBeUndefined();
    const known = ids.filter((id) => id !== undefined);
    expect(new Set(known).size).toBe(11);
  });

  it('does not send a chunk whose checkpoint line failed', async () => {
    const sender = new FakeSender();
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 5, maxConcurrency: 1 });
    const { results, error } = await executor.execute([new CreateOperation('res.partner', names(15))], {
      checkpoint: {
        planned: (chunk) => (chunk.chunkIndex === 1 ? Promise.reject(new Error('disk full')) : Promise.resolve()),
        settled: () => undefined,
      },
    });
    const sent = sender.calls.map((call) => call.request.records![0]!['name']);
    // Chunk 1 is not sent, and the run stops: nothing after it either.
    expect(sent).toEqual(['P0']);
    expect(results[0]!.status).not.toBe('completed');
    expect(error?.message).toMatch(/disk full/);
  });

  it('keeps ids in input order under concurrency and random latency', async () => {
    const sender = new FakeSender({ maxLatencyMs: 15 });
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 7, maxConcurrency: 4 });
    const records = names(200);
    const { results, stats } = await executor.execute([new CreateOperation('res.partner', records)]);
    const ids = results[0]!.ids as number[];
    expect(ids).toHaveLength(200);
    ids.forEach((id, index) => expect(sender.created.get(id)).toEqual(records[index]));
    expect(results[0]!.status).toBe('completed');
    expect(stats.chunks).toBe(Math.ceil(200 / 7));
    expect(sender.maxInFlight).toBeLessThanOrEqual(4);
    expect(sender.maxInFlight).toBeGreaterThan(1);
  });

  it('uses one limiter for the whole run, across operations', async () => {
    const sender = new FakeSender({ maxLatencyMs: 10 });
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 5, maxConcurrency: 3 });
    await executor.execute([
      new CreateOperation('res.partner', names(50, 'A')),
      new CreateOperation('res.partner', names(50, 'B')),
      new CreateOperation('res.partner.category', names(50, 'C')),
    ]);
    expect(sender.maxInFlight).toBeLessThanOrEqual(3);
    expect(sender.calls).toHaveLength(30);
  });

  it('runs higher priorities first and serializes overlapping operations on one model', async () => {
    const sender = new FakeSender({ maxLatencyMs: 5 });
    const order: string[] = [];
    const executor = new BatchExecutor(undefined, {
      sender,
      maxChunkSize: 2,
      onEvent: (event) => {
        if (event.type === 'operation-started' || event.type === 'operation-finished') {
          const id = event.type === 'operation-started' ? event.operationId : event.result.operationId;
          order.push(`${event.type === 'operation-started' ? '+' : '-'}${id}`);
        }
      },
    });
    await executor.execute([
      new UpdateOperation('res.partner', { a: 1 }, { recordIds: [1, 2, 3], operationId: 'u1' }),
      new UpdateOperation('res.partner', { a: 2 }, { recordIds: [3, 4], operationId: 'u2' }),
      new DeleteOperation('res.partner', [9], { operationId: 'd' }),
      new CreateOperation('res.partner', names(2), { operationId: 'high', priority: 5 }),
    ]);
    // The high-priority create settles before anything else starts.
    expect(order.slice(0, 2)).toEqual(['+high', '-high']);
    // u2 overlaps u1 (id 3): it starts only after u1 finished; d does not overlap and starts at once.
    expect(order.indexOf('+u2')).toBeGreaterThan(order.indexOf('-u1'));
    expect(order.indexOf('+d')).toBeLessThan(order.indexOf('-u1'));
  });

  it('stop: sends no new chunk after a failure and reports partial results', async () => {
    const sender = new FakeSender({ badNames: new Set(['P25']) });
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 10, maxConcurrency: 1 });
    const { results, error } = await executor.execute([new CreateOperation('res.partner', names(100))]);
    const result = results[0]!;
    expect(result.status).toBe('partial');
    expect(result.applied).toBe(20);
    expect(result.failedChunks).toHaveLength(1);
    expect(result.failedChunks[0]!.inputIndexes).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    expect(error).toBeInstanceOf(ValidationError);
    expect(sender.calls).toHaveLength(3);
    expect(result.ids.slice(0, 20).every((id) => typeof id === 'number')).toBe(true);
    expect(result.ids.slice(20).every((id) => id === undefined)).toBe(true);
    expect(result.ids).toHaveLength(40); // records read before the stop (one chunk planned, never sent); the rest never read
  });

  it('continue: goes on after a failed chunk', async () => {
    const sender = new FakeSender({ badNames: new Set(['P25']) });
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 10, onError: 'continue' });
    const { results } = await executor.execute([new CreateOperation('res.partner', names(100))]);
    expect(results[0]!.applied).toBe(90);
    expect(results[0]!.ids.filter((id) => id === undefined)).toHaveLength(10);
    expect(sender.created.size).toBe(90);
  });

  it('isolate: bisects failing chunks, applies the rest and names each rejected record', async () => {
    const sender = new FakeSender({ badNames: new Set(['P3', 'P17', 'P18']) });
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 10, maxConcurrency: 2 });
    const operation = new CreateOperation('res.partner', names(40), { onError: 'isolate' });
    const { results } = await executor.execute([operation]);
    const result = results[0]!;
    expect(result.status).toBe('partial');
    expect(result.rejected.map((r) => r.index).sort((a, b) => a - b)).toEqual([3, 17, 18]);
    expect(result.rejected[0]!.error.message).toMatch(/bad record P/);
    expect(result.applied).toBe(37);
    expect(sender.created.size).toBe(37);
    result.ids.forEach((id, index) => {
      if ([3, 17, 18].includes(index)) expect(id).toBeUndefined();
      else expect(sender.created.get(id!)).toEqual({ name: `P${index}` });
    });
    expect(operation.status).toBe('partial');
  });

  it('reports an unknown outcome without external ids and never resends it', async () => {
    const sender = new FakeSender({ dropAfterCommit: new Set(['P12']) });
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 10, onError: 'continue' });
    const events: BatchEvent['type'][] = [];
    const { results } = await executor.execute([new CreateOperation('res.partner', names(30))], {
      onEvent: (e) => void events.push(e.type),
    });
    expect(results[0]!.unknown).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(sender.created.size).toBe(30); // committed on the "server" ...
    expect(sender.calls.filter((c) => c.method === 'create')).toHaveLength(3); // ... and not resent
    expect(events).toContain('chunk-outcome-unknown');
  });

  it('reconciles an unknown outcome by external id and resends only the missing records', async () => {
    const sender = new FakeSender({ dropAfterCommit: new Set(['P12']), dropBeforeCommit: new Set(['P25']) });
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 10 });
    const reconciled: { found: readonly number[]; missing: readonly number[] }[] = [];
    const { results } = await executor.execute(
      [new CreateOperation('res.partner', names(30), { xmlid: (r) => `test.${String(r['name'])}` })],
      {
        onEvent: (e) => {
          if (e.type === 'chunk-reconciled') reconciled.push({ found: e.found, missing: e.missing });
        },
      },
    );
    const result = results[0]!;
    expect(result.status).toBe('completed');
    expect(result.unknown).toEqual([]);
    expect(sender.created.size).toBe(30); // no duplicate
    (result.ids as number[]).forEach((id, i) => expect(sender.created.get(id)).toEqual({ name: `P${i}` }));
    expect(reconciled).toContainEqual({ found: [10, 11, 12, 13, 14, 15, 16, 17, 18, 19], missing: [] });
    expect(reconciled).toContainEqual({ found: [], missing: [20, 21, 22, 23, 24, 25, 26, 27, 28, 29] });
  });

  it('reconciles a create without external ids when the sender can (canReconcile), by its own lookup', async () => {
    // A sender that finds created records by name, as a plan step does by its key.
    class ByNameSender extends FakeSender {
      canReconcile(request: ChunkRequest): boolean {
        return request.operationType === 'create';
      }
      override async reconcile(request: ChunkRequest): Promise<ReconcileResult> {
        this.calls.push({ method: 'reconcile', size: request.size, request });
        const byName = new Map([...this.created].map(([id, record]) => [record['name'], id]));
        return { ids: (request.records ?? []).map((record) => byName.get(record['name'])), resendable: true };
      }
    }
    const sender = new ByNameSender({ dropAfterCommit: new Set(['P12']), dropBeforeCommit: new Set(['P25']) });
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 10 });
    const { results } = await executor.execute([new CreateOperation('res.partner', names(30))]);
    const result = results[0]!;
    expect(result.status).toBe('completed');
    expect(result.unknown).toEqual([]);
    expect(sender.created.size).toBe(30); // the committed chunk was found, not resent; the lost one was resent once
    expect(sender.calls.filter((call) => call.method === 'reconcile')).toHaveLength(2);
    (result.ids as number[]).forEach((id, i) => expect(sender.created.get(id)).toEqual({ name: `P${i}` }));
  });

  it('streams an async iterable with bounded look-ahead', async () => {
    const sender = new FakeSender({ maxLatencyMs: 2 });
    let produced = 0;
    let maxAhead = 0;
    async function* source() {
      for (let i = 0; i < 2000; i++) {
        produced += 1;
        maxAhead = Math.max(maxAhead, produced - sender.created.size);
        yield { name: `S${i}` };
      }
    }
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 50, maxConcurrency: 3 });
    const progress: BatchProgress[] = [];
    const { results } = await executor.execute([new CreateOperation('res.partner', source())], {
      onProgress: (p) => void progress.push(p),
    });
    expect(results[0]!.ids).toHaveLength(2000);
    expect(results[0]!.status).toBe('completed');
    // Never more than 2 × concurrency chunks (running + queued) plus the one being planned read ahead of the server.
    expect(maxAhead).toBeLessThanOrEqual(50 * (2 * 3 + 1));
    expect(progress.at(-1)!.completed).toBe(2000);
    expect(progress.at(-1)!.total).toBe(2000);
    expect(progress[0]!.total).toBeUndefined();
  });

  it('reports progress after each chunk, awaiting async callbacks', async () => {
    const sender = new FakeSender();
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 10, maxConcurrency: 1 });
    const seen: BatchProgress[] = [];
    await executor.execute([new CreateOperation('res.partner', names(35))], {
      onProgress: async (p) => {
        await new Promise((r) => setTimeout(r, 1));
        seen.push(p);
      },
    });
    expect(seen.map((p) => p.completed)).toEqual([10, 20, 30, 35]);
    expect(seen.map((p) => p.percentage)).toEqual([(10 / 35) * 100, (20 / 35) * 100, (30 / 35) * 100, 100]);
    expect(seen.at(-1)!.records).toBe(35);
    expect(seen.at(-1)!.stats.chunks).toBe(4);
    expect(seen.at(-1)!.recordsPerSecond).toBeGreaterThan(0);
  });

  it('stops on abort: no chunk after it, running calls settle as unknown', async () => {
    const sender = new FakeSender({ maxLatencyMs: 20 });
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 10, maxConcurrency: 2 });
    const controller = new AbortController();
    const run = executor.execute([new CreateOperation('res.partner', names(500))], {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.completed >= 40) controller.abort();
      },
    });
    const { results, error } = await run;
    expect(error).toBeInstanceOf(AbortError);
    expect(results[0]!.status).not.toBe('completed');
    expect(sender.calls.length).toBeLessThan(10);
    await expect(executor.execute([], { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
  });

  it('validates every operation before sending anything', async () => {
    const sender = new FakeSender();
    const executor = new BatchExecutor(undefined, { sender });
    await expect(
      executor.execute([
        new CreateOperation('res.partner', names(3)),
        new DeleteOperation('res.partner', [1, 'x' as never]),
      ]),
    ).rejects.toThrow(/record 1 of delete operation/);
    expect(sender.calls).toHaveLength(0);
  });

  it('emits chunk lifecycle events in order with operation id, chunk index, input indexes and ids', async () => {
    const sender = new FakeSender();
    const events: BatchEvent[] = [];
    const executor = new BatchExecutor(undefined, {
      sender,
      maxChunkSize: 2,
      maxConcurrency: 1,
      onEvent: (e) => void events.push(e),
    });
    await executor.execute([new CreateOperation('res.partner', names(3), { operationId: 'op' })]);
    const chunkEvents = events.filter((e) => e.type.startsWith('chunk-'));
    // Per chunk: planned → started → finished (chunks may interleave: the next one is planned ahead).
    for (const chunk of [0, 1]) {
      const types = chunkEvents.filter((e) => 'chunkIndex' in e && e.chunkIndex === chunk).map((e) => e.type);
      expect(types).toEqual(['chunk-planned', 'chunk-started', 'chunk-finished']);
    }
    const finished = chunkEvents.filter((e) => e.type === 'chunk-finished');
    expect(
      finished.map((e) => ({ op: e.operationId, chunk: e.chunkIndex, indexes: e.inputIndexes, ids: e.ids })),
    ).toEqual([
      { op: 'op', chunk: 0, indexes: [0, 1], ids: [1, 2] },
      { op: 'op', chunk: 1, indexes: [2], ids: [3] },
    ]);
    expect(events.at(-1)!.type).toBe('run-finished');
  });

  it('keeps an OutcomeUnknownError from an update as unknown', async () => {
    const sender = new FakeSender();
    sender.send = async () => {
      throw new OutcomeUnknownError('lost', [1, 2], {});
    };
    const executor = new BatchExecutor(undefined, { sender });
    const { results } = await executor.execute([new UpdateOperation('res.partner', { a: 1 }, { recordIds: [1, 2] })]);
    expect(results[0]!.unknown).toEqual([0, 1]);
    expect(results[0]!.status).toBe('failed');
  });
});
