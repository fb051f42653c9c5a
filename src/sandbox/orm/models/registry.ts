/**
 * The base models of the sandbox (a fresh Odoo 17.0 with base and web) and helpers on model definitions.
 *
 * @packageDocumentation
 */

import type { CallEnv } from '../call-env.js';
import type { FieldDef, ModelDef, HookStore } from '../model-types.js';
import { IR_CONFIG_PARAMETER } from './ir-config-parameter.js';
import { IR_MODEL_DATA } from './ir-model-data.js';
import { ModelRegistry } from './model-registry.js';
import { RES_COUNTRY } from './res-country.js';
import { RES_PARTNER } from './res-partner.js';
import { RES_PARTNER_CATEGORY } from './res-partner-category.js';
import { RES_USERS } from './res-users.js';

/** The hand-written base models, as a fresh Odoo 17.0 with base and web has them. */
export const BASE_MODELS: readonly ModelDef[] = Object.freeze([
  RES_PARTNER,
  RES_PARTNER_CATEGORY,
  RES_COUNTRY,
  RES_USERS,
  IR_MODEL_DATA,
  IR_CONFIG_PARAMETER,
]);

/** A registry of the base models (a new one per database). */
export function createBaseRegistry(): ModelRegistry {
  return new ModelRegistry(BASE_MODELS);
}

/** The field `name` of `model`, or undefined. */
export function fieldOf(model: ModelDef, name: string): FieldDef | undefined {
  return Object.prototype.hasOwnProperty.call(model.fields, name) ? model.fields[name] : undefined;
}

/** Whether a field has its own column in the model's table. */
export function hasColumn(field: FieldDef): boolean {
  return (field.store || field.column === true) && field.type !== 'one2many' && field.type !== 'many2many';
}

/** Whether the model has an `active` field (and so hides archived records from searches). */
export function hasActive(model: ModelDef): boolean {
  const field = fieldOf(model, 'active');
  return field !== undefined && hasColumn(field);
}

/**
 * A set of models a sandbox database can host: its name (kept in the database file, which is refused when reopened
 * with another set), a new registry per database, and the records seeded after the base records.
 */
export interface ModelSet {
  /** Name, e.g. `base` or `company`. */
  readonly name: string;
  /** A new registry of the set's models. */
  createRegistry(): ModelRegistry;
  /** Seeds a fresh database (after the base records), through the ORM; runs in the schema's transaction. */
  seed?(store: HookStore, env: CallEnv): void;
}

/** The base models only (a fresh Odoo 17.0 with base and web). */
export const BASE_MODEL_SET: ModelSet = Object.freeze({ name: 'base', createRegistry: createBaseRegistry });
