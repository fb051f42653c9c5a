/**
 * The records a fresh company sandbox starts with: the least that the captured defaults point at and the company
 * capture reads. Ids are the ones the captured `default_get` answers name (uom 1, category 1, accounts 6 and 14,
 * company 1, working hours 1, ...), so that the defaults of the snapshot hold as captured. Names the captures show are
 * taken from them; the others are marked "not in the captures" and use Odoo 17.0's standard data.
 *
 * @packageDocumentation
 */

import type { HookStore } from '../orm/model-types.js';
import type { CallEnv } from '../orm/call-env.js';
import type { SqlValue } from '../orm/field-values.js';
import { SEQUENCE_TABLE_DDL } from './company-helpers.js';

/** Ids of seeded records the behaviours use. */
export const SEEDED = Object.freeze({
  company: 1,
  currency: 1,
  saleJournal: 1,
  purchaseJournal: 2,
  miscJournal: 3,
  receivableAccount: 6,
  payableAccount: 14,
  incomeAccount: 24,
  expenseAccount: 30,
  taxReceivedAccount: 19,
  taxPaidAccount: 18,
  firstStage: 1,
  wonStage: 4,
  stockLocation: 8,
  warehouse: 1,
});

/** One seeded record: model, id, column values, and where its values come from. */
interface SeedRecord {
  readonly model: string;
  readonly id: number;
  readonly values: Readonly<Record<string, SqlValue>>;
}

const ACCOUNTS: readonly [number, string, string, string][] = [
  // Captured (read as many2one names): receivable, payable, sales, tax received.
  [6, '121000', 'Account Receivable', 'asset_receivable'],
  [14, '211000', 'Account Payable', 'liability_payable'],
  [24, '400000', 'Product Sales', 'income'],
  [19, '251000', 'Tax Received', 'liability_current'],
  // Not in the captures (only their ids, as defaults of product.category): Odoo 17.0's generic chart names.
  [2, '110100', 'Stock Valuation', 'asset_current'],
  [3, '110200', 'Stock Interim (Received)', 'asset_current'],
  [4, '110300', 'Stock Interim (Delivered)', 'asset_current'],
  [5, '110400', 'Cost of Production', 'asset_current'],
  [30, '600000', 'Expenses', 'expense'],
  // Not in the captures: the tax account of vendor bills.
  [18, '131000', 'Tax Paid', 'asset_current'],
];

/** The seeded records, in insertion order (referenced records first). */
export const COMPANY_SEED: readonly SeedRecord[] = [
  // Not in the captures: the company's currency (default currency_id 1 of purchase orders and pricelists).
  { model: 'res.currency', id: 1, values: { name: 'USD' } },
  // Captured: company 1 "My Company" (hr.employee company_id), its partner is the base "My Company" partner.
  { model: 'res.company', id: 1, values: { name: 'My Company', partner_id: 1, currency_id: 1 } },
  // Captured: uom 1 "Units" (default uom_id of products and bills of materials).
  { model: 'uom.category', id: 1, values: { name: 'Unit' } },
  {
    model: 'uom.uom',
    id: 1,
    values: { name: 'Units', category_id: 1, factor: 1, rounding: 0.01, uom_type: 'reference', active: 1 },
  },
  // Captured: category 1 (default categ_id of products); "All" as in Odoo's product data.
  { model: 'product.category', id: 1, values: { name: 'All', complete_name: 'All' } },
  ...ACCOUNTS.map(([id, code, name, type]) => ({
    model: 'account.account',
    id,
    values: { code, name, account_type: type, company_id: 1, active: 1 },
  })),
  // Captured: tax line "15%" of a customer invoice; default taxes 1 (sale) and 2 (purchase) of products.
  {
    model: 'account.tax',
    id: 1,
    values: {
      name: '15%',
      type_tax_use: 'sale',
      amount_type: 'percent',
      amount: 15,
      company_id: 1,
      sequence: 1,
      active: 1,
    },
  },
  {
    model: 'account.tax',
    id: 2,
    values: {
      name: '15%',
      type_tax_use: 'purchase',
      amount_type: 'percent',
      amount: 15,
      company_id: 1,
      sequence: 1,
      active: 1,
    },
  },
  // Captured: invoices named INV/2026/00001 (the sale journal's code). The others are not in the captures.
  {
    model: 'account.journal',
    id: 1,
    values: { name: 'Customer Invoices', code: 'INV', type: 'sale', company_id: 1, active: 1 },
  },
  {
    model: 'account.journal',
    id: 2,
    values: { name: 'Vendor Bills', code: 'BILL', type: 'purchase', company_id: 1, active: 1 },
  },
  {
    model: 'account.journal',
    id: 3,
    values: { name: 'Miscellaneous Operations', code: 'MISC', type: 'general', company_id: 1, active: 1 },
  },
  // Not in the captures: journal 8, the default stock journal of product.category.
  {
    model: 'account.journal',
    id: 8,
    values: { name: 'Inventory Valuation', code: 'STJ', type: 'general', company_id: 1, active: 1 },
  },
  // Not in the captures: working hours 1 (default of hr.employee), named as Odoo's standard calendar.
  { model: 'resource.calendar', id: 1, values: { name: 'Standard 40 hours/week' } },
  // Captured: location 8 (stock.quant location_id). Not in the captures: the others' names, as Odoo's stock data.
  {
    model: 'stock.location',
    id: 4,
    values: { name: 'Vendors', complete_name: 'Partners/Vendors', usage: 'supplier', active: 1 },
  },
  {
    model: 'stock.location',
    id: 5,
    values: { name: 'Customers', complete_name: 'Partners/Customers', usage: 'customer', active: 1 },
  },
  {
    model: 'stock.location',
    id: 7,
    values: { name: 'WH', complete_name: 'WH', usage: 'view', company_id: 1, active: 1 },
  },
  {
    model: 'stock.location',
    id: 8,
    values: { name: 'Stock', complete_name: 'WH/Stock', usage: 'internal', location_id: 7, company_id: 1, active: 1 },
  },
  {
    model: 'stock.location',
    id: 14,
    values: {
      name: 'Inventory adjustment',
      complete_name: 'Virtual Locations/Inventory adjustment',
      usage: 'inventory',
      active: 1,
    },
  },
  {
    model: 'stock.location',
    id: 15,
    values: { name: 'Production', complete_name: 'Virtual Locations/Production', usage: 'production', active: 1 },
  },
  {
    model: 'stock.warehouse',
    id: 1,
    values: {
      name: 'My Company',
      code: 'WH',
      company_id: 1,
      partner_id: 1,
      view_location_id: 7,
      lot_stock_id: 8,
      reception_steps: 'one_step',
      delivery_steps: 'ship_only',
      manufacture_steps: 'mrp_one_step',
      active: 1,
    },
  },
  // Not in the captures: picking type 1 (default of purchase orders) and route 7 (default route of products).
  { model: 'stock.picking.type', id: 1, values: { name: 'Receipts' } },
  { model: 'stock.route', id: 7, values: { name: 'Buy' } },
  // Captured: stage 4 "Won" after action_set_won. Not in the captures: the other stages, as Odoo's crm data.
  { model: 'crm.stage', id: 1, values: { name: 'New', sequence: 1, is_won: 0 } },
  { model: 'crm.stage', id: 2, values: { name: 'Qualified', sequence: 2, is_won: 0 } },
  { model: 'crm.stage', id: 3, values: { name: 'Proposition', sequence: 3, is_won: 0 } },
  { model: 'crm.stage', id: 4, values: { name: 'Won', sequence: 70, is_won: 1 } },
];

/** Seeds a fresh company database (after the base records); runs in the schema's transaction. */
export function seedCompany(store: HookStore, env: CallEnv): void {
  store.db.exec(SEQUENCE_TABLE_DDL);
  for (const record of COMPANY_SEED) {
    const model = store.registry.model(record.model);
    const values: Record<string, SqlValue> = {
      id: record.id,
      ...record.values,
      create_uid: 1,
      create_date: env.now,
      write_uid: 1,
      write_date: env.now,
    };
    const columns = Object.keys(values).filter((c) => c === 'id' || model.fields[c] !== undefined);
    store
      .statement(
        `INSERT INTO ${model.table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      )
      .run(...columns.map((c) => values[c] as SqlValue));
  }
  // The base partners take the company's receivable and payable accounts, as the defaults give new partners.
  store
    .statement('UPDATE res_partner SET property_account_receivable_id = ?, property_account_payable_id = ?')
    .run(SEEDED.receivableAccount, SEEDED.payableAccount);
}
