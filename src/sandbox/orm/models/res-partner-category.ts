/**
 * `res.partner.category` (Partner Tags) as on Odoo 17.0: a hierarchy whose display name is `Parent / Child`.
 *
 * @packageDocumentation
 */

import type { ModelDef } from '../model-types.js';
import { char, magicFields } from './magic-fields.js';

/** The res.partner.category model. */
export const RES_PARTNER_CATEGORY: ModelDef = {
  name: 'res.partner.category',
  description: 'Partner Tags',
  table: 'res_partner_category',
  // Odoo reads many2many values in the comodel's order: tags come back sorted by name.
  order: 'name ASC, id ASC',
  recName: 'name',
  parentName: 'parent_id',
  fields: {
    name: char('name', 'Tag Name', { required: true, index: true }),
    // Odoo picks a random colour (1..11) for a new tag.
    color: {
      name: 'color',
      type: 'integer',
      string: 'Color',
      store: true,
      default: () => 1 + Math.floor(Math.random() * 11),
    },
    parent_id: {
      name: 'parent_id',
      type: 'many2one',
      string: 'Parent Category',
      store: true,
      relation: 'res.partner.category',
      ondelete: 'cascade',
      index: true,
    },
    child_ids: {
      name: 'child_ids',
      type: 'one2many',
      string: 'Child Tags',
      store: true,
      relation: 'res.partner.category',
      inverseName: 'parent_id',
    },
    active: { name: 'active', type: 'boolean', string: 'Active', store: true, default: () => true },
    partner_ids: {
      name: 'partner_ids',
      type: 'many2many',
      string: 'Partners',
      store: true,
      relation: 'res.partner',
      relationTable: 'res_partner_res_partner_category_rel',
      column1: 'category_id',
      column2: 'partner_id',
    },
    ...magicFields(),
  },
  uniques: [],
  checks: [],
  access: { internalUser: ['read', 'write', 'create', 'unlink'], groups: 'Extra Rights/Contact Creation' },
  unlinkChecksExistence: false,
};
