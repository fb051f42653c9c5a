/**
 * x2many write commands (Odoo's `Command`): `[0,0,vals]` create, `[1,id,vals]` update, `[2,id,0]` delete,
 * `[3,id,0]` unlink, `[4,id,0]` link, `[5,0,0]` clear, `[6,0,ids]` set; plus the shorthands Odoo accepts: a plain
 * list of ids (set), dicts (create) and `false` (clear).
 *
 * On a one2many, linking sets the comodel's inverse many2one and unlinking clears it; on a many2many they add or
 * remove rows of the relation table. Command 2 deletes the target record, even on a many2many.
 *
 * @packageDocumentation
 */

import type { CallEnv } from './call-env.js';
import type { FieldDef, HookStore, ModelDef } from './model-types.js';
import { foreignKeyError, valueError } from './orm-errors.js';
import { pyRepr } from './python-repr.js';

/** One normalised command: `[code, id, payload]`. */
export type X2ManyCommand = readonly [number, number, unknown];

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** Normalises an x2many value into a list of commands; throws ValueError for anything Odoo would refuse. */
export function normalizeX2many(model: ModelDef, field: FieldDef, value: unknown): X2ManyCommand[] {
  if (value === false || value === null || value === undefined) return [[5, 0, 0]];
  if (!Array.isArray(value)) throw valueError(`Wrong value for ${model.name}.${field.name}: ${pyRepr(value)}`);
  if (value.every(isId)) return [[6, 0, value]];
  return value.map((item): X2ManyCommand => {
    if (isId(item)) return [4, item, 0];
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) return [0, 0, item];
    if (Array.isArray(item) && isId(item[0]) && item[0] >= 0 && item[0] <= 6) {
      const id = item[1] === undefined || item[1] === false || item[1] === null ? 0 : item[1];
      if (!isId(id)) throw valueError(`Wrong value for ${model.name}.${field.name}: ${pyRepr(item)}`);
      return [item[0], id, item[2] ?? 0];
    }
    throw valueError(`Wrong value for ${model.name}.${field.name}: ${pyRepr(item)}`);
  });
}

function idList(model: ModelDef, field: FieldDef, value: unknown): number[] {
  if (value === false || value === null || value === 0) return [];
  if (!Array.isArray(value) || !value.every(isId))
    throw valueError(`Wrong value for ${model.name}.${field.name}: ${pyRepr(value)}`);
  return [...new Set(value)];
}

/** Applies `value` (commands or shorthand) to x2many `field` of record `recordId` of `model`. */
export function applyX2many(
  store: HookStore,
  env: CallEnv,
  model: ModelDef,
  field: FieldDef,
  recordId: number,
  value: unknown,
): void {
  const comodel = store.registry.model(field.relation as string);
  for (const [code, id, payload] of normalizeX2many(model, field, value)) {
    switch (code) {
      case 0: {
        const vals = typeof payload === 'object' && payload !== null ? { ...(payload as Record<string, unknown>) } : {};
        if (field.type === 'one2many') vals[field.inverseName as string] = recordId;
        const created = store.createOne(env, comodel, vals);
        if (field.type === 'many2many') link(store, field, recordId, [created]);
        break;
      }
      case 1:
        store.write(env, comodel, [id], payload);
        break;
      case 2:
        store.unlink(env, comodel, [id]);
        break;
      case 3:
        unlinkFrom(store, env, field, comodel, recordId, [id]);
        break;
      case 4:
        linkTo(store, env, model, field, comodel, recordId, [id]);
        break;
      case 5:
        unlinkFrom(store, env, field, comodel, recordId, currentIds(store, field, comodel, recordId));
        break;
      case 6: {
        const wanted = idList(model, field, payload);
        const current = currentIds(store, field, comodel, recordId);
        unlinkFrom(
          store,
          env,
          field,
          comodel,
          recordId,
          current.filter((c) => !wanted.includes(c)),
        );
        linkTo(
          store,
          env,
          model,
          field,
          comodel,
          recordId,
          wanted.filter((w) => !current.includes(w)),
        );
        break;
      }
      default:
        throw valueError(`Wrong value for ${model.name}.${field.name}: ${pyRepr(value)}`);
    }
  }
}

function currentIds(store: HookStore, field: FieldDef, comodel: ModelDef, recordId: number): number[] {
  const sql =
    field.type === 'one2many'
      ? `SELECT id FROM ${comodel.table} WHERE "${field.inverseName}" = ?`
      : `SELECT "${field.column2}" AS id FROM ${field.relationTable} WHERE "${field.column1}" = ?`;
  return (store.statement(sql).all(recordId) as { id: number }[]).map((r) => r.id);
}

function unlinkFrom(
  store: HookStore,
  env: CallEnv,
  field: FieldDef,
  comodel: ModelDef,
  recordId: number,
  ids: readonly number[],
): void {
  if (ids.length === 0) return;
  if (field.type === 'one2many') {
    const linked = currentIds(store, field, comodel, recordId).filter((id) => ids.includes(id));
    if (linked.length === 0) return;
    // Odoo deletes the lines instead when the inverse many2one is ondelete='cascade' (they cannot live unlinked).
    if (comodel.fields[field.inverseName as string]?.ondelete === 'cascade') store.unlink(env, comodel, linked);
    else store.write(env, comodel, linked, { [field.inverseName as string]: false });
    return;
  }
  store
    .statement(
      `DELETE FROM ${field.relationTable} WHERE "${field.column1}" = ? AND "${field.column2}" IN (SELECT value FROM json_each(?))`,
    )
    .run(recordId, JSON.stringify(ids));
}

function linkTo(
  store: HookStore,
  env: CallEnv,
  model: ModelDef,
  field: FieldDef,
  comodel: ModelDef,
  recordId: number,
  ids: readonly number[],
): void {
  if (ids.length === 0) return;
  if (field.type === 'one2many') {
    store.write(env, comodel, ids, { [field.inverseName as string]: recordId });
    return;
  }
  const found = store.existing(comodel, ids);
  if (ids.some((id) => !found.has(id))) throw foreignKeyError(model, field);
  link(store, field, recordId, ids);
}

function link(store: HookStore, field: FieldDef, recordId: number, ids: readonly number[]): void {
  const insert = store.statement(
    `INSERT OR IGNORE INTO ${field.relationTable} ("${field.column1}", "${field.column2}") VALUES (?, ?)`,
  );
  for (const id of ids) insert.run(recordId, id);
}
