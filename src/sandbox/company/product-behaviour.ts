/**
 * product.category, product.template and product.product as the company capture shows them: category complete names
 * ("Parent / Child") and the recursion refusal, a template's single variant, the variant's template created through
 * `_inherits`, the internal reference shared by a template and its single variant, and "[CODE] Name" display names.
 *
 * @packageDocumentation
 */

import type { HookContext, ModelHooks } from '../orm/model-types.js';
import { userError } from '../orm/orm-errors.js';
import {
  codeAndName,
  columnsOf,
  columnsOfOne,
  modelNamed,
  refreshCompleteNames,
  setColumns,
} from './company-helpers.js';
import type { ModelTraits } from './snapshot-models.js';

const CATEGORY_HOOKS: ModelHooks = {
  afterCreate: (ctx, id) => refreshCompleteNames(ctx, [id]),
  beforeWrite: (ctx, ids, vals) => {
    const parent = vals['parent_id'];
    if (typeof parent !== 'number') return;
    // Odoo's _check_category_recursion: a category cannot be its own ancestor.
    for (const id of ids) {
      let current: number | null = parent;
      const seen = new Set<number>();
      while (current !== null && !seen.has(current)) {
        if (current === id) throw userError('Recursion Detected.');
        seen.add(current);
        const row = columnsOfOne(ctx.store, ctx.model, current, ['parent_id']);
        current = typeof row?.['parent_id'] === 'number' ? row['parent_id'] : null;
      }
    }
  },
  afterWrite: (ctx, ids, vals) => {
    if ('name' in vals || 'parent_id' in vals) refreshCompleteNames(ctx, ids);
  },
};

/** Variants of templates `ids`, by template. */
function variantsOf(ctx: HookContext, ids: readonly number[]): Map<number, number[]> {
  const variants = modelNamed(ctx, 'product.product');
  const out = new Map<number, number[]>();
  const rows = ctx.store
    .statement(
      `SELECT id, product_tmpl_id FROM ${variants.table} WHERE product_tmpl_id IN (SELECT value FROM json_each(?)) AND COALESCE(active, 1) = 1 ORDER BY id`,
    )
    .all(JSON.stringify(ids)) as { id: number; product_tmpl_id: number }[];
  for (const row of rows) out.set(row.product_tmpl_id, [...(out.get(row.product_tmpl_id) ?? []), row.id]);
  return out;
}

const TEMPLATE_HOOKS: ModelHooks = {
  beforeCreate: (_ctx, vals) => {
    // uom_po_id is computed from uom_id, type from detailed_type (the fields' `depends`).
    if (vals['uom_po_id'] === undefined || vals['uom_po_id'] === false) vals['uom_po_id'] = vals['uom_id'];
    if (vals['type'] === undefined && typeof vals['detailed_type'] === 'string') vals['type'] = vals['detailed_type'];
  },
  afterCreate: (ctx, id, vals) => {
    // A template gets its single variant, unless it is being created for one (product.product's _inherits).
    if (ctx.env.context['create_product_product'] === false) return;
    const code = vals['default_code'];
    ctx.store.createOne(ctx.env, modelNamed(ctx, 'product.product'), {
      product_tmpl_id: id,
      ...(typeof code === 'string' ? { default_code: code } : {}),
    });
  },
  beforeWrite: (_ctx, _ids, vals) => {
    if (typeof vals['detailed_type'] === 'string' && vals['type'] === undefined) vals['type'] = vals['detailed_type'];
  },
  afterWrite: (ctx, ids, vals) => {
    // default_code of a template with one variant is the variant's (computed from it, written through to it).
    if (!('default_code' in vals)) return;
    const variants = modelNamed(ctx, 'product.product');
    for (const [, list] of variantsOf(ctx, ids)) {
      if (list.length === 1)
        setColumns(ctx.store, variants, list, { default_code: (vals['default_code'] as string) || null });
    }
  },
  compute: (ctx, ids, fields) => {
    const out = new Map<string, Map<number, unknown>>();
    if (fields.includes('product_variant_id')) {
      const variants = variantsOf(ctx, ids);
      out.set('product_variant_id', new Map(ids.map((id) => [id, variants.get(id)?.[0] ?? false])));
    }
    if (fields.includes('product_variant_count')) {
      const variants = variantsOf(ctx, ids);
      out.set('product_variant_count', new Map(ids.map((id) => [id, variants.get(id)?.length ?? 0])));
    }
    return out;
  },
  displayNames: (ctx, ids) => {
    const out = new Map<number, string | false>();
    for (const [id, row] of columnsOf(ctx.store, ctx.model, ids, ['name', 'default_code'])) {
      out.set(id, codeAndName(row['default_code'], row['name']));
    }
    return out;
  },
};

/** Sets the template's default_code from its variant when it has only that one. */
function syncTemplateCode(ctx: HookContext, variantIds: readonly number[]): void {
  const templates = modelNamed(ctx, 'product.template');
  const rows = columnsOf(ctx.store, ctx.model, variantIds, ['product_tmpl_id', 'default_code']);
  const byTemplate = variantsOf(
    ctx,
    [...rows.values()].map((r) => r['product_tmpl_id'] as number),
  );
  for (const row of rows.values()) {
    const template = row['product_tmpl_id'] as number;
    if ((byTemplate.get(template) ?? []).length === 1) {
      setColumns(ctx.store, templates, [template], { default_code: row['default_code'] ?? null });
    }
  }
}

const VARIANT_HOOKS: ModelHooks = {
  afterCreate: (ctx, id) => syncTemplateCode(ctx, [id]),
  afterWrite: (ctx, ids, vals) => {
    if ('default_code' in vals) syncTemplateCode(ctx, ids);
  },
  displayNames: (ctx, ids) => {
    const templates = modelNamed(ctx, 'product.template');
    const rows = columnsOf(ctx.store, ctx.model, ids, ['product_tmpl_id', 'default_code']);
    const names = columnsOf(
      ctx.store,
      templates,
      [...rows.values()].map((r) => r['product_tmpl_id'] as number),
      ['name'],
    );
    const out = new Map<number, string | false>();
    for (const [id, row] of rows) {
      out.set(id, codeAndName(row['default_code'], names.get(row['product_tmpl_id'] as number)?.['name']));
    }
    return out;
  },
};

/** Traits of the product models. */
export const PRODUCT_TRAITS: Readonly<Record<string, ModelTraits>> = {
  'product.category': { order: 'complete_name', recName: 'complete_name', hooks: CATEGORY_HOOKS },
  // Odoo 17.0's _order of templates and variants (not read in order by the captures).
  'product.template': { order: 'priority desc, name, id', hooks: TEMPLATE_HOOKS },
  'product.product': { order: 'priority desc, default_code, id', hooks: VARIANT_HOOKS },
};
