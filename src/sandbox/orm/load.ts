/**
 * `load(fields, rows)`: Odoo's import. Rows are converted with the import rules (strings to typed values, names and
 * external ids to record ids), then each row creates a record or, through its `id` (external id) or `.id` (database id)
 * column, updates one; the external id is created in the same transaction. Row problems come back as `messages`; if
 * any row has an error, nothing at all is written and `ids` is `false`.
 *
 * Not supported: one2many sub-field columns (`child_ids/name`) and continuation rows that add lines to the previous
 * record; such columns are refused with a clear error.
 *
 * @packageDocumentation
 */

import { OdooServerError } from '../odoo-server-error.js';
import type { CallEnv } from './call-env.js';
import { createXmlid, lookupXmlid, resolveXmlid, splitXmlid } from './external-ids.js';
import type { FieldDef, ModelDef } from './model-types.js';
import { fieldOf } from './models/registry.js';
import { nameSearchDomain } from './name-search.js';
import { NotNullViolation, typeError, valueError } from './orm-errors.js';
import { pyStr } from './python-repr.js';
import type { RecordStore } from './record-store.js';

/** One entry of `messages`. */
export type LoadMessage = Record<string, unknown>;

/** The answer of `load`. */
export interface LoadResult {
  /** Ids of the loaded records in row order, or `false` when any row had an error (nothing was written). */
  readonly ids: number[] | false;
  /** Errors and warnings, each with its row. */
  readonly messages: LoadMessage[];
  /** Always 0: every row is processed in one call. */
  readonly nextrow: number;
}

type Column =
  | { readonly kind: 'xmlid' }
  | { readonly kind: 'dbid' }
  | { readonly kind: 'field'; readonly field: FieldDef; readonly sub: 'name' | 'id' | '.id' };

function parseColumn(model: ModelDef, spec: unknown): Column {
  if (typeof spec !== 'string') throw typeError(`load: field names must be strings, got ${JSON.stringify(spec)}`);
  if (spec === 'id') return { kind: 'xmlid' };
  if (spec === '.id') return { kind: 'dbid' };
  const [name = '', sub, ...rest] = spec.split('/');
  const field = fieldOf(model, name);
  // Odoo answers an unknown column with a bare KeyError naming it.
  if (!field) throw new OdooServerError('builtins.KeyError', name);
  if (rest.length > 0 || (sub !== undefined && sub !== 'id' && sub !== '.id')) {
    throw valueError(
      `load: column '${spec}' is not supported by the sandbox; use '${name}', '${name}/id' or '${name}/.id'.`,
    );
  }
  if (sub !== undefined && !field.relation) throw new OdooServerError('builtins.KeyError', sub);
  return { kind: 'field', field, sub: sub ?? 'name' };
}

function possibleValues(resModel: string, domain?: unknown[]): Record<string, unknown> {
  return {
    name: 'Possible Values',
    type: 'ir.actions.act_window',
    target: 'new',
    view_mode: 'tree,form',
    views: [
      [false, 'list'],
      [false, 'form'],
    ],
    context: { create: false },
    help: 'See all possible values',
    res_model: resModel,
    ...(domain ? { domain } : {}),
  };
}

/** A conversion problem of one cell. */
class CellProblem {
  constructor(
    readonly message: string,
    readonly moreinfo?: Record<string, unknown>,
    readonly type: 'error' | 'warning' = 'error',
  ) {}
}

const TRUE_WORDS = new Set(['1', 'true', 'yes']);
const FALSE_WORDS = new Set(['0', 'false', 'no']);

/** Converts one non-empty cell for `field`; pushes warnings to `warnings`; throws CellProblem on error. */
function convertCell(
  store: RecordStore,
  env: CallEnv,
  field: FieldDef,
  sub: 'name' | 'id' | '.id',
  text: string,
  module: string,
  warnings: CellProblem[],
): unknown {
  const label = `'${field.string}'`;
  if (field.relation && field.type !== 'many2one_reference') {
    const comodel = store.registry.model(field.relation);
    const values =
      field.type === 'many2one'
        ? [text]
        : text
            .split(',')
            .map((v) => v.trim())
            .filter((v) => v !== '');
    const ids = values.map((value) => {
      if (sub === 'id') {
        const [mod, name] = splitXmlid(value, module);
        const id = resolveXmlid(store, comodel.name, mod, name);
        if (id === undefined) {
          throw new CellProblem(
            `No matching record found for external id '${mod}.${name}' in field ${label}`,
            possibleValues('ir.model.data', [['model', '=', comodel.name]]),
          );
        }
        return id;
      }
      if (sub === '.id') {
        if (!/^\d+$/.test(value)) throw new CellProblem(`Invalid database id '${value}' for the field ${label}`);
        const id = Number(value);
        if (!store.existing(comodel, [id]).has(id)) {
          throw new CellProblem(
            `No matching record found for database id '${value}' in field ${label}`,
            possibleValues(comodel.name),
          );
        }
        return id;
      }
      const found = store.search(env, comodel, nameSearchDomain(comodel, value, '='), { limit: 2 });
      if (found.length === 0) {
        throw new CellProblem(
          `No matching record found for name '${value}' in field ${label}`,
          possibleValues(comodel.name),
        );
      }
      if (found.length > 1) {
        warnings.push(
          new CellProblem(
            `Found multiple matches for value '${value}' in field ${label} (${found.length} results)`,
            undefined,
            'warning',
          ),
        );
      }
      return found[0] as number;
    });
    return field.type === 'many2one' ? ids[0] : [[6, 0, ids]];
  }
  switch (field.type) {
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      if (TRUE_WORDS.has(lower)) return true;
      if (FALSE_WORDS.has(lower)) return false;
      warnings.push(new CellProblem(`Unknown value '${text}' for boolean field ${label}`, undefined, 'warning'));
      return true;
    }
    case 'integer':
    case 'many2one_reference':
      if (!/^\s*[+-]?\d+\s*$/.test(text))
        throw new CellProblem(`'${text}' does not seem to be an integer for field ${label}`);
      return Number.parseInt(text, 10);
    case 'float':
      if (!/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text)) {
        throw new CellProblem(`'${text}' does not seem to be a number for field ${label}`);
      }
      return Number(text);
    case 'selection': {
      const lower = text.toLowerCase();
      const match = (field.selection ?? []).find(
        ([key, name]) => key === text || key.toLowerCase() === lower || name.toLowerCase() === lower,
      );
      if (!match) throw new CellProblem(`Value '${text}' not found in selection field ${label}`);
      return match[0];
    }
    default:
      return text;
  }
}

/** Runs `load` of `fields` / `rows` on `model`. */
export function loadRecords(
  store: RecordStore,
  env: CallEnv,
  model: ModelDef,
  fields: unknown,
  rows: unknown,
): LoadResult {
  if (!Array.isArray(fields)) throw typeError('load: fields must be a list of column names');
  if (!Array.isArray(rows) || !rows.every((row) => Array.isArray(row)))
    throw typeError('load: data must be a list of rows (lists)');
  const columns = fields.map((spec) => parseColumn(model, spec));
  const module = typeof env.context['module'] === 'string' ? env.context['module'] : '__import__';
  const noupdate = env.context['noupdate'] === true;
  const messages: LoadMessage[] = [];
  const ids: number[] = [];
  const snapshot = env.writes.snapshot();
  const rollback = new Error('load: rolled back');

  const runAll = store.db.transaction(() => {
    (rows as unknown[][]).forEach((row, index) => {
      const where = { rows: { from: index, to: index } };
      const cells = columns.map((_, ci) => {
        const cell = row[ci];
        return cell === null || cell === undefined || cell === false ? '' : pyStr(cell);
      });
      if (cells.every((c) => c === '')) return;
      const vals: Record<string, unknown> = {};
      let xmlid: string | undefined;
      let dbId: number | undefined;
      let failed = false;
      columns.forEach((column, ci) => {
        const text = cells[ci] as string;
        if (column.kind === 'xmlid') {
          if (text !== '') xmlid = text.trim();
          return;
        }
        if (column.kind === 'dbid') {
          if (text === '') return;
          if (/^\d+$/.test(text.trim())) dbId = Number(text.trim());
          else {
            messages.push({
              ...where,
              type: 'error',
              record: index,
              field: '.id',
              message: `Invalid database id '${text}' for the field 'Database ID'`,
            });
            failed = true;
          }
          return;
        }
        const { field, sub } = column;
        if (text === '') {
          vals[field.name] = false;
          return;
        }
        const warnings: CellProblem[] = [];
        try {
          vals[field.name] = convertCell(store, env, field, sub, text, module, warnings);
        } catch (error) {
          if (!(error instanceof CellProblem)) throw error;
          warnings.push(error);
        }
        for (const problem of warnings) {
          messages.push({
            ...where,
            type: problem.type,
            record: index,
            field: field.name,
            message: problem.message,
            ...(problem.moreinfo ? { moreinfo: problem.moreinfo } : {}),
            field_name: field.string,
          });
          if (problem.type === 'error') failed = true;
        }
      });
      if (failed) return;
      try {
        ids.push(store.db.transaction(() => writeRow(store, env, model, vals, xmlid, dbId, module, noupdate))());
      } catch (error) {
        if (error instanceof NotNullViolation) {
          messages.push({
            ...where,
            record: index,
            type: 'error',
            message: `Missing required value for the field '${error.field.string}' (${error.field.name})`,
            field: error.field.name,
          });
        } else if (error instanceof OdooServerError) {
          messages.push({ ...where, type: 'error', record: index, message: error.message });
        } else throw error;
      }
    });
    if (messages.some((m) => m['type'] === 'error')) throw rollback;
  });

  try {
    runAll();
  } catch (error) {
    if (error !== rollback) throw error;
    env.writes.restore(snapshot);
    return { ids: false, messages, nextrow: 0 };
  }
  return { ids, messages, nextrow: 0 };
}

/** Creates or updates the record of one converted row; returns its id. */
function writeRow(
  store: RecordStore,
  env: CallEnv,
  model: ModelDef,
  vals: Record<string, unknown>,
  xmlid: string | undefined,
  dbId: number | undefined,
  module: string,
  noupdate: boolean,
): number {
  if (xmlid !== undefined) {
    const [mod, name] = splitXmlid(xmlid, module);
    const existing = lookupXmlid(store, mod, name);
    if (existing) {
      if (existing.model !== model.name) {
        throw valueError(
          `External ID ${mod}.${name} already refers to a ${existing.model} record, not to ${model.name}.`,
        );
      }
      if (store.existing(model, [existing.res_id]).has(existing.res_id)) {
        store.write(env, model, [existing.res_id], vals);
        return existing.res_id;
      }
      // The record behind the external id was deleted: re-create it and repoint the id.
      const id = store.createOne(env, model, vals);
      store.write(env, store.registry.model('ir.model.data'), [existing.id], { res_id: id });
      return id;
    }
    const id = store.createOne(env, model, vals);
    createXmlid(store, env, mod, name, model.name, id, noupdate);
    return id;
  }
  if (dbId !== undefined) {
    store.write(env, model, [dbId], vals);
    return dbId;
  }
  return store.createOne(env, model, vals);
}
