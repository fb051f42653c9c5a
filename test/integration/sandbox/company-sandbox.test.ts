// A plan-like sequence on a company database, through the real client against startSandbox({ models: 'company' }):
// a category tree, templates, partners with accounting, departments, employees with managers, leads, orders with
// lines, an invoice, a quant, then the four method calls; each outcome is read back from the server.
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

const odoo = withSandbox({ models: 'company' });

afterAll(async () => {});

const one = async <T>(value: Promise<T | T[]>): Promise<T> => {
  const result = await value;
  return (Array.isArray(result) ? result[0] : result) as T;
};

describe('a company database through the client', () => {
  it('takes master data, documents with lines and the four method calls', async () => {
    const root = await one(odoo.client.create('product.category', { name: 'Furniture' }));
    const chairs = await one(odoo.client.create('product.category', { name: 'Chairs', parent_id: root }));
    const template = await one(
      odoo.client.create('product.template', { name: 'Chair', default_code: 'CH1', list_price: 50, categ_id: chairs }),
    );
    const [tmpl] = await odoo.client.read<{ product_variant_id: [number, string]; categ_id: [number, string] }>(
      'product.template',
      [template as number],
      ['product_variant_id', 'categ_id'],
    );
    expect(tmpl?.categ_id[1]).toBe('Furniture / Chairs');
    expect(tmpl?.product_variant_id[1]).toBe('[CH1] Chair');
    const chair = tmpl?.product_variant_id[0] as number;

    const customer = await one(odoo.client.create('res.partner', { name: 'Buyer', is_company: true }));
    const dept = await one(odoo.client.create('hr.department', { name: 'Sales' }));
    const boss = await one(odoo.client.create('hr.employee', { name: 'Ann', department_id: dept }));
    const staff = await one(odoo.client.create('hr.employee', { name: 'Bob', department_id: dept, parent_id: boss }));
    const lead = await one(odoo.client.create('crm.lead', { name: 'Big deal', partner_id: customer }));
    const order = await one(
      odoo.client.create('sale.order', {
        partner_id: customer,
        order_line: [[0, 0, { product_id: chair, product_uom_qty: 3 }]],
      }),
    );
    const invoice = await one(
      odoo.client.create('account.move', {
        move_type: 'out_invoice',
        partner_id: customer,
        invoice_date: '2026-01-15',
        invoice_line_ids: [[0, 0, { product_id: chair, quantity: 2 }]],
      }),
    );
    const quant = await one(
      odoo.client.create(
        'stock.quant',
        { product_id: chair, location_id: 8, inventory_quantity: 7 },
        { context: { inventory_mode: true } },
      ),
    );

    expect(await odoo.client.executeKw('sale.order', 'action_confirm', [[order]])).toBe(true);
    expect(await odoo.client.executeKw('account.move', 'action_post', [[invoice]])).toBe(false);
    expect(await odoo.client.executeKw('crm.lead', 'action_set_won', [[lead]])).toBe(true);
    expect(await odoo.client.executeKw('stock.quant', 'action_apply_inventory', [[quant]])).toBeNull();

    const [so] = await odoo.client.read('sale.order', [order as number], ['state', 'name', 'amount_untaxed']);
    expect(so).toMatchObject({ state: 'sale', name: 'S00001', amount_untaxed: 150 });
    const [move] = await odoo.client.read(
      'account.move',
      [invoice as number],
      ['state', 'name', 'amount_total', 'line_ids'],
    );
    expect(move).toMatchObject({ state: 'posted', name: 'INV/2026/00001', amount_total: 115 });
    expect((move?.['line_ids'] as number[]).length).toBe(3);
    const [won] = await odoo.client.read('crm.lead', [lead as number], ['stage_id', 'probability']);
    expect(won).toMatchObject({ stage_id: [4, 'Won'], probability: 100 });
    const [counted] = await odoo.client.read('stock.quant', [quant as number], ['quantity']);
    expect(counted?.['quantity']).toBe(7);
    const employees = await odoo.client.read(
      'hr.employee',
      [boss as number, staff as number],
      ['parent_id', 'resource_id'],
    );
    expect(employees[1]?.['parent_id']).toEqual([boss, 'Ann']);
    expect((employees[0]?.['resource_id'] as [number, string])[1]).toBe('Ann');

    await expect(odoo.client.executeKw('sale.order', 'action_confirm', [[order]])).rejects.toBeInstanceOf(UserError);
    await expect(odoo.client.executeKw('account.move', 'action_post', [[invoice]])).rejects.toThrow(/must be in draft/);
  });
});

describe('reading every field', () => {
  it('works on every model, a one2many into a model outside the snapshot reading as empty', async () => {
    const [partner] = await odoo.client.searchRead<Record<string, unknown>>('res.partner', [], { limit: 1 });
    expect(partner?.['message_ids']).toEqual([]);
    const [category] = await odoo.client.searchRead<Record<string, unknown>>('product.category', [], { limit: 1 });
    expect(category?.['putaway_rule_ids']).toEqual([]);
  });
});
