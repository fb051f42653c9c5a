/**
 * The one2many commands that write a document's line changes: `(1, id, vals)` for each changed line (only the fields
 * that differ), `(2, id)` for each line not declared, `(0, 0, vals)` for each missing line, in that order. The apply
 * sends them in the document's own create or write call, so a document and its lines commit together or not at all.
 *
 * @packageDocumentation
 */
import type { DocumentLines } from './diff-types.js';

/** The values to merge into a document's create or write: one command list per one2many field with changes. */
export function lineCommands(lines: DocumentLines | undefined): Record<string, unknown[]> {
  const values: Record<string, unknown[]> = {};
  if (lines === undefined) return values;
  for (const [field, changes] of Object.entries(lines)) {
    const commands: unknown[] = [];
    for (const update of changes.updates) {
      const vals: Record<string, unknown> = {};
      for (const change of update.changes) vals[change.field] = change.after;
      commands.push([1, update.id, vals]);
    }
    for (const remove of changes.deletes) commands.push([2, remove.id]);
    for (const create of changes.creates) commands.push([0, 0, create.values]);
    if (commands.length > 0) values[field] = commands;
  }
  return values;
}
