/**
 * Every example of the Batch API reference (shared/seed/batch-api.md), translated to TypeScript and run against the
 * sandbox; each asserts the server's state, not only the return values.
 */
import { describe, expect, it } from 'vitest';
import { BatchExecutionError, BatchValidationError, ZenooError } from '../../../src/errors.js';
import { BatchManager } from '../../../src/batch/batch-manager.js';
import { batchContext } from '../../../src/batch/batch-manager.js';
import { batchOperation } from '../../../src/batch/batch-operation-collector.js';
import { CreateOperation } from '../../../src/batch/operations/create-operation.js';
import { UpdateOperation } from '../../../src/batch/operations/update-operation.js';
import { DeleteOperation } from '../../../src/batch/operations/delete-operation.js';
import type { BatchProgress } from '../../../src/batch/batch-events.js';
import { useBatchSandbox } from './batch-sandbox.js';

const t = useBatchSandbox();

async function makePartners(prefix: string, n: number): Promise<number[]> {
  return t.client.executeKw<number[]>('res.partner', 'create', [
    Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}` })),
  ]);
}

describe('BatchManager constructor', () => {
  it('takes the basic and custom configurations; the client knows no manager', async () => {
    const basic = new BatchManager(t.client);
    expect(basic.executor.options).toMatchObject({
      maxChunkSize: 100,
      maxConcurrency: 5,
      retryAttempts: 3,
      timeoutMs: undefined,
    });
    const custom = new BatchManager(t.client, { maxChunkSize: 200, maxConcurrency: 10, timeoutMs: 600_000 });
    expect(custom.executor.options).toMatchObject({ maxChunkSize: 200, maxConcurrency: 10, timeoutMs: 600_000 });
    expect(() => new BatchManager(t.client, { maxConcurrency: 0 })).toThrow(TypeError);
    // Layers point one way: the Batch API takes a client; the client has no batch slot.
    expect('batchManager' in t.client || 'batch' in t.client || 'transaction' in t.client).toBe(false);
  });
});

describe('batch context', () => {
  it('collects create, update and delete and executes them when the callback returns', async () => {
    const [u1, u2, d1, d2, d3] = await makePartners('ctx-existing-', 5);
    await t.client.executeKw('res.partner', 'write', [[u1, u2], { active: false }]);
    const manager = new BatchManager(t.client);
    let created: CreateOperation | undefined;
    const result = await manager.batch(async (batch) => {
      created = batch.create('res.partner', [
        { name: 'ctx Company A', email: 'a@company.com' },
        { name: 'ctx Company B', email: 'b@company.com' },
      ]);
      batch.update('res.partner', { active: true }, { recordIds: [u1!, u2!] });
      batch.delete('res.partner', [d1!, d2!, d3!]);
    });
    expect(result.results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    const ids = created!.result!.ids as number[];
    expect(await t.partners(ids, ['name', 'email'])).toEqual([
      { id: ids[0], name: 'ctx Company A', email: 'a@company.com' },
      { id: ids[1], name: 'ctx Company B', email: 'b@company.com' },
    ]);
    expect((await t.partners([u1!, u2!], ['active'])).map((r) => r['active'])).toEqual([true, true]);
    expect(
      await t.client.executeKw(
        'res.partner',
        'search',
        [[['id', 'in', [d1, d2, d3]]]],
        {},
        { context: { active_test: false } },
      ),
    ).toEqual([]);
  });

  it('executes nothing when the callback throws', async () => {
    const manager = new BatchManager(t.client);
    const before = t.sandbox.stats.calls;
    await expect(
      manager.batch((batch) => {
        batch.create('res.partner', [{ name: 'ctx never' }]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(t.sandbox.stats.calls).toBe(before);
    expect(await t.countNamed('ctx never')).toBe(0);
  });
});

describe('bulk operations', () => {
  it('bulkCreate returns the ids of the created partners in input order', async () => {
    const manager = new BatchManager(t.client);
    const partnersData = [
      { name: 'ACME Corp', email: 'contact@acme.com', is_company: true },
      { name: 'Global Inc', email: 'info@global.com', is_company: true },
      { name: 'Tech Solutions', email: 'hello@tech.com', is_company: true },
    ];
    const createdIds = await manager.bulkCreate('res.partner', partnersData, { chunkSize: 50 });
    expect(createdIds).toHaveLength(3);
    expect(await t.partners(createdIds, ['name', 'email', 'is_company'])).toEqual(
      partnersData.map((data, i) => ({ id: createdIds[i], ...data })),
    );
  });

  it('bulkUpdate applies individual updates and one set of values to many ids, without mutating the input', async () => {
    const manager = new BatchManager(t.client);
    const [a, b, c, d, e] = await makePartners('upd-', 5);
    const individualUpdates = [
      { id: a!, active: true, ref: 'R1' },
      { id: b!, active: true, ref: 'R2' },
      { id: c!, active: false, ref: 'R0' },
    ];
    const snapshot = JSON.stringify(individualUpdates);
    expect(await manager.bulkUpdate('res.partner', individualUpdates)).toBe(true);
    expect(JSON.stringify(individualUpdates)).toBe(snapshot);
    expect(await t.partners([a!, b!, c!], ['active', 'ref'])).toEqual([
      { id: a, active: true, ref: 'R1' },
      { id: b, active: true, ref: 'R2' },
      { id: c, active: false, ref: 'R0' },
    ]);
    expect(
      await manager.bulkUpdate('res.partner', { active: true, ref: 'BULK' }, { recordIds: [a!, b!, c!, d!, e!] }),
    ).toBe(true);
    expect(
      (await t.partners([a!, b!, c!, d!, e!], ['active', 'ref'])).every(
        (r) => r['active'] === true && r['ref'] === 'BULK',
      ),
    ).toBe(true);
  });

  it('bulkDelete deletes every id', async () => {
    const manager = new BatchManager(t.client);
    const ids = await makePartners('del-', 5);
    const before = t.sandbox.stats.callsByMethod['res.partner.unlink'] ?? 0;
    expect(await manager.bulkDelete('res.partner', ids, { chunkSize: 2 })).toBe(true);
    expect(await t.countNamed('del-')).toBe(0);
    expect((t.sandbox.stats.callsByMethod['res.partner.unlink'] ?? 0) - before).toBe(3);
  });
});

describe('createBatch and executeOperations', () => {
  it('builds a batch by hand with chainable create / update / unlink and executes it', async () => {
    const manager = new BatchManager(t.client);
    const [u1, u2, u3, d1, d2, d3] = await makePartners('manual-', 6);
    const batch = manager
      .createBatch('custom-batch-001')
      .create('res.partner', [
        { name: 'manual Company A', is_company: true },
        { name: 'manual Company B', is_company: true },
      ])
      .update('res.partner', { active: false }, { recordIds: [u1!, u2!, u3!] })
      .unlink('res.partner', [d1!, d2!, d3!]);
    expect(manager.activeBatches.get('custom-batch-001')).toBe(batch);
    const results = await batch.execute();
    expect(manager.activeBatches.has('custom-batch-001')).toBe(false);
    expect(results.results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    expect(await t.countNamed('manual Company')).toBe(2);
    expect((await t.partners([u1!, u2!, u3!], ['active'])).map((r) => r['active'])).toEqual([false, false, false]);
    expect(
      await t.client.executeKw(
        'res.partner',
        'search',
        [[['id', 'in', [d1, d2, d3]]]],
        {},
        { context: { active_test: false } },
      ),
    ).toEqual([]);
    await expect(batch.execute()).rejects.toThrow(/already executed/);
  });

  it('executes a list of operations with a progress callback and statistics', async () => {
    const manager = new BatchManager(t.client);
    const [a, b, c] = await makePartners('ops-', 3);
    const operations = [
      new CreateOperation('res.partner', [{ name: 'ops Test Company' }]),
      new UpdateOperation('res.partner', { active: true, ref: 'OPS' }, { recordIds: [a!, b!, c!] }),
    ];
    const seen: BatchProgress[] = [];
    const results = await manager.executeOperations(operations, {
      onProgress: async (progress) => {
        seen.push(progress);
      },
    });
    expect(results.stats.completedOperations).toBe(2);
    expect(results.stats.failedOperations).toBe(0);
    expect(results.durationMs).toBeGreaterThan(0);
    expect(seen.at(-1)).toMatchObject({ completed: 4, total: 4, percentage: 100 });
    expect(operations.every((op) => op.isCompleted() && op.isSuccessful())).toBe(true);
    expect(await t.countNamed('ops Test Company')).toBe(1);
    expect((await t.partners([a!, b!, c!], ['ref'])).map((r) => r['ref'])).toEqual(['OPS', 'OPS', 'OPS']);
    const stats = manager.getStats();
    expect(stats).toMatchObject({ batches: 1, completedBatches: 1, failedBatches: 0, operations: 2, records: 4 });
  });

  it('runs the operation examples (create, bulk and individual update, delete)', async () => {
    const manager = new BatchManager(t.client);
    const [a, b, c, d, e] = await makePartners('opx-', 5);
    const create = new CreateOperation(
      'res.partner',
      [
        { name: 'opx Company A', is_company: true },
        { name: 'opx Company B', is_company: true },
      ],
      {
        context: { active_test: false },
        priority: 1,
      },
    );
    expect(create.batchSize).toBe(2);
    expect(create.split(1)).toHaveLength(2);
    const bulk = new UpdateOperation('res.partner', { active: true }, { recordIds: [a!, b!, c!, d!, e!] });
    expect(bulk.isBulkOperation()).toBe(true);
    const individual = new UpdateOperation('res.partner', [
      { id: a!, name: 'opx Updated Name 1' },
      { id: b!, name: 'opx Updated Name 2' },
    ]);
    expect(individual.isBulkOperation()).toBe(false);
    expect(individual.batchSize).toBe(2);
    const remove = new DeleteOperation('res.partner', [c!, d!, e!], { context: { active_test: false } });
    expect(remove.batchSize).toBe(3);
    const { results } = await manager.executeOperations([create, individual, remove]);
    expect(results.every((r) => r.status === 'completed')).toBe(true);
    expect(await t.countNamed('opx Company')).toBe(2);
    expect((await t.partners([a!, b!], ['name'])).map((r) => r['name'])).toEqual([
      'opx Updated Name 1',
      'opx Updated Name 2',
    ]);
    expect(await t.countNamed('opx-')).toBe(0); // a, b renamed; c, d, e deleted
  });
});

describe('standalone contexts', () => {
  it('batchContext executes what it collected on exit', async () => {
    const [x, y] = await makePartners('bctx-', 2);
    await batchContext(t.client, { maxChunkSize: 100, maxConcurrency: 5 }, (batch) => {
      batch.create('res.partner', [{ name: 'bctx Test' }]);
      batch.update('res.partner', { active: false }, { recordIds: [x!, y!] });
    });
    expect(await t.countNamed('bctx Test')).toBe(1);
    expect((await t.partners([x!, y!], ['active'])).map((r) => r['active'])).toEqual([false, false]);
  });

  it('batchOperation accumulates records of one type and creates them on exit', async () => {
    const ids = await batchOperation(
      t.client,
      { model: 'res.partner', operationType: 'create', chunkSize: 50 },
      (collector) => {
        collector.add({ name: 'bop Test Company 1' });
        collector.add({ name: 'bop Test Company 2' });
      },
    );
    expect((await t.partners(ids, ['name'])).map((r) => r['name'])).toEqual([
      'bop Test Company 1',
      'bop Test Company 2',
    ]);
    await batchOperation(t.client, { model: 'res.partner', operationType: 'delete' }, (collector) => {
      for (const id of ids) collector.add(id);
    });
    expect(await t.countNamed('bop ')).toBe(0);
  });
});

describe('performance examples', () => {
  it('chunks a large dataset into chunks of 100 with high concurrency', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 50, maxConcurrency: 10, timeoutMs: 120_000 });
    const largeDataset = Array.from({ length: 1000 }, (_, i) => ({ name: `chunk Company ${i}` }));
    const before = t.sandbox.stats.callsByMethod['res.partner.create'] ?? 0;
    const createdIds = await manager.bulkCreate('res.partner', largeDataset, { chunkSize: 100 });
    expect(createdIds).toHaveLength(1000);
    expect((t.sandbox.stats.callsByMethod['res.partner.create'] ?? 0) - before).toBe(10);
    const rows = await t.partners([createdIds[0]!, createdIds[500]!, createdIds[999]!], ['name']);
    expect(rows.map((r) => r['name'])).toEqual(['chunk Company 0', 'chunk Company 500', 'chunk Company 999']);
  });
});

describe('error handling', () => {
  it('throws BatchValidationError before sending anything, and BatchExecutionError with partial results', async () => {
    const manager = new BatchManager(t.client, { maxConcurrency: 1 });
    const calls = t.sandbox.stats.calls;
    const invalid = manager.bulkCreate('res.partner', [{ name: 'ok' }, null as never]);
    await expect(invalid).rejects.toBeInstanceOf(BatchValidationError);
    await expect(invalid).rejects.toThrow(/record 1 of create operation/);
    expect(t.sandbox.stats.calls).toBe(calls);

    // A contact without a name is refused by Odoo ("Contacts require a name").
    const mixed = [{ name: 'err ok 1' }, { name: 'err ok 2' }, { email: 'noname@x' }, { name: 'err ok 3' }];
    const error = await manager.bulkCreate('res.partner', mixed, { chunkSize: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchExecutionError);
    expect(error).toBeInstanceOf(ZenooError);
    const failure = error as BatchExecutionError;
    expect(failure.message).toMatch(/2 of 4 records applied/);
    expect(failure.ids.slice(0, 2).every((id) => typeof id === 'number')).toBe(true);
    expect(failure.results[0]!.failedChunks[0]!.inputIndexes).toEqual([2, 3]);
    expect(failure.results[0]!.failedChunks[0]!.error.message).toMatch(/Contacts require a name/);
    expect(await t.countNamed('err ok')).toBe(2);
  });
});
