/**
 * `res.users`, reduced to what the sandbox needs: logins with passwords, each user with its own partner.
 *
 * @packageDocumentation
 */

import type { ModelDef } from '../model-types.js';
import { char, magicFields } from './magic-fields.js';

/** The res.users model. */
export const RES_USERS: ModelDef = {
  name: 'res.users',
  description: 'User',
  table: 'res_users',
  order: 'name ASC, login ASC',
  recName: 'name',
  fields: {
    name: char('name', 'Name', { required: true }),
    login: char('login', 'Login', { required: true, index: true }),
    // Write-only: read answers '' as Odoo does; the hash lives in a column that is not a field.
    password: { name: 'password', type: 'char', string: 'Password', store: false },
    active: { name: 'active', type: 'boolean', string: 'Active', store: true, default: () => true },
    partner_id: {
      name: 'partner_id',
      type: 'many2one',
      string: 'Related Partner',
      store: true,
      relation: 'res.partner',
      ondelete: 'restrict',
      required: true,
    },
    ...magicFields(),
  },
  uniques: [
    { name: 'res_users_login_key', columns: ['login'], message: 'You can not have two users with the same login !' },
  ],
  checks: [],
  access: { internalUser: ['read'], groups: 'Administration/Access Rights' },
  unlinkChecksExistence: true,
};
