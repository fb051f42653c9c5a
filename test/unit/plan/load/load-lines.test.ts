/**
 * Loading `lines:`: compiled once into the step's PlanLines (templates, parent, key, unlisted), the line file part of
 * the plan's fingerprint, the column of nested lines never sent as a field of the document.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePlan } from '../../../../src/plan/graph/plan-graph.js';
import { loadPlan } from '../../../../src/plan/load/load-plan.js';
import { stepReferences } from '../../../../src/plan/model/template-walk.js';

const PLAN = `version: 1
name: lines
steps:
  - id: products
    model: product.product
    action: upsert
    key: [default_code]
    records: [{ default_code: P1 }]
  - id: orders
    model: sale.order
    action: upsert
    key: [client_order_ref]
    records: [{ client_order_ref: SO-1 }]
    lines:
      order_line:
        records: { file: lines.csv }
        parent: '\${row.order}'
        key: [product_id]
        template_columns: [order, product]
        unlisted: keep
        values: { product_id: { ref: products, key: '\${row.product}' } }
  - id: invoices
    model: account.move
    action: upsert
    key: [ref]
    records: [{ ref: INV-1, lines: [{ name: Fee, quantity: 1 }] }]
    lines:
      invoice_line_ids: { records: { column: lines } }
`;

async function project(lines: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-load-lines-'));
  await writeFile(join(dir, 'plan.yaml'), PLAN);
  await writeFile(join(dir, 'lines.csv'), lines);
  return join(dir, 'plan.yaml');
}

describe('loading lines', () => {
  it('compiles each lines entry once, with its source, parent, key and templates', async () => {
    const plan = await loadPlan(await project('order,product,product_uom_qty\nSO-1,P1,2\n'));
    const orders = plan.steps[1]!;
    const lines = orders.lines!['order_line']!;
    expect(lines).toMatchObject({
      field: 'order_line',
      path: 'steps[1].lines.order_line',
      key: ['product_id'],
      templateColumns: ['order', 'product'],
      unlisted: 'keep',
      records: { kind: 'file', file: 'lines.csv', rowCount: 1, columns: ['order', 'product', 'product_uom_qty'] },
    });
    expect(lines.parent).toEqual([
      { kind: 'string', parts: [{ kind: 'row', column: 'order' }], path: 'steps[1].lines.order_line.parent' },
    ]);
    // A reference in the lines' values is a reference of the step: the graph orders it after products.
    expect(stepReferences(orders).map((reference) => reference.path)).toEqual([
      'steps[1].lines.order_line.values.product_id',
    ]);
    expect(compilePlan(plan).byId['orders']!.dependsOn).toEqual(['products']);
    const invoices = plan.steps[2]!;
    expect(invoices.lines!['invoice_line_ids']).toMatchObject({
      records: { kind: 'column', column: 'lines' },
      parent: [],
      key: [],
      unlisted: 'delete',
    });
    // The nested lines' column feeds the lines only.
    expect(invoices.templateColumns).toEqual(['lines']);
  });

  it('makes the line file part of the fingerprint', async () => {
    const one = await loadPlan(await project('order,product,product_uom_qty\nSO-1,P1,2\n'));
    const two = await loadPlan(await project('order,product,product_uom_qty\nSO-1,P1,3\n'));
    const again = await loadPlan(await project('order,product,product_uom_qty\nSO-1,P1,2\n'));
    expect(one.fingerprint).not.toBe(two.fingerprint);
    expect(one.fingerprint).toBe(again.fingerprint);
  });
});
