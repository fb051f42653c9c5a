import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { BatchExecutor } from '../../../src/batch/batch-executor.js';
import { CreateOperation } from '../../../src/batch/operations/create-operation.js';
import { SharedLimiter } from '../../../src/batch/shared-limiter.js';
import { FakeSender } from './fake-sender.js';

const names = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}` }));

describe('shared limiter', () => {
  it('holds one global limit across two concurrent executions (SharedLimiter)', async () => {
    // One sender counts the calls in flight of both executions; each executor alone would allow 3.
    const sender = new FakeSender({ maxLatencyMs: 8 });
    const shared = new SharedLimiter({ concurrency: 2 });
    const a = new BatchExecutor(undefined, { sender, maxChunkSize: 5, maxConcurrency: 3 });
    const b = new BatchExecutor(undefined, { sender, maxChunkSize: 5, maxConcurrency: 3 });
    const [ra, rb] = await Promise.all([
      a.execute([new CreateOperation('res.partner', names(60, 'A'))], { limiter: shared.limiter() }),
      b.execute([new CreateOperation('res.partner.category', names(60, 'B'))], { limiter: shared.limiter() }),
    ]);
    expect(ra.results[0]!.status).toBe('completed');
    expect(rb.results[0]!.status).toBe('completed');
    expect(sender.calls).toHaveLength(24);
    expect(sender.maxInFlight).toBe(2);
    expect(shared.activeCount).toBe(0);
    expect(shared.pendingCount).toBe(0);
  });

  it('holds the limit with a plain p-limit instance too, and the executor cap still applies', async () => {
    const sender = new FakeSender({ maxLatencyMs: 8 });
    const limit = pLimit(3);
    const a = new BatchExecutor(undefined, { sender, maxChunkSize: 5, maxConcurrency: 4 });
    const b = new BatchExecutor(undefined, { sender, maxChunkSize: 5, maxConcurrency: 4 });
    await Promise.all([
      a.execute([new CreateOperation('res.partner', names(50, 'A'))], { limiter: limit }),
      b.execute([new CreateOperation('res.partner', names(50, 'B'))], { limiter: limit }),
    ]);
    expect(sender.maxInFlight).toBe(3);

    // Without a shared limiter, the two runs together exceed one run's limit (the test above can fail).
    const free = new FakeSender({ maxLatencyMs: 8 });
    const c = new BatchExecutor(undefined, { sender: free, maxChunkSize: 5, maxConcurrency: 2 });
    await Promise.all([
      c.execute([new CreateOperation('res.partner', names(40, 'C'))]),
      c.execute([new CreateOperation('res.partner', names(40, 'D'))]),
    ]);
    expect(free.maxInFlight).toBeGreaterThan(2);

    // A per-run cap below the shared limit caps that run alone.
    const capped = new FakeSender({ maxLatencyMs: 8 });
    const one = new BatchExecutor(undefined, { sender: capped, maxChunkSize: 5, maxConcurrency: 1 });
    await one.execute([new CreateOperation('res.partner', names(30, 'E'))], {
      limiter: new SharedLimiter({ concurrency: 4 }).limiter(),
    });
    expect(capped.maxInFlight).toBe(1);
  });

  it('starts waiting tasks by priority, then in arrival order', async () => {
    const shared = new SharedLimiter({ concurrency: 1 });
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = shared.run(async () => {
      await gate;
      order.push('first');
    });
    const tasks = [
      shared.run(async () => void order.push('low-1'), 0),
      shared.run(async () => void order.push('high-1'), 10),
      shared.run(async () => void order.push('low-2'), 0),
      shared.run(async () => void order.push('high-2'), 10),
    ];
    expect(shared.pendingCount).toBe(4);
    release();
    await Promise.all([first, ...tasks]);
    expect(order).toEqual(['first', 'high-1', 'high-2', 'low-1', 'low-2']);
  });

  it('passes failures through and frees the slot', async () => {
    const shared = new SharedLimiter({ concurrency: 1 });
    await expect(shared.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      shared.run(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(await shared.run(async () => 42)).toBe(42);
    expect(shared.activeCount).toBe(0);
  });

  it('validates its options', async () => {
    expect(() => new SharedLimiter({ concurrency: 0 })).toThrow(TypeError);
    expect(() => new SharedLimiter({ concurrency: 1.5 })).toThrow(/integer from 1/);
    const executor = new BatchExecutor(undefined, { sender: new FakeSender() });
    await expect(
      executor.execute([new CreateOperation('res.partner', names(1, 'X'))], { limiter: 3 as never }),
    ).rejects.toThrow(TypeError);
  });

  it('stopSignal stops scheduling new chunks while sent ones settle', async () => {
    const sender = new FakeSender({ maxLatencyMs: 10 });
    const executor = new BatchExecutor(undefined, { sender, maxChunkSize: 5, maxConcurrency: 2 });
    const stop = new AbortController();
    let finished = 0;
    const execution = await executor.execute([new CreateOperation('res.partner', names(200, 'S'))], {
      stopSignal: stop.signal,
      onEvent: (event) => {
        if (event.type === 'chunk-finished' && ++finished === 3) stop.abort();
      },
    });
    const result = execution.results[0]!;
    expect(result.status).toBe('cancelled');
    expect(sender.calls.length).toBeLessThan(10);
    // Everything sent was applied (nothing aborted mid-call).
    expect(result.applied).toBe(sender.created.size);
    expect(result.unknown).toEqual([]);
  });
});
