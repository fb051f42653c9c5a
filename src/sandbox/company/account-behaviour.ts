/**
 * account.move and its lines as the company capture shows them: an invoice named from its journal's sequence
 * (INV/2026/00001), product lines written through `invoice_line_ids`, and the journal items the server computes
 * beside them in `line_ids` (one tax line per tax, one receivable or payable line), kept in place when lines change;
 * `action_post` and its refusal of a move that is not in draft; "CODE Name" account display names.
 *
 * Not in the captures, so not modelled: taxes other than a percentage of the price, fiscal positions, payment terms
 * with several instalments, currencies, payments and reconciliation.
 *
 * @packageDocumentation
 */

import type { HookContext, ModelHooks } from '../orm/model-types.js';
import { userError } from '../orm/orm-errors.js';
import { columnsOf, columnsOfOne, modelNamed, nextSequence, roundAmount, setColumns } from './company-helpers.js';
import { linkedIds, productFacts, taxPercentages } from './order-behaviour.js';
import { SEEDED } from './company-seed.js';
import type { ModelTraits } from './snapshot-models.js';

/** Lines an invoice shows (`invoice_line_ids`). */
export const INVOICE_LINE_TYPES: readonly string[] = ['product', 'line_section', 'line_note'];

const CUSTOMER_TYPES = new Set(['out_invoice', 'out_refund', 'out_receipt']);
const VENDOR_TYPES = new Set(['in_invoice', 'in_refund', 'in_receipt']);

/** The journal a move of `moveType` goes to (the seeded sale, purchase and miscellaneous journals). */
function journalOf(moveType: unknown): number {
  if (CUSTOMER_TYPES.has(String(moveType))) return SEEDED.saleJournal;
  if (VENDOR_TYPES.has(String(moveType))) return SEEDED.purchaseJournal;
  return SEEDED.miscJournal;
}

/** Names the move from its journal's sequence: `CODE/YEAR/00001`. */
function sequenceName(ctx: HookContext, journalId: number, date: string): string {
  const journal = columnsOfOne(ctx.store, modelNamed(ctx, 'account.journal'), journalId, ['code']);
  const code = String(journal?.['code'] ?? 'MISC');
  const year = date.slice(0, 4);
  return nextSequence(ctx.store, `account.move/${code}/${year}`, `${code}/${year}/`, 5);
}

/**
 * Recomputes the journal items of moves `ids` beside their product lines: balances of the product lines, one tax line
 * per tax and one receivable (customer) or payable (vendor) line, updated in place so that their ids stay; then the
 * move's amounts.
 */
function refreshMoves(ctx: HookContext, ids: readonly number[]): void {
  const lineModel = modelNamed(ctx, 'account.move.line');
  const moveModel = modelNamed(ctx, 'account.move');
  for (const [moveId, move] of columnsOf(ctx.store, moveModel, ids, ['move_type', 'partner_id'])) {
    const moveType = String(move['move_type']);
    const invoice = CUSTOMER_TYPES.has(moveType) || VENDOR_TYPES.has(moveType);
    if (!invoice) continue;
    // A customer invoice credits income and debits the receivable; a vendor bill the other way round.
    const sign = CUSTOMER_TYPES.has(moveType) ? -1 : 1;
    const lines = ctx.store
      .statement(
        `SELECT id, display_type, quantity, price_unit, discount, tax_line_id FROM ${lineModel.table} WHERE move_id = ? ORDER BY id`,
      )
      .all(moveId) as {
      id: number;
      display_type: string;
      quantity: number | null;
      price_unit: number | null;
      discount: number | null;
      tax_line_id: number | null;
    }[];
    const products = lines.filter((l) => l.display_type === 'product');
    const taxesOf = linkedIds(
      ctx,
      'account.move.line',
      'tax_ids',
      products.map((l) => l.id),
    );
    let untaxed = 0;
    const taxTotals = new Map<number, number>();
    for (const line of products) {
      const subtotal = roundAmount(
        Number(line.quantity ?? 0) * Number(line.price_unit ?? 0) * (1 - Number(line.discount ?? 0) / 100),
      );
      untaxed += subtotal;
      setColumns(ctx.store, lineModel, [line.id], {
        price_subtotal: subtotal,
        price_total: subtotal,
        balance: sign * subtotal,
        debit: sign > 0 ? subtotal : 0,
        credit: sign < 0 ? subtotal : 0,
      });
      for (const [taxId, percent] of taxPercentages(ctx, taxesOf.get(line.id) ?? [])) {
        taxTotals.set(taxId, (taxTotals.get(taxId) ?? 0) + (subtotal * percent) / 100);
      }
    }
    const existingTax = new Map(lines.filter((l) => l.display_type === 'tax').map((l) => [l.tax_line_id, l.id]));
    let taxSum = 0;
    const taxNames = columnsOf(ctx.store, modelNamed(ctx, 'account.tax'), [...taxTotals.keys()], ['name']);
    for (const [taxId, raw] of taxTotals) {
      const amount = roundAmount(raw);
      taxSum += amount;
      const values = {
        price_unit: 0,
        quantity: 0,
        balance: sign * amount,
        debit: sign > 0 ? amount : 0,
        credit: sign < 0 ? amount : 0,
      };
      const current = existingTax.get(taxId);
      existingTax.delete(taxId);
      if (current !== undefined) setColumns(ctx.store, lineModel, [current], values);
      else {
        const id = ctx.store.createOne(ctx.env, lineModel, {
          move_id: moveId,
          display_type: 'tax',
          name: taxNames.get(taxId)?.['name'] ?? false,
          tax_line_id: taxId,
          account_id: sign < 0 ? SEEDED.taxReceivedAccount : SEEDED.taxPaidAccount,
        });
        setColumns(ctx.store, lineModel, [id], values);
      }
    }
    for (const stale of existingTax.values()) ctx.store.unlink(ctx.env, lineModel, [stale]);
    const total = roundAmount(untaxed + taxSum);
    const term = lines.find((l) => l.display_type === 'payment_term');
    const termValues = {
      price_unit: 0,
      quantity: 0,
      balance: -sign * total,
      debit: sign < 0 ? total : 0,
      credit: sign > 0 ? total : 0,
    };
    if (term) setColumns(ctx.store, lineModel, [term.id], termValues);
    else {
      const id = ctx.store.createOne(ctx.env, lineModel, {
        move_id: moveId,
        display_type: 'payment_term',
        account_id: sign < 0 ? SEEDED.receivableAccount : SEEDED.payableAccount,
        partner_id: move['partner_id'] ?? false,
      });
      setColumns(ctx.store, lineModel, [id], termValues);
    }
    setColumns(ctx.store, moveModel, [moveId], {
      amount_untaxed: roundAmount(untaxed),
      amount_tax: roundAmount(taxSum),
      amount_total: total,
      amount_residual: total,
    });
  }
}

const MOVE_HOOKS: ModelHooks = {
  beforeCreate: (ctx, vals) => {
    if (vals['journal_id'] === undefined || vals['journal_id'] === false)
      vals['journal_id'] = journalOf(vals['move_type']);
    if (vals['currency_id'] === undefined || vals['currency_id'] === false) vals['currency_id'] = SEEDED.currency;
    const date = typeof vals['invoice_date'] === 'string' ? vals['invoice_date'] : undefined;
    if (vals['date'] === undefined || vals['date'] === false) vals['date'] = date ?? ctx.env.now.slice(0, 10);
    // An invoice with its date is named when it is created, a move without one when it is posted ('/' until then).
    if (vals['name'] === undefined || vals['name'] === false || vals['name'] === '/') {
      vals['name'] = date ? sequenceName(ctx, vals['journal_id'] as number, date) : '/';
    }
  },
  afterCreate: (ctx, id) => refreshMoves(ctx, [id]),
  afterWrite: (ctx, ids, vals) => {
    if ('invoice_line_ids' in vals || 'line_ids' in vals) refreshMoves(ctx, ids);
  },
  methods: {
    action_post: (ctx, ids) => {
      const rows = columnsOf(ctx.store, ctx.model, ids, ['state', 'name', 'journal_id', 'date']);
      for (const id of ids) {
        const row = rows.get(id);
        if (row && row['state'] !== 'draft') {
          throw userError(`The entry ${String(row['name'])} (id ${id}) must be in draft.`);
        }
      }
      for (const [id, row] of rows) {
        const name =
          row['name'] === '/' || row['name'] === null
            ? sequenceName(ctx, row['journal_id'] as number, String(row['date'] ?? ctx.env.now))
            : (row['name'] ?? null);
        setColumns(ctx.store, ctx.model, [id], { state: 'posted', name, payment_state: 'not_paid' });
      }
      ctx.env.writes.add(ctx.model.name, 'write', rows.size);
      // action_post returns False when it does not open a wizard (the capture's answer).
      return false;
    },
  },
};

const MOVE_LINE_HOOKS: ModelHooks = {
  beforeCreate: (ctx, vals) => {
    const moveId = vals['move_id'];
    if (typeof moveId !== 'number') return;
    const move = columnsOfOne(ctx.store, modelNamed(ctx, 'account.move'), moveId, [
      'move_type',
      'currency_id',
      'partner_id',
      'date',
    ]);
    if (vals['currency_id'] === undefined) vals['currency_id'] = move?.['currency_id'] ?? SEEDED.currency;
    if (vals['display_type'] === undefined || vals['display_type'] === false) vals['display_type'] = 'product';
    if (vals['partner_id'] === undefined && move?.['partner_id'] !== null)
      vals['partner_id'] = move?.['partner_id'] ?? false;
    if (vals['display_type'] !== 'product') return;
    const customer = CUSTOMER_TYPES.has(String(move?.['move_type']));
    const facts = typeof vals['product_id'] === 'number' ? productFacts(ctx, vals['product_id']) : undefined;
    if (facts) {
      if (vals['name'] === undefined) vals['name'] = facts.displayName;
      if (vals['price_unit'] === undefined) vals['price_unit'] = customer ? facts.listPrice : facts.standardPrice;
      if (vals['product_uom_id'] === undefined) vals['product_uom_id'] = facts.uomId;
      if (vals['tax_ids'] === undefined) vals['tax_ids'] = [[6, 0, customer ? facts.taxIds : facts.supplierTaxIds]];
    }
    // The income (expense) account of the seeded product category, also the journals' default account.
    if (vals['account_id'] === undefined) vals['account_id'] = customer ? SEEDED.incomeAccount : SEEDED.expenseAccount;
  },
};

/** Traits of the accounting models. */
export const ACCOUNT_TRAITS: Readonly<Record<string, ModelTraits>> = {
  'account.move': {
    order: 'date desc, name desc, id desc',
    hooks: MOVE_HOOKS,
    fields: { invoice_line_ids: { lineFilter: { field: 'display_type', values: INVOICE_LINE_TYPES } } },
  },
  'account.move.line': { order: 'date desc, move_name desc, id', hooks: MOVE_LINE_HOOKS },
  'account.account': {
    order: 'code, id',
    hooks: {
      displayNames: (ctx, ids) => {
        const out = new Map<number, string | false>();
        for (const [id, row] of columnsOf(ctx.store, ctx.model, ids, ['code', 'name'])) {
          out.set(id, `${String(row['code'])} ${String(row['name'])}`);
        }
        return out;
      },
    },
  },
};
