// The reconciler the batch engine and a plan's resume share: records found by external id, by key and by id, one read
// each, archived records included, positions kept.
import { describe, expect, it } from 'vitest';
import { Reconciler } from '../../../src/batch/send/reconciler.js';
import { LoadRowError } from '../../../src/errors.js';
import { useBatchSandbox } from './batch-sandbox.js';

const t = useBatchSandbox();

describe('Reconciler', () => {
  it('finds records by external id, by position, in one read; refuses an external id of another model', async () => {
    const [a, b] = await t.client.create('res.partner', [{ name: 'rec-a' }, { name: 'rec-b', active: false }]);
    await t.client.executeKw('ir.model.data', 'create', [
      [
        { module: 'zenoo_rec', name: 'a', model: 'res.partner', res_id: a },
        { module: 'zenoo_rec', name: 'b', model: 'res.partner', res_id: b },
      ],
    ]);
    const reconciler = new Reconciler(t.client);
    const before = t.sandbox.stats.calls;
    expect(await reconciler.byXmlids('res.partner', ['zenoo_rec.b', 'zenoo_rec.none', 'zenoo_rec.a'])).toEqual([
      b,
      undefined,
      a,
    ]);
    expect(t.sandbox.stats.calls - before).toBe(1);
    await expect(reconciler.byXmlids('res.partner.category', ['zenoo_rec.a'])).rejects.toBeInstanceOf(LoadRowError);
    expect(await reconciler.byXmlids('res.partner', [])).toEqual([]);
  });

  it('finds records by key, one read, archived included, positions kept; several key fields', async () => {
    const [x, y] = await t.client.create('res.partner', [
      { name: 'rec-x', ref: '42' },
      { name: 'rec-y', ref: 'Y', active: false },
    ]);
    const reconciler = new Reconciler(t.client);
    const before = t.sandbox.stats.calls;
    expect(await reconciler.byKeys('res.partner', ['ref'], [['42'], ['nope'], ['Y']])).toEqual([x, undefined, y]);
    expect(t.sandbox.stats.calls - before).toBe(1);
    expect(
      await reconciler.byKeys(
        'res.partner',
        ['name', 'ref'],
        [
          ['rec-x', '42'],
          ['rec-y', 'X'],
        ],
      ),
    ).toEqual([x, undefined]);
  });

  it('says which ids still exist (a delete of unknown outcome)', async () => {
    const [p, q] = await t.client.create('res.partner', [{ name: 'rec-p' }, { name: 'rec-q' }]);
    await t.client.unlink('res.partner', [q!]);
    expect(await new Reconciler(t.client).existing('res.partner', [p!, q!])).toEqual(new Set([p]));
  });
});
