/**
 * External ids (`ir.model.data`): look-up and creation, with Odoo's rule that an id without a dot belongs to the
 * current module (`__import__` unless the context says otherwise).
 *
 * @packageDocumentation
 */

import type { CallEnv } from './call-env.js';
import type { RecordStore } from './record-store.js';

/** One `ir.model.data` row. */
export interface ExternalIdRow {
  readonly id: number;
  readonly module: string;
  readonly name: string;
  readonly model: string;
  readonly res_id: number;
}

/** Splits `module.name` at the first dot; a dotless id gets `defaultModule`. */
export function splitXmlid(xmlid: string, defaultModule: string): [string, string] {
  const dot = xmlid.indexOf('.');
  return dot < 0 ? [defaultModule, xmlid] : [xmlid.slice(0, dot), xmlid.slice(dot + 1)];
}

/** The `ir.model.data` row of `module.name`, if any. */
export function lookupXmlid(store: RecordStore, module: string, name: string): ExternalIdRow | undefined {
  return store
    .statement('SELECT id, module, name, model, res_id FROM ir_model_data WHERE module = ? AND name = ?')
    .get(module, name) as ExternalIdRow | undefined;
}

/** The id of the live `model` record named by `module.name`, or undefined. */
export function resolveXmlid(store: RecordStore, model: string, module: string, name: string): number | undefined {
  const row = lookupXmlid(store, module, name);
  if (!row || row.model !== model) return undefined;
  return store.existing(store.registry.model(model), [row.res_id]).has(row.res_id) ? row.res_id : undefined;
}

/** Creates the external id `module.name` for record `resId` of `model` (through the ORM: constraints, write log). */
export function createXmlid(
  store: RecordStore,
  env: CallEnv,
  module: string,
  name: string,
  model: string,
  resId: number,
  noupdate: boolean,
): number {
  return store.createOne(env, store.registry.model('ir.model.data'), { module, name, model, res_id: resId, noupdate });
}
