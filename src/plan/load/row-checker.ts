/**
 * Per-row checks of a step's records at load time: the key is present and unique, and every column a `${row.X}`
 * template uses exists. Problems are capped per data file, so that a broken file of a million rows reports the first
 * ones and a count rather than a million lines.
 *
 * @packageDocumentation
 */
import { keyString } from '../../batch/send/record-keys.js';
import { KeyRowIndex } from '../../util/key-row-index.js';
import type { PlanStep, SourceRow } from '../model/plan-types.js';
import { templatePlaceholders } from '../model/template-walk.js';

/** Reports one problem of a row (the caller knows where the row is). */
export type Report = (message: string, hint?: string) => void;

/** Per-row checks of a step's records: key present and unique, columns used by templates present. */
export class RowChecker {
  private readonly seenColumns = new Set<string>();
  // Off the heap: a million-row file has a million keys (see KeyRowIndex).
  private readonly keys = new KeyRowIndex();
  private readonly keyFromRow: readonly string[];
  private readonly usedColumns: ReadonlyMap<string, readonly string[]>;
  private reported = 0;
  private suppressed = 0;

  constructor(
    private readonly step: PlanStep,
    private readonly maxProblems: number,
  ) {
    // A key field set by `values:` comes from the template, not from the row.
    this.keyFromRow = step.key.filter((field) => !Object.hasOwn(step.values, field));
    this.usedColumns = templatePlaceholders(Object.values(step.values)).rowColumns;
  }

  get columns(): string[] {
    return [...this.seenColumns];
  }

  private problem(report: Report, message: string, hint?: string): void {
    if (this.reported >= this.maxProblems) {
      this.suppressed += 1;
      return;
    }
    this.reported += 1;
    report(message, hint);
  }

  check(row: SourceRow, report: Report): void {
    for (const column of Object.keys(row.values)) this.seenColumns.add(column);
    for (const [column, paths] of this.usedColumns) {
      if (!Object.hasOwn(row.values, column)) {
        this.problem(
          report,
          `no column "${column}", which \${row.${column}} uses (${paths.join(', ')})`,
          `add the column to every record, or change the template`,
        );
      }
    }
    if (this.keyFromRow.length === 0) return;
    const missing = this.keyFromRow.filter((field) => {
      const value = row.values[field];
      return value === undefined || value === null || value === '';
    });
    if (missing.length > 0) {
      this.problem(
        report,
        `key field${missing.length > 1 ? 's' : ''} ${missing.map((field) => `"${field}"`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing or empty`,
        `every record of step "${this.step.id}" needs its key (${this.step.key.join(', ')})`,
      );
      return;
    }
    if (this.keyFromRow.length !== this.step.key.length) return; // part of the key is computed per row; checked at run time
    const key = keyString(this.step.key.map((field) => row.values[field]));
    const first = this.keys.add(key, row.row);
    if (first !== undefined) {
      this.problem(
        report,
        `duplicate key ${key} (first at row ${first})`,
        `each record of step "${this.step.id}" needs a unique key (${this.step.key.join(', ')})`,
      );
    }
  }

  finish(report: Report): void {
    if (this.suppressed > 0)
      report(
        `... and ${this.suppressed} more problem${this.suppressed === 1 ? '' : 's'} in these records`,
        'fix the ones above and validate again',
      );
  }
}
