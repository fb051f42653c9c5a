// The benchmark capacity model: option checks, the records a call carries, and the worker pool's queue.
import { describe, expect, it } from 'vitest';
import { WorkerPool, recordsOfCall, resolveCapacity } from '../../../src/sandbox/server-capacity.js';

describe('resolveCapacity', () => {
  it('applies the defaults and refuses bad fields by name', () => {
    expect(resolveCapacity(undefined)).toBeUndefined();
    expect(resolveCapacity({ workers: 2 })).toEqual({
      workers: 2,
      recordCostMs: 0,
      callCostMs: 0,
      timeLimitMs: undefined,
    });
    expect(() => resolveCapacity({ workers: 0 })).toThrow(/capacity\.workers/);
    expect(() => resolveCapacity({ workers: 1, recordCostMs: -1 })).toThrow(/capacity\.recordCostMs/);
    expect(() => resolveCapacity({ workers: 1, timeLimitMs: 0 })).toThrow(/capacity\.timeLimitMs.*> 0/);
    expect(() => resolveCapacity({ workers: 1, cpus: 2 } as never)).toThrow(/Unknown field `capacity\.cpus`/);
  });
});

describe('recordsOfCall', () => {
  it('counts the values, ids or rows of write methods, positional or named, and nothing for reads', () => {
    expect(recordsOfCall('create', [[{ name: 'a' }, { name: 'b' }]], {})).toBe(2);
    expect(recordsOfCall('create', [{ name: 'a' }], {})).toBe(1);
    expect(recordsOfCall('create', [], { vals_list: [{}, {}, {}] })).toBe(3);
    expect(recordsOfCall('write', [[1, 2, 3, 4], { name: 'x' }], {})).toBe(4);
    expect(recordsOfCall('unlink', [], { ids: [7] })).toBe(1);
    expect(recordsOfCall('load', [['name'], [['a'], ['b']]], {})).toBe(2);
    expect(recordsOfCall('search_read', [[['id', 'in', [1, 2]]]], {})).toBe(0);
  });
});

describe('WorkerPool', () => {
  it('serves `workers` requests at once and queues the others first come, first served', async () => {
    const pool = new WorkerPool(resolveCapacity({ workers: 2, recordCostMs: 0.5, callCostMs: 2 })!);
    const first = await pool.acquire(10);
    const second = await pool.acquire(0);
    expect([first.holdMs, second.holdMs]).toEqual([7, 2]);
    const order: string[] = [];
    const third = pool.acquire(1).then((ticket) => (order.push('third'), ticket));
    const fourth = pool.acquire(1).then((ticket) => (order.push('fourth'), ticket));
    await Promise.resolve();
    expect(pool.waiting).toBe(2);
    first.release();
    first.release(); // a second release gives nothing back twice
    const thirdTicket = await third;
    expect(order).toEqual(['third']);
    expect(pool.waiting).toBe(1);
    second.release();
    (await fourth).release();
    thirdTicket.release();
    expect(order).toEqual(['third', 'fourth']);
    expect(pool.waiting).toBe(0);
  });

  it('marks a request that would pass the time limit as cut, held for the limit only', async () => {
    const pool = new WorkerPool(resolveCapacity({ workers: 1, recordCostMs: 1, timeLimitMs: 50 })!);
    const ticket = await pool.acquire(200);
    expect(ticket).toMatchObject({ cut: true, holdMs: 50 });
    ticket.release();
    expect(await pool.acquire(20)).toMatchObject({ cut: false, holdMs: 20 });
  });
});
