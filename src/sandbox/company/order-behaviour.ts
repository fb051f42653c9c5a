/**
 * sale.order and purchase.order with their lines, as the company capture shows them: names from sequences
 * (S00001, P00001), lines taking their description, price, unit and taxes from the product, amounts summed from the
 * lines, `action_confirm` / `button_confirm`, and a confirmed sale order refusing the deletion of a line.
 *
 * @packageDocumentation
 */

import type { HookContext, ModelHooks } from '../orm/model-types.js';
import { userError } from '../orm/orm-errors.js';
import { columnsOf, modelNamed, nextSequence, roundAmount, setColumns } from './company-helpers.js';
import type { ModelTraits } from './snapshot-models.js';

/** What order and invoice lines take from their product. */
export interface ProductFacts {
  readonly displayName: string | false;
  readonly listPrice: number;
  readonly standardPrice: number;
  readonly uomId: number | false;
  readonly uomPoId: number | false;
  readonly taxIds: number[];
  readonly supplierTaxIds: number[];
  readonly categoryId: number | false;
}

/** The facts of product.product `id`. */
export function productFacts(ctx: HookContext, id: number): ProductFacts | undefined {
  const [row] = ctx.store.read(
    ctx.env,
    modelNamed(ctx, 'product.product'),
    [id],
    [
      'display_name',
      'list_price',
      'standard_price',
      'uom_id',
      'uom_po_id',
      'taxes_id',
      'supplier_taxes_id',
      'categ_id',
    ],
    'none',
  );
  if (!row) return undefined;
  return {
    displayName: row['display_name'] as string | false,
    listPrice: Number(row['list_price'] ?? 0),
    standardPrice: Number(row['standard_price'] ?? 0),
    uomId: row['uom_id'] as number | false,
    uomPoId: row['uom_po_id'] as number | false,
    taxIds: row['taxes_id'] as number[],
    supplierTaxIds: row['supplier_taxes_id'] as number[],
    categoryId: row['categ_id'] as number | false,
  };
}

/** Percentages of taxes `ids` (the captured taxes are percentages of the price). */
export function taxPercentages(ctx: HookContext, ids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const [id, row] of columnsOf(ctx.store, modelNamed(ctx, 'account.tax'), ids, ['amount'])) {
    out.set(id, Number(row['amount'] ?? 0));
  }
  return out;
}

/** Linked ids of many2many `field` of records `ids`. */
export function linkedIds(
  ctx: HookContext,
  model: string,
  field: string,
  ids: readonly number[],
): Map<number, number[]> {
  const def = modelNamed(ctx, model).fields[field];
  const out = new Map<number, number[]>();
  if (!def?.relationTable) return out;
  const rows = ctx.store
    .statement(
      `SELECT "${def.column1}" AS owner, "${def.column2}" AS target FROM ${def.relationTable} WHERE "${def.column1}" IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(ids)) as { owner: number; target: number }[];
  for (const row of rows) out.set(row.owner, [...(out.get(row.owner) ?? []), row.target]);
  return out;
}

/** How one kind of order names its fields. */
interface OrderKind {
  readonly order: string;
  readonly line: string;
  readonly qty: string;
  readonly uom: string;
  readonly taxes: string;
  readonly prefix: string;
}

const SALE: OrderKind = {
  order: 'sale.order',
  line: 'sale.order.line',
  qty: 'product_uom_qty',
  uom: 'product_uom',
  taxes: 'tax_id',
  prefix: 'S',
};
const PURCHASE: OrderKind = {
  order: 'purchase.order',
  line: 'purchase.order.line',
  qty: 'product_qty',
  uom: 'product_uom',
  taxes: 'taxes_id',
  prefix: 'P',
};

/** Recomputes the amounts of lines `ids` and of their orders. */
function refreshLines(ctx: HookContext, kind: OrderKind, ids: readonly number[]): void {
  const lineModel = modelNamed(ctx, kind.line);
  const rows = columnsOf(ctx.store, lineModel, ids, ['order_id', kind.qty, 'price_unit', 'discount']);
  const taxes = linkedIds(ctx, kind.line, kind.taxes, ids);
  const orders = new Set<number>();
  for (const [id, row] of rows) {
    const discount = Number(row['discount'] ?? 0);
    const subtotal = roundAmount(Number(row[kind.qty] ?? 0) * Number(row['price_unit'] ?? 0) * (1 - discount / 100));
    const percent = [...taxPercentages(ctx, taxes.get(id) ?? []).values()].reduce((a, b) => a + b, 0);
    const tax = roundAmount((subtotal * percent) / 100);
    setColumns(ctx.store, lineModel, [id], { price_subtotal: subtotal, price_tax: tax, price_total: subtotal + tax });
    if (typeof row['order_id'] === 'number') orders.add(row['order_id']);
  }
  refreshOrders(ctx, kind, [...orders]);
}

/** amount_untaxed / amount_tax / amount_total of orders `ids`, summed from their lines. */
function refreshOrders(ctx: HookContext, kind: OrderKind, ids: readonly number[]): void {
  const lineModel = modelNamed(ctx, kind.line);
  const orderModel = modelNamed(ctx, kind.order);
  for (const id of ids) {
    const sums = ctx.store
      .statement(
        `SELECT COALESCE(SUM(price_subtotal), 0) AS untaxed, COALESCE(SUM(price_tax), 0) AS tax FROM ${lineModel.table} WHERE order_id = ?`,
      )
      .get(id) as { untaxed: number; tax: number };
    const untaxed = roundAmount(sums.untaxed);
    const tax = roundAmount(sums.tax);
    setColumns(ctx.store, orderModel, [id], { amount_untaxed: untaxed, amount_tax: tax, amount_total: untaxed + tax });
  }
}

function lineHooks(kind: OrderKind): ModelHooks {
  return {
    beforeCreate: (ctx, vals) => {
      if (typeof vals['product_id'] !== 'number') return;
      const facts = productFacts(ctx, vals['product_id']);
      if (!facts) return;
      // Computed from the product when not given (the fields' `depends` name product_id).
      if (vals['name'] === undefined || vals['name'] === false) vals['name'] = facts.displayName;
      if (vals['price_unit'] === undefined) vals['price_unit'] = kind === SALE ? facts.listPrice : facts.standardPrice;
      if (vals[kind.uom] === undefined) vals[kind.uom] = kind === SALE ? facts.uomId : facts.uomPoId;
      if (vals[kind.taxes] === undefined)
        vals[kind.taxes] = [[6, 0, kind === SALE ? facts.taxIds : facts.supplierTaxIds]];
      if (kind === SALE && vals['customer_lead'] === undefined) vals['customer_lead'] = 0;
    },
    afterCreate: (ctx, id) => refreshLines(ctx, kind, [id]),
    afterWrite: (ctx, ids) => refreshLines(ctx, kind, ids),
    beforeUnlink:
      kind === SALE
        ? (ctx, ids) => {
            const orders = columnsOf(ctx.store, ctx.model, ids, ['order_id', 'display_type']);
            const orderIds = [...orders.values()]
              .map((r) => r['order_id'])
              .filter((o): o is number => typeof o === 'number');
            const states = columnsOf(ctx.store, modelNamed(ctx, 'sale.order'), orderIds, ['state']);
            for (const row of orders.values()) {
              if (row['display_type'] !== null) continue;
              if (states.get(row['order_id'] as number)?.['state'] === 'sale') {
                throw userError(
                  "Once a sales order is confirmed, you can't remove one of its lines (we need to track if something gets invoiced or delivered).\n                Set the quantity to 0 instead.",
                );
              }
            }
          }
        : undefined,
  };
}

function orderHooks(kind: OrderKind): ModelHooks {
  return {
    beforeCreate: (ctx, vals) => {
      if (vals['name'] === undefined || vals['name'] === 'New') {
        vals['name'] = nextSequence(ctx.store, kind.order, kind.prefix, 5);
      }
      if (kind === SALE && typeof vals['partner_id'] === 'number') {
        // partner_invoice_id / partner_shipping_id are computed from the customer (its addresses; none here).
        vals['partner_invoice_id'] ??= vals['partner_id'];
        vals['partner_shipping_id'] ??= vals['partner_id'];
      }
      // The company's warehouse (the one seeded warehouse).
      if (kind === SALE && vals['warehouse_id'] === undefined) vals['warehouse_id'] = 1;
    },
    afterCreate: (ctx, id) => refreshOrders(ctx, kind, [id]),
    afterWrite: (ctx, ids, vals) => {
      const lines = modelNamed(ctx, kind.order).fields['order_line'];
      if (lines && 'order_line' in vals) refreshOrders(ctx, kind, ids);
    },
    methods: {
      [kind === SALE ? 'action_confirm' : 'button_confirm']: (ctx, ids) => {
        const rows = columnsOf(ctx.store, ctx.model, ids, ['state', 'name']);
        const draft = ids.filter((id) => ['draft', 'sent'].includes(String(rows.get(id)?.['state'])));
        if (kind === SALE && draft.length < ids.length) {
          const names = ids.filter((id) => !draft.includes(id)).map((id) => String(rows.get(id)?.['name']));
          throw userError(`The following orders are not in a state requiring confirmation: ${names.join(', ')}`);
        }
        // purchase.order.button_confirm skips orders that are not draft (Odoo 17.0's source; not in the captures).
        const state = kind === SALE ? 'sale' : 'purchase';
        const date = kind === SALE ? 'date_order' : 'date_approve';
        setColumns(ctx.store, ctx.model, draft, { state, [date]: ctx.env.now });
        ctx.env.writes.add(ctx.model.name, 'write', draft.length);
        return true;
      },
    },
  };
}

/** Traits of the order models (Odoo 17.0's `_order`). */
export const ORDER_TRAITS: Readonly<Record<string, ModelTraits>> = {
  'sale.order': { order: 'date_order desc, id desc', hooks: orderHooks(SALE) },
  'sale.order.line': { order: 'order_id, sequence, id', hooks: lineHooks(SALE) },
  'purchase.order': { order: 'priority desc, id desc', hooks: orderHooks(PURCHASE) },
  'purchase.order.line': { order: 'order_id, sequence, id', hooks: lineHooks(PURCHASE) },
};
