/**
 * The marker of an empty value, and what counts as one. An empty CSV cell says nothing about a field, so it must not
 * be written as `false` by accident: the evaluator marks it, and {@link prepareRecord} decides (by the step's
 * `on_empty`) whether the field is left out of the record or cleared.
 *
 * @packageDocumentation
 */
import type { PlanStep } from '../model/plan-types.js';

/**
 * What the evaluation of a field gives for an empty value: an empty cell, a template whose placeholders are all
 * empty, a reference with an empty key, an x2many helper whose items are all empty. Never sent to Odoo.
 */
export const EMPTY_VALUE: unique symbol = Symbol('zenoo.empty-value');

/**
 * Whether a value is empty: {@link EMPTY_VALUE}, the empty string (a CSV cell with nothing in it), `null` (a JSON or
 * YAML null) or `undefined` (a column the row does not have). `false` is not empty: it is Odoo's explicit "no value".
 */
export function isEmptyValue(value: unknown): boolean {
  return value === EMPTY_VALUE || value === '' || value === null || value === undefined;
}

/**
 * Applies the empty-value rule to field `name` of `record`, whose value is empty: with the step's `on_empty: leave`
 * (the default) the field is removed, so nothing is written to it; with `clear` it becomes `false`. A key field
 * becomes `false` either way: the key is searched for as given, and an empty key part matches an empty field.
 */
export function applyEmptyValue(step: PlanStep, record: Record<string, unknown>, name: string): void {
  if (step.onEmpty === 'clear' || step.key.includes(name)) record[name] = false;
  else delete record[name];
}
