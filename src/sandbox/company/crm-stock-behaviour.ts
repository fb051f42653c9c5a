/**
 * crm.lead and stock.quant as the company capture shows them: a new lead starts in the first stage,
 * `action_set_won` moves it to the won stage with probability 100 (and succeeds again on a won lead); a quant created
 * in inventory mode holds a counted quantity that `action_apply_inventory` applies (returning None).
 *
 * Not in the captures, so not modelled: stock moves and their valuation, reservations, lots, packages, lost reasons,
 * automated probabilities.
 *
 * @packageDocumentation
 */

import type { ModelHooks } from '../orm/model-types.js';
import { columnsOf, setColumns, type Columns } from './company-helpers.js';
import { SEEDED } from './company-seed.js';
import type { ModelTraits } from './snapshot-models.js';

const LEAD_HOOKS: ModelHooks = {
  beforeCreate: (_ctx, vals) => {
    // _compute_stage_id: the first stage (by sequence) of the lead's team; the sandbox's stages have no team.
    if (vals['stage_id'] === undefined && vals['type'] !== 'lead') vals['stage_id'] = SEEDED.firstStage;
  },
  methods: {
    action_set_won: (ctx, ids) => {
      // The won stage, probability 100; a lead already won is written again, which succeeds (as captured).
      setColumns(ctx.store, ctx.model, ids, { stage_id: SEEDED.wonStage, probability: 100, active: 1 });
      ctx.env.writes.add(ctx.model.name, 'write', ids.length);
      return true;
    },
  },
};

const QUANT_HOOKS: ModelHooks = {
  beforeCreate: (ctx, vals) => {
    // In inventory mode a counted quantity is only recorded (inventory_quantity_set); applying it moves the stock.
    if (ctx.env.context['inventory_mode'] === true && vals['inventory_quantity'] !== undefined) {
      vals['inventory_quantity_set'] = true;
    }
  },
  beforeWrite: (ctx, _ids, vals) => {
    if (ctx.env.context['inventory_mode'] === true && 'inventory_quantity' in vals)
      vals['inventory_quantity_set'] = true;
  },
  methods: {
    action_apply_inventory: (ctx, ids) => {
      for (const [id, row] of columnsOf(ctx.store, ctx.model, ids, ['inventory_quantity', 'inventory_quantity_set'])) {
        // Only a counted quantity is applied (inventory_diff_quantity is 0 without one).
        const values: Columns =
          row['inventory_quantity_set'] === 1
            ? { quantity: row['inventory_quantity'] ?? 0, inventory_quantity: 0, inventory_quantity_set: 0 }
            : { inventory_quantity: 0, inventory_quantity_set: 0 };
        setColumns(ctx.store, ctx.model, [id], values);
      }
      ctx.env.writes.add(ctx.model.name, 'write', ids.length);
      // Python's None: the JSON-RPC answer has no `result` member.
      return undefined;
    },
  },
};

/** Traits of the crm and stock models. */
export const CRM_STOCK_TRAITS: Readonly<Record<string, ModelTraits>> = {
  'crm.lead': { order: 'priority desc, id desc', hooks: LEAD_HOOKS },
  'crm.stage': { order: 'sequence, name, id' },
  'stock.quant': { hooks: QUANT_HOOKS },
  'stock.location': { order: 'complete_name, id', recName: 'complete_name' },
};
