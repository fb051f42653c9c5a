/**
 * Maps the `error` member of an Odoo JSON-RPC answer to the matching class of the zenoo error hierarchy, by
 * `error.data.name` (and `error.code` 100 for an expired session).
 *
 * @packageDocumentation
 */

import {
  AccessDeniedError,
  AccessError,
  ConcurrencyError,
  InvalidValueError,
  MissingError,
  RpcFault,
  SessionExpiredError,
  UserError,
  ValidationError,
} from '../errors.js';
import type { OdooErrorPayload, ZenooErrorOptions } from '../errors.js';

type FaultClass = new (payload: OdooErrorPayload, options?: ZenooErrorOptions) => RpcFault;

/** Fault classes by exact `data.name`. */
const FAULTS_BY_NAME: ReadonlyMap<string, FaultClass> = new Map<string, FaultClass>([
  ['odoo.exceptions.ValidationError', ValidationError],
  ['odoo.exceptions.AccessError', AccessError],
  ['odoo.exceptions.AccessDenied', AccessDeniedError],
  ['odoo.exceptions.MissingError', MissingError],
  ['odoo.exceptions.UserError', UserError],
  // The pre-13 name of UserError.
  ['odoo.exceptions.Warning', UserError],
  ['builtins.ValueError', InvalidValueError],
  ['odoo.http.SessionExpiredException', SessionExpiredError],
  // Odoo 18+: a record locked by another transaction (HTTP 409 over JSON-2), and Odoo's own serialization error,
  // both raised before anything was committed.
  ['odoo.exceptions.LockError', ConcurrencyError],
  ['odoo.exceptions.ConcurrencyError', ConcurrencyError],
  // PostgreSQL transaction rollbacks, reported after the server's own retries ran out: nothing was committed.
  ['psycopg2.errors.SerializationFailure', ConcurrencyError],
  ['psycopg2.errors.DeadlockDetected', ConcurrencyError],
  ['psycopg2.errors.LockNotAvailable', ConcurrencyError],
  ['psycopg2.errors.TransactionRollbackError', ConcurrencyError],
  ['psycopg2.extensions.TransactionRollbackError', ConcurrencyError],
]);

/** Messages of a generic `psycopg2.OperationalError` that describe a concurrency rollback. */
const CONCURRENCY_MESSAGE = /could not serialize access|deadlock detected|lock not available|could not obtain lock/i;

/**
 * Builds the error for an Odoo fault payload.
 *
 * Anything without a dedicated class stays a plain {@link RpcFault} that keeps `data.name`, `data.message` and
 * `data.debug` (e.g. `builtins.KeyError`, `builtins.AttributeError`, `werkzeug.exceptions.NotFound`).
 *
 * @param payload - the `error` member as received.
 * @param options - context (url, db, model, method, chunk…) for the error.
 */
export function mapOdooFault(payload: OdooErrorPayload, options: ZenooErrorOptions = {}): RpcFault {
  const name = payload.data?.name ?? '';
  const known = FAULTS_BY_NAME.get(name);
  if (known) return new known(payload, options);
  if (payload.code === 100) return new SessionExpiredError(payload, options);
  const message = payload.data?.message ?? payload.message;
  if (name.startsWith('psycopg2.') && CONCURRENCY_MESSAGE.test(message)) return new ConcurrencyError(payload, options);
  return new RpcFault(payload, 'ERR_ODOO_FAULT', options);
}

/** Whether a value has the shape of an Odoo JSON-RPC `error` member (a numeric `code` and a string `message`). */
export function isOdooErrorPayload(value: unknown): value is OdooErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { code?: unknown; message?: unknown; data?: unknown };
  return (
    typeof candidate.code === 'number' &&
    typeof candidate.message === 'string' &&
    (candidate.data === undefined || (typeof candidate.data === 'object' && candidate.data !== null))
  );
}
