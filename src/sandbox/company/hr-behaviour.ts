/**
 * hr.employee as the company capture shows it: its required `resource_id` is filled by its own create (resource.mixin
 * creates the resource.resource), the coach follows the manager, and a manager cycle is accepted (hr.employee has no
 * recursion check).
 *
 * @packageDocumentation
 */

import type { ModelHooks } from '../orm/model-types.js';
import { char } from '../orm/models/magic-fields.js';
import type { FieldDef } from '../orm/model-types.js';
import { columnsOf, modelNamed, refreshCompleteNames, setColumns } from './company-helpers.js';
import type { ModelTraits } from './snapshot-models.js';

/**
 * The resource.resource fields hr.employee's create and related fields use (resource.resource is not in the
 * snapshot): name, company, working hours and active.
 */
export const RESOURCE_FIELDS: Readonly<Record<string, FieldDef>> = {
  name: char('name', 'Name', { required: true }),
  company_id: {
    name: 'company_id',
    type: 'many2one',
    string: 'Company',
    store: true,
    relation: 'res.company',
    ondelete: 'set null',
  },
  calendar_id: {
    name: 'calendar_id',
    type: 'many2one',
    string: 'Working Time',
    store: true,
    relation: 'resource.calendar',
    ondelete: 'set null',
  },
  active: { name: 'active', type: 'boolean', string: 'Active', store: true, default: () => true },
};

const EMPLOYEE_HOOKS: ModelHooks = {
  beforeCreate: (ctx, vals) => {
    if (vals['resource_id'] === undefined || vals['resource_id'] === false) {
      vals['resource_id'] = ctx.store.createOne(ctx.env, modelNamed(ctx, 'resource.resource'), {
        name: vals['name'] ?? false,
        company_id: vals['company_id'] ?? false,
        calendar_id: vals['resource_calendar_id'] ?? false,
      });
    }
    // _compute_coach: a new employee's coach is its manager unless one is given.
    if (vals['coach_id'] === undefined && typeof vals['parent_id'] === 'number') vals['coach_id'] = vals['parent_id'];
  },
  beforeWrite: (ctx, ids, vals) => {
    if (!('parent_id' in vals) || 'coach_id' in vals) return;
    // _compute_coach: the coach follows the manager when it was empty or the previous manager.
    const rows = columnsOf(ctx.store, ctx.model, ids, ['parent_id', 'coach_id']);
    for (const [id, row] of rows) {
      if (row['coach_id'] === null || row['coach_id'] === row['parent_id']) {
        const manager = typeof vals['parent_id'] === 'number' ? vals['parent_id'] : null;
        setColumns(ctx.store, ctx.model, [id], { coach_id: manager });
      }
    }
  },
  afterWrite: (ctx, ids, vals) => {
    // The employee's name is its resource's (a stored related field, written through).
    if (typeof vals['name'] !== 'string') return;
    const resources = columnsOf(ctx.store, ctx.model, ids, ['resource_id']);
    const targets = [...resources.values()]
      .map((r) => r['resource_id'])
      .filter((r): r is number => typeof r === 'number');
    setColumns(ctx.store, modelNamed(ctx, 'resource.resource'), targets, { name: vals['name'] });
  },
};

/** Traits of the hr models. */
export const HR_TRAITS: Readonly<Record<string, ModelTraits>> = {
  'hr.employee': { order: 'name, id', hooks: EMPLOYEE_HOOKS },
  'hr.department': {
    order: 'name, id',
    recName: 'complete_name',
    hooks: {
      afterCreate: (ctx, id) => refreshCompleteNames(ctx, [id]),
      afterWrite: (ctx, ids, vals) => {
        if ('name' in vals || 'parent_id' in vals) refreshCompleteNames(ctx, ids);
      },
    },
  },
};
