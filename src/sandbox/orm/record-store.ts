/**
 * The sandbox's record layer: create, write, unlink, read, search and display names on the SQLite tables, with
 * Odoo 17.0's value rules, constraint errors, `ondelete` behaviour and log access fields. Access rights and argument
 * parsing are the caller's business (orm-methods.ts); this layer is also used internally (x2many commands, load).
 *
 * @packageDocumentation
 */

import type Database from 'better-sqlite3';
import { sqliteModule } from './sqlite-module.js';
import { WriteLog, activeTest } from './call-env.js';
import type { CallEnv } from './call-env.js';
import { compileDomain } from './domain-sql.js';
import { fromColumn, toColumn, toMany2oneId } from './field-values.js';
import type { SqlValue } from './field-values.js';
import type { FieldDef, HookContext, ModelDef, HookStore } from './model-types.js';
import type { ModelRegistry } from './models/model-registry.js';
import { fieldOf, hasActive, hasColumn } from './models/registry.js';
import { compileOrder } from './order-sql.js';
import {
  foreignKeyError,
  invalidFieldError,
  missingError,
  notNullError,
  sqlConstraintError,
  typeError,
  uniqueIndexError,
  userError,
  validationError,
  valueError,
} from './orm-errors.js';
import { afterPartnerWrite, checkNoCycle, preparePartnerInsert, refreshCompleteNames } from './partner-sync.js';
import { hashPassword } from './schema.js';
import { emptyValue, isDelegated, readRelated, relatedColumnValue, relatedHead } from './related-values.js';
import { applyX2many } from './x2many-commands.js';

/** A row of column values. */
type Row = Record<string, SqlValue>;

/** How `read` renders many2one values: `[id, name]` (Odoo's `_classic_read`) or the bare id (`load: null`). */
export type ReadLoad = 'classic' | 'none';

/** Paging and ordering of a search. */
export interface SearchOptions {
  /** Records to skip. @default 0 */
  readonly offset?: number;
  /** Maximum number of records; undefined for all. */
  readonly limit?: number | undefined;
  /** Order specification; the model's `_order` when empty. */
  readonly order?: string | undefined;
  /** Override of the context's `active_test`. */
  readonly activeTest?: boolean;
}

const JSON_IDS = '(SELECT value FROM json_each(?))';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Recursion messages of the hierarchical models. */
const CYCLE_MESSAGES: Readonly<Record<string, string>> = {
  'res.partner': 'You cannot create recursive Partner hierarchies.',
  'res.partner.category': 'You can not create recursive tags.',
};

/** Whether a value leaves a field empty. */
function isUnset(value: SqlValue | undefined): boolean {
  return value === null || value === undefined;
}

/** Records of the sandbox database. */
export class RecordStore implements HookStore {
  private readonly statements = new Map<string, Database.Statement>();

  /**
   * @param db the SQLite database
   * @param registry the models it hosts
   */
  constructor(
    readonly db: Database.Database,
    readonly registry: ModelRegistry,
  ) {}

  /** What hooks of `model` receive for a call in `env`. */
  hookContext(env: CallEnv, model: ModelDef): HookContext {
    return { store: this, env, model };
  }

  /** A prepared statement for `sql`, cached (statements depend only on a query's shape, not on its values). */
  statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= 2000) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Existence
  // -------------------------------------------------------------------------------------------------------------------

  /** The subset of `ids` that exist. */
  existing(model: ModelDef, ids: readonly number[]): Set<number> {
    if (ids.length === 0) return new Set();
    const rows = this.statement(`SELECT id FROM ${model.table} WHERE id IN ${JSON_IDS}`).all(JSON.stringify(ids)) as {
      id: number;
    }[];
    return new Set(rows.map((r) => r.id));
  }

  /** Throws Odoo's MissingError naming the first of `ids` that does not exist. */
  requireExisting(env: CallEnv, model: ModelDef, ids: readonly number[]): void {
    const found = this.existing(model, ids);
    for (const id of ids) if (!found.has(id)) throw missingError(model.name, id, env.uid);
  }

  // -------------------------------------------------------------------------------------------------------------------
  // create / write / unlink
  // -------------------------------------------------------------------------------------------------------------------

  /** Creates one record per dict of `valsList`; returns their ids in order. */
  create(env: CallEnv, model: ModelDef, valsList: readonly unknown[]): number[] {
    const ids = valsList.map((vals) => this.createOne(env, model, vals));
    return ids;
  }

  /** Creates one record from `raw` (a dict of field values); returns its id. */
  createOne(env: CallEnv, model: ModelDef, raw: unknown): number {
    if (!isPlainObject(raw)) {
      throw typeError(
        `Invalid values for ${model.name}.create: expected a dict of field values, got ${JSON.stringify(raw)}`,
      );
    }
    this.checkFieldNames(model, raw);
    const vals: Record<string, unknown> = { ...raw };
    for (const field of Object.values(model.fields)) {
      if (field.name in vals || field.computed) continue;
      // A delegated field of a given parent record belongs to that parent: its default must not overwrite it.
      if (isDelegated(field) && relatedHead(field) in raw) continue;
      const contextDefault = env.context[`default_${field.name}`];
      if (contextDefault !== undefined) vals[field.name] = contextDefault;
      else if (field.default) vals[field.name] = field.default({ context: env.context, now: env.now });
    }
    const ctx = this.hookContext(env, model);
    model.hooks?.beforeCreate?.(ctx, vals);
    const extra = this.beforeWrite(env, model, vals, 'create');
    const { row, x2many, delegated } = this.splitValues(model, vals);
    Object.assign(row, extra);
    for (const [parentModel, parentField] of Object.entries(model.inherits ?? {})) {
      const parentVals = delegated.get(parentField) ?? {};
      delegated.delete(parentField);
      if (isUnset(row[parentField])) {
        // _inherits: the parent record is created with the delegated values; the child points at it.
        row[parentField] = this.createOne(
          { ...env, context: { ...env.context, create_product_product: false } },
          this.registry.model(parentModel),
          parentVals,
        );
      } else if (Object.keys(parentVals).length > 0) {
        this.write(env, this.registry.model(parentModel), [row[parentField] as number], parentVals);
      }
    }
    for (const field of Object.values(model.fields)) {
      if (field.related === undefined || !hasColumn(field) || field.name in raw) continue;
      const value = relatedColumnValue(this, model, field, row);
      if (value !== undefined) row[field.name] = value;
    }
    if (model.fromSnapshot) this.checkRequired(model, row, undefined);
    this.checkForeignKeys(model, row);
    if (model.name === 'res.partner') preparePartnerInsert(this, row);
    Object.assign(row, { create_uid: env.uid, create_date: env.now, write_uid: env.uid, write_date: env.now });
    const columns = Object.keys(row);
    const sql =
      `INSERT INTO ${model.table} (${columns.map((c) => `"${c}"`).join(', ')}) ` +
      `VALUES (${columns.map(() => '?').join(', ')})`;
    let id: number;
    try {
      id = Number(this.statement(sql).run(...columns.map((c) => row[c] as SqlValue)).lastInsertRowid);
    } catch (error) {
      throw this.mapConstraintError(model, error, (cols) => cols.map((c) => row[c]));
    }
    env.writes.add(model.name, 'create', 1);
    for (const [field, value] of x2many) applyX2many(this, env, model, field, id, value);
    this.writeDelegated(env, model, [id], delegated);
    model.hooks?.afterCreate?.(ctx, id, vals);
    return id;
  }

  /** Writes `raw` on every record of `ids` (MissingError if one does not exist). */
  write(env: CallEnv, model: ModelDef, ids: readonly number[], raw: unknown): void {
    if (!isPlainObject(raw)) {
      throw typeError(
        `Invalid values for ${model.name}.write: expected a dict of field values, got ${JSON.stringify(raw)}`,
      );
    }
    this.checkFieldNames(model, raw);
    this.requireExisting(env, model, ids);
    if (ids.length === 0) return;
    const vals: Record<string, unknown> = { ...raw };
    const ctx = this.hookContext(env, model);
    model.hooks?.beforeWrite?.(ctx, ids, vals);
    const extra = this.beforeWrite(env, model, vals, 'write');
    const { row, x2many, delegated } = this.splitValues(model, vals);
    Object.assign(row, extra);
    if (model.fromSnapshot) this.checkRequired(model, row, Object.keys(row));
    this.checkForeignKeys(model, row);
    const cycleMessage = CYCLE_MESSAGES[model.name];
    if (cycleMessage && typeof row['parent_id'] === 'number') {
      checkNoCycle(this, model.table, ids, row['parent_id'], cycleMessage);
    }
    const columns = Object.keys(row);
    if (columns.length === 0 && x2many.length === 0 && delegated.size === 0 && model.fromSnapshot) {
      model.hooks?.afterWrite?.(ctx, ids, vals);
      return;
    }
    // write_date moves forward on every write, even two writes within the same second, so that "changed since" checks
    // comparing write_date always see a change.
    const sql =
      `UPDATE ${model.table} SET ${columns.map((c) => `"${c}" = ?, `).join('')}write_uid = ?, ` +
      `write_date = CASE WHEN write_date >= ? THEN strftime('%Y-%m-%d %H:%M:%S', write_date, '+1 second') ELSE ? END ` +
      `WHERE id IN ${JSON_IDS}`;
    try {
      this.statement(sql).run(
        ...columns.map((c) => row[c] as SqlValue),
        env.uid,
        env.now,
        env.now,
        JSON.stringify(ids),
      );
    } catch (error) {
      throw this.mapConstraintError(model, error, (cols) => {
        const current = this.statement(`SELECT * FROM ${model.table} WHERE id = ?`).get(ids[0]) as Row | undefined;
        return cols.map((c) => (c in row ? row[c] : current?.[c]));
      });
    }
    env.writes.add(model.name, 'write', ids.length);
    for (const id of ids) for (const [field, value] of x2many) applyX2many(this, env, model, field, id, value);
    this.writeDelegated(env, model, ids, delegated);
    model.hooks?.afterWrite?.(ctx, ids, vals);
    if (model.name === 'res.partner') afterPartnerWrite(this, ids, row);
    if (model.name === 'res.users' && 'name' in row) {
      const partners = this.statement(`SELECT partner_id FROM res_users WHERE id IN ${JSON_IDS}`).all(
        JSON.stringify(ids),
      ) as {
        partner_id: number;
      }[];
      this.write(
        env,
        this.registry.model('res.partner'),
        partners.map((p) => p.partner_id),
        { name: row['name'] },
      );
    }
  }

  /** Deletes `ids`, applying `ondelete` of every many2one pointing at them. */
  unlink(env: CallEnv, model: ModelDef, requested: readonly number[]): void {
    const found = this.existing(model, requested);
    if (model.unlinkChecksExistence)
      for (const id of requested) if (!found.has(id)) throw missingError(model.name, id, env.uid);
    const ids = [...found];
    if (ids.length === 0) return;
    if (model.name === 'res.users' && ids.some((id) => id === 1 || id === 2)) {
      throw userError(
        'You can not remove the admin user as it is used internally for resources created by Odoo (updates, module installation, ...)',
      );
    }
    model.hooks?.beforeUnlink?.(this.hookContext(env, model), ids);
    const idsJson = JSON.stringify(ids);
    for (const { model: referencing, field } of this.registry.referencesTo(model.name)) {
      const others =
        `SELECT id FROM ${referencing.table} WHERE "${field.name}" IN ${JSON_IDS}` +
        (referencing === model ? ` AND id NOT IN ${JSON_IDS}` : '');
      const params = referencing === model ? [idsJson, idsJson] : [idsJson];
      const affected = (this.statement(others).all(...params) as { id: number }[]).map((r) => r.id);
      if (affected.length === 0) continue;
      if (field.ondelete === 'restrict') throw foreignKeyError(referencing, field);
      if (field.ondelete === 'cascade') {
        this.unlink(env, referencing, affected);
      } else {
        this.statement(`UPDATE ${referencing.table} SET "${field.name}" = NULL WHERE id IN ${JSON_IDS}`).run(
          JSON.stringify(affected),
        );
        if (referencing.name === 'res.partner' && field.name === 'parent_id') refreshCompleteNames(this, affected);
      }
    }
    for (const { model: other, field } of this.registry.many2manyFields()) {
      if (other === model) {
        this.statement(`DELETE FROM ${field.relationTable} WHERE "${field.column1}" IN ${JSON_IDS}`).run(idsJson);
      }
      if (field.relation === model.name) {
        this.statement(`DELETE FROM ${field.relationTable} WHERE "${field.column2}" IN ${JSON_IDS}`).run(idsJson);
      }
    }
    this.statement(`DELETE FROM ${model.table} WHERE id IN ${JSON_IDS}`).run(idsJson);
    env.writes.add(model.name, 'unlink', ids.length);
  }

  /** Refuses unknown keys with Odoo's `Invalid field` ValueError. */
  private checkFieldNames(model: ModelDef, vals: Record<string, unknown>): void {
    for (const key of Object.keys(vals)) if (!fieldOf(model, key)) throw invalidFieldError(model.name, key);
  }

  /** Model-specific value rules; returns extra column values that are not fields (the password hash). */
  private beforeWrite(env: CallEnv, model: ModelDef, vals: Record<string, unknown>, mode: 'create' | 'write'): Row {
    const extra: Row = {};
    if (model.name === 'res.country' && typeof vals['code'] === 'string') vals['code'] = vals['code'].toUpperCase();
    if (model.name === 'ir.model.data' && typeof vals['name'] === 'string' && vals['name'].includes(' ')) {
      throw validationError('External IDs cannot contain spaces');
    }
    if (model.name === 'res.partner' && typeof vals['website'] === 'string' && vals['website'] !== '') {
      // Odoo's _clean_website: a website without a scheme gets http://.
      if (!/^[a-z][a-z0-9+.-]*:/i.test(vals['website'])) vals['website'] = `http://${vals['website']}`;
    }
    if (model.name === 'res.users') {
      if ('password' in vals) {
        const password = vals['password'];
        delete vals['password'];
        if (password !== false && password !== null && password !== '')
          extra['password_hash'] = hashPassword(String(password));
      }
      if (mode === 'create' && (vals['partner_id'] === undefined || vals['partner_id'] === false)) {
        vals['partner_id'] = this.createOne(env, this.registry.model('res.partner'), {
          name: vals['name'] ?? false,
          ...(typeof vals['login'] === 'string' && vals['login'].includes('@') ? { email: vals['login'] } : {}),
        });
      }
    }
    return extra;
  }

  /**
   * Column values, x2many values and delegated values (per many2one of the path: the values to write on the record
   * it points at) of `vals`; computed fields are ignored, as Odoo does over RPC.
   */
  private splitValues(
    model: ModelDef,
    vals: Record<string, unknown>,
  ): { row: Row; x2many: [FieldDef, unknown][]; delegated: Map<string, Record<string, unknown>> } {
    const row: Row = {};
    const x2many: [FieldDef, unknown][] = [];
    const delegated = new Map<string, Record<string, unknown>>();
    for (const [name, value] of Object.entries(vals)) {
      const field = model.fields[name] as FieldDef;
      if (field.computed) continue;
      if (isDelegated(field)) {
        const [head, ...rest] = (field.related as string).split('.');
        // Only a one-step path can be written through (`product_tmpl_id.name`); longer ones are read-only here.
        if (rest.length !== 1) continue;
        const target = delegated.get(head as string) ?? {};
        target[rest[0] as string] = value;
        delegated.set(head as string, target);
      } else if (field.type === 'one2many' || field.type === 'many2many') x2many.push([field, value]);
      else if (hasColumn(field)) row[name] = toColumn(model, field, value);
    }
    return { row, x2many, delegated };
  }

  /** Writes delegated values on the records the many2one of their path points at. */
  private writeDelegated(
    env: CallEnv,
    model: ModelDef,
    ids: readonly number[],
    delegated: ReadonlyMap<string, Record<string, unknown>>,
  ): void {
    for (const [head, vals] of delegated) {
      const field = model.fields[head] as FieldDef;
      const comodel = this.registry.model(field.relation as string);
      const targets = this.statement(`SELECT DISTINCT "${head}" AS t FROM ${model.table} WHERE id IN ${JSON_IDS}`)
        .all(JSON.stringify(ids))
        .map((r) => (r as { t: number | null }).t)
        .filter((t): t is number => t !== null);
      if (targets.length > 0) this.write(env, comodel, targets, vals);
    }
  }

  /**
   * Refuses an empty required column (all of them on create, `written` on write) with Odoo's NOT NULL error; models of
   * a snapshot check it here, after defaults and computations, instead of with NOT NULL columns.
   */
  private checkRequired(model: ModelDef, row: Row, written: readonly string[] | undefined): void {
    const names = written ?? Object.keys(model.fields);
    for (const name of names) {
      const field = model.fields[name];
      if (!field?.required || !hasColumn(field) || field.computed) continue;
      if (isUnset(row[name])) throw notNullError(model, field);
    }
  }

  /** A many2one pointing at a record that does not exist is a foreign key violation, as in PostgreSQL. */
  private checkForeignKeys(model: ModelDef, row: Row): void {
    for (const [name, value] of Object.entries(row)) {
      const field = model.fields[name];
      if (field?.type !== 'many2one' || value === null) continue;
      const comodel = this.registry.model(field.relation as string);
      if (!this.statement(`SELECT 1 FROM ${comodel.table} WHERE id = ?`).get(value))
        throw foreignKeyError(model, field);
    }
  }

  /** Turns an SQLite constraint failure into Odoo's ValidationError; anything else is returned unchanged. */
  private mapConstraintError(
    model: ModelDef,
    error: unknown,
    valuesOf: (columns: readonly string[]) => unknown[],
  ): unknown {
    if (!(error instanceof sqliteModule().SqliteError)) return error;
    const detail = error.message.replace(/^[A-Z ]+ constraint failed: /, '');
    if (error.code === 'SQLITE_CONSTRAINT_NOTNULL') {
      const field = fieldOf(model, detail.slice(detail.indexOf('.') + 1));
      if (field) return notNullError(model, field);
    }
    if (error.code === 'SQLITE_CONSTRAINT_CHECK') {
      const check = model.checks.find((c) => c.name === detail);
      if (check) return sqlConstraintError(check.message);
    }
    if (error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
      const columns = detail.split(', ').map((c) => c.slice(c.indexOf('.') + 1));
      const unique = model.uniques.find((u) => u.columns.join(',') === columns.join(','));
      if (unique) {
        return unique.message !== undefined
          ? sqlConstraintError(unique.message)
          : uniqueIndexError(unique.name, unique.columns, valuesOf(unique.columns));
      }
    }
    return error;
  }

  // -------------------------------------------------------------------------------------------------------------------
  // read
  // -------------------------------------------------------------------------------------------------------------------

  /** Checks field names for read / search_read. */
  readFieldNames(model: ModelDef, fields: readonly string[] | undefined): string[] {
    if (!fields || fields.length === 0) return Object.keys(model.fields);
    for (const name of fields) {
      if (typeof name !== 'string' || !fieldOf(model, name)) throw invalidFieldError(model.name, String(name));
    }
    return [...new Set(fields)];
  }

  /**
   * Reads `fields` of `ids` (all fields when empty), in the order of `ids`; ids that do not exist are dropped.
   * Each result starts with `id`, then the fields in the order asked.
   */
  read(
    env: CallEnv,
    model: ModelDef,
    ids: readonly number[],
    fields: readonly string[] | undefined,
    load: ReadLoad,
  ): Record<string, unknown>[] {
    const names = this.readFieldNames(model, fields).filter((n) => n !== 'id');
    if (ids.length === 0) return [];
    const defs = names.map((n) => model.fields[n] as FieldDef);
    const columns = new Set<string>();
    for (const field of defs) if (hasColumn(field) && field.name !== 'id') columns.add(field.name);
    if (names.includes('display_name') && model.name === 'res.partner') columns.add('complete_name');
    if (model.name === 'ir.model.data' && (names.includes('complete_name') || names.includes('reference'))) {
      for (const c of ['module', 'name', 'model', 'res_id']) columns.add(c);
    }
    const sql = `SELECT id${[...columns].map((c) => `, "${c}"`).join('')} FROM ${model.table} WHERE id IN ${JSON_IDS}`;
    const rows = new Map<number, Row>();
    for (const row of this.statement(sql).all(JSON.stringify(ids)) as Row[]) rows.set(row['id'] as number, row);
    const present = ids.filter((id) => rows.has(id));
    const presentIds = [...new Set(present)];

    // Values that are not columns: x2many ids, delegated (related) fields and the model's computations.
    const other = new Map<string, ReadonlyMap<number, unknown>>();
    const toCompute: string[] = [];
    for (const field of defs) {
      if (field.type === 'one2many' || field.type === 'many2many') {
        if (isDelegated(field)) other.set(field.name, readRelated(this, env, model, field, presentIds));
        else other.set(field.name, this.x2manyIds(env, field, presentIds));
      } else if (field.name !== 'display_name' && !hasColumn(field)) {
        if (isDelegated(field)) other.set(field.name, readRelated(this, env, model, field, presentIds));
        else toCompute.push(field.name);
      }
    }
    if (toCompute.length > 0 && model.hooks?.compute) {
      for (const [name, values] of model.hooks.compute(this.hookContext(env, model), presentIds, toCompute)) {
        other.set(name, values);
      }
    }
    const displayNames = names.includes('display_name') ? this.displayNames(model, presentIds, env) : undefined;

    const many2oneNames = new Map<string, Map<number, string | false>>();
    const many2oneValue = (field: FieldDef, id: number, row: Row): number | false => {
      const value = hasColumn(field) ? row[field.name] : other.get(field.name)?.get(id);
      return typeof value === 'number' ? value : false;
    };
    if (load === 'classic') {
      for (const field of defs) {
        if (field.type !== 'many2one') continue;
        const targets = new Set<number>();
        for (const [id, row] of rows) {
          const target = many2oneValue(field, id, row);
          if (target !== false) targets.add(target);
        }
        const comodel = field.relation as string;
        const known = many2oneNames.get(comodel) ?? new Map<number, string | false>();
        const missing = [...targets].filter((t) => !known.has(t));
        for (const [id, name] of this.displayNames(this.registry.model(comodel), missing, env)) known.set(id, name);
        many2oneNames.set(comodel, known);
      }
    }

    return present.map((id) => {
      const row = rows.get(id) as Row;
      const record: Record<string, unknown> = { id };
      for (const field of defs) {
        const name = field.name;
        if (name === 'display_name') record[name] = displayNames?.get(id) ?? false;
        else if (field.type === 'many2one') {
          const target = many2oneValue(field, id, row);
          if (target === false) record[name] = false;
          else if (load === 'classic')
            record[name] = [target, many2oneNames.get(field.relation as string)?.get(target) ?? false];
          else record[name] = target;
        } else if (other.has(name)) record[name] = other.get(name)?.get(id) ?? emptyValue(field);
        else if (model.name === 'ir.model.data' && name === 'complete_name')
          record[name] = `${row['module'] as string}.${row['name'] as string}`;
        else if (model.name === 'ir.model.data' && name === 'reference')
          record[name] = `${row['model'] as string},${String(row['res_id'])}`;
        else if (!hasColumn(field))
          record[name] = field.type === 'char' && !model.fromSnapshot ? '' : emptyValue(field);
        else record[name] = fromColumn(field, row[name]);
      }
      return record;
    });
  }

  /** x2many values of `ids`: linked ids in the comodel's order, archived comodel records left out (active_test). */
  private x2manyIds(env: CallEnv, field: FieldDef, ids: readonly number[]): Map<number, number[]> {
    const out = new Map<number, number[]>();
    if (ids.length === 0) return out;
    const comodel = this.registry.model(field.relation as string);
    // A one2many into a model the sandbox keeps only as a name (mail.message and the like, outside the snapshot) has
    // no inverse column to read: the sandbox holds none of those records, so every such list is empty.
    if (field.type === 'one2many' && comodel.fields[field.inverseName as string] === undefined) return out;
    const active = activeTest(env) && hasActive(comodel) ? ' AND COALESCE(t."active", 0) = 1' : '';
    const order = compileOrder(this.registry, comodel, undefined, 't');
    const filter = field.type === 'one2many' ? field.lineFilter : undefined;
    const only =
      filter === undefined
        ? ''
        : ` AND t."${filter.field}" IN (${filter.values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`;
    const sql =
      field.type === 'one2many'
        ? `SELECT t."${field.inverseName}" AS owner, t.id AS id FROM ${comodel.table} t ` +
          `WHERE t."${field.inverseName}" IN ${JSON_IDS}${active}${only} ORDER BY ${order}`
        : `SELECT r."${field.column1}" AS owner, t.id AS id FROM ${field.relationTable} r ` +
          `JOIN ${comodel.table} t ON t.id = r."${field.column2}" WHERE r."${field.column1}" IN ${JSON_IDS}${active} ORDER BY ${order}`;
    for (const row of this.statement(sql).all(JSON.stringify(ids)) as { owner: number; id: number }[]) {
      const list = out.get(row.owner);
      if (list) list.push(row.id);
      else out.set(row.owner, [row.id]);
    }
    return out;
  }

  /** Display names of `ids` (those that exist). */
  displayNames(model: ModelDef, ids: readonly number[], env?: CallEnv): Map<number, string | false> {
    const out = new Map<number, string | false>();
    if (ids.length === 0) return out;
    const hook = model.hooks?.displayNames;
    if (hook) {
      const hookEnv: CallEnv = env ?? { uid: 1, context: {}, now: '', writes: new WriteLog() };
      return hook(this.hookContext(hookEnv, model), ids);
    }
    if (model.name === 'res.partner.category') {
      // "Parent / Child", walking up the tag hierarchy.
      const byId = new Map<number, { name: string; parent_id: number | null }>();
      let pending = [...new Set(ids)];
      while (pending.length > 0) {
        const rows = this.statement(`SELECT id, name, parent_id FROM res_partner_category WHERE id IN ${JSON_IDS}`).all(
          JSON.stringify(pending),
        ) as { id: number; name: string; parent_id: number | null }[];
        for (const row of rows) byId.set(row.id, row);
        pending = rows.map((r) => r.parent_id).filter((p): p is number => p !== null && !byId.has(p));
      }
      for (const id of ids) {
        const parts: string[] = [];
        const seen = new Set<number>();
        let current = byId.get(id);
        while (current && !seen.has(id)) {
          parts.unshift(current.name);
          if (current.parent_id === null || seen.has(current.parent_id)) break;
          seen.add(current.parent_id);
          current = byId.get(current.parent_id);
        }
        if (byId.has(id)) out.set(id, parts.join(' / '));
      }
      return out;
    }
    const column = model.recName;
    const rows = this.statement(`SELECT id, "${column}" AS name FROM ${model.table} WHERE id IN ${JSON_IDS}`).all(
      JSON.stringify(ids),
    ) as { id: number; name: string | null }[];
    for (const row of rows) out.set(row.id, row.name === null ? false : row.name);
    return out;
  }

  // -------------------------------------------------------------------------------------------------------------------
  // search
  // -------------------------------------------------------------------------------------------------------------------

  /** Ids matching `domain`, ordered and paged. */
  search(env: CallEnv, model: ModelDef, domain: unknown, options: SearchOptions = {}): number[] {
    const where = compileDomain(model, domain, 'm', {
      activeTest: options.activeTest ?? activeTest(env),
      registry: this.registry,
    });
    const order = compileOrder(this.registry, model, options.order, 'm');
    const params: SqlValue[] = [...where.params];
    let sql = `SELECT m.id AS id FROM ${model.table} m WHERE ${where.sql} ORDER BY ${order}`;
    if (options.limit !== undefined || (options.offset ?? 0) > 0) {
      sql += ' LIMIT ? OFFSET ?';
      params.push(options.limit ?? -1, options.offset ?? 0);
    }
    return (this.statement(sql).all(...params) as { id: number }[]).map((r) => r.id);
  }

  /** Number of records matching `domain` (at most `limit` when given). */
  count(env: CallEnv, model: ModelDef, domain: unknown, limit?: number): number {
    const where = compileDomain(model, domain, 'm', { activeTest: activeTest(env), registry: this.registry });
    const inner = `SELECT m.id FROM ${model.table} m WHERE ${where.sql}`;
    const sql =
      limit === undefined
        ? `SELECT count(*) AS n FROM ${model.table} m WHERE ${where.sql}`
        : `SELECT count(*) AS n FROM (${inner} LIMIT ?)`;
    const params = limit === undefined ? where.params : [...where.params, limit];
    return (this.statement(sql).get(...params) as { n: number }).n;
  }

  /** The many2one id in `value` (id, false, [id, name]) or a ValueError. */
  static many2oneId(value: unknown): number | null {
    try {
      return toMany2oneId(value);
    } catch {
      throw valueError(`Invalid id: ${JSON.stringify(value)}`);
    }
  }
}
