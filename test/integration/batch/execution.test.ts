/**
 * The executor against the sandbox: ids in input order under concurrency and random latency, the failure policies,
 * grouping of per-record updates, streaming, abort.
 */
import { describe, expect, it } from 'vitest';
import { BatchExecutionError, LoadRowError, ValidationError } from '../../../src/errors.js';
import { BatchManager } from '../../../src/batch/batch-manager.js';
import type { BatchEvent } from '../../../src/batch/batch-events.js';
import { useBatchSandbox } from './batch-sandbox.js';

const t = useBatchSandbox({ latencyMs: { fixed: 1, jitter: 12 } });

const named = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, ref: `${prefix}${i}` }));

describe('ids in input order', () => {
  it('holds under concurrency and random latency', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 7, maxConcurrency: 5 });
    const records = named('order-', 300);
    const finished: number[] = [];
    const ids = await manager.bulkCreate('res.partner', records, {
      onEvent: (event) => {
        if (event.type === 'chunk-finished') finished.push(event.chunkIndex);
      },
    });
    // Chunks did complete out of order ...
    expect(finished).not.toEqual([...finished].sort((a, b) => a - b));
    // ... and every id still belongs to the record at its input index.
    const rows = await t.partners(ids, ['name']);
    rows.forEach((row, i) => expect(row['name']).toBe(`order-${i}`));
    expect(new Set(ids).size).toBe(300);
  });

  it('holds for idempotent creates through load', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 9, maxConcurrency: 4 });
    const records = named('xorder-', 100);
    const ids = await manager.bulkCreate('res.partner', records, { xmlid: (r) => `zenoo_test.${String(r['ref'])}` });
    const rows = await t.partners(ids, ['name']);
    rows.forEach((row, i) => expect(row['name']).toBe(`xorder-${i}`));
    const xml = await t.client.executeKw<{ name: string; res_id: number }[]>(
      'ir.model.data',
      'search_read',
      [
        [
          ['module', '=', 'zenoo_test'],
          ['name', '=like', 'xorder-%'],
        ],
      ],
      {
        fields: ['name', 'res_id'],
      },
    );
    expect(xml).toHaveLength(100);
    for (const row of xml) expect(ids[Number(row.name.slice('xorder-'.length))]).toBe(row.res_id);
    // Running it again creates nothing new: the external ids already exist.
    const again = await manager.bulkCreate('res.partner', records, { xmlid: (r) => `zenoo_test.${String(r['ref'])}` });
    expect(again).toEqual(ids);
    expect(await t.countNamed('xorder-')).toBe(100);
  });
});

describe('onError policies', () => {
  // Record 13 is a contact without a name: Odoo refuses it ("Contacts require a name").
  const withBadRecord = (prefix: string) =>
    named(prefix, 40).map((r, i) => (i === 13 ? { email: `${prefix}bad@x` } : r));

  it('stop: no new chunk after the failure; the error carries the partial results', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 5, maxConcurrency: 1 });
    const error = (await manager
      .bulkCreate('res.partner', withBadRecord('stop-'))
      .catch((e: unknown) => e)) as BatchExecutionError;
    expect(error).toBeInstanceOf(BatchExecutionError);
    expect(error.cause).toBeInstanceOf(ValidationError);
    expect(error.ids.filter((id) => id !== undefined)).toHaveLength(10);
    expect(error.results[0]!.failedChunks.map((c) => c.inputIndexes)).toEqual([[10, 11, 12, 13, 14]]);
    expect(await t.countNamed('stop-')).toBe(10);
  });

  it('continue: every other chunk is applied', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 5, maxConcurrency: 3 });
    const error = (await manager
      .bulkCreate('res.partner', withBadRecord('cont-'), { onError: 'continue' })
      .catch((e: unknown) => e)) as BatchExecutionError;
    expect(error).toBeInstanceOf(BatchExecutionError);
    expect(error.ids.filter((id) => id !== undefined)).toHaveLength(35);
    expect(await t.countNamed('cont-')).toBe(35);
  });

  it('isolate: bisects create, applies the rest and reports the rejected index with Odoo’s message', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 8, maxConcurrency: 3 });
    const error = (await manager
      .bulkCreate('res.partner', withBadRecord('iso-'), { onError: 'isolate' })
      .catch((e: unknown) => e)) as BatchExecutionError;
    expect(error).toBeInstanceOf(BatchExecutionError);
    expect(error.rejected.map((r) => r.index)).toEqual([13]);
    expect(error.rejected[0]!.error).toBeInstanceOf(ValidationError);
    expect(error.rejected[0]!.error.message).toMatch(/Contacts require a name/);
    // The message itself says which record and why, not only how many.
    expect(error.message).toMatch(/1 rejected by the server \(input 13: [^)]*Contacts require a name[^)]*\)/);
    const applied = error.ids.flatMap((id, i) => (id === undefined ? [] : [[i, id] as const]));
    expect(applied).toHaveLength(39);
    const rows = await t.partners(
      applied.map(([, id]) => id),
      ['name'],
    );
    rows.forEach((row, k) => expect(row['name']).toBe(`iso-${applied[k]![0]}`));
  });

  it('isolate with external ids: load reports the refused row, the rest of its chunk is loaded', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 8 });
    const loadsBefore = t.sandbox.stats.callsByMethod['res.partner.load'] ?? 0;
    const records = named('isox-', 20).map((r, i) =>
      i === 5 ? { name: r.name, ref: r.ref, country_id: 999999 } : { ...r, country_id: false },
    );
    const error = (await manager
      .bulkCreate('res.partner', records, { onError: 'isolate', xmlid: (r) => `zenoo_test.${String(r['ref'])}` })
      .catch((e: unknown) => e)) as BatchExecutionError;
    expect(error).toBeInstanceOf(BatchExecutionError);
    expect(error.rejected.map((r) => r.index)).toEqual([5]);
    expect(error.rejected[0]!.error).toBeInstanceOf(LoadRowError);
    expect(await t.countNamed('isox-')).toBe(19);
    // 3 chunks, plus one resend of the chunk whose row was refused (without that row).
    expect((t.sandbox.stats.callsByMethod['res.partner.load'] ?? 0) - loadsBefore).toBe(4);
  });

  it('names the first three rejected records and how many more', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 4 });
    const records = named('many-', 12).map((r, i) => (i % 2 === 1 ? { email: `many${i}@x` } : r));
    const error = (await manager
      .bulkCreate('res.partner', records, { onError: 'isolate' })
      .catch((e: unknown) => e)) as BatchExecutionError;
    expect(error.rejected.map((r) => r.index).sort((a, b) => a - b)).toEqual([1, 3, 5, 7, 9, 11]);
    expect(error.message).toMatch(
      /6 rejected by the server \(input \d+: [^;]*Contacts require a name[^;]*; input \d+: [^;]*; input \d+: [^;]*; and 3 more\)/,
    );
  });

  it('isolate: bisects an update chunk too', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 10 });
    const ids = await manager.bulkCreate('res.partner', named('isou-', 10));
    // Writing name=false to a contact is refused; all other updates must apply.
    const updates = ids.map((id, i) => (i === 4 ? { id, name: false } : { id, ref: 'ISOU' }));
    const error = (await manager
      .bulkUpdate('res.partner', updates, { onError: 'isolate' })
      .catch((e: unknown) => e)) as BatchExecutionError;
    expect(error.rejected.map((r) => r.index)).toEqual([4]);
    const rows = await t.partners(ids, ['name', 'ref']);
    expect(rows.filter((r) => r['ref'] === 'ISOU')).toHaveLength(9);
    expect(rows[4]!['name']).toBe('isou-4');
  });
});

describe('grouping per-record updates', () => {
  it('sends one write per distinct value set and chunk', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 100, maxConcurrency: 5 });
    const ids = await manager.bulkCreate('res.partner', named('grp-', 1000));
    const updates = ids.map((id, i) => ({ id, ref: `GRP${i % 10}`, active: true }));
    const before = t.sandbox.stats.callsByMethod['res.partner.write'] ?? 0;
    await manager.bulkUpdate('res.partner', updates);
    expect((t.sandbox.stats.callsByMethod['res.partner.write'] ?? 0) - before).toBe(10);
    const rows = await t.partners(ids, ['ref']);
    rows.forEach((row, i) => expect(row['ref']).toBe(`GRP${i % 10}`));
  });
});

describe('streaming', () => {
  it('creates records from an async generator', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 50, maxConcurrency: 4 });
    async function* source() {
      for (let i = 0; i < 500; i++) yield { name: `stream-${i}` };
    }
    const ids = await manager.bulkCreate('res.partner', source());
    expect(ids).toHaveLength(500);
    expect((await t.partners([ids[0]!, ids[499]!], ['name'])).map((r) => r['name'])).toEqual([
      'stream-0',
      'stream-499',
    ]);
  });
});

describe('abort', () => {
  it('sends no chunk after the abort and reports what was applied', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 10, maxConcurrency: 2 });
    const controller = new AbortController();
    const events: BatchEvent[] = [];
    const before = t.sandbox.stats.callsByMethod['res.partner.create'] ?? 0;
    const error = (await manager
      .bulkCreate('res.partner', named('abort-', 500), {
        signal: controller.signal,
        onEvent: (e) => void events.push(e),
        onProgress: (p) => {
          if (p.completed >= 20) controller.abort();
        },
      })
      .catch((e: unknown) => e)) as BatchExecutionError;
    expect(error).toBeInstanceOf(BatchExecutionError);
    expect(error.cause).toMatchObject({ code: 'ERR_ABORTED' });
    const started = events.filter((e) => e.type === 'chunk-started').length;
    expect(started).toBeLessThan(10);
    const sent = (t.sandbox.stats.callsByMethod['res.partner.create'] ?? 0) - before;
    expect(sent).toBeLessThanOrEqual(started);
    const applied = error.ids.filter((id) => id !== undefined).length;
    const onServer = await t.countNamed('abort-');
    // What the server has is what was reported applied, plus at most the calls in flight at the abort (unknown).
    expect(onServer).toBeGreaterThanOrEqual(applied);
    expect(onServer).toBeLessThanOrEqual(applied + error.unknown.length);
  });
});
