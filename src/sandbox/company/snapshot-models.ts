/**
 * Turns a `fields_get` + `default_get` snapshot into sandbox models: one table per model, a column per stored field
 * (and per company-dependent field, kept on the record since the sandbox hosts one company), many2many tables,
 * defaults as captured, `_inherits` parents, and minimal models for the comodels the snapshot points at but does not
 * describe.
 *
 * @packageDocumentation
 */

import type { FieldDef, FieldType, ModelDef, ModelHooks } from '../orm/model-types.js';
import { char, magicFields } from '../orm/models/magic-fields.js';
import type { SnapshotField, SnapshotModel } from './company-snapshot.js';

/** Field types of the snapshot that the ORM stores. */
const FIELD_TYPES = new Set<string>([
  'char',
  'text',
  'html',
  'integer',
  'float',
  'boolean',
  'selection',
  'datetime',
  'date',
  'monetary',
  'binary',
  'json',
  'properties',
  'properties_definition',
  'many2one',
  'one2many',
  'many2many',
  'many2one_reference',
]);

/** The log access fields and the id: maintained by the ORM, never written. */
const MAGIC = new Set(['id', 'display_name', 'create_uid', 'create_date', 'write_uid', 'write_date']);

/** Odoo's table name of a model. */
export function tableOf(model: string): string {
  return model.replace(/\./g, '_');
}

/** A default as captured: dates and datetimes are the call's (the snapshot holds the capture's clock). */
function defaultOf(field: SnapshotField, value: unknown): FieldDef['default'] {
  if (field.type === 'datetime' && typeof value === 'string') return ({ now }) => now ?? value;
  if (field.type === 'date' && typeof value === 'string') return ({ now }) => (now ?? value).slice(0, 10);
  const json = JSON.stringify(value);
  return () => JSON.parse(json) as unknown;
}

/** The sandbox field of one snapshot field. */
function fieldOfSnapshot(model: string, name: string, field: SnapshotField, defaults: SnapshotModel['defaults']) {
  const type = (FIELD_TYPES.has(field.type) ? field.type : 'char') as FieldType;
  const def: Record<string, unknown> = {
    name,
    type,
    string: field.string,
    store: field.store === true,
    depends: field.depends ?? [],
  };
  if (field.required) def['required'] = true;
  if (field.readonly) def['readonly'] = true;
  if (field.relation !== undefined) def['relation'] = field.relation;
  if (field.selection !== undefined) def['selection'] = field.selection;
  if (field.company_dependent) {
    def['companyDependent'] = true;
    def['column'] = type !== 'one2many' && type !== 'many2many';
  }
  if (field.related !== undefined) def['related'] = field.related;
  // fields_get reports `translate` only for text fields (char, text, html).
  if (field.translate !== undefined) def['translate'] = field.translate;
  if (type === 'one2many') def['inverseName'] = field.relation_field;
  if (type === 'many2many') {
    // A table per field: fields_get does not say which many2many fields are two sides of one relation.
    def['relationTable'] = `${tableOf(model)}_${name}_rel`;
    def['column1'] = 'owner_id';
    def['column2'] = 'target_id';
  }
  if (type === 'many2one') def['ondelete'] = 'set null';
  if (MAGIC.has(name)) def['computed'] = true;
  if (Object.prototype.hasOwnProperty.call(defaults, name)) def['default'] = defaultOf(field, defaults[name]);
  return def as unknown as FieldDef;
}

/** What a model of the snapshot needs besides its fields: order, name field and behaviour. */
export interface ModelTraits {
  /** `_order` (Odoo 17.0's, for the models where the captures read an order). @default 'id' */
  readonly order?: string;
  /** `_rec_name`. @default 'name' when the model has one, else 'id' */
  readonly recName?: string;
  /** Behaviour. */
  readonly hooks?: ModelHooks;
  /** Field overrides (merged over the snapshot's definition). */
  readonly fields?: Readonly<Record<string, Partial<FieldDef>>>;
}

/** The sandbox model of one snapshot model. */
export function modelOfSnapshot(name: string, snapshot: SnapshotModel, traits: ModelTraits = {}): ModelDef {
  const fields: Record<string, FieldDef> = {};
  for (const [fieldName, field] of Object.entries(snapshot.fields)) {
    const built = fieldOfSnapshot(name, fieldName, field, snapshot.defaults);
    const override = traits.fields?.[fieldName];
    fields[fieldName] = override ? { ...built, ...override } : built;
  }
  for (const [fieldName, field] of Object.entries(magicFields())) fields[fieldName] ??= field;
  const inherits: Record<string, string> = {};
  for (const parent of snapshot.inherits) {
    const link = Object.values(fields).find((f) => f.type === 'many2one' && f.relation === parent && f.required);
    if (link) inherits[parent] = link.name;
  }
  const self = Object.values(fields).find((f) => f.name === 'parent_id' && f.relation === name);
  return {
    name,
    description: snapshot.description,
    table: tableOf(name),
    order: traits.order ?? 'id',
    recName: traits.recName ?? ('name' in fields && fields['name']?.store ? 'name' : 'id'),
    ...(self ? { parentName: 'parent_id' } : {}),
    fields,
    uniques: [],
    checks: [],
    access: { internalUser: ['read', 'write', 'create', 'unlink'], groups: 'Administration/Settings' },
    unlinkChecksExistence: false,
    ...(Object.keys(inherits).length > 0 ? { inherits } : {}),
    fromSnapshot: true,
    ...(traits.hooks ? { hooks: traits.hooks } : {}),
  };
}

/**
 * A minimal model for a comodel the snapshot points at but does not describe (not in the captures): a name and the
 * log fields, so that many2one values pointing at it can be stored and read as `[id, name]`.
 */
export function shellModel(name: string, extra: Readonly<Record<string, FieldDef>> = {}): ModelDef {
  return {
    name,
    description: name,
    table: tableOf(name),
    order: 'id',
    recName: 'name',
    fields: { name: char('name', 'Name'), ...extra, ...magicFields() },
    uniques: [],
    checks: [],
    access: { internalUser: ['read', 'write', 'create', 'unlink'], groups: 'Administration/Settings' },
    unlinkChecksExistence: false,
    fromSnapshot: true,
  };
}

/**
 * One2many fields whose inverse many2one is required are lines that cannot live without their parent: Odoo declares
 * such inverses `ondelete='cascade'` (order lines, invoice lines, bill of materials lines). fields_get does not report
 * `ondelete`; this is the least the line commands need.
 */
export function cascadeRequiredInverses(models: ModelDef[]): ModelDef[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const cascade = new Map<string, Set<string>>();
  for (const model of models) {
    for (const field of Object.values(model.fields)) {
      if (field.type !== 'one2many' || !field.relation || !field.inverseName || field.related !== undefined) continue;
      const inverse = byName.get(field.relation)?.fields[field.inverseName];
      if (inverse?.required && inverse.type === 'many2one') {
        const set = cascade.get(field.relation) ?? new Set<string>();
        set.add(field.inverseName);
        cascade.set(field.relation, set);
      }
    }
  }
  return models.map((model) => {
    const names = cascade.get(model.name);
    if (!names || !model.fromSnapshot) return model;
    const fields = { ...model.fields };
    for (const name of names) fields[name] = { ...(fields[name] as FieldDef), ondelete: 'cascade' };
    return { ...model, fields };
  });
}
