/**
 * The documents-with-lines campaign of the crash proof: the plan of test/fixtures/reliability/documents (sale orders
 * with lines from their own file, invoices with nested lines) on the company sandbox, killed and resumed like the
 * partners campaign (see chaos-core.mjs). The target starts with six of the plan's orders holding other lines, so
 * that kills also land in line writes (`(1, id, vals)`, `(2, id)`, `(0, 0, vals)` in one call per order), not only in
 * creates of documents with their lines.
 *
 * The final state is dumped free of ids: per order its customer and its lines as (product code, quantity), per
 * invoice its lines in order as (product code, quantity, unit price). A line added twice, lost, or left from the
 * seeded state shows up as a difference from the clean run; a product appearing twice in one order is a duplicate.
 *
 * Plain JavaScript so that Node runs it directly; types in chaos-documents.d.mts.
 */
import { join } from 'node:path';
import { ROOT, canaryClient, createCanaryTarget } from './chaos-core.mjs';
import { startSandbox } from '../../dist/sandbox/index.js';

/** The sandbox models of the campaign's target. */
const SANDBOX = Object.freeze({ models: 'company' });

/** The orders the target starts with, and their lines (other than those the plan declares). */
export const SEEDED_ORDERS = Object.freeze(
  Array.from({ length: 6 }, (_, index) => ({
    ref: `DO-${String(index + 1).padStart(2, '0')}`,
    lines: [
      ['LP01', 1],
      ['LP02', 1],
      ['LP06', 9],
    ],
  })),
);

/** Creates a canary company target holding the products, a customer and the {@link SEEDED_ORDERS}. */
export async function createDocumentsTarget(file) {
  await createCanaryTarget(file, SANDBOX);
  const sandbox = await startSandbox({ port: 0, file, ...SANDBOX });
  const client = canaryClient(sandbox);
  try {
    const codes = ['LP01', 'LP02', 'LP03', 'LP04', 'LP05', 'LP06'];
    const names = ['Chair', 'Desk', 'Lamp', 'Shelf', 'Stool', 'Board'];
    const ids = await client.create(
      'product.product',
      codes.map((code, index) => ({ default_code: code, name: names[index] })),
    );
    const product = new Map(codes.map((code, index) => [code, ids[index]]));
    const [customer] = await client.create('res.partner', [{ ref: 'C-1', name: 'Acme', is_company: true }]);
    await client.create(
      'sale.order',
      SEEDED_ORDERS.map((order) => ({
        client_order_ref: order.ref,
        partner_id: customer,
        order_line: order.lines.map(([code, qty]) => [0, 0, { product_id: product.get(code), product_uom_qty: qty }]),
      })),
    );
  } finally {
    client.close();
    await sandbox.close();
  }
}

const byJson = (a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0);

/** The canonical dump of what the documents plan touches (see the module comment). */
export async function documentsDump(client) {
  const everything = { context: { active_test: false } };
  const products = await client.searchRead('product.product', [['default_code', '=like', 'LP%']], {
    ...everything,
    fields: ['default_code', 'name'],
  });
  const code = new Map(products.map((product) => [product.id, product.default_code]));
  const partners = await client.searchRead('res.partner', [['ref', '=like', 'C-%']], {
    ...everything,
    fields: ['ref', 'name'],
  });
  const partnerRef = new Map(partners.map((partner) => [partner.id, partner.ref]));
  const many2one = (value, map) => (Array.isArray(value) ? (map.get(value[0]) ?? `<other ${value[0]}>`) : false);
  const orders = await client.searchRead('sale.order', [['client_order_ref', '=like', 'DO-%']], {
    fields: ['client_order_ref', 'partner_id', 'order_line'],
  });
  const orderLines = await client.searchRead('sale.order.line', [['order_id', 'in', orders.map((o) => o.id)]], {
    fields: ['order_id', 'product_id', 'product_uom_qty'],
    order: 'id',
  });
  const moves = await client.searchRead('account.move', [['ref', '=like', 'INV-%']], {
    fields: ['ref', 'partner_id', 'move_type', 'invoice_line_ids'],
  });
  const moveLines = await client.searchRead(
    'account.move.line',
    [['id', 'in', moves.flatMap((move) => move.invoice_line_ids)]],
    { fields: ['move_id', 'product_id', 'quantity', 'price_unit'], order: 'id' },
  );
  const parameters = await client.searchRead('ir.config_parameter', [['key', '=like', 'zenoo.%']], { fields: ['key'] });
  return {
    'product.product': products.map((product) => [product.default_code, product.name]).sort(byJson),
    'res.partner': partners.map((partner) => [partner.ref, partner.name]).sort(byJson),
    'sale.order': orders
      .map((order) => [
        order.client_order_ref,
        many2one(order.partner_id, partnerRef),
        orderLines
          .filter((line) => line.order_id[0] === order.id)
          .map((line) => [many2one(line.product_id, code), line.product_uom_qty])
          .sort(byJson),
      ])
      .sort(byJson),
    'account.move': moves
      .map((move) => [
        move.ref,
        many2one(move.partner_id, partnerRef),
        move.move_type,
        // Invoice lines are matched by position: their order is part of the state.
        moveLines
          .filter((line) => line.move_id[0] === move.id)
          .map((line) => [many2one(line.product_id, code), line.quantity, line.price_unit]),
      ])
      .sort(byJson),
    'ir.config_parameter': parameters.map((row) => row.key).sort(),
  };
}

/** Documents appearing twice under their key, products twice in one order, codes or customers twice. */
export function documentDuplicates(dump) {
  const found = [];
  const count = (label, values) => {
    const seen = new Map();
    for (const value of values) seen.set(value, (seen.get(value) ?? 0) + 1);
    for (const [value, times] of seen) if (times > 1) found.push(`${label} ${JSON.stringify(value)} ×${times}`);
  };
  count(
    'product.product default_code',
    dump['product.product'].map((row) => row[0]),
  );
  count(
    'res.partner ref',
    dump['res.partner'].map((row) => row[0]),
  );
  count(
    'sale.order client_order_ref',
    dump['sale.order'].map((row) => row[0]),
  );
  count(
    'account.move ref',
    dump['account.move'].map((row) => row[0]),
  );
  for (const [ref, , lines] of dump['sale.order'])
    count(
      `product in the lines of ${ref}:`,
      lines.map((line) => line[0]),
    );
  return found;
}

/** The documents-with-lines campaign, for `runCampaign({ campaign })` and `npm run chaos -- --campaign documents`. */
export const DOCUMENTS_CAMPAIGN = Object.freeze({
  name: 'documents',
  fixture: join(ROOT, 'test/fixtures/reliability/documents'),
  sandbox: SANDBOX,
  createTarget: createDocumentsTarget,
  dump: documentsDump,
  duplicates: documentDuplicates,
});
