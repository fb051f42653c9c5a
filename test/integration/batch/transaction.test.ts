/**
 * Compensating transactions against the sandbox: on an error every recorded write is undone in reverse order, and the
 * report says what was undone (with the new ids of re-created records) and what could not be.
 */
import { describe, expect, it } from 'vitest';
import { TransactionError } from '../../../src/errors.js';
import { BatchManager } from '../../../src/batch/batch-manager.js';
import { useBatchSandbox } from './batch-sandbox.js';

const t = useBatchSandbox();

async function partner(name: string, values: Record<string, unknown> = {}): Promise<number> {
  return t.client.executeKw<number>('res.partner', 'create', [{ name, ...values }]);
}

describe('transaction', () => {
  it('returns the callback’s value and keeps the writes when nothing throws', async () => {
    const manager = new BatchManager(t.client);
    const ids = await manager.transaction(async (tx) =>
      tx.bulkCreate('res.partner', [{ name: 'tx-keep-1' }, { name: 'tx-keep-2' }]),
    );
    expect(await t.countNamed('tx-keep-')).toBe(2);
    expect(ids).toHaveLength(2);
  });

  it('runs the seed example: bulk create then bulk update, both undone on an error', async () => {
    const manager = new BatchManager(t.client);
    const partnerData = [
      { name: 'tx-seed-1', active: false },
      { name: 'tx-seed-2', active: false },
    ];
    let created: number[] = [];
    const error = await manager
      .transaction(async (tx) => {
        created = await tx.bulkCreate('res.partner', partnerData);
        await tx.bulkUpdate('res.partner', { active: true }, { recordIds: created });
        expect((await t.partners(created, ['active'])).map((r) => r['active'])).toEqual([true, true]);
        throw new Error('after the writes');
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionError);
    expect((error as TransactionError).report.compensated.map((s) => s.action)).toEqual([
      'restore-values',
      'unlink-created',
    ]);
    expect(
      await t.client.executeKw(
        'res.partner',
        'search',
        [[['id', 'in', created]]],
        {},
        { context: { active_test: false } },
      ),
    ).toEqual([]);
  });

  it('compensates creates, updates and deletes in reverse order on an exception', async () => {
    const manager = new BatchManager(t.client);
    const country = await t.client.executeKw<number[]>('res.country', 'search', [[['code', '=', 'BE']]]);
    const updated = await partner('tx-upd', { email: 'old@x', country_id: country[0], is_company: true });
    const deleted = await partner('tx-del', {
      email: 'gone@x',
      country_id: country[0],
      street: 'Rue 1',
      city: 'Namur',
    });
    const failure = new Error('boom');
    let createdIds: number[] = [];
    const error = (await manager
      .transaction(async (tx) => {
        createdIds = await tx.bulkCreate('res.partner', [{ name: 'tx-new-1' }, { name: 'tx-new-2' }]);
        const single = await tx.create('res.partner', { name: 'tx-new-3' });
        createdIds.push(single);
        await tx.write('res.partner', [updated], { email: 'new@x', country_id: false, is_company: false });
        await tx.bulkUpdate('res.partner', [{ id: updated, name: 'tx-upd renamed' }]);
        await tx.unlink('res.partner', [deleted]);
        throw failure;
      })
      .catch((e: unknown) => e)) as TransactionError;
    expect(error).toBeInstanceOf(TransactionError);
    expect(error.cause).toBe(failure);
    expect(error.code).toBe('ERR_TRANSACTION_COMPENSATED');
    expect(error.message).toMatch(/compensation, not a rollback/);
    const { report } = error;
    expect(report.complete).toBe(true);
    expect(report.failed).toEqual([]);
    expect(report.compensated.map((s) => s.action)).toEqual([
      'recreate-deleted',
      'restore-values',
      'restore-values',
      'unlink-created',
      'unlink-created',
    ]);
    // Created records are gone.
    expect(await t.countNamed('tx-new-')).toBe(0);
    // Old values are back.
    expect(await t.partners([updated], ['name', 'email', 'country_id', 'is_company'])).toEqual([
      { id: updated, name: 'tx-upd', email: 'old@x', country_id: [country[0], 'Belgium'], is_company: true },
    ]);
    // The deleted record is re-created with its values, under a new id that the report gives.
    const recreated = report.compensated[0]!;
    expect(recreated.ids).toEqual([deleted]);
    const newId = recreated.newIds![0]!;
    expect(newId).not.toBe(deleted);
    expect(await t.partners([newId], ['name', 'email', 'street', 'city', 'country_id'])).toEqual([
      {
        id: newId,
        name: 'tx-del',
        email: 'gone@x',
        street: 'Rue 1',
        city: 'Namur',
        country_id: [country[0], 'Belgium'],
      },
    ]);
  });

  it('applies earlier compensations to re-created records (create then delete in one transaction)', async () => {
    const manager = new BatchManager(t.client);
    const error = (await manager
      .transaction(async (tx) => {
        const [id] = await tx.create('res.partner', [{ name: 'tx-cd' }]);
        await tx.bulkDelete('res.partner', [id!]);
        throw new Error('undo both');
      })
      .catch((e: unknown) => e)) as TransactionError;
    expect(error.report.complete).toBe(true);
    expect(await t.countNamed('tx-cd')).toBe(0);
  });

  it('reports what could not be compensated', async () => {
    const manager = new BatchManager(t.client);
    const victim = await partner('tx-victim', { email: 'v@x' });
    const error = (await manager
      .transaction(async (tx) => {
        await tx.write('res.partner', [victim], { email: 'changed@x' });
        // Someone else deletes the record before compensation: restoring its values cannot work.
        await t.client.executeKw('res.partner', 'unlink', [[victim]]);
        throw new Error('fail');
      })
      .catch((e: unknown) => e)) as TransactionError;
    expect(error).toBeInstanceOf(TransactionError);
    expect(error.code).toBe('ERR_TRANSACTION_COMPENSATION_INCOMPLETE');
    expect(error.report.complete).toBe(false);
    expect(error.report.failed).toHaveLength(1);
    expect(error.report.failed[0]).toMatchObject({ action: 'restore-values', model: 'res.partner', ids: [victim] });
    expect(error.message).toMatch(/could not be fully compensated/);
  });
});
