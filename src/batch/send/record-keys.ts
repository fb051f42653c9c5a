/**
 * Keys of records, shared by everything that finds records by key: the canonical text of a key (so that a CSV cell
 * `"42"` and a JSON `42` find the same record), the key part of a value as read or planned, and the domain that finds
 * records by their keys. The batch engine's reconciler and the plan's diff and references use the same ones, so a
 * record found by one is found by the other.
 *
 * @packageDocumentation
 */
import type { Domain } from '../../client/types.js';

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

/** A domain matching any of `keys` (one value per field of `fields`). */
export function keyDomain(fields: readonly string[], keys: readonly (readonly unknown[])[]): Domain {
  if (fields.length === 1) {
    const field = fields[0]!;
    const values = keys.map((key) => key[0]);
    const present = values.filter((value) => value !== null && value !== undefined);
    // `in` cannot match an empty value; empty keys are matched with `= false`.
    const leaves: Domain[number][] = [];
    if (present.length > 0) leaves.push([field, 'in', present]);
    if (present.length < values.length) leaves.push([field, '=', false]);
    return leaves.length === 2 ? ['|', ...leaves] : leaves;
  }
  const groups = keys.map((key) => {
    const leaves = fields.map((field, index) => [field, '=', key[index] ?? false] as const);
    return [...Array<string>(fields.length - 1).fill('&'), ...leaves];
  });
  return [...Array<string>(Math.max(groups.length - 1, 0)).fill('|'), ...groups.flat()];
}
