/**
 * The company model set: the base models (res.partner extended with the snapshot's fields, since the company database
 * has accounting installed), the 37 business models of the company snapshot with their captured behaviour, `ir.model`
 * (for `inherited_model_ids`), and minimal models for the comodels the snapshot points at but does not describe.
 *
 * @packageDocumentation
 */

import type { CallEnv } from '../orm/call-env.js';
import type { FieldDef, ModelDef, HookStore } from '../orm/model-types.js';
import { IR_CONFIG_PARAMETER } from '../orm/models/ir-config-parameter.js';
import { IR_MODEL_DATA } from '../orm/models/ir-model-data.js';
import { char, magicFields } from '../orm/models/magic-fields.js';
import { ModelRegistry } from '../orm/models/model-registry.js';
import { hasColumn, type ModelSet } from '../orm/models/registry.js';
import { RES_COUNTRY } from '../orm/models/res-country.js';
import { RES_PARTNER } from '../orm/models/res-partner.js';
import { RES_PARTNER_CATEGORY } from '../orm/models/res-partner-category.js';
import { RES_USERS } from '../orm/models/res-users.js';
import { ACCOUNT_TRAITS } from './account-behaviour.js';
import { companySnapshot } from './company-snapshot.js';
import { seedCompany } from './company-seed.js';
import { CRM_STOCK_TRAITS } from './crm-stock-behaviour.js';
import { HR_TRAITS, RESOURCE_FIELDS } from './hr-behaviour.js';
import { ORDER_TRAITS } from './order-behaviour.js';
import { PRODUCT_TRAITS } from './product-behaviour.js';
import { cascadeRequiredInverses, modelOfSnapshot, shellModel, type ModelTraits } from './snapshot-models.js';

/** Behaviour of the snapshot's models, by model. */
const TRAITS: Readonly<Record<string, ModelTraits>> = {
  ...PRODUCT_TRAITS,
  ...HR_TRAITS,
  ...ORDER_TRAITS,
  ...ACCOUNT_TRAITS,
  ...CRM_STOCK_TRAITS,
};

/** Base models kept as they are (their behaviour is hand-written); res.partner is extended. */
const BASE = [RES_PARTNER_CATEGORY, RES_COUNTRY, RES_USERS, IR_MODEL_DATA, IR_CONFIG_PARAMETER];

/**
 * `ir.model`, with what the company capture reads of it: the model name and `inherited_model_ids` (the `_inherits`
 * parents). Not in the snapshot; the least the capture needs.
 */
export const IR_MODEL: ModelDef = {
  name: 'ir.model',
  description: 'Models',
  table: 'ir_model',
  order: 'model',
  recName: 'name',
  fields: {
    name: char('name', 'Model Description', { required: true }),
    model: char('model', 'Model', { required: true, index: true }),
    inherited_model_ids: {
      name: 'inherited_model_ids',
      type: 'many2many',
      string: 'Inherited models',
      store: false,
      column: false,
      relation: 'ir.model',
      relationTable: 'ir_model_inherits_rel',
      column1: 'model_id',
      column2: 'parent_id',
    },
    ...magicFields(),
  },
  uniques: [],
  checks: [],
  access: { internalUser: ['read'], groups: 'Administration/Settings' },
  unlinkChecksExistence: false,
  fromSnapshot: true,
};

/** `order` when every term names a column of `model`, else `id` (a wrong guess must not break searches). */
function safeOrder(model: ModelDef): ModelDef {
  const valid = model.order.split(',').every((term) => {
    const field = model.fields[term.trim().split(/\s+/)[0] as string];
    return term.trim().startsWith('id') || (field !== undefined && hasColumn(field));
  });
  return valid ? model : { ...model, order: 'id' };
}

/** res.partner with the snapshot's fields that the base model does not have (accounting, sales, stock, ...). */
function companyPartner(): ModelDef {
  const snapshot = modelOfSnapshot('res.partner', companySnapshot().models['res.partner'] as never);
  const fields: Record<string, FieldDef> = { ...RES_PARTNER.fields };
  for (const [name, field] of Object.entries(snapshot.fields)) {
    // customer_rank is in the base model (as if Invoicing were installed); the company database does have it.
    if (!(name in fields)) fields[name] = field;
  }
  return { ...RES_PARTNER, fields };
}

/** A new registry of the company models. */
export function createCompanyRegistry(): ModelRegistry {
  const snapshot = companySnapshot();
  const models: ModelDef[] = [companyPartner(), ...BASE, IR_MODEL];
  const hosted = new Set(models.map((m) => m.name));
  for (const [name, model] of Object.entries(snapshot.models)) {
    if (hosted.has(name)) continue;
    models.push(safeOrder(modelOfSnapshot(name, model, TRAITS[name])));
    hosted.add(name);
  }
  // Comodels the snapshot names but does not describe, and theirs in turn.
  for (let index = 0; index < models.length; index += 1) {
    for (const field of Object.values((models[index] as ModelDef).fields)) {
      const relation = field.relation;
      if (relation === undefined || hosted.has(relation) || field.type === 'many2one_reference') continue;
      models.push(shellModel(relation, relation === 'resource.resource' ? RESOURCE_FIELDS : {}));
      hosted.add(relation);
    }
  }
  return new ModelRegistry(cascadeRequiredInverses(models));
}

/** Seeds ir.model rows for every hosted model (with their `_inherits` parents), then the company records. */
function seed(store: HookStore, env: CallEnv): void {
  const insert = store.statement(
    'INSERT INTO ir_model (name, model, create_uid, create_date, write_uid, write_date) VALUES (?, ?, 1, ?, 1, ?)',
  );
  const ids = new Map<string, number>();
  for (const model of store.registry.values()) {
    ids.set(model.name, Number(insert.run(model.description, model.name, env.now, env.now).lastInsertRowid));
  }
  const link = store.statement('INSERT INTO ir_model_inherits_rel (model_id, parent_id) VALUES (?, ?)');
  for (const model of store.registry.values()) {
    for (const parent of Object.keys(model.inherits ?? {})) link.run(ids.get(model.name), ids.get(parent));
  }
  seedCompany(store, env);
}

/** The company models: `startSandbox({ models: 'company' })`. */
export const COMPANY_MODEL_SET: ModelSet = Object.freeze({
  name: 'company',
  createRegistry: createCompanyRegistry,
  seed,
});
