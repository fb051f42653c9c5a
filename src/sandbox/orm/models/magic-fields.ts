/**
 * The fields every Odoo model has: `id`, `display_name` and the log access fields (`create_uid`, `create_date`,
 * `write_uid`, `write_date`), with the metadata a real Odoo 17.0 server reports for them.
 *
 * @packageDocumentation
 */

import type { FieldDef } from '../model-types.js';

/** `id`, `display_name`, `create_uid`, `create_date`, `write_uid`, `write_date`, in fields_get order. */
export function magicFields(): Record<string, FieldDef> {
  return {
    id: { name: 'id', type: 'integer', string: 'ID', readonly: true, store: true, computed: true },
    display_name: {
      name: 'display_name',
      type: 'char',
      string: 'Display Name',
      readonly: true,
      store: false,
      computed: true,
    },
    create_uid: {
      name: 'create_uid',
      type: 'many2one',
      string: 'Created by',
      readonly: true,
      store: true,
      relation: 'res.users',
      ondelete: 'set null',
      computed: true,
    },
    create_date: {
      name: 'create_date',
      type: 'datetime',
      string: 'Created on',
      readonly: true,
      store: true,
      computed: true,
    },
    write_uid: {
      name: 'write_uid',
      type: 'many2one',
      string: 'Last Updated by',
      readonly: true,
      store: true,
      relation: 'res.users',
      ondelete: 'set null',
      computed: true,
    },
    write_date: {
      name: 'write_date',
      type: 'datetime',
      string: 'Last Updated on',
      readonly: true,
      store: true,
      computed: true,
    },
  };
}

/** Shorthand for a stored, writable char field. */
export function char(name: string, string: string, extra: Partial<FieldDef> = {}): FieldDef {
  return { name, type: 'char', string, store: true, ...extra };
}
