/**
 * The strict conversion of a value from a data file (or computed by a template) to what a field of a given type is
 * written with. The rules are the README's "Values from data files" table; there is one implementation, used by the
 * row evaluation of a diff or apply and by the pre-write check (`validate --remote`), so that what the check accepts
 * is exactly what a run writes.
 *
 * Two rules keep it conservative. A JSON value of the field's own type (a JSON `true` for a boolean, a number for an
 * integer, `false` for any field) is never refused: Odoo accepts it, and so does this. Text (every CSV cell is text)
 * is converted only when it has one of the documented forms; anything else is refused, with the accepted forms, rather
 * than guessed at: `oui` is not a boolean, `1,5` is not a float, `2024-13-01` is not a date.
 *
 * Empty values are not this module's concern: the caller decides what an empty cell means (see `prepare-record.ts`).
 *
 * @packageDocumentation
 */
import type { FieldInfo } from '../../client/types.js';

/** The part of a field's description the conversion reads: its type, and a selection's keys. */
export type ConvertedField = Pick<FieldInfo, 'type' | 'selection'>;

/** The outcome of {@link convertValue}: the value to write, or why the value does not fit the field. */
export type ValueConversion =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly message: string; readonly hint: string };

/** Text accepted for `true` in a boolean field (compared without case and surrounding spaces). */
export const TRUE_WORDS: readonly string[] = ['true', '1', 'yes'];
/** Text accepted for `false` in a boolean field (compared without case and surrounding spaces). */
export const FALSE_WORDS: readonly string[] = ['false', '0', 'no'];

const INTEGER_TEXT = /^[+-]?\d+$/;
// A dot as decimal separator, an optional exponent: what JSON and Odoo's own float parsing read the same way.
const FLOAT_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
// Odoo drops a datetime's fraction of a second: it is accepted, and dropped here too so that the diff compares alike.
const DATETIME_TEXT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)?$/;
const ID_TEXT = /^\d+$/;
/** Odoo's integer columns are PostgreSQL `int4`. */
const INT4_MAX = 2 ** 31 - 1;

function ok(value: unknown): ValueConversion {
  return { ok: true, value };
}

function refuse(message: string, hint: string): ValueConversion {
  return { ok: false, message, hint };
}

function shown(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Whether year-month-day is a day of the calendar (`2024-02-30` is not). */
function calendarDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function toBoolean(value: unknown): ValueConversion {
  if (typeof value === 'boolean') return ok(value);
  // JSON 0 and 1 are what a spreadsheet export writes for a checkbox; Odoo reads them as false and true.
  if (value === 0 || value === 1) return ok(value === 1);
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.includes(word)) return ok(true);
    if (FALSE_WORDS.includes(word)) return ok(false);
  }
  return refuse(
    `${shown(value)} is not a boolean`,
    `write ${TRUE_WORDS.join(', ')} or ${FALSE_WORDS.join(', ')} (any case)`,
  );
}

function toInteger(value: unknown): ValueConversion {
  if (typeof value === 'number') return ok(value);
  if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) {
    const number = Number(value.trim());
    if (Math.abs(number) <= INT4_MAX) return ok(number);
    return refuse(`${shown(value)} is too large for an integer field`, `write a whole number up to ${INT4_MAX}`);
  }
  return refuse(`${shown(value)} is not an integer`, 'write a whole number such as 42 or -7 (digits only)');
}

function toFloat(value: unknown): ValueConversion {
  if (typeof value === 'number') return ok(value);
  if (typeof value === 'string' && FLOAT_TEXT.test(value.trim())) return ok(Number(value.trim()));
  const comma = typeof value === 'string' && /^[+-]?\d+,\d+$/.test(value.trim());
  return refuse(
    `${shown(value)} is not a number`,
    comma ? 'write the decimal separator as a dot, e.g. 12.5' : 'write a number such as 12.5, -3 or 1e3',
  );
}

function toDate(value: unknown): ValueConversion {
  if (typeof value === 'string') {
    const text = value.trim();
    // Odoo reads a date from the first ten characters: a datetime's time is dropped, as the server drops it.
    const match = DATE_TEXT.exec(text) ?? DATETIME_TEXT.exec(text);
    if (match && calendarDay(Number(match[1]), Number(match[2]), Number(match[3]))) return ok(text.slice(0, 10));
  }
  return refuse(`${shown(value)} is not a date`, 'write YYYY-MM-DD, e.g. 2024-03-31');
}

function toDatetime(value: unknown): ValueConversion {
  if (typeof value === 'string') {
    const text = value.trim();
    const date = DATE_TEXT.exec(text);
    if (date && calendarDay(Number(date[1]), Number(date[2]), Number(date[3]))) return ok(`${text} 00:00:00`);
    const time = DATETIME_TEXT.exec(text);
    if (
      time &&
      calendarDay(Number(time[1]), Number(time[2]), Number(time[3])) &&
      Number(time[4]) < 24 &&
      Number(time[5]) < 60 &&
      Number(time[6]) < 60
    ) {
      return ok(text.slice(0, 19));
    }
  }
  return refuse(
    `${shown(value)} is not a datetime`,
    'write YYYY-MM-DD HH:MM:SS in UTC (Odoo stores datetimes in UTC, without T or time zone), or YYYY-MM-DD',
  );
}

function toSelection(value: unknown, field: ConvertedField): ValueConversion {
  const keys = Array.isArray(field.selection) ? field.selection.map(([key]) => key) : undefined;
  if (keys === undefined) return ok(value); // the metadata does not list the keys: the server decides
  // Keys are matched exactly: Odoo stores the key, and `Draft` is not `draft`.
  const key = keys.find((candidate) => String(candidate) === String(value));
  if (key !== undefined && (typeof value === 'string' || typeof value === 'number')) return ok(key);
  return refuse(`${shown(value)} is not a value of this selection field`, `use one of ${keys.join(', ')}`);
}

function toRecordId(value: unknown): ValueConversion {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return ok(value);
  if (typeof value === 'string' && ID_TEXT.test(value.trim()) && Number(value.trim()) > 0) {
    return ok(Number(value.trim()));
  }
  // A `[id, name]` pair is how Odoo reads a many2one: a file exported from a read holds them.
  if (Array.isArray(value) && typeof value[0] === 'number' && Number.isInteger(value[0]) && value[0] > 0) {
    return ok(value[0]);
  }
  return refuse(
    `${shown(value)} is not a record id`,
    'give a database id (a positive whole number), or turn the column into a reference in values ' +
      '({ ref }, { xmlid } or { lookup }) and list it in template_columns',
  );
}

/**
 * Converts `value` for a field described by `field` (see the module comment and the README's table). `false` is
 * Odoo's empty value for every type and always passes; so do values of types this module has no rule for (char, text,
 * html, x2many, binary, json, …), which the server checks itself.
 *
 * @example
 * ```ts
 * convertValue({ type: 'boolean' }, 'Yes'); // { ok: true, value: true }
 * convertValue({ type: 'boolean' }, 'oui'); // { ok: false, message: '"oui" is not a boolean', hint: 'write true, …' }
 * ```
 */
export function convertValue(field: ConvertedField, value: unknown): ValueConversion {
  if (value === false) return ok(false);
  switch (field.type) {
    case 'boolean':
      return toBoolean(value);
    case 'integer':
      return toInteger(value);
    case 'float':
    case 'monetary':
      return toFloat(value);
    case 'date':
      return toDate(value);
    case 'datetime':
      return toDatetime(value);
    case 'selection':
      return toSelection(value, field);
    case 'many2one':
      return toRecordId(value);
    default:
      return ok(value);
  }
}
