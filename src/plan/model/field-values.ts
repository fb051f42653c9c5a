/**
 * Field comparison for the diff: whether the value read from Odoo already equals the value the plan wants, by field
 * type. A field already equal is not an update, so this decides what an upsert writes.
 *
 * Odoo reads a many2one as `[id, display name]` (or `false`), x2many fields as id lists, empty char/text/html/date
 * fields as `false`; plans give ids, x2many commands (`[[6, 0, ids]]`, `[[4, id]]`, `[[3, id]]`) or id lists, and
 * values from CSV as strings. Everything is normalised to one comparable form first.
 *
 * @packageDocumentation
 */
import { convertValue } from './convert-value.js';
import { isPendingRef } from './diff-types.js';

/** The part of a `fields_get` description the comparison needs. */
export interface FieldInfo {
  /** Odoo field type: char, text, html, integer, float, monetary, boolean, date, datetime, selection, many2one, … */
  readonly type: string;
  /** Related model for relational fields. */
  readonly relation?: string;
}

/** Field types whose value is one record id. */
const TO_ONE = new Set(['many2one', 'many2one_reference']);
/** Field types whose value is a set of record ids. */
const TO_MANY = new Set(['many2many', 'one2many']);
/** Field types whose empty value Odoo reads as `false`. */
const TEXTUAL = new Set(['char', 'text', 'html', 'selection', 'date', 'datetime']);
const NUMERIC = new Set(['integer', 'float', 'monetary']);

/** Id of a many2one value as read (`[id, name]`) or as planned (`id`), or false. */
function toOneId(value: unknown): number | false | undefined {
  if (value === false || value === null || value === undefined) {
    return false;
  }
  if (typeof value === 'number') {
    return value;
  }
  if (Array.isArray(value) && typeof value[0] === 'number') {
    return value[0];
  }
  if (typeof value === 'string' && /^\d+$/.test(value)) {
    return Number(value);
  }
  return undefined;
}

/**
 * The set of ids an x2many field holds after the planned value is written over `before`, or undefined when it cannot
 * be known without writing (commands creating or editing linked records: those always count as a change).
 */
export function x2manyAfter(before: readonly number[], planned: unknown): number[] | undefined {
  if (planned === false || planned === null) {
    return [];
  }
  if (!Array.isArray(planned)) {
    return undefined;
  }
  if (planned.every((item) => typeof item === 'number')) {
    return [...new Set(planned as number[])];
  }
  const ids = new Set(before);
  for (const command of planned) {
    if (!Array.isArray(command)) {
      return undefined;
    }
    const [code, id, payload] = command as [unknown, unknown, unknown];
    switch (code) {
      case 3:
        if (typeof id !== 'number') return undefined;
        ids.delete(id);
        break;
      case 4:
        if (typeof id !== 'number') return undefined;
        ids.add(id);
        break;
      case 5:
        ids.clear();
        break;
      case 6:
        if (!Array.isArray(payload) || !payload.every((item) => typeof item === 'number')) return undefined;
        ids.clear();
        for (const item of payload as number[]) ids.add(item);
        break;
      default:
        // 0 (create), 1 (update), 2 (delete): the result depends on the write itself.
        return undefined;
    }
  }
  return [...ids];
}

function sameIdSet(left: readonly number[], right: readonly number[]): boolean {
  if (left.length !== right.length) {
    return false;
  }
  const set = new Set(left);
  return right.every((id) => set.has(id));
}

function containsPending(value: unknown): boolean {
  if (isPendingRef(value)) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.some(containsPending);
  }
  return false;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return value;
  }
  if (value === false || value === null || value === '') {
    return 0;
  }
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return undefined;
}

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') {
    return value;
  }
  if (value === null || value === undefined || value === 0 || value === '') {
    return false;
  }
  if (value === 1) {
    return true;
  }
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'y'].includes(lower)) return true;
    if (['false', '0', 'no', 'n'].includes(lower)) return false;
  }
  return undefined;
}

function toText(value: unknown): string | false {
  if (value === false || value === null || value === undefined || value === '') {
    return false;
  }
  return String(value);
}

/**
 * Whether `before` (as read) already equals `planned` (as the plan gives it) for a field of type `field.type`.
 * A value that refers to a record not created yet ({@link isPendingRef}) is never equal.
 */
export function sameValue(field: FieldInfo | undefined, before: unknown, planned: unknown): boolean {
  if (containsPending(planned)) {
    return false;
  }
  const type = field?.type;
  if (type !== undefined && TO_ONE.has(type)) {
    const left = toOneId(before);
    const right = toOneId(planned);
    return left !== undefined && right !== undefined && left === right;
  }
  if (type !== undefined && TO_MANY.has(type)) {
    const current = Array.isArray(before) ? (before as number[]) : [];
    const after = x2manyAfter(current, planned);
    return after !== undefined && sameIdSet(current, after);
  }
  if (type === 'boolean') {
    const left = toBoolean(before);
    return left !== undefined && left === toBoolean(planned);
  }
  if (type !== undefined && NUMERIC.has(type)) {
    const left = toNumber(before);
    const right = toNumber(planned);
    if (left === undefined || right === undefined) {
      return false;
    }
    // Floats come back rounded to the field's digits; a difference below a millionth is rounding, not a change.
    return type === 'integer' ? left === right : Math.abs(left - right) < 1e-6;
  }
  if (type === undefined || TEXTUAL.has(type)) {
    if (typeof planned === 'object' && planned !== null) {
      return JSON.stringify(before) === JSON.stringify(planned);
    }
    return toText(before) === toText(planned);
  }
  // Other types (binary, json, properties, reference): compare their JSON.
  return JSON.stringify(before) === JSON.stringify(planned);
}

/**
 * The value to send in a write for a planned value: a plain id list for an x2many becomes a set command, and other
 * values go through {@link convertValue} (text from CSV becomes booleans, numbers, dates, ids by the documented
 * rules); an empty string becomes `false`. A value that does not convert is returned as is: {@link convertValue}
 * says why, and the row evaluation refuses it before anything is written.
 */
export function valueToWrite(field: FieldInfo | undefined, planned: unknown): unknown {
  const type = field?.type;
  if (type === undefined) {
    return planned;
  }
  if (TO_MANY.has(type) && Array.isArray(planned) && planned.every((item) => typeof item === 'number')) {
    return [[6, 0, planned]];
  }
  if (planned === '' || planned === null) {
    return false;
  }
  const converted = convertValue(field as FieldInfo, planned);
  return converted.ok ? converted.value : planned;
}

/**
 * The fields of `planned` whose value differs from `record`, with before and after. `record` is a `search_read` row;
 * a field missing from it counts as different.
 */
export function changedFields(
  fields: Readonly<Record<string, FieldInfo>>,
  record: Readonly<Record<string, unknown>>,
  planned: Readonly<Record<string, unknown>>,
): { field: string; before: unknown; after: unknown }[] {
  const changes: { field: string; before: unknown; after: unknown }[] = [];
  for (const [field, value] of Object.entries(planned)) {
    const before = record[field];
    if (!(field in record) || !sameValue(fields[field], before, value)) {
      changes.push({ field, before: field in record ? before : null, after: valueToWrite(fields[field], value) });
    }
  }
  return changes;
}
