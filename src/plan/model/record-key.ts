/**
 * The key of a record for a step: the values of the step's key fields (their canonical text and the domain that finds
 * records by key are in `batch/send/record-keys`, shared with the batch engine's reconciler).
 *
 * @packageDocumentation
 */
import type { PlanStep } from './plan-types.js';

/** The key values of `record` for `step` (one per key field, `undefined` when missing). */
export function recordKey(step: PlanStep, record: Readonly<Record<string, unknown>>): unknown[] {
  return step.key.map((field) => record[field]);
}
