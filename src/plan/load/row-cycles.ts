/**
 * The wording of a cycle among a step's rows (`a` manages `b`, `b` manages `c`, `c` manages `a`): one problem per row
 * of the cycle, each naming the row, its key, the row it refers to and the way back, so that the user can find the
 * link to break in the data file. Odoo itself does not always refuse such data (it accepts an hr.employee manager
 * cycle), so the plan is refused before anything is written.
 *
 * @packageDocumentation
 */
import type { RowCycleLink } from './row-hierarchy.js';

/** A problem of one row of a cycle; the caller places it (data file and `row N`, or the inline record's node). */
export interface RowCycleProblem {
  /** The row number. */
  readonly row: number;
  /** What is wrong. */
  readonly message: string;
  /** What to do. */
  readonly hint: string;
}

/**
 * The problems of `cycles` (see {@link RowHierarchy}), at most `max` of them; when some are left out, the last one
 * says how many rows in cycles there are in all.
 */
export function rowCycleProblems(
  cycles: readonly (readonly RowCycleLink[])[],
  stepId: string,
  max: number,
): RowCycleProblem[] {
  const problems: RowCycleProblem[] = [];
  const total = cycles.reduce((sum, cycle) => sum + cycle.length, 0);
  for (const cycle of cycles) {
    const rows = [...cycle.map((link) => link.row), cycle[0]!.row].join(' → ');
    const around = cycle.length === 1 ? 'a cycle of one row' : `a cycle of ${cycle.length} rows (rows ${rows})`;
    for (const link of cycle) {
      if (problems.length === max) break;
      const target = link.toRow === link.row ? 'its own row' : `row ${link.toRow} (key ${link.toKey})`;
      const parent = link.field === 'parent_id' ? 'parent' : link.field;
      problems.push({
        row: link.row,
        message:
          `key ${link.key} (step "${stepId}"): its ${link.field} refers to ${target}, ${around}: ` +
          (cycle.length === 1 ? 'no record can be written before itself' : 'no record of it can be written first'),
        hint: `a record cannot be its own ${parent} or ancestor: change the ${link.field} of one of these rows`,
      });
    }
  }
  if (problems.length < total && problems.length > 0) {
    const last = problems.pop()!;
    problems.push({
      ...last,
      hint: `${last.hint} (${total} rows of step "${stepId}" are in cycles; the first are listed)`,
    });
  }
  return problems;
}
