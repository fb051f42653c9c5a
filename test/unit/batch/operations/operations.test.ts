import { describe, expect, it } from 'vitest';
import { BatchValidationError } from '../../../../src/errors.js';
import { CreateOperation } from '../../../../src/batch/operations/create-operation.js';
import { CallOperation } from '../../../../src/batch/operations/call-operation.js';
import { DeleteOperation } from '../../../../src/batch/operations/delete-operation.js';
import { UpdateOperation } from '../../../../src/batch/operations/update-operation.js';
import type { BatchedRecordSource, PlannedChunk } from '../../../../src/batch/operations/batch-operation.js';

async function collect(generator: AsyncGenerator<PlannedChunk>): Promise<PlannedChunk[]> {
  const chunks: PlannedChunk[] = [];
  for await (const chunk of generator) chunks.push(chunk);
  return chunks;
}

describe('CreateOperation', () => {
  it('has the fields of the seed and splits into chunks', () => {
    const operation = new CreateOperation(
      'res.partner',
      [
        { name: 'Company A', is_company: true },
        { name: 'Company B', is_company: true },
      ],
      { context: { active_test: false }, priority: 1 },
    );
    expect(operation.batchSize).toBe(2);
    expect(operation.operationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(operation.status).toBe('pending');
    expect(operation.priority).toBe(1);
    expect(operation.context).toEqual({ active_test: false });
    expect(operation.createdAt).toBeLessThanOrEqual(Date.now());
    const parts = operation.split(1);
    expect(parts).toHaveLength(2);
    expect(parts.map((p) => p.batchSize)).toEqual([1, 1]);
    expect(parts[1]!.operationId).toBe(`${operation.operationId}#1`);
    expect(operation.isCompleted()).toBe(false);
    expect(operation.isSuccessful()).toBe(false);
    expect(operation.isBulkOperation()).toBe(true);
  });

  it('names the operation and record index of an invalid record', () => {
    const operation = new CreateOperation('res.partner', [{ name: 'ok' }, 'oops' as never], { operationId: 'op-1' });
    const error = (() => {
      try {
        operation.validate();
      } catch (e) {
        return e;
      }
    })() as BatchValidationError;
    expect(error).toBeInstanceOf(BatchValidationError);
    expect(error.operationId).toBe('op-1');
    expect(error.recordIndex).toBe(1);
    expect(error.message).toMatch(
      /record 1 of create operation op-1 on res\.partner: expected an object of field values/,
    );
  });

  it('refuses an id field, undefined values, and bad or duplicate external ids', () => {
    expect(() => new CreateOperation('res.partner', [{ id: 3, name: 'x' }]).validate()).toThrow(
      /use an update operation/,
    );
    expect(() => new CreateOperation('res.partner', [{ name: undefined }]).validate()).toThrow(
      /field `name` is undefined/,
    );
    expect(() => new CreateOperation('res.partner', [{ name: 'a' }], { xmlid: () => 'nodot' }).validate()).toThrow(
      /expected 'module\.name'/,
    );
    expect(() =>
      new CreateOperation('res.partner', [{ name: 'a' }, { name: 'b' }], { xmlid: () => 'm.same' }).validate(),
    ).toThrow(/record 1 .*external id 'm\.same' is also the external id of record 0/);
  });

  it('refuses bad models and options with a TypeError', () => {
    expect(() => new CreateOperation('Partner', [])).toThrow(/Odoo model name/);
    expect(() => new CreateOperation('res.partner', 'abc' as never)).toThrow(/array, an iterable or an async iterable/);
    expect(() => new CreateOperation('res.partner', [], { chunkSize: 0 })).toThrow(/`chunkSize`/);
  });

  it('plans chunks lazily from an async iterable, copying the records', async () => {
    async function* source() {
      for (let i = 0; i < 5; i++) yield { name: `P${i}` };
    }
    const operation = new CreateOperation('res.partner', source(), { xmlid: (r) => `t.${String(r['name'])}` });
    expect(operation.batchSize).toBeUndefined();
    const chunks = await collect(operation.planChunks(2));
    expect(chunks.map((c) => c.inputIndexes)).toEqual([[0, 1], [2, 3], [4]]);
    expect(chunks[2]!.xmlids).toEqual(['t.P4']);
    expect(() => operation.split(2)).toThrow(TypeError);
  });
});

describe('UpdateOperation', () => {
  it('is a bulk operation with one set of values and recordIds', async () => {
    const op = new UpdateOperation('res.partner', { active: true }, { recordIds: [1, 2, 3, 4, 5] });
    expect(op.isBulkOperation()).toBe(true);
    expect(op.batchSize).toBe(5);
    const chunks = await collect(op.planChunks(2));
    expect(chunks.map((c) => c.ids)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks[0]!.values).toEqual({ active: true });
  });

  it('groups per-record updates with identical values without mutating the caller', async () => {
    const data = Array.from({ length: 1000 }, (_, i) => ({ id: i + 1, active: i % 2 === 0, ref: `R${i % 5}` }));
    const before = JSON.stringify(data);
    const op = new UpdateOperation('res.partner', data);
    expect(op.isBulkOperation()).toBe(false);
    expect(op.batchSize).toBe(1000);
    const chunks = await collect(op.planChunks(100));
    // 10 distinct value sets (i % 10 decides both fields) of 100 records each → one write each.
    expect(chunks).toHaveLength(10);
    for (const chunk of chunks) {
      for (const [k, id] of chunk.ids!.entries()) {
        const original = data[chunk.inputIndexes[k]!]!;
        expect(original.id).toBe(id);
        expect(chunk.values).toEqual({ active: original.active, ref: original.ref });
      }
    }
    expect(JSON.stringify(data)).toBe(before);
  });

  it('sends its pending groups when a batch of a streamed input comes short (the producer flushed it)', async () => {
    type Update = { id: number; parent_id: number | false };
    // A producer that flushed after two records, then gave one more and ended.
    const batches: Update[][] = [
      [
        { id: 1, parent_id: false },
        { id: 2, parent_id: 1 },
      ],
      [{ id: 3, parent_id: 2 }],
    ];
    let asked = 0;
    const source: BatchedRecordSource<Update> = {
      nextBatch: () => Promise.resolve(batches[asked++]),
      abandon: () => undefined,
      async *[Symbol.asyncIterator]() {
        yield* batches.flat();
      },
    };
    const chunks = new UpdateOperation('product.category', source).planChunks(5)[Symbol.asyncIterator]();
    // Two groups of one, far from a chunk of five: planned before the second batch is even asked for.
    expect((await chunks.next()).value?.ids).toEqual([1]);
    expect((await chunks.next()).value?.ids).toEqual([2]);
    expect(asked).toBe(1);
    expect((await chunks.next()).value?.ids).toEqual([3]);
    expect((await chunks.next()).done).toBe(true);
  });

  it('treats values in a different key order as identical', async () => {
    const op = new UpdateOperation('res.partner', [
      { id: 1, a: 1, b: 2 },
      { id: 2, b: 2, a: 1 },
    ]);
    expect(await collect(op.planChunks(10))).toHaveLength(1);
  });

  it('refuses ambiguous or incomplete input', () => {
    expect(() => new UpdateOperation('res.partner', { active: true })).toThrow(/`recordIds` is required/);
    expect(() => new UpdateOperation('res.partner', [{ id: 1, a: 1 }], { recordIds: [1] })).toThrow(/got both/);
    expect(() =>
      new UpdateOperation('res.partner', [
        { id: 1, a: 1 },
        { id: 1, a: 2 },
      ]).validate(),
    ).toThrow(/record 1 .*record id 1 is also updated by record 0/);
    expect(() => new UpdateOperation('res.partner', [{ id: 0, a: 1 }]).validate()).toThrow(
      /record 0 .*positive integer/,
    );
    expect(() => new UpdateOperation('res.partner', [{ id: 4 }] as never).validate()).toThrow(/no field to write/);
  });
});

describe('DeleteOperation', () => {
  it('counts, splits and validates ids', () => {
    const op = new DeleteOperation('res.partner', [1, 2, 3, 4, 5], { context: { active_test: false } });
    expect(op.batchSize).toBe(5);
    expect(op.split(2).map((p) => p.batchSize)).toEqual([2, 2, 1]);
    expect(() => new DeleteOperation('res.partner', [1, -2]).validate()).toThrow(/record 1 of delete operation/);
  });
});

describe('CallOperation', () => {
  const call = { method: 'action_confirm', guard: [['state', '=', 'draft']] };

  it('splits into calls of the same method, and plans chunks of ids that carry it', async () => {
    const op = new CallOperation('sale.order', [7, 8, 9], { call, context: { lang: 'en_US' } });
    const parts = op.split(2);
    expect(parts.map((part) => [part.batchSize, part.call.method, part.context])).toEqual([
      [2, 'action_confirm', { lang: 'en_US' }],
      [1, 'action_confirm', { lang: 'en_US' }],
    ]);
    const chunks = await collect(op.planChunks(2));
    expect(chunks.map((chunk) => [chunk.ids, chunk.call?.method])).toEqual([
      [[7, 8], 'action_confirm'],
      [[9], 'action_confirm'],
    ]);
    expect(op.touchedIds()).toEqual(new Set([7, 8, 9]));
  });

  it('refuses a private method, arguments that are not a list, and bad ids', () => {
    expect(() => new CallOperation('sale.order', [1], { call: { method: '_compute_amounts' } })).toThrow(
      /public method name/,
    );
    expect(
      () => new CallOperation('sale.order', [1], { call: { method: 'action_confirm', args: {} as never } }),
    ).toThrow(/call.args/);
    expect(() => new CallOperation('sale.order', [1, 0], { call }).validate()).toThrow(/record 1 of call operation/);
  });
});
