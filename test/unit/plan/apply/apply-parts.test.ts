import { describe, expect, it } from 'vitest';
import { KeyedCreateSender } from '../../../../src/plan/apply/apply-key-sender.js';
import { AsyncQueue } from '../../../../src/plan/apply/apply-queue.js';
import { planModule, recordXmlid } from '../../../../src/plan/evaluate/plan-xmlid.js';
import { keyDomain } from '../../../../src/batch/send/record-keys.js';
import { keyPart } from '../../../../src/batch/send/record-keys.js';

describe('AsyncQueue', () => {
  it('hands items over in order with back-pressure, then ends', async () => {
    const queue = new AsyncQueue<number>(2);
    const pushed: number[] = [];
    const producer = (async () => {
      for (let i = 0; i < 5; i += 1) {
        await queue.pushAll([i]);
        pushed.push(i);
      }
      queue.close();
    })();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Only the capacity was accepted while nobody read.
    expect(pushed).toEqual([0, 1]);
    const seen: number[] = [];
    for await (const item of queue) seen.push(item);
    await producer;
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('throws the producer error after the buffered items, and never blocks a producer once the consumer left', async () => {
    const failing = new AsyncQueue<number>(4);
    await failing.pushAll([1]);
    failing.fail(new Error('bad row'));
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const item of failing) seen.push(item);
      })(),
    ).rejects.toThrow('bad row');
    expect(seen).toEqual([1]);

    const left = new AsyncQueue<number>(1);
    await left.pushAll([1]);
    for await (const _item of left) break;
    expect(left.abandoned).toBe(true);
    await left.pushAll([2, 3]); // resolves: dropped
    expect(() => new AsyncQueue(0)).toThrow(TypeError);
  });

  it('hands over whole chunks: nextBatch waits for a full chunk (or the end), pushAll waits for room', async () => {
    const queue = new AsyncQueue<number>(6);
    let accepted = false;
    const producer = queue.pushAll([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).then(() => (accepted = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(accepted).toBe(false); // 6 buffered, 4 waiting for room
    expect(await queue.nextBatch(4)).toEqual([0, 1, 2, 3]);
    await producer;
    expect(accepted).toBe(true);
    // 6 buffered now: a full chunk at once, then the rest only when the input ends.
    expect(await queue.nextBatch(4)).toEqual([4, 5, 6, 7]);
    let last: number[] | undefined;
    const waiting = queue.nextBatch(4).then((batch) => (last = batch));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(last).toBeUndefined();
    queue.close();
    await waiting;
    expect(last).toEqual([8, 9]);
    expect(await queue.nextBatch(4)).toBeUndefined();
    // A chunk larger than the queue is never waited for.
    const small = new AsyncQueue<number>(2);
    const filling = small.pushAll([1, 2, 3]);
    expect(await small.nextBatch(5)).toEqual([1, 2]);
    await filling;
    small.close();
    expect(await small.nextBatch(5)).toEqual([3]);
  });

  it('abandon() releases a producer waiting for room; the input error comes after the buffered items', async () => {
    const queue = new AsyncQueue<number>(1);
    const producer = queue.pushAll([1, 2, 3]);
    queue.abandon();
    await producer; // resolves: the rest is dropped
    expect(queue.abandoned).toBe(true);

    const failing = new AsyncQueue<number>(4);
    await failing.pushAll([1, 2]);
    failing.fail(new Error('bad row'));
    expect(await failing.nextBatch(4)).toEqual([1, 2]);
    await expect(failing.nextBatch(4)).rejects.toThrow('bad row');
  });

  it('drop() discards what was not taken', async () => {
    const queue = new AsyncQueue<number>(10);
    await queue.pushAll([1, 2]);
    queue.drop();
    const seen: number[] = [];
    for await (const item of queue) seen.push(item);
    expect(seen).toEqual([]);
  });
});

describe('key domains', () => {
  it('uses `in` for one key field and OR-ed ANDs for several', () => {
    expect(keyDomain(['ref'], [['A'], ['B']])).toEqual([['ref', 'in', ['A', 'B']]]);
    expect(keyDomain(['ref'], [['A'], [null]])).toEqual(['|', ['ref', 'in', ['A']], ['ref', '=', false]]);
    expect(
      keyDomain(
        ['a', 'b'],
        [
          [1, 'x'],
          [2, 'y'],
        ],
      ),
    ).toEqual(['|', '&', ['a', '=', 1], ['b', '=', 'x'], '&', ['a', '=', 2], ['b', '=', 'y']]);
    expect(keyPart([7, 'Belgium'])).toBe(7);
    expect(keyPart(false)).toBeNull();
  });
});

describe('external ids', () => {
  it('are deterministic, safe and under the plan module', () => {
    expect(planModule('crm-seed')).toBe('zenoo_crm_seed');
    const first = recordXmlid('crm-seed', 'contacts', { row: 3 });
    expect(first).toMatch(/^zenoo_crm_seed\.contacts_[0-9a-f]{16}$/);
    expect(recordXmlid('crm-seed', 'contacts', { row: 3 })).toBe(first);
    expect(recordXmlid('crm-seed', 'contacts', { row: 4 })).not.toBe(first);
  });
});

describe('KeyedCreateSender', () => {
  it('sends plain creates and reconciles by key', async () => {
    const calls: { method: string; args: readonly unknown[] }[] = [];
    const client = {
      async executeKw(_model: string, method: string, args: readonly unknown[]) {
        calls.push({ method, args });
        if (method === 'create') return [10, 11];
        if (method === 'search_read') return [{ id: 11, ref: 'B' }];
        throw new Error(method);
      },
      async unlink() {
        throw new Error('unlink');
      },
    };
    const sender = new KeyedCreateSender(client, ['ref']);
    const request = {
      model: 'res.partner',
      operationType: 'create' as const,
      context: undefined,
      size: 2,
      records: [
        { ref: 'A', name: 'a' },
        { ref: 'B', name: 'b' },
      ],
    };
    // No external ids, yet the Batch API may reconcile the chunk: by key.
    expect(sender.canReconcile(request)).toBe(true);
    expect(sender.canReconcile({ ...request, operationType: 'update' as const })).toBe(false);
    expect(await sender.methodOf(request)).toBe('create');
    expect(await sender.send(request, { retryAttempts: 0 })).toEqual({ kind: 'applied', ids: [10, 11] });
    expect(calls[0]).toEqual({
      method: 'create',
      args: [
        [
          { ref: 'A', name: 'a' },
          { ref: 'B', name: 'b' },
        ],
      ],
    });
    expect(await sender.reconcile(request, { retryAttempts: 0 })).toEqual({ ids: [undefined, 11], resendable: true });
    expect(calls[1]!.args).toEqual([[['ref', 'in', ['A', 'B']]]]);
  });
});

describe('AsyncQueue.flush', () => {
  it('hands what is buffered to a consumer waiting for a full batch, then waits for full batches again', async () => {
    const queue = new AsyncQueue<number>(10);
    await queue.pushAll([1, 2, 3]);
    let first: number[] | undefined;
    const reading = queue.nextBatch(5).then((batch) => (first = batch));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(first).toBeUndefined();
    queue.flush();
    await reading;
    expect(first).toEqual([1, 2, 3]);
    await queue.pushAll([4]);
    let second: number[] | undefined;
    const next = queue.nextBatch(2).then((batch) => (second = batch));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(second).toBeUndefined();
    await queue.pushAll([5]);
    await next;
    expect(second).toEqual([4, 5]);
  });
});
