/**
 * `res.country` as on Odoo 17.0: `name` and `code` required and unique, `code` upper-cased and cut to 2 characters.
 *
 * @packageDocumentation
 */

import type { ModelDef } from '../model-types.js';
import { char, magicFields } from './magic-fields.js';

/** The res.country model. */
export const RES_COUNTRY: ModelDef = {
  name: 'res.country',
  description: 'Country',
  table: 'res_country',
  order: 'name ASC, id ASC',
  recName: 'name',
  fields: {
    name: char('name', 'Country Name', { required: true }),
    code: char('code', 'Country Code', { required: true, size: 2 }),
    phone_code: { name: 'phone_code', type: 'integer', string: 'Country Calling Code', store: true },
    ...magicFields(),
  },
  uniques: [
    { name: 'res_country_name_uniq', columns: ['name'], message: 'The name of the country must be unique!' },
    { name: 'res_country_code_uniq', columns: ['code'], message: 'The code of the country must be unique!' },
  ],
  checks: [],
  access: { internalUser: ['read'], groups: 'Administration/Settings' },
  unlinkChecksExistence: false,
};
