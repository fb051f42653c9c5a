/**
 * Evaluates a step's rows for a diff or a check: the record of each row (references resolved through the injected
 * resolver), its fields checked against the model, its values converted for writing and its key checked (present,
 * unique within the step). Check and diff both evaluate rows this way, so it lives below both.
 *
 * @packageDocumentation
 */
import { throwIfAborted } from '../../util/abort.js';
import type { FieldInfo } from '../../client/types.js';
import type { PlanProblem } from '../../errors.js';
import { PlanValidationError } from '../../errors.js';
import { childPath, findPosition } from '../model/plan-positions.js';
import type { PlanStep, SourceRow } from '../model/plan-types.js';
import { keyPart, keyString } from '../../batch/send/record-keys.js';
import { isPendingRef } from '../model/diff-types.js';
import type { ReferenceResolver } from './evaluate-record.js';
import { evaluateRecord, rowColumns } from './evaluate-record.js';
import { recordXmlidName } from './plan-xmlid.js';
import { prepareRecord, valueProblemMessage } from './prepare-record.js';
import { KeyRowIndex } from '../../util/key-row-index.js';

/** A problem located at a row of a data file. */
export function rowProblem(row: SourceRow, message: string, hint?: string): PlanProblem {
  return { file: row.source, path: `row ${row.row}`, message, ...(hint ? { hint } : {}) };
}

/** Throws the problems of a step as one validation error. */
export function fail(step: PlanStep, problems: PlanProblem[]): never {
  throw new PlanValidationError(problems, { step: step.id, model: step.model });
}

/** Checks that every field of `record` exists on the model. */
export function checkFields(
  step: PlanStep,
  row: SourceRow | undefined,
  fields: Record<string, FieldInfo>,
  record: Record<string, unknown>,
): void {
  // Runs once per row: the common case (every field known) allocates nothing.
  let unknown: string[] | undefined;
  for (const field in record) {
    if (!(field in fields)) (unknown ??= []).push(field);
  }
  if (unknown === undefined) return;
  const message = `field${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} do${unknown.length === 1 ? 'es' : ''} not exist on ${step.model}`;
  const hint = 'check the column names of the data, or list columns used only in templates in the step';
  fail(step, [row ? rowProblem(row, message, hint) : { file: step.planFile, path: step.path, message, hint }]);
}

/** A row evaluated for a diff. */
export interface EvaluatedRow {
  readonly row: SourceRow;
  readonly record: Record<string, unknown>;
  /** Key parts (normalised) and their key string, for keyed steps. */
  readonly keyParts: unknown[] | undefined;
  readonly key: string | undefined;
  /** Name part of the external id (steps without key only: keyed records are found by key). */
  readonly xmlidName: string;
}

/** Options of {@link rowEvaluator}. */
export interface RowEvaluatorOptions {
  /**
   * Refuse a row holding a value that does not fit its field (see `prepareRecord`). A check that reports such values
   * another way turns it off, and the row then counts with its key. @default true
   */
  readonly checkValues?: boolean;
}

/**
 * An evaluator of a step's rows: evaluates each row's record (references resolved through `resolver`), checks that
 * its fields exist, converts values for writing, and checks its key (present, unique within the step).
 *
 * For a step without `values:` nothing needs awaiting, and the evaluator returns the row synchronously (this runs once
 * per row of large files); otherwise it returns a promise. Either way, `await` its result.
 *
 * @throws PlanValidationError naming the data file and row.
 */
export function rowEvaluator(
  step: PlanStep,
  fields: Record<string, FieldInfo>,
  resolver: ReferenceResolver,
  signal?: AbortSignal,
  options: RowEvaluatorOptions = {},
): (row: SourceRow) => EvaluatedRow | Promise<EvaluatedRow> {
  const checkValues = options.checkValues !== false;
  const keyed = step.key.length > 0;
  const templated = Object.keys(step.values).length > 0;
  // Every key of the step, to refuse one given twice: off the heap, as a step may have millions (see KeyRowIndex).
  const seenKeys = new KeyRowIndex();
  const finish = (row: SourceRow, record: Record<string, unknown>): EvaluatedRow => {
    checkFields(step, row, fields, record);
    const problems = prepareRecord(step, fields, record);
    if (problems.length > 0 && checkValues) {
      fail(
        step,
        problems.map((problem) => rowProblem(row, valueProblemMessage(problem), problem.hint)),
      );
    }
    if (!keyed) {
      return {
        row,
        record,
        keyParts: undefined,
        key: undefined,
        xmlidName: recordXmlidName(step.id, { row: row.row }),
      };
    }
    // A key field pointing at a record an earlier step will create (a dry run) is keyed by that pending reference.
    const keyParts = step.key.map((field) => {
      const part = keyPart(record[field]);
      return isPendingRef(part) ? JSON.stringify(part) : part;
    });
    if (keyParts.every((part) => part === null)) {
      fail(step, [
        rowProblem(
          row,
          `the key (${step.key.join(', ')}) is empty`,
          'every row of a step with a key needs a key value',
        ),
      ]);
    }
    const key = keyString(keyParts);
    const first = seenKeys.add(key, row.row);
    if (first !== undefined) {
      fail(step, [
        rowProblem(row, `the key ${key} is also the key of row ${first}`, 'keys must be unique within a step'),
      ]);
    }
    return { row, record, keyParts, key, xmlidName: '' };
  };
  return (row: SourceRow): EvaluatedRow | Promise<EvaluatedRow> => {
    throwIfAborted(signal, 'The diff', { step: step.id });
    if (!templated) return finish(row, rowColumns(step, row));
    return evaluateRecord(step, row, resolver, { signal }).then((record) => finish(row, record));
  };
}

/** The values of a `where`-driven update (or `{}` for a delete), checked and converted for writing. */
export async function whereValues(
  step: PlanStep,
  fields: Record<string, FieldInfo>,
  resolver: ReferenceResolver,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  if (step.action === 'delete') return {};
  if (step.action !== 'update') {
    fail(step, [
      {
        file: step.planFile,
        path: step.path,
        message: `a ${step.action} step needs records`,
        hint: 'give records (inline or a file), or use action update/delete with where',
      },
    ]);
  }
  const values = await evaluateRecord(step, undefined, resolver, { signal });
  checkFields(step, undefined, fields, values);
  const problems = prepareRecord(step, fields, values);
  if (problems.length > 0) {
    fail(
      step,
      problems.map((problem) => {
        const path = childPath(childPath(step.path, 'values'), problem.field);
        const position = findPosition(step.positions, path);
        return { file: step.planFile, ...position, path, message: valueProblemMessage(problem), hint: problem.hint };
      }),
    );
  }
  return values;
}
