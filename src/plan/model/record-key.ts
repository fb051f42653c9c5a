/**
 * Keys of records: the canonical text of a key (so that a CSV cell `"42"` and a JSON `42` find the same record) and
 * the key part of a value as read or planned.
 *
 * @packageDocumentation
 */
import type { PlanStep } from './plan-types.js';

/** A key value as a reference gives it (after interpolation). */
export type KeyValue = string | number | boolean | null;

/**
 * Canonical text of a key, identical for `["42"]` and `[42]`: CSV cells are text while JSON numbers are not, and a
 * reference must find its record either way. Use it on both sides (the keys a step registers, the keys refs ask for).
 */
export function keyString(key: readonly unknown[]): string {
  // Called for every row (and every record read back); a one-field key, the common case, skips the array copy.
  if (key.length === 1) {
    const part = key[0];
    return `[${JSON.stringify(part === null || part === undefined ? '' : String(part))}]`;
  }
  return JSON.stringify(key.map((part) => (part === null || part === undefined ? '' : String(part))));
}

/** The key values of `record` for `step` (one per key field, `undefined` when missing). */
export function recordKey(step: PlanStep, record: Readonly<Record<string, unknown>>): unknown[] {
  return step.key.map((field) => record[field]);
}

/** The key part of a value as read or planned: a many2one's id, `false`/empty as `null`, anything else as is. */
export function keyPart(value: unknown): unknown {
  if (value === false || value === undefined || value === '') {
    return null;
  }
  if (Array.isArray(value) && typeof value[0] === 'number') {
    return value[0];
  }
  return value;
}
