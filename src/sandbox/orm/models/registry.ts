/**
 * The models of the sandbox, by name.
 *
 * @packageDocumentation
 */

import type { FieldDef, ModelDef } from '../model-types.js';
import { IR_CONFIG_PARAMETER } from './ir-config-parameter.js';
import { IR_MODEL_DATA } from './ir-model-data.js';
import { RES_COUNTRY } from './res-country.js';
import { RES_PARTNER } from './res-partner.js';
import { RES_PARTNER_CATEGORY } from './res-partner-category.js';
import { RES_USERS } from './res-users.js';

/** Every sandbox model, by technical name. */
export const MODELS: ReadonlyMap<string, ModelDef> = new Map(
  [RES_PARTNER, RES_PARTNER_CATEGORY, RES_COUNTRY, RES_USERS, IR_MODEL_DATA, IR_CONFIG_PARAMETER].map((m) => [
    m.name,
    m,
  ]),
);

/** The model named `name`; throws a plain Error for a programming mistake (callers validate user input first). */
export function modelOf(name: string): ModelDef {
  const model = MODELS.get(name);
  if (!model) throw new Error(`sandbox: no model ${name}`);
  return model;
}

/** The field `name` of `model`, or undefined. */
export function fieldOf(model: ModelDef, name: string): FieldDef | undefined {
  return Object.prototype.hasOwnProperty.call(model.fields, name) ? model.fields[name] : undefined;
}

/** Whether a field has its own column in the model's table. */
export function hasColumn(field: FieldDef): boolean {
  return field.store && field.type !== 'one2many' && field.type !== 'many2many';
}

/** Whether the model has an `active` field (and so hides archived records from searches). */
export function hasActive(model: ModelDef): boolean {
  return fieldOf(model, 'active') !== undefined;
}
