/**
 * Documents with lines against the company sandbox, through the library: sale orders whose lines come from their own
 * file and invoices whose lines are nested in their rows apply in one call per document; a second diff shows nothing;
 * editing one line, removing one and adding one changes exactly those (the other lines keep their ids); a confirmed
 * order refusing a line deletion comes back as the server's message for that order only.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlanValidationError, StaleDiffError } from '../../../src/errors.js';
import { applyDiff, applyPlan } from '../../../src/plan/apply/apply.js';
import { computeDiff } from '../../../src/plan/diff/diff-plan.js';
import { hasChanges } from '../../../src/plan/model/diff-types.js';
import { loadPlan } from '../../../src/plan/load/load-plan.js';
import { validatePlanRemote } from '../../../src/plan/check/check-plan-fields.js';
import { renderDiffText } from '../../../src/plan/render/render-text.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

const odoo = withSandbox({ models: 'company' });
const target = { url: 'sandbox:test', db: 'sandbox' };

let counter = 0;

/** A plan with products, customers, orders (lines from order_lines.csv) and invoices (nested lines). */
async function writePlan(lines: string, extra: { onError?: string } = {}): Promise<{ dir: string; file: string }> {
  counter += 1;
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-lines-'));
  await writeFile(join(dir, 'order_lines.csv'), lines);
  await writeFile(
    join(dir, 'invoices.json'),
    JSON.stringify([
      {
        ref: `INV-${counter}-1`,
        customer: 'C-1',
        lines: [
          { product: 'LP014', quantity: 1, price_unit: 100 },
          { product: null, name: 'Service fee', quantity: 2, price_unit: 10 },
        ],
      },
    ]),
  );
  await writeFile(
    join(dir, 'plan.yaml'),
    `version: 1
name: lines-${counter}
defaults: { chunk_size: 2${extra.onError ? `, on_error: ${extra.onError}` : ''} }
steps:
  - id: products
    model: product.product
    action: upsert
    key: [default_code]
    records:
      - { default_code: LP014, name: Chair }
      - { default_code: LP015, name: Desk }
      - { default_code: LP016, name: Lamp }
      - { default_code: LP017, name: Shelf }
  - id: customers
    model: res.partner
    action: upsert
    key: [ref]
    records: [{ ref: C-1, name: Acme }]
  - id: orders
    model: sale.order
    action: upsert
    key: [client_order_ref]
    records:
      - { client_order_ref: SO-${counter}-1, customer: C-1 }
      - { client_order_ref: SO-${counter}-2, customer: C-1 }
      - { client_order_ref: SO-${counter}-3, customer: C-1 }
    template_columns: [customer]
    values: { partner_id: { ref: customers, key: '\${row.customer}' } }
    lines:
      order_line:
        records: { file: order_lines.csv }
        parent: '\${row.order}'
        key: [product_id]
        template_columns: [order, product]
        values:
          product_id: { ref: products, key: '\${row.product}' }
  - id: invoices
    model: account.move
    action: upsert
    key: [ref]
    records: { file: invoices.json }
    template_columns: [customer]
    values:
      move_type: out_invoice
      partner_id: { ref: customers, key: '\${row.customer}' }
    lines:
      invoice_line_ids:
        records: { column: lines }
        template_columns: [product]
        values:
          product_id: { lookup: { model: product.product, where: [[default_code, '=', '\${row.product}']] } }
`,
  );
  return { dir, file: join(dir, 'plan.yaml') };
}

const LINES = [
  'order,product,product_uom_qty',
  `SO-{n}-1,LP014,2`,
  `SO-{n}-1,LP015,1`,
  `SO-{n}-1,LP017,3`,
  `SO-{n}-2,LP014,5`,
  `SO-{n}-3,LP016,1`,
];

/** The CSV of `rows` for the plan numbered `n` (the next plan by default). */
function lines(rows: readonly string[], n = counter + 1): string {
  return `${rows.map((row) => row.replace('{n}', String(n))).join('\n')}\n`;
}

async function orderLines(ref: string): Promise<{ id: number; product: string; qty: number }[]> {
  const [order] = await odoo.client.searchRead('sale.order', [['client_order_ref', '=', ref]], {
    fields: ['order_line'],
  });
  const records = await odoo.client.searchRead('sale.order.line', [['id', 'in', order!['order_line'] as number[]]], {
    fields: ['product_id', 'product_uom_qty'],
    order: 'id',
  });
  return records.map((record) => ({
    id: record['id'] as number,
    product: (record['product_id'] as [number, string])[1],
    qty: record['product_uom_qty'] as number,
  }));
}

describe('documents with lines', () => {
  // First: the products do not exist yet, so the saved lines point at them as pending references.
  it('a saved diff creating documents applies their lines once, references to records created in the run resolved', async () => {
    const { file, dir } = await writePlan(lines(LINES));
    const saved = JSON.parse(
      JSON.stringify(await computeDiff(await loadPlan(file), odoo.client, { target })),
    ) as Awaited<ReturnType<typeof computeDiff>>;
    // The products are created by the same apply: the saved lines point at them as pending references.
    const first = saved.steps.find((step) => step.step === 'orders')!.creates[0]!.lines!['order_line']!;
    expect(first.creates[0]!.values['product_id']).toEqual({ $pending: { step: 'products', key: '["LP014"]' } });
    expect((await applyDiff(saved, odoo.client, { target, stateDir: join(dir, '.zenoo') })).status).toBe('succeeded');
    expect((await orderLines(`SO-${counter}-1`)).map((line) => [line.product, line.qty])).toEqual([
      ['[LP014] Chair', 2],
      ['[LP015] Desk', 1],
      ['[LP017] Shelf', 3],
    ]);
    expect(hasChanges(await computeDiff(await loadPlan(file), odoo.client, { target }))).toBe(false);
  });

  it('creates documents with their lines, then a second diff shows nothing', async () => {
    const { file, dir } = await writePlan(lines(LINES));
    const plan = await loadPlan(file);
    const diff = await computeDiff(plan, odoo.client, { target });
    const orders = diff.steps.find((step) => step.step === 'orders')!;
    expect(orders.creates).toHaveLength(3);
    expect(orders.creates[0]!.lines!['order_line']!.creates).toHaveLength(3);
    const text = renderDiffText(diff);
    expect(text).toContain('+ line');

    const result = await applyPlan(plan, odoo.client, { target, stateDir: join(dir, '.zenoo') });
    expect(result.status).toBe('succeeded');
    const first = await orderLines(`SO-${counter}-1`);
    expect(first.map((line) => [line.product, line.qty])).toEqual([
      ['[LP014] Chair', 2],
      ['[LP015] Desk', 1],
      ['[LP017] Shelf', 3],
    ]);
    const [invoice] = await odoo.client.searchRead('account.move', [['ref', '=', `INV-${counter}-1`]], {
      fields: ['invoice_line_ids'],
    });
    expect(invoice!['invoice_line_ids']).toHaveLength(2);

    const again = await computeDiff(await loadPlan(file), odoo.client, { target });
    expect(again.steps.map((step) => [step.step, step.creates.length, step.updates.length])).toEqual([
      ['products', 0, 0],
      ['customers', 0, 0],
      ['orders', 0, 0],
      ['invoices', 0, 0],
    ]);
    expect(hasChanges(again)).toBe(false);
  });

  it('changes exactly the edited, removed and added lines; the others keep their ids', async () => {
    const { file, dir } = await writePlan(lines(LINES));
    await applyPlan(await loadPlan(file), odoo.client, { target, stateDir: join(dir, '.zenoo') });
    const before = await orderLines(`SO-${counter}-1`);
    // LP014 2 → 9, LP017 removed, LP016 added; LP015 untouched.
    await writeFile(
      join(dir, 'order_lines.csv'),
      lines([LINES[0]!, `SO-{n}-1,LP014,9`, `SO-{n}-1,LP015,1`, `SO-{n}-1,LP016,4`, LINES[4]!, LINES[5]!], counter),
    );
    const plan = await loadPlan(file);
    const diff = await computeDiff(plan, odoo.client, { target });
    const orders = diff.steps.find((step) => step.step === 'orders')!;
    expect(orders.updates).toHaveLength(1);
    const changes = orders.updates[0]!.lines!['order_line']!;
    expect(changes.creates.map((create) => create.values['product_uom_qty'])).toEqual([4]);
    expect(changes.updates.map((update) => update.changes)).toEqual([
      [{ field: 'product_uom_qty', before: 2, after: 9 }],
    ]);
    expect(changes.deletes.map((remove) => remove.id)).toEqual([before[2]!.id]);
    const text = renderDiffText(diff);
    expect(text).toMatch(/~ line .*LP014.* product_uom_qty 2 → 9/);
    expect(text).toMatch(/- line .*LP017/);
    expect(text).toMatch(/\+ line .*LP016/);

    odoo.sandbox.resetStats();
    const result = await applyPlan(plan, odoo.client, { target, stateDir: join(dir, '.zenoo') });
    expect(result.status).toBe('succeeded');
    // One call for the document and its three line changes; nothing for the unchanged documents.
    expect(odoo.sandbox.stats.callsByMethod['sale.order.write']).toBe(1);
    expect(odoo.sandbox.stats.writes['sale.order.line']).toEqual({ write: 1, unlink: 1, create: 1 });
    expect(odoo.sandbox.stats.callsByMethod['sale.order.line.write']).toBeUndefined();
    expect(odoo.sandbox.stats.callsByMethod['account.move.write']).toBeUndefined();
    const after = await orderLines(`SO-${counter}-1`);
    expect(after.map((line) => [line.product, line.qty])).toEqual([
      ['[LP014] Chair', 9],
      ['[LP015] Desk', 1],
      ['[LP016] Lamp', 4],
    ]);
    expect(after[0]!.id).toBe(before[0]!.id);
    expect(after[1]!.id).toBe(before[1]!.id);
    const again = await computeDiff(await loadPlan(file), odoo.client, { target });
    expect(hasChanges(again)).toBe(false);
  });

  it('refuses a line whose parent is not in the parent data, naming its file and row, before any write', async () => {
    const { file } = await writePlan(lines([...LINES, 'SO-nope,LP014,1']));
    const error = await loadPlan(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlanValidationError);
    const problem = (error as PlanValidationError).problems[0]!;
    expect(problem.file).toContain('order_lines.csv');
    expect(problem.path).toBe('row 7');
    expect(problem.message).toContain('["SO-nope"]');
  });

  it('refuses raw [0, 0, {...}] commands in an upsert, pointing to lines:', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zenoo-lines-'));
    await writeFile(
      join(dir, 'plan.yaml'),
      `version: 1
name: raw-commands
steps:
  - id: orders
    model: sale.order
    action: upsert
    key: [client_order_ref]
    records: [{ client_order_ref: RAW-1, partner_id: 1 }]
    values:
      order_line: [[0, 0, { product_id: 1, product_uom_qty: 2 }]]
`,
    );
    const error = await loadPlan(join(dir, 'plan.yaml')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlanValidationError);
    const problem = (error as PlanValidationError).problems[0]!;
    expect(problem.line).toBe(10);
    expect(problem.message).toContain('duplicate');
    expect(problem.hint).toContain('lines:');
  });

  it('applies a saved diff with its lines once, and refuses it when a line changed since the review', async () => {
    const { file, dir } = await writePlan(lines(LINES));
    await applyPlan(await loadPlan(file), odoo.client, { target, stateDir: join(dir, '.zenoo') });
    await writeFile(
      join(dir, 'order_lines.csv'),
      lines([LINES[0]!, `SO-{n}-1,LP014,7`, `SO-{n}-1,LP016,1`, LINES[4]!, `SO-{n}-3,LP016,2`], counter),
    );
    const plan = await loadPlan(file);
    const saved = JSON.parse(JSON.stringify(await computeDiff(plan, odoo.client, { target }))) as Awaited<
      ReturnType<typeof computeDiff>
    >;
    const stale = JSON.parse(JSON.stringify(saved)) as typeof saved;
    const result = await applyDiff(saved, odoo.client, { target, stateDir: join(dir, '.zenoo') });
    expect(result.status).toBe('succeeded');
    expect((await orderLines(`SO-${counter}-1`)).map((line) => [line.product, line.qty])).toEqual([
      ['[LP014] Chair', 7],
      ['[LP016] Lamp', 1],
    ]);
    expect((await orderLines(`SO-${counter}-3`)).map((line) => line.qty)).toEqual([2]);
    expect(hasChanges(await computeDiff(await loadPlan(file), odoo.client, { target }))).toBe(false);

    // The same review applied again: the documents' lines are no longer those read.
    await expect(applyDiff(stale, odoo.client, { target, stateDir: join(dir, '.zenoo-2') })).rejects.toBeInstanceOf(
      StaleDiffError,
    );

    // A line edited in Odoo after a new review: refused, naming the line; nothing written.
    await writeFile(join(dir, 'order_lines.csv'), lines([...LINES.slice(0, 3), LINES[4]!, LINES[5]!], counter));
    const review = await computeDiff(await loadPlan(file), odoo.client, { target });
    const [first] = await orderLines(`SO-${counter}-1`);
    await odoo.client.write('sale.order.line', [first!.id], { product_uom_qty: 11 });
    odoo.sandbox.resetStats();
    await expect(applyDiff(review, odoo.client, { target, stateDir: join(dir, '.zenoo-3') })).rejects.toThrow(
      new RegExp(`sale.order.line #${first!.id} \\(a line of sale.order`),
    );
    expect(odoo.sandbox.stats.writes['sale.order']).toBeUndefined();
  });

  it('a confirmed order refusing a line deletion is rejected with the server message; the other orders apply', async () => {
    const { file, dir } = await writePlan(lines(LINES), { onError: 'continue' });
    await applyPlan(await loadPlan(file), odoo.client, { target, stateDir: join(dir, '.zenoo') });
    const [confirmed] = await odoo.client.searchRead('sale.order', [['client_order_ref', '=', `SO-${counter}-1`]], {
      fields: ['id'],
    });
    await odoo.client.executeKw('sale.order', 'action_confirm', [[confirmed!['id'] as number]]);
    // SO-1 loses LP017 (refused: it is confirmed), SO-2's line changes quantity.
    await writeFile(
      join(dir, 'order_lines.csv'),
      lines([...LINES.slice(0, 3), `SO-{n}-2,LP014,6`, LINES[5]!], counter),
    );
    const rejectsFile = join(dir, 'rejects.jsonl');
    const result = await applyPlan(await loadPlan(file), odoo.client, {
      target,
      stateDir: join(dir, '.zenoo'),
      rejectsFile,
    });
    const orders = result.steps.find((step) => step.step === 'orders')!;
    expect(orders.counts).toMatchObject({ updated: 1, rejected: 1 });
    const rejects = (await readFile(rejectsFile, 'utf8')).trim().split('\n');
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toContain('Set the quantity to 0 instead');
    expect((await orderLines(`SO-${counter}-1`)).map((line) => line.qty)).toEqual([2, 1, 3]);
    expect((await orderLines(`SO-${counter}-2`)).map((line) => line.qty)).toEqual([6]);
  });

  it('purchase orders and bills of materials', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zenoo-lines-'));
    counter += 1;
    const name = `pobom-${counter}`;
    const plan = (qty: number): string => `version: 1
name: ${name}
steps:
  - id: parts
    model: product.product
    action: upsert
    key: [default_code]
    records: [{ default_code: BP-1, name: Leg }, { default_code: BP-2, name: Top }]
  - id: finished
    model: product.template
    action: upsert
    key: [default_code]
    records: [{ default_code: BP-3, name: Table }]
  - id: vendors
    model: res.partner
    action: upsert
    key: [ref]
    records: [{ ref: V-1, name: Wood Inc }]
  - id: purchases
    model: purchase.order
    action: upsert
    key: [partner_ref]
    records: [{ partner_ref: ${name}-PO1 }]
    values: { partner_id: { ref: vendors, key: V-1 } }
    lines:
      order_line:
        records:
          - { po: ${name}-PO1, part: BP-1, product_qty: ${qty}, price_unit: 8 }
          - { po: ${name}-PO1, part: BP-2, product_qty: 1, price_unit: 30 }
        parent: '\${row.po}'
        key: [product_id]
        template_columns: [po, part]
        values: { product_id: { ref: parts, key: '\${row.part}' } }
  - id: boms
    model: mrp.bom
    action: upsert
    key: [code]
    records:
      - code: ${name}-TABLE
        product_qty: 1
        components: [{ part: BP-1, product_qty: ${qty} }, { part: BP-2, product_qty: 1 }]
    values:
      product_tmpl_id: { ref: finished, key: BP-3 }
    lines:
      bom_line_ids:
        records: { column: components }
        template_columns: [part]
        values: { product_id: { ref: parts, key: '\${row.part}' } }
`;
    await writeFile(join(dir, 'plan.yaml'), plan(4));
    const file = join(dir, 'plan.yaml');
    const first = await applyPlan(await loadPlan(file), odoo.client, { target, stateDir: join(dir, '.zenoo') });
    expect(first.status).toBe('succeeded');
    expect(hasChanges(await computeDiff(await loadPlan(file), odoo.client, { target }))).toBe(false);
    await writeFile(file, plan(5));
    const diff = await computeDiff(await loadPlan(file), odoo.client, { target });
    expect(diff.summary).toMatchObject({ create: 0, update: 2 });
    await applyPlan(await loadPlan(file), odoo.client, { target, stateDir: join(dir, '.zenoo') });
    const [po] = await odoo.client.searchRead('purchase.order', [['partner_ref', '=', `${name}-PO1`]], {
      fields: ['order_line'],
    });
    const poLines = await odoo.client.searchRead('purchase.order.line', [['id', 'in', po!['order_line'] as number[]]], {
      fields: ['product_qty'],
      order: 'id',
    });
    expect(poLines.map((line) => line['product_qty'])).toEqual([5, 1]);
    const [bom] = await odoo.client.searchRead('mrp.bom', [['code', '=', `${name}-TABLE`]], {
      fields: ['bom_line_ids'],
    });
    const bomLines = await odoo.client.searchRead('mrp.bom.line', [['id', 'in', bom!['bom_line_ids'] as number[]]], {
      fields: ['product_qty'],
      order: 'id',
    });
    expect(bomLines.map((line) => line['product_qty'])).toEqual([5, 1]);
  });

  it('the remote validation names a lines field that is not a one2many and a line column that is not a field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zenoo-lines-'));
    await writeFile(join(dir, 'lines.csv'), 'order,product_id,qty\nSO-1,1,2\n');
    await writeFile(
      join(dir, 'plan.yaml'),
      `version: 1
name: bad-lines
steps:
  - id: orders
    model: sale.order
    action: upsert
    key: [client_order_ref]
    records: [{ client_order_ref: SO-1, partner_id: 1 }]
    lines:
      order_line:
        records: { file: lines.csv }
        parent: '\${row.order}'
        template_columns: [order]
      partner_id:
        records: [{ order: SO-1, name: x }]
        parent: '\${row.order}'
        template_columns: [order]
`,
    );
    const problems = await validatePlanRemote(await loadPlan(join(dir, 'plan.yaml')), odoo.client);
    expect(problems.map((problem) => problem.message)).toEqual([
      'field qty of the lines (steps[0].lines.order_line) does not exist on sale.order.line',
      "field partner_id of sale.order is a many2one, not a one2many: lines: takes the one2many field of the document's lines",
    ]);
    expect(problems[0]!.line).toBe(11);
  });

  it('matches lines without key by position, and keeps unlisted lines with unlisted: keep', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zenoo-lines-'));
    counter += 1;
    const name = `positions-${counter}`;
    const plan = (lines: string, unlisted: string): string => `version: 1
name: ${name}
steps:
  - id: customers
    model: res.partner
    action: upsert
    key: [ref]
    records: [{ ref: P-1, name: Positions }]
  - id: invoices
    model: account.move
    action: upsert
    key: [ref]
    records: [{ ref: ${name}-1, lines: [${lines}] }]
    values: { move_type: out_invoice, partner_id: { ref: customers, key: P-1 } }
    lines:
      invoice_line_ids: { records: { column: lines }, unlisted: ${unlisted} }
`;
    const file = join(dir, 'plan.yaml');
    const invoiceLines = async (): Promise<[number, string, number][]> => {
      const [move] = await odoo.client.searchRead('account.move', [['ref', '=', `${name}-1`]], {
        fields: ['invoice_line_ids'],
      });
      const found = await odoo.client.searchRead(
        'account.move.line',
        [['id', 'in', move!['invoice_line_ids'] as number[]]],
        { fields: ['name', 'quantity'], order: 'id' },
      );
      return found.map((line) => [line['id'] as number, line['name'] as string, line['quantity'] as number]);
    };
    const three = '{ name: A, quantity: 1 }, { name: B, quantity: 2 }, { name: C, quantity: 3 }';
    await writeFile(file, plan(three, 'delete'));
    await applyPlan(await loadPlan(file), odoo.client, { target, stateDir: join(dir, '.zenoo') });
    const before = await invoiceLines();
    expect(before.map(([, label, qty]) => [label, qty])).toEqual([
      ['A', 1],
      ['B', 2],
      ['C', 3],
    ]);

    // The second line changes in place; the third is no longer declared, and is kept.
    await writeFile(file, plan('{ name: A, quantity: 1 }, { name: B, quantity: 5 }', 'keep'));
    const diff = await computeDiff(await loadPlan(file), odoo.client, { target });
    const changes = diff.steps.find((step) => step.step === 'invoices')!.updates[0]!.lines!['invoice_line_ids']!;
    expect(changes.updates.map((update) => [update.id, update.position])).toEqual([[before[1]![0], 2]]);
    expect(changes.deletes).toEqual([]);
    await applyPlan(await loadPlan(file), odoo.client, { target, stateDir: join(dir, '.zenoo') });
    expect(await invoiceLines()).toEqual([before[0], [before[1]![0], 'B', 5], before[2]]);

    // With unlisted: delete (the default), it goes.
    await writeFile(file, plan('{ name: A, quantity: 1 }, { name: B, quantity: 5 }', 'delete'));
    await applyPlan(await loadPlan(file), odoo.client, { target, stateDir: join(dir, '.zenoo') });
    expect((await invoiceLines()).map(([id]) => id)).toEqual([before[0]![0], before[1]![0]]);
  });
});
