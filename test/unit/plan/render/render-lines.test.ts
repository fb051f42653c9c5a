/**
 * Line changes of documents in the text and markdown renderings: each line under its document, named by its line key
 * as the dry run read it (a product's name rather than its id), by position without a key, a pending reference by
 * what it waits for; and the commands an apply sends for them.
 */
import { describe, expect, it } from 'vitest';
import { DIFF_FORMAT_VERSION, summarize } from '../../../../src/plan/model/diff-types.js';
import type { Diff, StepDiff } from '../../../../src/plan/model/diff-types.js';
import { lineCommands } from '../../../../src/plan/model/line-commands.js';
import { lineItems } from '../../../../src/plan/render/render-lines.js';
import { renderDiffMarkdown } from '../../../../src/plan/render/render-markdown.js';
import { renderDiffText } from '../../../../src/plan/render/render-text.js';

const orderLines = {
  model: 'sale.order.line',
  keyFields: ['product_id'],
  lineIds: [31, 32, 33],
  creates: [{ row: 4, key: '["16"]', values: { product_id: 16, product_uom_qty: 4 } }],
  updates: [
    {
      id: 31,
      key: '["14"]',
      writeDate: '2026-12-01 10:00:00',
      changes: [{ field: 'product_uom_qty', before: 2, after: 9 }],
    },
  ],
  deletes: [{ id: 33, key: '["17"]', displayName: 'S00012 - Shelf', writeDate: '2026-12-01 10:00:00' }],
  names: { product_id: { '14': '[LP014] Chair', '16': '[LP016] Lamp', '17': '[LP017] Shelf' } },
};

const steps: StepDiff[] = [
  {
    step: 'orders',
    model: 'sale.order',
    action: 'upsert',
    creates: [
      {
        row: 2,
        key: '["SO-2"]',
        values: { client_order_ref: 'SO-2' },
        lines: {
          order_line: {
            model: 'sale.order.line',
            keyFields: ['product_id'],
            creates: [
              {
                row: 1,
                key: JSON.stringify([JSON.stringify({ $pending: { step: 'products', key: '["LP020"]' } })]),
                values: { product_id: { $pending: { step: 'products', key: '["LP020"]' } }, product_uom_qty: 1 },
              },
            ],
            updates: [],
            deletes: [],
          },
        },
      },
    ],
    updates: [
      {
        row: 1,
        key: '["SO-1"]',
        id: 12,
        displayName: 'S00012',
        writeDate: '2026-12-01 10:00:00',
        changes: [],
        lines: { order_line: orderLines },
      },
    ],
    deletes: [],
    unchanged: 0,
  },
  {
    step: 'invoices',
    model: 'account.move',
    action: 'upsert',
    creates: [],
    updates: [
      {
        row: 1,
        key: '["INV-1"]',
        id: 5,
        displayName: 'INV/2026/00001',
        writeDate: false,
        changes: [],
        lines: {
          invoice_line_ids: {
            model: 'account.move.line',
            lineIds: [7],
            creates: [{ row: 2, position: 2, values: { name: 'Service fee', quantity: 2 } }],
            updates: [],
            deletes: [],
          },
        },
      },
    ],
    deletes: [],
    unchanged: 0,
  },
];

const diff: Diff = {
  formatVersion: DIFF_FORMAT_VERSION,
  plan: { name: 'orders', fingerprint: 'f'.repeat(64) },
  target: { url: 'http://odoo', db: 'prod' },
  createdAt: '2026-12-01T10:00:00.000Z',
  stateFingerprint: 's',
  summary: summarize(steps),
  steps,
};

describe('line changes in a diff', () => {
  it('are shown under their document in text, by key name or position', () => {
    const text = renderDiffText(diff);
    expect(text).toContain(
      [
        '  ~ #12 "S00012"  row 1, key "SO-1"',
        '      + line "[LP016] Lamp"  product_uom_qty: 4',
        '      ~ line "[LP014] Chair"  product_uom_qty 2 → 9',
        '      - line "[LP017] Shelf"',
      ].join('\n'),
    );
    expect(text).toContain('      + line <new products "LP020">  product_uom_qty: 1');
    expect(text).toContain('      + line #2  name: "Service fee", quantity: 2');
    // A document with line changes counts once, as an update.
    expect(text).toContain('Summary: 1 to create, 2 to update, 0 to delete, 0 unchanged.');
  });

  it('are nested list items in markdown', () => {
    const markdown = renderDiffMarkdown(diff);
    expect(markdown).toContain('  - ✏️ line "\\[LP014\\] Chair": `product_uom_qty 2 → 9`');
    expect(markdown).toContain('  - ❌ line "\\[LP017\\] Shelf"');
  });

  it('name the field when a document has lines in several fields', () => {
    const items = lineItems({ order_line: orderLines, other_ids: { ...orderLines, names: undefined } });
    expect(items.map((item) => `${item.kind} ${item.label}`)).toEqual([
      'create order_line line "[LP016] Lamp"',
      'update order_line line "[LP014] Chair"',
      'delete order_line line "[LP017] Shelf"',
      'create other_ids line 16',
      'update other_ids line 14',
      'delete other_ids line 17',
    ]);
  });

  it('are written as in-place updates, deletes, then creates, in one command list per field', () => {
    expect(lineCommands({ order_line: orderLines })).toEqual({
      order_line: [
        [1, 31, { product_uom_qty: 9 }],
        [2, 33],
        [0, 0, { product_id: 16, product_uom_qty: 4 }],
      ],
    });
    expect(lineCommands(undefined)).toEqual({});
  });
});
