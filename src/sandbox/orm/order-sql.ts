/**
 * Compiles Odoo `order` specifications (`name desc, id`) into SQLite ORDER BY clauses with PostgreSQL's NULL
 * placement (NULLS LAST ascending, NULLS FIRST descending). A many2one orders by the comodel's own `_order`.
 *
 * @packageDocumentation
 */

import type { ModelDef } from './model-types.js';
import type { ModelRegistry } from './models/model-registry.js';
import { fieldOf, hasColumn } from './models/registry.js';
import { invalidOrderError } from './orm-errors.js';

const TERM = /^\s*("?)([a-z_][a-z0-9_]*)\1(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$/i;

/** One term of an order specification. */
interface OrderTerm {
  readonly field: string;
  readonly descending: boolean;
  readonly nulls?: 'FIRST' | 'LAST';
}

function parseOrder(order: string): OrderTerm[] {
  return order.split(',').map((part) => {
    const match = TERM.exec(part);
    if (!match) throw invalidOrderError(order);
    const nulls = match[4]?.toUpperCase() as 'FIRST' | 'LAST' | undefined;
    return { field: match[2] as string, descending: match[3]?.toLowerCase() === 'desc', ...(nulls ? { nulls } : {}) };
  });
}

/**
 * The ORDER BY expression list (without the keyword) for `order` on `model` aliased `alias`; the model's `_order` when
 * `order` is empty. `id` is appended as a final tie-breaker so that paging is stable.
 *
 * @throws OdooServerError `builtins.ValueError` for an invalid specification or field.
 */
export function compileOrder(
  registry: ModelRegistry,
  model: ModelDef,
  order: string | undefined | null | false,
  alias: string,
  depth = 0,
): string {
  const spec = typeof order === 'string' && order.trim() !== '' ? order : model.order;
  const terms = parseOrder(spec);
  const parts: string[] = [];
  for (const term of terms) {
    const field = fieldOf(model, term.field === 'display_name' ? model.recName : term.field);
    if (!field || (!hasColumn(field) && field.name !== 'id')) throw invalidOrderError(spec);
    const direction = term.descending ? 'DESC' : 'ASC';
    const nulls = term.nulls ?? (term.descending ? 'FIRST' : 'LAST');
    if (field.name === 'id') {
      parts.push(`${alias}.id ${direction}`);
    } else if (field.type === 'many2one' && depth < 2) {
      // Order by the comodel's order: e.g. country_id sorts by country name.
      const comodel = registry.model(field.relation as string);
      const sub = `s${depth}`;
      const inner = compileOrder(registry, comodel, undefined, sub, depth + 1).split(', ')[0] as string;
      const expression = inner.replace(/ (ASC|DESC) NULLS (FIRST|LAST)$/, '').replace(/ (ASC|DESC)$/, '');
      parts.push(
        `(SELECT ${expression} FROM ${comodel.table} ${sub} WHERE ${sub}.id = ${alias}."${field.name}") ${direction} NULLS ${nulls}`,
      );
    } else if (field.type === 'boolean') {
      parts.push(`${alias}."${field.name}" ${direction} NULLS ${nulls}`);
    } else {
      parts.push(`${alias}."${field.name}" ${direction} NULLS ${nulls}`);
    }
  }
  if (!terms.some((t) => t.field === 'id')) parts.push(`${alias}.id ASC`);
  return parts.join(', ');
}
