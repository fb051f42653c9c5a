/**
 * Documents with lines through the built CLI against the company sandbox: sale orders whose lines come from their own
 * file and invoices whose lines are nested in their rows apply; a second dry run shows nothing; editing one line's
 * quantity, removing one line and adding one changes exactly those (the other lines keep their ids); an apply killed
 * with SIGKILL mid-run and resumed leaves each document with exactly its lines. Run after `npm run build`.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKilledApply } from '../../chaos/chaos-core.mjs';
import { runCli } from '../../helpers/run-cli.js';
import type { CliRun } from '../../helpers/run-cli.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

// A little latency, so that a kill lands while chunks are in flight.
const odoo = withSandbox({ models: 'company', latencyMs: 8 });

const PRODUCTS = ['LP014', 'LP015', 'LP016', 'LP017', 'LP018'];

function env(): Record<string, string> {
  return {
    ZENOO_URL: odoo.url,
    ZENOO_DB: odoo.db,
    ZENOO_USER: odoo.sandbox.login,
    ZENOO_PASSWORD: odoo.sandbox.password,
  };
}

/** A project with products, a customer, `orders` sale orders (lines from order_lines.csv) and two invoices. */
async function project(name: string, orders: number, lines: (order: number) => [string, number][]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-e2e-lines-'));
  const orderRows = ['ref'];
  const lineRows = ['order,product,product_uom_qty'];
  for (let order = 1; order <= orders; order += 1) {
    orderRows.push(`${name}-SO${order}`);
    for (const [product, qty] of lines(order)) lineRows.push(`${name}-SO${order},${product},${qty}`);
  }
  await writeFile(join(dir, 'orders.csv'), `${orderRows.join('\n')}\n`);
  await writeFile(join(dir, 'order_lines.csv'), `${lineRows.join('\n')}\n`);
  await writeFile(
    join(dir, 'invoices.yaml'),
    [
      `- { ref: ${name}-INV1, lines: [{ product: LP014, quantity: 1, price_unit: 100 }, { product: LP015, quantity: 2, price_unit: 10 }] }`,
      `- { ref: ${name}-INV2, lines: [{ product: LP016, quantity: 3, price_unit: 7 }] }`,
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'plan.yaml'),
    [
      'version: 1',
      `name: ${name}`,
      'defaults: { chunk_size: 2, concurrency: 2 }',
      'steps:',
      '  - id: products',
      '    model: product.product',
      '    action: upsert',
      '    key: [default_code]',
      `    records: [${PRODUCTS.map((code) => `{ default_code: ${code}, name: Item ${code} }`).join(', ')}]`,
      '  - id: customers',
      '    model: res.partner',
      '    action: upsert',
      '    key: [ref]',
      '    records: [{ ref: C-1, name: Acme }]',
      '  - id: orders',
      '    model: sale.order',
      '    action: upsert',
      '    key: [client_order_ref]',
      '    records: { file: orders.csv }',
      '    template_columns: [ref]',
      "    values: { client_order_ref: '${row.ref}', partner_id: { ref: customers, key: C-1 } }",
      '    lines:',
      '      order_line:',
      '        records: { file: order_lines.csv }',
      "        parent: '${row.order}'",
      '        key: [product_id]',
      '        template_columns: [order, product]',
      "        values: { product_id: { ref: products, key: '${row.product}' } }",
      '  - id: invoices',
      '    model: account.move',
      '    action: upsert',
      '    key: [ref]',
      '    records: { file: invoices.yaml }',
      '    values: { move_type: out_invoice, partner_id: { ref: customers, key: C-1 } }',
      '    lines:',
      '      invoice_line_ids:',
      '        records: { column: lines }',
      '        key: [product_id]',
      '        template_columns: [product]',
      "        values: { product_id: { ref: products, key: '${row.product}' } }",
      '',
    ].join('\n'),
  );
  return dir;
}

function zenoo(dir: string, args: readonly string[]): Promise<CliRun> {
  return runCli(dir, args, env());
}

/** Every order of the plan with its lines as [product code, quantity, line id], in line order. */
async function orders(name: string): Promise<Map<string, [string, number, number][]>> {
  const found = await odoo.client.searchRead('sale.order', [['client_order_ref', '=like', `${name}-SO%`]], {
    fields: ['client_order_ref', 'order_line'],
  });
  const result = new Map<string, [string, number, number][]>();
  for (const order of found) {
    const ref = order['client_order_ref'] as string;
    expect(result.has(ref), `order ${ref} exists once`).toBe(false);
    const lines = await odoo.client.searchRead('sale.order.line', [['id', 'in', order['order_line'] as number[]]], {
      fields: ['product_id', 'product_uom_qty'],
      order: 'id',
    });
    result.set(
      ref,
      lines.map((line) => [
        /\[(\w+)\]/.exec((line['product_id'] as [number, string])[1])![1]!,
        line['product_uom_qty'] as number,
        line['id'] as number,
      ]),
    );
  }
  return result;
}

const withoutIds = (lines: [string, number, number][] | undefined): [string, number][] =>
  (lines ?? []).map(([product, qty]) => [product, qty]);

describe('documents with lines (built CLI, company sandbox)', () => {
  it('applies orders and invoices with their lines; a second dry run is empty; one line edited, removed, added', async () => {
    const base = (order: number): [string, number][] => [
      ['LP014', order],
      ['LP015', 1],
      ['LP017', 3],
    ];
    const dir = await project('e2e-lines', 3, base);
    const apply = await zenoo(dir, ['plan', 'apply', 'plan.yaml', '--yes']);
    expect(apply.stderr).not.toMatch(/error|failed/i);
    expect(apply.code).toBe(0);
    const again = await zenoo(dir, ['plan', 'diff', 'plan.yaml', '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes');
    expect(again.code).toBe(0);
    const before = await orders('e2e-lines');
    expect(withoutIds(before.get('e2e-lines-SO2'))).toEqual(base(2));
    const [invoice] = await odoo.client.searchRead('account.move', [['ref', '=', 'e2e-lines-INV1']], {
      fields: ['invoice_line_ids'],
    });
    expect(invoice!['invoice_line_ids']).toHaveLength(2);

    // Order 2: LP014 quantity 2 → 9, LP017 removed, LP016 added.
    const edited = await project('e2e-lines', 3, (order) =>
      order === 2
        ? [
            ['LP014', 9],
            ['LP015', 1],
            ['LP016', 4],
          ]
        : base(order),
    );
    await writeFile(join(dir, 'order_lines.csv'), await readFile(join(edited, 'order_lines.csv'), 'utf8'));
    const diff = await zenoo(dir, ['plan', 'diff', 'plan.yaml', '--detailed-exitcode']);
    expect(diff.code).toBe(2);
    expect(diff.stdout).toMatch(/~ line "\[LP014\][^"]*" {2}product_uom_qty 2 → 9/);
    expect(diff.stdout).toMatch(/- line "\[LP017\]/);
    expect(diff.stdout).toMatch(/\+ line "\[LP016\][^"]*" {2}product_uom_qty: 4/);
    expect(diff.stdout).toContain('1 to update');
    const markdown = await zenoo(dir, ['plan', 'diff', 'plan.yaml', '--format', 'markdown']);
    expect(markdown.stdout).toContain('✏️ line');
    const json = await zenoo(dir, ['plan', 'diff', 'plan.yaml', '--format', 'json']);
    const update = (JSON.parse(json.stdout) as { steps: { step: string; updates: { lines: unknown }[] }[] }).steps.find(
      (step) => step.step === 'orders',
    )!.updates[0]!;
    expect(update.lines).toMatchObject({ order_line: { model: 'sale.order.line' } });

    // Applied as reviewed: the diff saved with --out, then applied from its file.
    expect((await zenoo(dir, ['plan', 'diff', 'plan.yaml', '--out', 'reviewed.json'])).code).toBe(0);
    const applied = await zenoo(dir, ['plan', 'apply', 'reviewed.json', '--yes']);
    expect(applied.code, applied.stderr).toBe(0);
    const after = await orders('e2e-lines');
    const order2 = after.get('e2e-lines-SO2')!;
    expect(withoutIds(order2)).toEqual([
      ['LP014', 9],
      ['LP015', 1],
      ['LP016', 4],
    ]);
    const old = before.get('e2e-lines-SO2')!;
    expect(order2[0]![2]).toBe(old[0]![2]);
    expect(order2[1]![2]).toBe(old[1]![2]);
    expect(after.get('e2e-lines-SO1')).toEqual(before.get('e2e-lines-SO1'));
    expect((await zenoo(dir, ['plan', 'diff', 'plan.yaml', '--detailed-exitcode'])).code).toBe(0);
    // The same review applied again is refused: the order's lines are no longer those it read.
    const replayed = await zenoo(dir, ['plan', 'apply', 'reviewed.json', '--yes']);
    expect(replayed.code).toBe(1);
    expect(replayed.stderr).toMatch(/already applied|stale/);
  });

  it('an apply killed with SIGKILL mid-run, then resumed, leaves each document with exactly its lines', async () => {
    const name = 'e2e-kill';
    const first = (order: number): [string, number][] => [
      ['LP014', order],
      ['LP015', 2],
      ['LP016', 1],
    ];
    const dir = await project(name, 16, first);
    const killed = await runKilledApply('plan.yaml', { cwd: dir, env: env(), afterChunks: 3, delayMs: 5 });
    expect(killed.killed).toBe(true);
    const resumed = await zenoo(dir, ['plan', 'apply', 'plan.yaml', '--yes']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const created = await orders(name);
    expect(created.size).toBe(16);
    for (let order = 1; order <= 16; order += 1)
      expect(withoutIds(created.get(`${name}-SO${order}`))).toEqual(first(order));

    // Every order changes: one quantity, one line removed, one added; killed again mid-run, then resumed.
    const second = (order: number): [string, number][] => [
      ['LP014', order + 100],
      ['LP016', 1],
      ['LP018', 5],
    ];
    const edited = await project(name, 16, second);
    await writeFile(join(dir, 'order_lines.csv'), await readFile(join(edited, 'order_lines.csv'), 'utf8'));
    const killedAgain = await runKilledApply('plan.yaml', { cwd: dir, env: env(), afterChunks: 2, delayMs: 3 });
    expect(killedAgain.killed).toBe(true);
    const resumedAgain = await zenoo(dir, ['plan', 'apply', 'plan.yaml', '--yes']);
    expect(resumedAgain.code, resumedAgain.stderr).toBe(0);
    const final = await orders(name);
    for (let order = 1; order <= 16; order += 1) {
      const lines = final.get(`${name}-SO${order}`)!;
      expect(withoutIds(lines)).toEqual(second(order));
      // The kept lines are the same records as before.
      expect(lines[0]![2]).toBe(created.get(`${name}-SO${order}`)![0]![2]);
    }
    expect((await zenoo(dir, ['plan', 'diff', 'plan.yaml', '--detailed-exitcode'])).code).toBe(0);
  });
});
