/**
 * `res.partner` (Contact) as on Odoo 17.0 with the base module, plus `customer_rank`.
 *
 * @packageDocumentation
 */

import type { ModelDef } from '../model-types.js';
import { char, magicFields } from './magic-fields.js';

/** Address types and their labels (`type` selection). */
export const PARTNER_TYPES: readonly (readonly [string, string])[] = [
  ['contact', 'Contact'],
  ['invoice', 'Invoice Address'],
  ['delivery', 'Delivery Address'],
  ['other', 'Other Address'],
];

/** Address fields copied from a company to its contacts (Odoo's `_address_fields`, without states). */
export const PARTNER_ADDRESS_FIELDS: readonly string[] = ['street', 'street2', 'zip', 'city', 'country_id'];

/** Commercial fields a contact takes from its commercial entity (Odoo's `_commercial_fields`, the ones we model). */
export const PARTNER_COMMERCIAL_FIELDS: readonly string[] = ['vat'];

/** The res.partner model. */
export const RES_PARTNER: ModelDef = {
  name: 'res.partner',
  description: 'Contact',
  table: 'res_partner',
  order: 'complete_name ASC, id DESC',
  recName: 'complete_name',
  parentName: 'parent_id',
  fields: {
    name: char('name', 'Name', { index: true }),
    complete_name: char('complete_name', 'Complete Name', { readonly: true, computed: true, index: true }),
    parent_id: {
      name: 'parent_id',
      type: 'many2one',
      string: 'Related Company',
      store: true,
      relation: 'res.partner',
      ondelete: 'set null',
      index: true,
    },
    child_ids: {
      name: 'child_ids',
      type: 'one2many',
      string: 'Contact',
      store: true,
      relation: 'res.partner',
      inverseName: 'parent_id',
    },
    ref: char('ref', 'Reference', { index: true }),
    lang: {
      name: 'lang',
      type: 'selection',
      string: 'Language',
      store: true,
      selection: [['en_US', 'English (US)']],
      // The context language if it is installed (only en_US is), as Odoo's env.lang; otherwise English.
      default: ({ context }) => (context['lang'] === 'en_US' ? context['lang'] : 'en_US'),
    },
    vat: char('vat', 'Tax ID'),
    website: char('website', 'Website Link'),
    comment: { name: 'comment', type: 'html', string: 'Notes', store: true },
    category_id: {
      name: 'category_id',
      type: 'many2many',
      string: 'Tags',
      store: true,
      relation: 'res.partner.category',
      relationTable: 'res_partner_res_partner_category_rel',
      column1: 'partner_id',
      column2: 'category_id',
    },
    active: { name: 'active', type: 'boolean', string: 'Active', store: true, default: () => true },
    function: char('function', 'Job Position'),
    type: {
      name: 'type',
      type: 'selection',
      string: 'Address Type',
      store: true,
      selection: PARTNER_TYPES,
      default: () => 'contact',
    },
    street: char('street', 'Street'),
    street2: char('street2', 'Street2'),
    zip: char('zip', 'Zip'),
    city: char('city', 'City'),
    country_id: {
      name: 'country_id',
      type: 'many2one',
      string: 'Country',
      store: true,
      relation: 'res.country',
      ondelete: 'restrict',
    },
    email: char('email', 'Email', { index: true }),
    phone: char('phone', 'Phone'),
    mobile: char('mobile', 'Mobile'),
    is_company: { name: 'is_company', type: 'boolean', string: 'Is a Company', store: true, default: () => false },
    // customer_rank belongs to the account module (Invoicing), which the captured server did not have (it answered
    // "Invalid field 'customer_rank'"). The sandbox offers it as if Invoicing were installed: an integer, default 0.
    customer_rank: { name: 'customer_rank', type: 'integer', string: 'Customer Rank', store: true, default: () => 0 },
    ...magicFields(),
  },
  uniques: [],
  checks: [
    {
      name: 'res_partner_check_name',
      sql: "(type = 'contact' AND name IS NOT NULL) OR (type != 'contact')",
      message: 'Contacts require a name',
    },
  ],
  access: { internalUser: ['read', 'write', 'create', 'unlink'], groups: 'Extra Rights/Contact Creation' },
  unlinkChecksExistence: true,
};
