/**
 * The domain `name_search` uses: res.partner searches its complete name, email, reference and VAT (Odoo 17.0's
 * `_rec_names_search`); other models search their `_rec_name`.
 *
 * @packageDocumentation
 */

import type { ModelDef } from './model-types.js';

const REC_NAMES_SEARCH: Readonly<Record<string, readonly string[]>> = {
  'res.partner': ['complete_name', 'email', 'ref', 'vat'],
};

const NEGATIVE = new Set(['!=', 'not like', 'not ilike', 'not in']);

/** The domain matching records whose name (in Odoo's sense) satisfies `operator name`. */
export function nameSearchDomain(model: ModelDef, name: string, operator: string): unknown[] {
  const fields = REC_NAMES_SEARCH[model.name] ?? [model.recName];
  const leaves = fields.map((f) => [f, operator, name]);
  const connector = NEGATIVE.has(operator) ? '&' : '|';
  return [...Array<string>(leaves.length - 1).fill(connector), ...leaves];
}
