/**
 * The line rows nested in a parent's own row (`lines: { order_line: { records: { column: lines } } }`): the cell is
 * a list of maps in JSON, JSONL, YAML or inline data. Load checks every parent row this way and the diff reads its
 * lines the same way, so a row accepted by one is read identically by the other.
 *
 * @packageDocumentation
 */
import type { SourceRow } from '../model/plan-types.js';

/** The lines of a parent row, or why its cell is not a list of maps. */
export type NestedLineRows =
  | { readonly ok: true; readonly rows: readonly SourceRow[] }
  | { readonly ok: false; readonly message: string; readonly hint: string };

/** Where a nested line comes from, for messages: `orders.json row 3, lines`. */
export function nestedLineSource(parent: SourceRow, column: string): string {
  return `${parent.source} row ${parent.row}, ${column}`;
}

/**
 * The line rows held in `column` of `parent`, numbered from 1 in their list. A missing or empty cell (`null`, `''`)
 * holds no lines; anything but a list of maps is refused (a CSV cell is text: CSV data cannot nest lines).
 */
export function nestedLineRows(parent: SourceRow, column: string): NestedLineRows {
  const cell = parent.values[column];
  if (cell === undefined || cell === null || cell === '') return { ok: true, rows: [] };
  const hint = `give "${column}" a list of maps (one per line), e.g. [{ product_id: 7, product_uom_qty: 2 }], or read the lines from their own file`;
  if (!Array.isArray(cell)) {
    return { ok: false, message: `column "${column}" holds ${typeof cell}, not a list of lines`, hint };
  }
  const source = nestedLineSource(parent, column);
  const rows: SourceRow[] = [];
  for (const [index, item] of cell.entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return { ok: false, message: `line ${index + 1} of column "${column}" is not a map of field values`, hint };
    }
    rows.push({ row: index + 1, source, values: item as Readonly<Record<string, unknown>> });
  }
  return { ok: true, rows };
}
