/**
 * The staleness check of a saved diff's lines, against a fake target: a document whose line ids changed is stale, or
 * done when an interrupted run of the same diff sent it (its lines were written in that one call); a changed or
 * deleted line is stale; a document sent before whose lines are as read is sent again.
 */
import { describe, expect, it } from 'vitest';
import { checkSavedLines } from '../../../../src/plan/apply/saved-diff-lines.js';
import type { DiffUpdate, StepDiff } from '../../../../src/plan/model/diff-types.js';
import { StateReader } from '../../../../src/plan/references/state-reader.js';

/** A target holding `records` by model; answers `[['id', 'in', ids]]` reads. */
function reader(records: Record<string, Record<string, unknown>[]>): StateReader {
  return new StateReader({
    searchRead: (model, domain) => {
      const ids = (domain[0] as [string, string, number[]])[2];
      return Promise.resolve((records[model] ?? []).filter((record) => ids.includes(record['id'] as number)));
    },
    fieldsGet: () => Promise.resolve({}),
  });
}

function update(id: number, lineIds: number[]): DiffUpdate {
  return {
    id,
    displayName: `S0000${id}`,
    writeDate: 'w0',
    changes: [],
    lines: {
      order_line: {
        model: 'sale.order.line',
        lineIds,
        creates: [{ row: 1, values: { product_id: 3 } }],
        updates: [{ id: lineIds[0]!, writeDate: 'l0', changes: [{ field: 'product_uom_qty', before: 1, after: 2 }] }],
        deletes: [{ id: lineIds[1]!, displayName: 'gone', writeDate: 'l0' }],
      },
    },
  };
}

const step: StepDiff = {
  step: 'orders',
  model: 'sale.order',
  action: 'upsert',
  creates: [],
  updates: [update(1, [11, 12]), update(2, [21, 22]), update(3, [31, 32]), update(4, [41, 42])],
  deletes: [],
  unchanged: 0,
};

const target = reader({
  'sale.order': [
    { id: 1, order_line: [11, 12] }, // as read
    { id: 2, order_line: [21, 23] }, // a line deleted, one added since
    { id: 3, order_line: [31, 32] }, // as read, but a line changed
    { id: 4, order_line: [41, 42] }, // as read, but line 42 is gone (deleted, not yet unlinked from the read)
  ],
  'sale.order.line': [
    { id: 11, write_date: 'l0' },
    { id: 12, write_date: 'l0' },
    { id: 31, write_date: 'l1' },
    { id: 32, write_date: 'l0' },
    { id: 41, write_date: 'l0' },
  ],
});

describe('checkSavedLines', () => {
  it('names every document whose lines changed since the review, and every changed or deleted line', async () => {
    const found = await checkSavedLines(step, target, new Set());
    expect(found.done).toEqual(new Set());
    expect(found.stale).toEqual([
      'sale.order #2 "S00002" (step orders) has other lines than when read (lines were added or deleted)',
      'sale.order.line #31 (a line of sale.order #3 "S00003", step orders) changed at l1 (read at l0)',
      'sale.order.line #42 (a line of sale.order #4 "S00004", step orders) was deleted',
    ]);
  });

  it('on the resume of the same diff, a document it sent whose line ids changed is done, one with the same ids is sent again', async () => {
    const found = await checkSavedLines(step, target, new Set([1, 2]));
    expect(found.done).toEqual(new Set([2]));
    expect(found.stale.some((line) => line.includes('#2 ') || line.includes('#1 '))).toBe(false);
  });
});
