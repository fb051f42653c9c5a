/**
 * Fields whose value lives on another record: non-stored related fields (read, written and searched through their
 * path, which is also how `_inherits` delegates the parent's fields to the child) and stored related fields (copied
 * from their path when a record is created without them).
 *
 * @packageDocumentation
 */

import type { CallEnv } from './call-env.js';
import type { SqlValue } from './field-values.js';
import type { FieldDef, ModelDef, HookStore } from './model-types.js';
import { fieldOf, hasColumn } from './models/registry.js';

/** Whether `field` is a non-stored related field, read and written through its path. */
export function isDelegated(field: FieldDef): boolean {
  return field.related !== undefined && !hasColumn(field);
}

/** The first field of a related path (the many2one it goes through). */
export function relatedHead(field: FieldDef): string {
  return (field.related as string).split('.')[0] as string;
}

/**
 * Values of the non-stored related `field` for `ids` (wire form: many2one as an id or false, x2many as id lists),
 * followed through the path with the ORM's own `read`.
 */
export function readRelated(
  store: HookStore,
  env: CallEnv,
  model: ModelDef,
  field: FieldDef,
  ids: readonly number[],
): Map<number, unknown> {
  const [head, ...rest] = (field.related as string).split('.');
  const out = new Map<number, unknown>();
  const headField = fieldOf(model, head as string);
  if (!headField || headField.type !== 'many2one' || rest.length === 0) return out;
  const rows = store.read(env, model, ids, [head as string], 'none');
  const targets = [...new Set(rows.map((r) => r[head as string]).filter((v): v is number => typeof v === 'number'))];
  const comodel = store.registry.model(headField.relation as string);
  const remaining = rest.join('.');
  const sub = fieldOf(comodel, rest[0] as string);
  const values = new Map<number, unknown>();
  if (sub && rest.length === 1) {
    for (const row of store.read(env, comodel, targets, [remaining], 'none'))
      values.set(row['id'] as number, row[remaining]);
  } else if (sub) {
    const chained: FieldDef = { ...sub, name: remaining, related: remaining, store: false };
    for (const [id, value] of readRelated(store, env, comodel, chained, targets)) values.set(id, value);
  }
  for (const row of rows) {
    const target = row[head as string];
    out.set(
      row['id'] as number,
      typeof target === 'number' ? (values.get(target) ?? emptyValue(field)) : emptyValue(field),
    );
  }
  return out;
}

/** What Odoo reads for a field without a value. */
export function emptyValue(field: FieldDef): unknown {
  switch (field.type) {
    case 'one2many':
    case 'many2many':
      return [];
    case 'integer':
    case 'float':
    case 'monetary':
      return 0;
    default:
      return false;
  }
}

/**
 * The column value of a stored related field for a new record whose columns are `row`: the value at the end of the
 * path, or undefined when the path does not lead to one (the caller keeps its default then).
 */
export function relatedColumnValue(
  store: HookStore,
  model: ModelDef,
  field: FieldDef,
  row: Readonly<Record<string, SqlValue>>,
): SqlValue | undefined {
  const path = (field.related as string).split('.');
  let current: ModelDef = model;
  let value: SqlValue | undefined = row[path[0] as string];
  for (let index = 1; index < path.length; index += 1) {
    const head = fieldOf(current, path[index - 1] as string);
    if (!head || head.type !== 'many2one' || typeof value !== 'number') return undefined;
    current = store.registry.model(head.relation as string);
    const next = fieldOf(current, path[index] as string);
    if (!next || !hasColumn(next)) return undefined;
    const found = store.statement(`SELECT "${next.name}" AS v FROM ${current.table} WHERE id = ?`).get(value) as
      { v: SqlValue } | undefined;
    value = found?.v ?? null;
  }
  return value ?? undefined;
}
