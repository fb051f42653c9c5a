/**
 * Conversion of field values between the JSON-RPC wire and SQLite columns, following Odoo 17.0's
 * `convert_to_column` / `convert_to_read` rules: empty char-like values read as `false`, empty numbers as `0`,
 * booleans are stored as 0/1, selection values are checked, integers parse like Python's `int()`.
 *
 * @packageDocumentation
 */

import type { OdooServerError } from '../odoo-server-error.js';
import { floatLiteralError, intLiteralError, valueError, wrongSelectionError } from './orm-errors.js';
import type { FieldDef, ModelDef } from './model-types.js';
import { pyStr } from './python-repr.js';

/** A value SQLite can bind (better-sqlite3 refuses booleans and undefined). */
export type SqlValue = string | number | null;

/** Python's `int(value)` for a JSON value; throws the ValueError Python would. */
export function pyInt(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw valueError(`cannot convert float ${value} to integer`);
    return Math.trunc(value);
  }
  if (typeof value === 'string') {
    const text = value.trim().replace(/_/g, '');
    if (/^[+-]?\d+$/.test(text)) return Number.parseInt(text, 10);
    throw intLiteralError(value);
  }
  throw typeErrorFor('int', value);
}

/** Python's `float(value)` for a JSON value. */
export function pyFloat(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text !== '' && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Number(text);
    throw floatLiteralError(value);
  }
  throw typeErrorFor('float', value);
}

function typeErrorFor(kind: 'int' | 'float', value: unknown): OdooServerError {
  const pyType =
    value === null ? 'NoneType' : Array.isArray(value) ? 'list' : typeof value === 'object' ? 'dict' : typeof value;
  return valueError(
    kind === 'int'
      ? `int() argument must be a string, a bytes-like object or a real number, not '${pyType}'`
      : `float() argument must be a string or a real number, not '${pyType}'`,
  );
}

/** Python truthiness of a JSON value. */
export function pyTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value as object).length > 0;
  return true;
}

/**
 * Converts a written value to its column value. many2one values are returned as ids (existence is checked by the
 * caller); x2many fields are not handled here.
 */
export function toColumn(model: ModelDef, field: FieldDef, value: unknown): SqlValue {
  switch (field.type) {
    case 'char':
    case 'text':
    case 'html': {
      if (value === false || value === null || value === undefined) return null;
      const text = pyStr(value);
      return field.size !== undefined ? text.slice(0, field.size) : text;
    }
    case 'selection': {
      if (value === false || value === null || value === undefined) return null;
      if (typeof value !== 'string' || !(field.selection ?? []).some(([key]) => key === value)) {
        throw wrongSelectionError(model.name, field.name, value);
      }
      return value;
    }
    case 'integer':
    case 'many2one_reference':
      // Odoo stores `int(value or 0)`: an empty integer is 0, never NULL.
      return pyInt(pyTruthy(value) ? value : 0);
    case 'float':
    case 'monetary':
      return pyFloat(pyTruthy(value) ? value : 0);
    case 'date':
      return toDate(value);
    case 'binary':
      return value === false || value === null || value === undefined ? null : pyStr(value);
    case 'json':
    case 'properties':
    case 'properties_definition':
      return value === false || value === null || value === undefined ? null : JSON.stringify(value);
    case 'boolean':
      return pyTruthy(value) ? 1 : 0;
    case 'datetime':
      return toDatetime(value);
    case 'many2one':
      return toMany2oneId(value);
    default:
      throw new Error(`sandbox: field ${model.name}.${field.name} (${field.type}) has no column`);
  }
}

/** A many2one value (id, false, or `[id, name]`) as an id or null. */
export function toMany2oneId(value: unknown): number | null {
  if (value === false || value === null || value === undefined || value === 0) return null;
  if (Array.isArray(value) && value.length > 0) return toMany2oneId(value[0]);
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') return pyInt(value);
  throw valueError(`Wrong value for a many2one field: ${pyStr(value)}`);
}

const DATETIME = /^(\d{4}-\d{2}-\d{2})(?: (\d{2}:\d{2}:\d{2})(?:\.\d+)?)?$/;

function toDatetime(value: unknown): string | null {
  if (value === false || value === null || value === undefined || value === '') return null;
  const match = typeof value === 'string' ? DATETIME.exec(value) : null;
  if (!match) throw valueError(`time data ${JSON.stringify(value)} does not match format '%Y-%m-%d %H:%M:%S'`);
  return `${match[1]} ${match[2] ?? '00:00:00'}`;
}

const DATE = /^(\d{4}-\d{2}-\d{2})(?: \d{2}:\d{2}:\d{2}(?:\.\d+)?)?$/;

function toDate(value: unknown): string | null {
  if (value === false || value === null || value === undefined || value === '') return null;
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  if (!match) throw valueError(`time data ${JSON.stringify(value)} does not match format '%Y-%m-%d'`);
  return match[1] as string;
}

/** Reads a column value back to its wire form (without many2one names, which need a look-up). */
export function fromColumn(field: FieldDef, value: unknown): unknown {
  switch (field.type) {
    case 'integer':
    case 'many2one_reference':
      return typeof value === 'number' ? value : 0;
    case 'float':
    case 'monetary':
      return typeof value === 'number' ? value : 0;
    case 'boolean':
      return value === 1;
    case 'json':
    case 'properties':
    case 'properties_definition':
      return typeof value === 'string' ? (JSON.parse(value) as unknown) : false;
    default:
      return value === null || value === undefined ? false : value;
  }
}

/** Current UTC time as Odoo writes it: `YYYY-MM-DD HH:MM:SS`. */
export function odooNow(date = new Date()): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}
