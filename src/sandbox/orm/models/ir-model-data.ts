/**
 * `ir.model.data` (external ids): `(module, name)` unique through a plain unique index, as on Odoo 17.0.
 *
 * @packageDocumentation
 */

import type { ModelDef } from '../model-types.js';
import { char, magicFields } from './magic-fields.js';

/** The ir.model.data model. */
export const IR_MODEL_DATA: ModelDef = {
  name: 'ir.model.data',
  description: 'Model Data',
  table: 'ir_model_data',
  order: 'module ASC, model ASC, name ASC, id ASC',
  recName: 'name',
  fields: {
    name: char('name', 'External Identifier', { required: true }),
    complete_name: {
      name: 'complete_name',
      type: 'char',
      string: 'Complete ID',
      readonly: true,
      store: false,
      computed: true,
    },
    model: char('model', 'Model Name', { required: true }),
    module: char('module', 'Module', { required: true, default: () => '' }),
    res_id: { name: 'res_id', type: 'many2one_reference', string: 'Record ID', store: true },
    noupdate: { name: 'noupdate', type: 'boolean', string: 'Non Updatable', store: true, default: () => false },
    reference: { name: 'reference', type: 'char', string: 'Reference', readonly: true, store: false, computed: true },
    ...magicFields(),
  },
  // Not a registered constraint: a violation reports PostgreSQL's own text (see orm-errors.ts).
  uniques: [{ name: 'ir_model_data_module_name_uniq_index', columns: ['module', 'name'] }],
  checks: [],
  access: { internalUser: ['read'], groups: 'Administration/Settings' },
  unlinkChecksExistence: false,
};
