/**
 * The public ORM methods a client can call through `execute_kw` / `call_kw`, with Python's argument binding
 * (positional `args` and keyword `kwargs`, record methods taking their ids first) and access checks.
 *
 * @packageDocumentation
 */

import { checkAccess } from './access-rights.js';
import type { CallEnv } from './call-env.js';
import { lookupXmlid } from './external-ids.js';
import { pyStr } from './python-repr.js';
import { loadRecords } from './load.js';
import type { FieldDef, ModelDef } from './model-types.js';
import { fieldOf } from './models/registry.js';
import { nameSearchDomain } from './name-search.js';
import { OdooServerError } from '../odoo-server-error.js';
import { externalIdNotFoundError, missingError, typeError, unknownMethodError, valueError } from './orm-errors.js';
import type { RecordStore } from './record-store.js';

/** What a method implementation receives. */
interface MethodCall {
  readonly store: RecordStore;
  readonly env: CallEnv;
  readonly model: ModelDef;
}

/** A parameter of a Python method: its name and default (absent = required). */
interface Param {
  readonly name: string;
  readonly default?: unknown;
}

interface MethodSpec {
  /** Record methods take the ids as their first positional argument. */
  readonly records: boolean;
  readonly params: readonly Param[];
  /** Extra keyword arguments accepted (Python `**kwargs`). */
  readonly extraKwargs?: boolean;
  readonly run: (call: MethodCall, args: Record<string, unknown>, ids: number[]) => unknown;
}

/**
 * Binds `args` / `kwargs` to `params` as Python would; throws Python's TypeError for surplus, duplicate, unknown or
 * missing arguments.
 */
function bindArguments(
  label: string,
  spec: MethodSpec,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const bound: Record<string, unknown> = {};
  const { params } = spec;
  if (args.length > params.length) {
    throw typeError(`${label}() takes ${params.length + 1} positional arguments but ${args.length + 1} were given`);
  }
  args.forEach((value, index) => {
    bound[(params[index] as Param).name] = value;
  });
  for (const [key, value] of Object.entries(kwargs)) {
    if (!params.some((p) => p.name === key)) {
      if (spec.extraKwargs) {
        bound[key] = value;
        continue;
      }
      throw typeError(`${label}() got an unexpected keyword argument '${key}'`);
    }
    if (key in bound) throw typeError(`${label}() got multiple values for argument '${key}'`);
    bound[key] = value;
  }
  for (const param of params) {
    if (param.name in bound) continue;
    if (!('default' in param)) throw typeError(`${label}() missing 1 required positional argument: '${param.name}'`);
    bound[param.name] = param.default;
  }
  return bound;
}

/** The ids argument of a record method: an id or a list of ids. */
function toIds(value: unknown): number[] {
  if (typeof value === 'number' && Number.isInteger(value)) return [value];
  if (value === false || value === null) return [];
  if (Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isInteger(v)))
    return value as number[];
  throw valueError(`Invalid record ids: expected an id or a list of ids, got ${JSON.stringify(value)}`);
}

function optionalInt(name: string, value: unknown): number | undefined {
  if (value === null || value === undefined || value === false) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  throw valueError(`Invalid ${name}: expected a non-negative integer, got ${JSON.stringify(value)}`);
}

function stringOrUndefined(name: string, value: unknown): string | undefined {
  if (value === null || value === undefined || value === false) return undefined;
  if (typeof value === 'string') return value;
  throw valueError(`Invalid ${name}: expected a string, got ${JSON.stringify(value)}`);
}

function fieldList(value: unknown): string[] | undefined {
  if (value === null || value === undefined || value === false) return undefined;
  if (Array.isArray(value)) return value as string[];
  if (typeof value === 'string') return [value];
  throw valueError(`Invalid fields: expected a list of field names, got ${JSON.stringify(value)}`);
}

function readLoad(value: unknown): 'classic' | 'none' {
  return value === '_classic_read' ? 'classic' : 'none';
}

/** The `fields_get` description of a field. */
function describeField(field: FieldDef, attributes: readonly string[] | undefined): Record<string, unknown> {
  const full: Record<string, unknown> = {
    name: field.name,
    type: field.type,
    string: field.string,
    help: '',
    required: field.required === true,
    readonly: field.readonly === true,
    store: field.store,
    searchable: field.store || field.name === 'display_name' || field.name === 'complete_name',
    sortable: field.store && field.type !== 'one2many' && field.type !== 'many2many',
    exportable: true,
    manual: false,
    company_dependent: field.companyDependent === true,
    translate: field.translate === true,
    change_default: false,
    groupable: field.store && field.type !== 'one2many' && field.type !== 'many2many',
  };
  if (field.relation && field.type !== 'many2one_reference') {
    full['relation'] = field.relation;
    full['context'] = {};
    full['domain'] = [];
  }
  if (field.type === 'one2many') full['relation_field'] = field.inverseName;
  // Attributes a snapshot records (base models, hand-written, leave them out as their captures show).
  if (field.depends !== undefined) full['depends'] = [...field.depends];
  if (field.related !== undefined) full['related'] = field.related;
  if (field.depends !== undefined && field.translate === undefined) delete full['translate'];
  if (field.type === 'many2one') full['ondelete'] = field.ondelete;
  if (field.selection) full['selection'] = field.selection.map(([key, label]) => [key, label]);
  if (field.size !== undefined) full['size'] = field.size;
  if (field.type === 'many2one_reference') full['model_field'] = 'model';
  if (!attributes) return full;
  const out: Record<string, unknown> = {};
  for (const attribute of attributes) if (attribute in full) out[attribute] = full[attribute];
  return out;
}

function defaultsOf(call: MethodCall, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const field = fieldOf(call.model, name);
    if (!field || field.computed) continue;
    const contextDefault = call.env.context[`default_${name}`];
    if (contextDefault !== undefined) out[name] = contextDefault;
    else if (field.default) out[name] = field.default({ context: call.env.context, now: call.env.now });
  }
  return out;
}

function nameSearch(
  call: MethodCall,
  name: unknown,
  domain: unknown,
  operator: unknown,
  limit: unknown,
): [number, string | false][] {
  const { store, env, model } = call;
  checkAccess(env.uid, model, 'read');
  const op = typeof operator === 'string' ? operator : 'ilike';
  const text = typeof name === 'string' ? name : '';
  const extra = Array.isArray(domain) ? domain : [];
  const nameDomain = text === '' && op === 'ilike' ? [] : nameSearchDomain(model, text, op);
  const ids = store.search(env, model, [...nameDomain, ...extra], { limit: optionalInt('limit', limit) });
  const names = store.displayNames(model, ids, env);
  return ids.map((id) => [id, names.get(id) ?? false]);
}

/** Fields a record's `copy` never carries over (Odoo sets them anew). */
const NOT_COPIED = new Set([
  'id',
  'display_name',
  'create_uid',
  'create_date',
  'write_uid',
  'write_date',
  '__last_update',
]);

/**
 * `copy(default)` of one record: its stored fields (not one2many, computed or related ones, as Odoo's `copy=False`
 * defaults), overridden by `default`. res.partner names the copy `<name> (copy)`, as Odoo does. Returns the new id.
 */
function copyRecord(call: MethodCall, ids: readonly number[], overrides: unknown): number {
  const { store, env, model } = call;
  checkAccess(env.uid, model, 'create');
  if (ids.length !== 1)
    throw valueError(`Expected singleton: ${model.name}(${ids.join(', ')}${ids.length === 1 ? ',' : ''})`);
  const names = Object.values(model.fields)
    .filter(
      (f) => f.store && !f.computed && f.related === undefined && f.type !== 'one2many' && !NOT_COPIED.has(f.name),
    )
    .map((f) => f.name);
  const [row] = store.read(env, model, ids, names.length === 0 ? ['id'] : names, 'none');
  if (row === undefined) throw missingError(model.name, ids[0] as number, env.uid);
  const vals: Record<string, unknown> = {};
  for (const name of names) {
    const value = row[name];
    vals[name] = model.fields[name]?.type === 'many2many' ? [[6, 0, value]] : value;
  }
  if (model.name === 'res.partner' && typeof row['name'] === 'string') vals['name'] = `${row['name']} (copy)`;
  if (overrides !== null && overrides !== undefined && overrides !== false) {
    if (typeof overrides !== 'object' || Array.isArray(overrides))
      throw valueError(`Invalid default: expected a dictionary, got ${JSON.stringify(overrides)}`);
    Object.assign(vals, overrides);
  }
  return store.createOne(env, model, vals);
}

/**
 * `web_read(specification)`: the fields named by the specification's keys; a relational field with a nested
 * `fields` specification is read as records (`{id, ...}`, or lists of them), without one as ids.
 */
function webRead(call: MethodCall, ids: readonly number[], specification: unknown): Record<string, unknown>[] {
  const { store, env, model } = call;
  if (specification === null || typeof specification !== 'object' || Array.isArray(specification))
    throw valueError(`Invalid specification: expected a dictionary, got ${JSON.stringify(specification)}`);
  const spec = specification as Record<string, unknown>;
  const names = Object.keys(spec);
  const rows = store.read(env, model, ids, names.length === 0 ? ['id'] : names, 'none');
  for (const name of names) {
    const sub = spec[name];
    const field = fieldOf(model, name);
    const nested =
      sub !== null && typeof sub === 'object' && !Array.isArray(sub)
        ? (sub as Record<string, unknown>)['fields']
        : undefined;
    if (field?.relation === undefined || nested === undefined) continue;
    const comodel = { store, env, model: store.registry.model(field.relation) };
    const targets = new Set<number>();
    for (const row of rows) {
      const value = row[name];
      if (typeof value === 'number') targets.add(value);
      else if (Array.isArray(value)) for (const id of value as number[]) targets.add(id);
    }
    const byId = new Map(webRead(comodel, [...targets], nested).map((r) => [r['id'] as number, r]));
    for (const row of rows) {
      const value = row[name];
      if (typeof value === 'number') row[name] = byId.get(value) ?? { id: value };
      else if (Array.isArray(value)) row[name] = (value as number[]).map((id) => byId.get(id) ?? { id });
    }
  }
  return rows;
}

/** Methods every model has. */
const COMMON_METHODS: Readonly<Record<string, MethodSpec>> = {
  create: {
    records: false,
    params: [{ name: 'vals_list' }],
    run: ({ store, env, model }, { vals_list: vals }) => {
      checkAccess(env.uid, model, 'create');
      if (Array.isArray(vals)) return store.create(env, model, vals);
      return store.createOne(env, model, vals);
    },
  },
  write: {
    records: true,
    params: [{ name: 'vals' }],
    run: ({ store, env, model }, { vals }, ids) => {
      checkAccess(env.uid, model, 'write');
      store.write(env, model, ids, vals);
      return true;
    },
  },
  unlink: {
    records: true,
    params: [],
    run: ({ store, env, model }, _args, ids) => {
      checkAccess(env.uid, model, 'unlink');
      store.unlink(env, model, ids);
      return true;
    },
  },
  read: {
    records: true,
    params: [
      { name: 'fields', default: null },
      { name: 'load', default: '_classic_read' },
    ],
    run: ({ store, env, model }, { fields, load }, ids) => {
      checkAccess(env.uid, model, 'read');
      return store.read(env, model, ids, fieldList(fields), readLoad(load));
    },
  },
  search: {
    records: false,
    params: [
      { name: 'domain' },
      { name: 'offset', default: 0 },
      { name: 'limit', default: null },
      { name: 'order', default: null },
    ],
    run: ({ store, env, model }, { domain, offset, limit, order }) => {
      checkAccess(env.uid, model, 'read');
      return store.search(env, model, domain, {
        offset: optionalInt('offset', offset) ?? 0,
        limit: optionalInt('limit', limit),
        order: stringOrUndefined('order', order),
      });
    },
  },
  search_count: {
    records: false,
    params: [{ name: 'domain' }, { name: 'limit', default: null }],
    run: ({ store, env, model }, { domain, limit }) => {
      checkAccess(env.uid, model, 'read');
      return store.count(env, model, domain, optionalInt('limit', limit));
    },
  },
  search_read: {
    records: false,
    params: [
      { name: 'domain', default: null },
      { name: 'fields', default: null },
      { name: 'offset', default: 0 },
      { name: 'limit', default: null },
      { name: 'order', default: null },
      { name: 'load', default: '_classic_read' },
    ],
    run: ({ store, env, model }, { domain, fields, offset, limit, order, load }) => {
      checkAccess(env.uid, model, 'read');
      const names = fieldList(fields);
      // Field names are checked before searching, as Odoo does.
      store.readFieldNames(model, names);
      const ids = store.search(env, model, domain ?? [], {
        offset: optionalInt('offset', offset) ?? 0,
        limit: optionalInt('limit', limit),
        order: stringOrUndefined('order', order),
      });
      return store.read(env, model, ids, names, readLoad(load));
    },
  },
  fields_get: {
    records: false,
    params: [
      { name: 'allfields', default: null },
      { name: 'attributes', default: null },
    ],
    run: ({ model }, { allfields, attributes }) => {
      const wanted = fieldList(allfields);
      const attrs = fieldList(attributes);
      const out: Record<string, unknown> = {};
      for (const field of Object.values(model.fields)) {
        if (wanted && !wanted.includes(field.name)) continue;
        out[field.name] = describeField(field, attrs);
      }
      return out;
    },
  },
  name_search: {
    records: false,
    params: [
      { name: 'name', default: '' },
      { name: 'args', default: null },
      { name: 'operator', default: 'ilike' },
      { name: 'limit', default: 100 },
    ],
    run: (call, { name, args, operator, limit }) => nameSearch(call, name, args, operator, limit),
  },
  name_create: {
    records: false,
    params: [{ name: 'name' }],
    run: ({ store, env, model }, { name }) => {
      checkAccess(env.uid, model, 'create');
      const id = store.createOne(env, model, { [model.recName === 'complete_name' ? 'name' : model.recName]: name });
      return [id, store.displayNames(model, [id], env).get(id) ?? false];
    },
  },
  default_get: {
    records: false,
    params: [{ name: 'fields_list' }],
    run: (call, { fields_list: names }) => defaultsOf(call, fieldList(names) ?? []),
  },
  load: {
    records: false,
    params: [{ name: 'fields' }, { name: 'data' }],
    run: ({ store, env, model }, { fields, data }) => {
      checkAccess(env.uid, model, 'create');
      checkAccess(env.uid, model, 'write');
      return loadRecords(store, env, model, fields, data);
    },
  },
  copy: {
    records: true,
    params: [{ name: 'default', default: null }],
    run: (call, { default: overrides }, ids) => copyRecord(call, ids, overrides),
  },
  web_read: {
    records: true,
    params: [{ name: 'specification' }],
    run: (call, { specification }, ids) => {
      checkAccess(call.env.uid, call.model, 'read');
      return webRead(call, ids, specification);
    },
  },
  web_search_read: {
    records: false,
    params: [
      { name: 'domain' },
      { name: 'specification' },
      { name: 'offset', default: 0 },
      { name: 'limit', default: null },
      { name: 'order', default: null },
      { name: 'count_limit', default: null },
    ],
    run: (call, { domain, specification, offset, limit, order, count_limit: countLimit }) => {
      const { store, env, model } = call;
      checkAccess(env.uid, model, 'read');
      const start = optionalInt('offset', offset) ?? 0;
      const max = optionalInt('limit', limit);
      const ids = store.search(env, model, domain, {
        offset: start,
        limit: max,
        order: stringOrUndefined('order', order),
      });
      const records = webRead(call, ids, specification);
      // Odoo counts only when the page is full; otherwise the length is known.
      const length =
        max !== undefined && ids.length === max
          ? store.count(env, model, domain, optionalInt('count_limit', countLimit))
          : start + ids.length;
      return { length, records };
    },
  },
  exists: {
    records: true,
    params: [],
    run: ({ store, model }, _args, ids) => {
      const found = store.existing(model, ids);
      return ids.filter((id) => found.has(id));
    },
  },
  get_external_id: {
    records: true,
    params: [],
    run: ({ store, env, model }, _args, ids) => {
      checkAccess(env.uid, model, 'read');
      const out: Record<string, string> = {};
      for (const id of ids) out[String(id)] = '';
      const rows = store
        .statement(
          'SELECT module, name, res_id FROM ir_model_data WHERE model = ? AND res_id IN (SELECT value FROM json_each(?)) ORDER BY id',
        )
        .all(model.name, JSON.stringify(ids)) as { module: string; name: string; res_id: number }[];
      for (const row of rows) if (out[String(row.res_id)] === '') out[String(row.res_id)] = `${row.module}.${row.name}`;
      return out;
    },
  },
};

/** Methods of one model only. */
const MODEL_METHODS: Readonly<Record<string, Readonly<Record<string, MethodSpec>>>> = {
  'ir.model.data': {
    check_object_reference: {
      records: false,
      params: [{ name: 'module' }, { name: 'xml_id' }, { name: 'raise_on_access_error', default: false }],
      run: ({ store }, { module, xml_id: name }) => {
        const row = lookupXmlid(store, pyStr(module), pyStr(name));
        if (!row) throw externalIdNotFoundError(`${pyStr(module)}.${pyStr(name)}`);
        return [row.model, row.res_id];
      },
    },
  },
  'res.users': {
    context_get: {
      records: false,
      params: [],
      run: ({ env }) => ({ lang: 'en_US', tz: false, uid: env.uid }),
    },
  },
  'ir.config_parameter': {
    get_param: {
      records: false,
      params: [{ name: 'key' }, { name: 'default', default: false }],
      run: ({ store, env, model }, { key, default: fallback }) => {
        checkAccess(env.uid, model, 'read');
        const row = store.statement('SELECT value FROM ir_config_parameter WHERE key = ?').get(pyStr(key)) as
          { value: string } | undefined;
        return row ? row.value : fallback;
      },
    },
    set_param: {
      records: false,
      params: [{ name: 'key' }, { name: 'value' }],
      run: ({ store, env, model }, { key, value }) => {
        checkAccess(env.uid, model, 'write');
        const row = store.statement('SELECT id, value FROM ir_config_parameter WHERE key = ?').get(pyStr(key)) as
          { id: number; value: string } | undefined;
        const empty = value === false || value === null || value === undefined;
        if (row) {
          // Setting false/None deletes the parameter; an unchanged value is not rewritten.
          if (empty) store.unlink(env, model, [row.id]);
          else if (pyStr(value) !== row.value) store.write(env, model, [row.id], { value: pyStr(value) });
          return row.value;
        }
        if (!empty) store.createOne(env, model, { key: pyStr(key), value: pyStr(value) });
        return false;
      },
    },
  },
};

/** Whether `method` exists on `model`. */
export function hasMethod(model: ModelDef, method: string): boolean {
  return (
    Object.prototype.hasOwnProperty.call(COMMON_METHODS, method) ||
    Object.prototype.hasOwnProperty.call(model.hooks?.methods ?? {}, method) ||
    Object.prototype.hasOwnProperty.call(MODEL_METHODS[model.name] ?? {}, method)
  );
}

/** A method's Python signature, as the JSON-2 API binds named arguments to it. */
export interface MethodSignature {
  /** A record method (runs on `ids`); otherwise an `@api.model` method. */
  readonly records: boolean;
  /** The parameters after `self`, in order; a parameter without `default` is required. */
  readonly params: readonly { readonly name: string; readonly default?: unknown }[];
  /** Whether the method takes `**kwargs`. */
  readonly extraKwargs: boolean;
}

/**
 * The signature of `method` on `model`, or `undefined` when the model has no such method. A model's own hook methods
 * (`action_confirm`, ...) are record methods whose keyword arguments are passed through to the hook.
 */
export function methodSignature(model: ModelDef, method: string): MethodSignature | undefined {
  if (Object.prototype.hasOwnProperty.call(model.hooks?.methods ?? {}, method))
    return { records: true, params: [], extraKwargs: true };
  const spec =
    MODEL_METHODS[model.name]?.[method] ??
    (Object.prototype.hasOwnProperty.call(COMMON_METHODS, method) ? COMMON_METHODS[method] : undefined);
  if (spec === undefined) return undefined;
  return { records: spec.records, params: spec.params, extraKwargs: spec.extraKwargs === true };
}

/** Runs `method` of `model` with Python-style `args` and `kwargs` (without `context`). */
export function runMethod(
  store: RecordStore,
  env: CallEnv,
  model: ModelDef,
  method: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
): unknown {
  const hook = Object.prototype.hasOwnProperty.call(model.hooks?.methods ?? {}, method)
    ? model.hooks?.methods?.[method]
    : undefined;
  if (hook) {
    if (args.length === 0) throw new OdooServerError('builtins.IndexError', 'list index out of range');
    return hook(store.hookContext(env, model), toIds(args[0]), args.slice(1), kwargs);
  }
  const spec =
    MODEL_METHODS[model.name]?.[method] ??
    (Object.prototype.hasOwnProperty.call(COMMON_METHODS, method) ? COMMON_METHODS[method] : undefined);
  if (!spec) throw unknownMethodError(model.name, method);
  const label = `BaseModel.${method}`;
  let ids: number[] = [];
  let rest = args;
  if (spec.records) {
    if (args.length === 0) throw new OdooServerError('builtins.IndexError', 'list index out of range');
    ids = toIds(args[0]);
    rest = args.slice(1);
  } else if (method === 'create' && args.length === 0) {
    // Odoo binds create's records from args[0]: a call without positional arguments fails with IndexError.
    throw new OdooServerError('builtins.IndexError', 'list index out of range');
  }
  const bound = bindArguments(label, spec, rest, kwargs);
  return spec.run({ store, env, model }, bound, ids);
}
