/**
 * Errors the sandbox raises the way Python raises them on a real Odoo server, so that the JSON-RPC fault a client
 * sees for a malformed call (missing argument, wrong type, unknown database) has the same `data.name` and
 * `data.message` as on Odoo.
 *
 * @packageDocumentation
 */
import { OdooServerError } from './odoo-server-error.js';
import { intLiteralError, missingError, typeError } from './orm/orm-errors.js';

/** Python's type name of a JSON value, as used in `TypeError` messages (`'NoneType'`, `'list'`, `'dict'`, ...). */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

/**
 * Python's `int(value)` for a JSON value: `true` → 1, `"12"` → 12, `2.7` → 2; anything else raises the same
 * `TypeError`/`ValueError` as Python.
 */
export function pythonInt(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'string') {
    if (/^\s*[+-]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
    throw intLiteralError(value);
  }
  throw typeError(
    `int() argument must be a string, a bytes-like object or a real number, not '${pythonTypeName(value)}'`,
  );
}

/** Python's `TypeError` for a call missing required arguments, e.g. `f() missing 1 required positional argument: 'x'`. */
function missingArgumentsError(fn: string, names: readonly string[]): OdooServerError {
  const quoted = names.map((name) => `'${name}'`);
  const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
  return typeError(
    `${fn}() missing ${names.length} required positional argument${names.length === 1 ? '' : 's'}: ${list}`,
  );
}

/**
 * Checks that a controller called with keyword parameters (Odoo routes receive `params` as keywords) got all its
 * required ones, raising Python's exact `TypeError` otherwise.
 */
export function checkPythonKeywords(
  fn: string,
  params: Readonly<Record<string, unknown>>,
  required: readonly string[],
): void {
  const missing = required.filter((name) => !(name in params));
  if (missing.length > 0) throw missingArgumentsError(fn, missing);
}

/**
 * Checks the positional arguments of a Python function call the way Python does, raising its exact `TypeError`.
 *
 * @param fn - the function's qualified name, e.g. `exp_authenticate`.
 * @param params - its parameter names, required first.
 * @param required - how many of `params` are required.
 * @param given - the actual arguments.
 */
export function checkPythonArity(
  fn: string,
  params: readonly string[],
  required: number,
  given: readonly unknown[],
): void {
  if (given.length < required) throw missingArgumentsError(fn, params.slice(given.length, required));
  if (given.length > params.length) {
    const takes = required === params.length ? `${params.length}` : `from ${required} to ${params.length}`;
    throw typeError(
      `${fn}() takes ${takes} positional argument${params.length === 1 ? '' : 's'} but ${given.length} ${given.length === 1 ? 'was' : 'were'} given`,
    );
  }
}

/**
 * The error a real Odoo server raises when asked for a database that does not exist (the text of the captured
 * exchange, with the database name substituted).
 */
export function unknownDatabaseError(db: unknown): OdooServerError {
  const name = typeof db === 'string' ? db : String(db);
  return new OdooServerError(
    'psycopg2.OperationalError',
    `connection to server at "127.0.0.1", port 5433 failed: FATAL:  database "${name}" does not exist\n`,
  );
}

/** The MissingError Odoo raises for an `object` call made as a user id that does not exist. */
export function unknownUserError(uid: number): OdooServerError {
  return missingError('res.users', uid, uid);
}

/** `odoo.exceptions.AccessDenied` with Odoo's message `Access Denied`. */
export function accessDeniedError(): OdooServerError {
  return new OdooServerError('odoo.exceptions.AccessDenied', 'Access Denied');
}
