/**
 * Turns an evaluated record into the values to write: empty values follow the step's `on_empty`, and every other
 * value goes through the strict conversion of its field's type ({@link convertValue}). The row evaluation of a diff or
 * apply and the pre-write check both prepare records here, so the check refuses exactly what a run would.
 *
 * @packageDocumentation
 */
import type { FieldInfo } from '../../client/types.js';
import { convertValue } from '../model/convert-value.js';
import { valueToWrite } from '../model/field-values.js';
import type { PlanStep } from '../model/plan-types.js';
import { applyEmptyValue, isEmptyValue } from './empty-value.js';

/** A value of a record that does not fit its field. */
export interface ValueProblem {
  /** The field (the column, or the `values:` entry, that gave the value). */
  readonly field: string;
  /** Whether the value came from the row's column or from the step's `values:`. */
  readonly from: 'column' | 'values';
  /** What is wrong, e.g. `"oui" is not a boolean`. */
  readonly message: string;
  /** The accepted forms. */
  readonly hint: string;
}

/** The message of a problem of {@link prepareRecord}, naming its place: `column "active": "oui" is not a boolean`. */
export function valueProblemMessage(problem: ValueProblem): string {
  const place = problem.from === 'column' ? `column "${problem.field}"` : `values.${problem.field}`;
  return `${place}: ${problem.message}`;
}

/**
 * Prepares `record` in place for writing (see the module comment) and returns the values that do not fit their field
 * (empty when all do; the record is then ready). Fields missing from `fields` are left as they are (the caller
 * reports unknown fields). Rules:
 *
 * - an empty value ({@link isEmptyValue}) is removed from the record with `on_empty: leave` and becomes `false` with
 *   `on_empty: clear`; a key field's empty value is always `false`, because the key must be searched for as given;
 * - a value computed by a reference (`{ ref }`, `{ xmlid }`, `{ lookup }`) is an id already and is not converted;
 * - any other value is converted by {@link convertValue}, then normalised for the write by `valueToWrite`.
 */
export function prepareRecord(
  step: PlanStep,
  fields: Readonly<Record<string, FieldInfo>>,
  record: Record<string, unknown>,
): ValueProblem[] {
  let problems: ValueProblem[] | undefined;
  // Runs once per row of large files: plain loops, no allocation when every value fits.
  for (const name in record) {
    const field = fields[name];
    const value = record[name];
    if (isEmptyValue(value)) {
      applyEmptyValue(step, record, name);
      continue;
    }
    if (field === undefined) continue;
    const template = step.values[name];
    if (
      template !== undefined &&
      (template.kind === 'ref' || template.kind === 'xmlid' || template.kind === 'lookup')
    ) {
      continue;
    }
    const converted = convertValue(field, value);
    if (converted.ok) {
      record[name] = valueToWrite(field, converted.value);
    } else {
      const from = template === undefined ? 'column' : 'values';
      (problems ??= []).push({ field: name, from, message: converted.message, hint: converted.hint });
    }
  }
  return problems ?? [];
}
