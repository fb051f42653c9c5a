/**
 * Outcome-unknown writes, with the sandbox's commit-then-drop fault: without external ids they are reported and
 * never resent; with external ids they are reconciled by looking the ids up, with no duplicate and no loss.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BatchExecutionError, OutcomeUnknownError } from '../../../src/errors.js';
import { BatchManager } from '../../../src/batch/batch-manager.js';
import type { BatchEvent } from '../../../src/batch/batch-events.js';
import { useBatchSandbox } from './batch-sandbox.js';

const t = useBatchSandbox();
afterEach(() => t.sandbox.setFaults({}));

const named = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, ref: `${prefix}${i}` }));

describe('outcome unknown', () => {
  it('without xmlid: reports the records as unknown and never resends them', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 10, maxConcurrency: 3, onError: 'continue' });
    const before = t.sandbox.stats.callsByMethod['res.partner.create'] ?? 0;
    t.sandbox.setFaults({ drop: 0.3, seed: 11 });
    const error = (await manager
      .bulkCreate('res.partner', named('unk-', 200))
      .catch((e: unknown) => e)) as BatchExecutionError;
    t.sandbox.setFaults({});
    expect(error).toBeInstanceOf(BatchExecutionError);
    expect(error.cause).toBeInstanceOf(OutcomeUnknownError);
    expect(error.unknown.length).toBeGreaterThan(0);
    expect(error.unknown.length % 10).toBe(0); // whole chunks
    // Each chunk was sent exactly once: nothing was resent blindly.
    expect((t.sandbox.stats.callsByMethod['res.partner.create'] ?? 0) - before).toBe(20);
    // The dropped calls did commit: the server has every record once, the client knows the ids of the others.
    expect(await t.countNamed('unk-')).toBe(200);
    const known = error.ids.filter((id) => id !== undefined);
    expect(known).toHaveLength(200 - error.unknown.length);
    for (const index of error.unknown) expect(error.ids[index]).toBeUndefined();
  });

  it('with xmlid: reconciles by external id, no duplicate, no loss, ids in input order', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 10, maxConcurrency: 3 });
    const events: BatchEvent[] = [];
    t.sandbox.setFaults({ drop: 0.3, seed: 5 });
    const ids = await manager.bulkCreate('res.partner', named('rec-', 200), {
      xmlid: (r) => `zenoo_rec.${String(r['ref'])}`,
      onEvent: (e) => void events.push(e),
    });
    t.sandbox.setFaults({});
    const reconciled = events.filter((e) => e.type === 'chunk-reconciled');
    expect(reconciled.length).toBeGreaterThan(0);
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
    expect(await t.countNamed('rec-')).toBe(200);
    const rows = await t.partners(ids, ['name']);
    rows.forEach((row, i) => expect(row['name']).toBe(`rec-${i}`));
    const xml = await t.client.executeKw<{ name: string; res_id: number }[]>(
      'ir.model.data',
      'search_read',
      [[['module', '=', 'zenoo_rec']]],
      {
        fields: ['name', 'res_id'],
      },
    );
    expect(xml).toHaveLength(200);
  });

  it('with xmlid on the create + ir.model.data path: unknown creates are reported, never duplicated', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 10, maxConcurrency: 2, onError: 'continue' });
    // An x2many command other than a plain set has no load cell: this forces create + ir.model.data.
    const records = named('cpath-', 100).map((r) => ({ ...r, category_id: [[5, 0, 0]] }));
    const loadsBefore = t.sandbox.stats.callsByMethod['res.partner.load'] ?? 0;
    t.sandbox.setFaults({ drop: 0.2, seed: 9 });
    const outcome = await manager
      .bulkCreate('res.partner', records, { xmlid: (r) => `zenoo_cpath.${String(r['ref'])}` })
      .then((ids) => ({ ids, unknown: [] as readonly number[] }))
      .catch((e: unknown) => {
        if (!(e instanceof BatchExecutionError)) throw e;
        return { ids: e.ids, unknown: e.unknown };
      });
    t.sandbox.setFaults({});
    const onServer = await t.countNamed('cpath-');
    const known = outcome.ids.filter((id) => id !== undefined);
    expect(new Set(known).size).toBe(known.length);
    // Every record exists at most once: at least the known ones, at most known + unknown.
    expect(onServer).toBeGreaterThanOrEqual(known.length);
    expect(onServer).toBeLessThanOrEqual(known.length + outcome.unknown.length);
    expect(t.sandbox.stats.callsByMethod['res.partner.load'] ?? 0).toBe(loadsBefore);
    expect(t.sandbox.stats.callsByMethod['ir.model.data.create'] ?? 0).toBeGreaterThan(0);
  });

  it('transient failures (nothing committed) are retried by the client and counted in the stats', async () => {
    const manager = new BatchManager(t.client, { maxChunkSize: 10, maxConcurrency: 3 });
    // 503 and serialization failures mean nothing was committed (a connection reset would be outcome-unknown).
    t.sandbox.setFaults({ transient: 0.3, transientKinds: ['http-503', 'serialization'], seed: 4 });
    const ids = await manager.bulkCreate('res.partner', named('transient-', 100));
    t.sandbox.setFaults({});
    expect(ids).toHaveLength(100);
    expect(await t.countNamed('transient-')).toBe(100);
    expect(manager.getStats().retries).toBeGreaterThan(0);
  });
});
