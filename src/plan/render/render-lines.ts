/**
 * How a diff shows a document's line changes, shared by the text and markdown renderers: one item per line, named by
 * its line key as a reviewer reads it (`product_id` 42 shown as the product's name, read by the dry run) or by its
 * position, with the line's values (create) or its fields' before → after (update).
 *
 * ```text
 * + line "[LP016] Lamp"  product_uom_qty: 4
 * ~ line "[LP014] Chair"  product_uom_qty 2 → 9
 * - line "[LP017] Shelf"
 * ```
 *
 * @packageDocumentation
 */
import type { DocumentLines, LineChanges, RecordNames } from '../model/diff-types.js';
import { formatAfter, formatValue } from './render-value.js';

/** One line change, as plain text (the renderers colour or escape it). */
export interface LineItem {
  /** What happens to the line. */
  readonly kind: 'create' | 'update' | 'delete';
  /** `line "[LP014] Chair"` (prefixed by the field when the document has several lines fields). */
  readonly label: string;
  /** The values of a create, or the changes of an update (`product_uom_qty 2 → 9`); empty for a delete. */
  readonly detail: string;
}

/** A line's key shown by name where the dry run read one: `"[LP014] Chair"`, `"[LP014] Chair", 10`. */
function keyLabel(key: string, keyFields: readonly string[], names: RecordNames | undefined): string {
  let parts: unknown[];
  try {
    parts = JSON.parse(key) as unknown[];
  } catch {
    return key;
  }
  return parts
    .map((part, index) => {
      const field = keyFields[index];
      const name = field === undefined || typeof part !== 'string' ? undefined : names?.[field]?.[part];
      if (name !== undefined) return JSON.stringify(name);
      // A key pointing at a record an earlier step will create (a dry run) holds that pending reference as JSON.
      if (typeof part === 'string' && part.startsWith('{"$pending"')) {
        try {
          return formatValue(JSON.parse(part));
        } catch {
          return part;
        }
      }
      return typeof part === 'string' ? part : JSON.stringify(part);
    })
    .join(', ');
}

function label(field: string, several: boolean, changes: LineChanges, key?: string, position?: number): string {
  const name =
    key !== undefined
      ? keyLabel(key, changes.keyFields ?? [], changes.names)
      : position !== undefined
        ? `#${position}`
        : '';
  return `${several ? `${field} ` : ''}line ${name}`.trimEnd();
}

/** The line changes of a document, creates first, then updates, then deletes (per lines field). */
export function lineItems(lines: DocumentLines | undefined): LineItem[] {
  if (lines === undefined) return [];
  const several = Object.keys(lines).length > 1;
  const items: LineItem[] = [];
  for (const [field, changes] of Object.entries(lines)) {
    const keyFields = new Set(changes.keyFields ?? []);
    for (const create of changes.creates) {
      const detail = Object.entries(create.values)
        .filter(([name]) => !keyFields.has(name))
        .map(([name, value]) => `${name}: ${formatValue(value, changes.names?.[name])}`)
        .join(', ');
      items.push({ kind: 'create', label: label(field, several, changes, create.key, create.position), detail });
    }
    for (const update of changes.updates) {
      const detail = update.changes
        .map(
          (change) =>
            `${change.field} ${formatValue(change.before, changes.names?.[change.field])} → ${formatAfter(change.before, change.after, changes.names?.[change.field])}`,
        )
        .join(', ');
      items.push({ kind: 'update', label: label(field, several, changes, update.key, update.position), detail });
    }
    for (const remove of changes.deletes) {
      items.push({
        kind: 'delete',
        label:
          remove.key === undefined
            ? `${several ? `${field} ` : ''}line ${JSON.stringify(remove.displayName)}`
            : label(field, several, changes, remove.key),
        detail: '',
      });
    }
  }
  return items;
}
