// The generic ORM on the company models: defaults, required and selection checks, x2many commands, _inherits,
// sequences, method calls and their errors, and registries per database. Every assertion reads the database back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMPANY_MODEL_SET } from '../../../../src/sandbox/company/company-model-set.js';
import { SandboxDatabase } from '../../../../src/sandbox/orm/sandbox-database.js';
import { catchOdoo, type Json } from '../orm/orm-test-helpers.js';

let db: SandboxDatabase;
const call = (model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Json =>
  db.execute({ uid: 2, model, method, args, kwargs }).result;

beforeEach(() => {
  db = SandboxDatabase.open({ models: COMPANY_MODEL_SET });
});
afterEach(() => db.close());

function product(name: string, code: string, price: number): number {
  const [template] = call('product.template', 'create', [[{ name, default_code: code, list_price: price }]]);
  return call('product.template', 'read', [[template], ['product_variant_id']])[0].product_variant_id[0];
}

describe('defaults, required and selection', () => {
  it('applies the captured defaults on create, company-dependent ones included', () => {
    const [id] = call('res.partner', 'create', [[{ name: 'Acme' }]]);
    expect(
      call('res.partner', 'read', [[id], ['property_account_receivable_id', 'property_account_payable_id']]),
    ).toEqual([
      {
        id,
        property_account_receivable_id: [6, '121000 Account Receivable'],
        property_account_payable_id: [14, '211000 Account Payable'],
      },
    ]);
    const [template] = call('product.template', 'create', [[{ name: 'Chair' }]]);
    expect(
      call('product.template', 'read', [[template], ['uom_id', 'uom_po_id', 'categ_id', 'detailed_type', 'taxes_id']]),
    ).toEqual([
      {
        id: template,
        uom_id: [1, 'Units'],
        uom_po_id: [1, 'Units'],
        categ_id: [1, 'All'],
        detailed_type: 'consu',
        taxes_id: [1],
      },
    ]);
  });

  it('refuses a missing required field with the NOT NULL error and writes nothing', () => {
    const error = catchOdoo(() => call('hr.department', 'create', [[{ color: 1 }]]));
    expect(error.odooName).toBe('odoo.exceptions.ValidationError');
    expect(error.message).toContain('Model: Department (hr.department)\nField: Department Name (name)\n');
    expect(call('hr.department', 'search_count', [[]])).toBe(0);
    const [dept] = call('hr.department', 'create', [[{ name: 'Sales' }]]);
    expect(catchOdoo(() => call('hr.department', 'write', [[dept], { name: false }])).odooName).toBe(
      'odoo.exceptions.ValidationError',
    );
    expect(call('hr.department', 'read', [[dept], ['name']])[0].name).toBe('Sales');
  });

  it('refuses a value outside a selection', () => {
    const error = catchOdoo(() => call('product.template', 'create', [[{ name: 'X', detailed_type: 'nope' }]]));
    expect(error.message).toBe("Wrong value for product.template.detailed_type: 'nope'");
    expect(call('product.template', 'search_count', [[['name', '=', 'X']]])).toBe(0);
  });
});

describe('x2many commands', () => {
  it('applies (0,0,v), (1,id,v), (2,id) and (3,id) on order lines', () => {
    const desk = product('Desk', 'D1', 100);
    const [order] = call('sale.order', 'create', [
      [
        {
          partner_id: 1,
          order_line: [
            [0, 0, { product_id: desk, product_uom_qty: 1 }],
            [0, 0, { product_id: desk, product_uom_qty: 2 }],
          ],
        },
      ],
    ]);
    const [a, b] = call('sale.order', 'read', [[order], ['order_line']])[0].order_line;
    call('sale.order', 'write', [
      [order],
      {
        order_line: [
          [1, a, { product_uom_qty: 4 }],
          [2, b],
          [0, 0, { product_id: desk }],
        ],
      },
    ]);
    const lines = call('sale.order.line', 'search_read', [[['order_id', '=', order]]], {
      fields: ['product_uom_qty'],
      order: 'id',
    });
    expect(lines).toEqual([
      { id: a, product_uom_qty: 4 },
      { id: expect.any(Number), product_uom_qty: 1 },
    ]);
    expect(call('sale.order', 'read', [[order], ['amount_untaxed']])[0].amount_untaxed).toBe(500);
    // (3, id) on lines whose order is required deletes them, as Odoo does for a cascading inverse.
    call('sale.order', 'write', [[order], { order_line: [[3, lines[1].id]] }]);
    expect(call('sale.order.line', 'search', [[['id', '=', lines[1].id]]])).toEqual([]);
  });

  it('applies (6,0,ids), (3,id), (4,id) and (5,) on a many2many', () => {
    const [template] = call('product.template', 'create', [[{ name: 'Taxed', taxes_id: [[6, 0, [2]]] }]]);
    const taxes = (): number[] => call('product.template', 'read', [[template], ['taxes_id']])[0].taxes_id;
    expect(taxes()).toEqual([2]);
    call('product.template', 'write', [
      [template],
      {
        taxes_id: [
          [4, 1],
          [3, 2],
        ],
      },
    ]);
    expect(taxes()).toEqual([1]);
    call('product.template', 'write', [[template], { taxes_id: [[5]] }]);
    expect(taxes()).toEqual([]);
    expect(call('account.tax', 'search_count', [[]])).toBe(2);
  });
});

describe('_inherits and delegated fields', () => {
  it('creates the template of a new variant and the single variant of a new template', () => {
    const [variant] = call('product.product', 'create', [[{ name: 'Lamp', default_code: 'L1', list_price: 30 }]]);
    const [row] = call('product.product', 'read', [[variant], ['product_tmpl_id', 'display_name']]);
    expect(row.display_name).toBe('[L1] Lamp');
    const template = row.product_tmpl_id[0];
    expect(
      call('product.template', 'read', [[template], ['name', 'list_price', 'default_code', 'product_variant_ids']]),
    ).toEqual([{ id: template, name: 'Lamp', list_price: 30, default_code: 'L1', product_variant_ids: [variant] }]);
    call('product.product', 'write', [[variant], { list_price: 35, name: 'Lamp 2' }]);
    expect(call('product.template', 'read', [[template], ['name', 'list_price']])[0]).toMatchObject({
      name: 'Lamp 2',
      list_price: 35,
    });
    expect(call('product.product', 'search', [[['name', '=', 'Lamp 2']]])).toEqual([variant]);
  });

  it("fills hr.employee's resource_id by its create and accepts a manager cycle", () => {
    const [boss] = call('hr.employee', 'create', [[{ name: 'Boss' }]]);
    const [staff] = call('hr.employee', 'create', [[{ name: 'Staff', parent_id: boss }]]);
    expect(call('hr.employee', 'write', [[boss], { parent_id: staff }])).toBe(true);
    const rows = call('hr.employee', 'read', [
      [boss, staff],
      ['resource_id', 'parent_id', 'coach_id'],
    ]);
    expect(rows[0].resource_id[1]).toBe('Boss');
    expect(rows[1]).toMatchObject({ parent_id: [boss, 'Boss'], coach_id: [boss, 'Boss'] });
    expect(rows[0].parent_id).toEqual([staff, 'Staff']);
  });

  it('refuses a recursive product category', () => {
    const [root] = call('product.category', 'create', [[{ name: 'Root' }]]);
    const [child] = call('product.category', 'create', [[{ name: 'Child', parent_id: root }]]);
    expect(catchOdoo(() => call('product.category', 'write', [[root], { parent_id: child }])).message).toBe(
      'Recursion Detected.',
    );
    expect(
      call('product.category', 'read', [[root, child], ['complete_name']]).map((r: Json) => r.complete_name),
    ).toEqual(['Root', 'Root / Child']);
  });
});

describe('sequences and method calls', () => {
  it('names orders and invoices from sequences', () => {
    const names = [1, 2].map(() => {
      const [id] = call('sale.order', 'create', [[{ partner_id: 1 }]]);
      return call('sale.order', 'read', [[id], ['name']])[0].name;
    });
    expect(names).toEqual(['S00001', 'S00002']);
    const [move] = call('account.move', 'create', [
      [{ move_type: 'out_invoice', partner_id: 1, invoice_date: '2025-03-01' }],
    ]);
    expect(call('account.move', 'read', [[move], ['name']])[0].name).toBe('INV/2025/00001');
  });

  it('confirms once, posts once, wins twice, and refuses private and unknown methods', () => {
    const [order] = call('sale.order', 'create', [[{ partner_id: 1 }]]);
    expect(call('sale.order', 'action_confirm', [[order]])).toBe(true);
    expect(catchOdoo(() => call('sale.order', 'action_confirm', [[order]])).message).toBe(
      'The following orders are not in a state requiring confirmation: S00001',
    );
    const [move] = call('account.move', 'create', [
      [{ move_type: 'out_invoice', partner_id: 1, invoice_date: '2025-03-01' }],
    ]);
    expect(call('account.move', 'action_post', [[move]])).toBe(false);
    expect(catchOdoo(() => call('account.move', 'action_post', [[move]])).message).toBe(
      `The entry INV/2025/00001 (id ${move}) must be in draft.`,
    );
    const [lead] = call('crm.lead', 'create', [[{ name: 'Deal' }]]);
    expect(call('crm.lead', 'action_set_won', [[lead]])).toBe(true);
    expect(call('crm.lead', 'action_set_won', [[lead]])).toBe(true);
    expect(call('crm.lead', 'read', [[lead], ['stage_id', 'probability']])[0]).toMatchObject({
      stage_id: [4, 'Won'],
      probability: 100,
    });
    expect(catchOdoo(() => call('crm.lead', '_private', [[lead]])).odooName).toBe('odoo.exceptions.AccessError');
    expect(catchOdoo(() => call('crm.lead', 'action_nope', [[lead]])).odooName).toBe('builtins.AttributeError');
  });

  it('applies a counted quantity once and answers None', () => {
    const desk = product('Desk', 'D1', 100);
    const [quant] = call('stock.quant', 'create', [[{ product_id: desk, location_id: 8, inventory_quantity: 5 }]], {
      context: { inventory_mode: true },
    });
    expect(call('stock.quant', 'action_apply_inventory', [[quant]])).toBeUndefined();
    expect(call('stock.quant', 'action_apply_inventory', [[quant]])).toBeUndefined();
    expect(call('stock.quant', 'read', [[quant], ['quantity', 'inventory_quantity_set']])[0]).toMatchObject({
      quantity: 5,
      inventory_quantity_set: false,
    });
  });
});

describe('registries per database', () => {
  it('runs a base and a company database side by side', () => {
    const base = SandboxDatabase.open();
    try {
      const error = catchOdoo(() =>
        base.execute({ uid: 2, model: 'sale.order', method: 'search', args: [[]], kwargs: {} }),
      );
      expect(error.message).toBe("Object sale.order doesn't exist");
      expect(call('sale.order', 'search', [[]])).toEqual([]);
      expect(
        base.execute({ uid: 2, model: 'res.partner', method: 'fields_get', args: [['name']], kwargs: {} }).result,
      ).toHaveProperty('name');
    } finally {
      base.close();
    }
  });

  it('refuses to reopen a file with other models', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-company-'));
    try {
      const file = join(dir, 'company.sqlite');
      SandboxDatabase.open({ file, models: COMPANY_MODEL_SET }).close();
      expect(() => SandboxDatabase.open({ file })).toThrow(/holds the company models, not the base models/);
      const again = SandboxDatabase.open({ file, models: COMPANY_MODEL_SET });
      expect(again.execute({ uid: 2, model: 'uom.uom', method: 'search_count', args: [[]], kwargs: {} }).result).toBe(
        1,
      );
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
