/**
 * `ir.config_parameter` (System Parameter): a unique `key` and a text `value`; settings users only.
 *
 * @packageDocumentation
 */

import type { ModelDef } from '../model-types.js';
import { char, magicFields } from './magic-fields.js';

/** The ir.config_parameter model. */
export const IR_CONFIG_PARAMETER: ModelDef = {
  name: 'ir.config_parameter',
  description: 'System Parameter',
  table: 'ir_config_parameter',
  order: 'key ASC, id ASC',
  recName: 'key',
  fields: {
    key: char('key', 'Key', { required: true }),
    value: { name: 'value', type: 'text', string: 'Value', required: true, store: true },
    ...magicFields(),
  },
  uniques: [{ name: 'ir_config_parameter_key_uniq', columns: ['key'], message: 'Key must be unique.' }],
  checks: [],
  access: { internalUser: [], groups: 'Administration/Settings' },
  unlinkChecksExistence: false,
};
