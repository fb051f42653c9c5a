/**
 * Small helpers the company models' behaviours share: reading columns of records, document sequences and
 * "[CODE] Name" display names.
 *
 * @packageDocumentation
 */

import type { SqlValue } from '../orm/field-values.js';
import type { HookContext, ModelDef, HookStore } from '../orm/model-types.js';

/** A record's columns as stored. */
export type Columns = Record<string, SqlValue>;

/** The stored columns `columns` of the records `ids` of `model`, by id. */
export function columnsOf(
  store: HookStore,
  model: ModelDef,
  ids: readonly number[],
  columns: readonly string[],
): Map<number, Columns> {
  const out = new Map<number, Columns>();
  if (ids.length === 0) return out;
  const sql =
    `SELECT id${columns.map((c) => `, "${c}"`).join('')} FROM ${model.table} ` +
    'WHERE id IN (SELECT value FROM json_each(?))';
  for (const row of store.statement(sql).all(JSON.stringify(ids)) as Columns[]) out.set(row['id'] as number, row);
  return out;
}

/** The stored columns of one record (undefined when it does not exist). */
export function columnsOfOne(
  store: HookStore,
  model: ModelDef,
  id: number,
  columns: readonly string[],
): Columns | undefined {
  return columnsOf(store, model, [id], columns).get(id);
}

/** Sets stored columns of `ids` directly (computed values the ORM maintains, not user writes). */
export function setColumns(store: HookStore, model: ModelDef, ids: readonly number[], values: Columns): void {
  const names = Object.keys(values);
  if (names.length === 0 || ids.length === 0) return;
  store
    .statement(
      `UPDATE ${model.table} SET ${names.map((c) => `"${c}" = ?`).join(', ')} WHERE id IN (SELECT value FROM json_each(?))`,
    )
    .run(...names.map((c) => values[c] as SqlValue), JSON.stringify(ids));
}

/**
 * The next number of sequence `key` (a counter per key kept in the database, so that it survives restarts of a file
 * sandbox), formatted as `prefix` + the number padded to `padding` digits.
 */
export function nextSequence(store: HookStore, key: string, prefix: string, padding: number): string {
  store
    .statement('INSERT INTO zenoo_sequence (key, next) VALUES (?, 1) ON CONFLICT(key) DO UPDATE SET next = next + 1')
    .run(key);
  const { next } = store.statement('SELECT next FROM zenoo_sequence WHERE key = ?').get(key) as { next: number };
  return `${prefix}${String(next).padStart(padding, '0')}`;
}

/** The table behind {@link nextSequence}. */
export const SEQUENCE_TABLE_DDL = 'CREATE TABLE zenoo_sequence (key TEXT PRIMARY KEY, next INTEGER NOT NULL)';

/** Odoo's product display name: `[CODE] Name`, or the name alone without a code. */
export function codeAndName(code: SqlValue | undefined, name: SqlValue | undefined): string | false {
  if (typeof name !== 'string') return false;
  return typeof code === 'string' && code !== '' ? `[${code}] ${name}` : name;
}

/** The model named `name` of the hook's registry. */
export function modelNamed(ctx: HookContext, name: string): ModelDef {
  return ctx.store.registry.model(name);
}

/** Round half away from zero to `digits` decimals, as Odoo's float_round for currency amounts. */
export function roundAmount(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return (Math.sign(value) * Math.round(Math.abs(value) * factor + Number.EPSILON)) / factor;
}

/** Recomputes the stored `complete_name` ("Parent / Child") of records `ids` of a hierarchy and of their descendants. */
export function refreshCompleteNames(ctx: HookContext, ids: readonly number[]): void {
  const { store, model } = ctx;
  const rows = store
    .statement(
      `WITH RECURSIVE h(id) AS (SELECT value FROM json_each(?) UNION SELECT c.id FROM ${model.table} c JOIN h ON c.parent_id = h.id) SELECT id FROM h`,
    )
    .all(JSON.stringify(ids)) as { id: number }[];
  const nameOf = (id: number, seen: Set<number>): string => {
    const row = columnsOfOne(store, model, id, ['name', 'parent_id']);
    if (!row) return '';
    const parent = row['parent_id'];
    if (typeof parent !== 'number' || seen.has(parent)) return String(row['name'] ?? '');
    seen.add(parent);
    return `${nameOf(parent, seen)} / ${String(row['name'] ?? '')}`;
  };
  for (const { id } of rows) setColumns(store, model, [id], { complete_name: nameOf(id, new Set([id])) });
}
