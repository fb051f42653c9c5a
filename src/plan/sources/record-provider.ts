/**
 * Where a step's rows come from, behind one contract. Check, diff and apply ask for a step's rows through
 * {@link openRecordBatches} and never look at their origin; each origin (rows written in the plan, a data file, and
 * later others such as a database query or an HTTP export) is one {@link RecordProvider}, chosen by the `kind` of its
 * {@link RecordsSource} in an exhaustive switch: a new kind cannot compile until it has a provider.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { throwIfAborted } from '../../util/abort.js';
import { PlanValidationError } from '../../errors.js';
import type { FileRecords, InlineRecords, Plan, PlanStep, RecordsSource, SourceRow } from '../model/plan-types.js';
import { displayDataFile, readDataFileBatches, rowsOfBatches } from './record-sources.js';
import type { OpenRecordsOptions } from './record-sources.js';

/** Rows per batch of inline records (the same as the formats read row by row). */
const INLINE_ROWS_PER_BATCH = 512;

/**
 * Streams the rows of one kind of {@link RecordsSource}.
 *
 * Contract: rows come in non-empty batches, in the order of the origin, each row numbered as a user finds it there
 * (`row`) and named by the file a user opens (`source`); `signal` stops the stream with an `AbortError`; an origin
 * that changed since the plan was loaded (its fingerprint no longer matches) ends the stream with a
 * {@link PlanValidationError}, so that a plan is never applied with data that was not validated.
 */
export interface RecordProvider<S extends RecordsSource = RecordsSource> {
  /** The kind of source it reads. */
  readonly kind: S['kind'];
  /** The rows of `step`, whose records are `source`. */
  batches(plan: Plan, step: PlanStep, source: S, options: OpenRecordsOptions): AsyncGenerator<SourceRow[]>;
}

/** Rows written in the plan itself: held in memory since the plan was loaded (they are part of its fingerprint). */
export const inlineRecordProvider: RecordProvider<InlineRecords> = {
  kind: 'inline',
  async *batches(plan, step, source, options) {
    for (let start = 0; start < source.rows.length; start += INLINE_ROWS_PER_BATCH) {
      throwIfAborted(options.signal, 'Reading the records', { step: step.id });
      yield source.rows
        .slice(start, start + INLINE_ROWS_PER_BATCH)
        .map((values, offset) => ({ row: start + offset + 1, source: plan.displayFile, values }));
    }
  },
};

/** A data file (CSV, JSON, JSONL, YAML), streamed and re-checked against the sha256 taken when the plan was loaded. */
export const fileRecordProvider: RecordProvider<FileRecords> = {
  kind: 'file',
  async *batches(plan, _step, source, options) {
    const hash = createHash('sha256');
    const displayFile = displayDataFile(plan, source.file);
    yield* readDataFileBatches(
      { absolutePath: source.absolutePath, displayFile, format: source.format, delimiter: source.delimiter },
      { signal: options.signal, hash },
    );
    if (hash.digest('hex') !== source.sha256) {
      throw new PlanValidationError([
        {
          file: displayFile,
          message: 'the data file changed after the plan was loaded',
          hint: 'load the plan again (and review the new diff) before applying',
        },
      ]);
    }
  },
};

/**
 * Streams the rows of `step` in batches (nothing for a `where`-driven step), through the provider of its source.
 *
 * @example
 * ```ts
 * for await (const batch of openRecordBatches(plan, step, { signal })) for (const row of batch) use(row.values);
 * ```
 */
export function openRecordBatches(
  plan: Plan,
  step: PlanStep,
  options: OpenRecordsOptions = {},
): AsyncGenerator<SourceRow[]> {
  const source = step.records;
  if (source === undefined) return (async function* () {})();
  switch (source.kind) {
    case 'inline':
      return inlineRecordProvider.batches(plan, step, source, options);
    case 'file':
      return fileRecordProvider.batches(plan, step, source, options);
    default:
      return source satisfies never;
  }
}

/**
 * Streams the rows of `step` one by one (same checks, same errors as {@link openRecordBatches}).
 *
 * @example
 * ```ts
 * for await (const { row, source, values } of openRecords(plan, step, { signal })) { ... }
 * ```
 */
export function openRecords(plan: Plan, step: PlanStep, options: OpenRecordsOptions = {}): AsyncGenerator<SourceRow> {
  return rowsOfBatches(openRecordBatches(plan, step, options), options.signal);
}
