/**
 * The rows of a step that refers to itself, by level (see `RowHierarchy`): level 0 refers to no row of the file,
 * level k + 1 to rows of levels up to k. The diff evaluates a level only once the one before it is registered (a dry
 * run) or written (an apply), so that every reference to the step's own rows resolves.
 *
 * The rows of such a step are held in memory while it runs (a step without self-reference streams its file).
 *
 * @packageDocumentation
 */
import { PlanValidationError } from '../../errors.js';
import { DEFAULT_MAX_PROBLEMS_PER_DATA_FILE } from '../load/load-plan.js';
import { rowCycleProblems } from '../load/row-cycles.js';
import { RowHierarchy } from '../load/row-hierarchy.js';
import type { Plan, PlanStep, SourceRow } from '../model/plan-types.js';
import { openRecordBatches } from '../sources/record-provider.js';

/** A self-referencing step's rows in the order they are written. */
export interface StepLevels {
  /** The rows by level, each in file order. */
  readonly levels: readonly (readonly SourceRow[])[];
  /** The keys its rows declare. */
  readonly declared: ReadonlySet<string>;
}

/**
 * Reads the rows of `step` (which refers to itself) and orders them by level.
 *
 * @throws PlanValidationError naming the rows of a cycle (the loader refuses those first; a data file changed since
 *   is refused by its checksum, so this is a guard).
 */
export async function stepLevels(plan: Plan, step: PlanStep, signal?: AbortSignal): Promise<StepLevels> {
  const hierarchy = new RowHierarchy<SourceRow>(step, (row) => row);
  let source = plan.displayFile;
  for await (const batch of openRecordBatches(plan, step, { signal })) {
    for (const row of batch) {
      source = row.source;
      hierarchy.add(row);
    }
  }
  const { levels, declared, cycles } = hierarchy.finish();
  if (cycles.length > 0) {
    throw new PlanValidationError(
      rowCycleProblems(cycles, step.id, DEFAULT_MAX_PROBLEMS_PER_DATA_FILE).map((problem) => ({
        file: source,
        path: `row ${problem.row}`,
        message: problem.message,
        hint: problem.hint,
      })),
      { step: step.id, model: step.model },
    );
  }
  return { levels, declared };
}
