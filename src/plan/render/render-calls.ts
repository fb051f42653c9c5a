/**
 * How the renderers show a `call` step: the method (with its arguments), the records it would be called on (id,
 * display name, key), their count, and whether the selection depends on records earlier steps will create.
 *
 * @packageDocumentation
 */
import type { DiffCalls, StepDiff } from '../model/diff-types.js';
import { displayKey } from './render-value.js';

/** `action_confirm`, `action_apply_inventory(1, mode="x")`: the method as a reader of Python would write the call. */
export function callSignature(calls: DiffCalls): string {
  const args = (calls.args ?? []).map((value) => JSON.stringify(value));
  const kwargs = Object.entries(calls.kwargs ?? {}).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  const all = [...args, ...kwargs];
  return all.length === 0 ? calls.method : `${calls.method}(${all.join(', ')})`;
}

/** What the reader must know when the selection is not complete yet. */
export const PENDING_SELECTION_NOTE =
  'the selection depends on records that earlier steps will create: it is made again when the step runs';

/** `3 records`. */
function records(count: number): string {
  return `${count} record${count === 1 ? '' : 's'}`;
}

/** The lines of a call step in the text diff (without colours but for `mark`, which colours the record lines). */
export function callTextLines(
  step: StepDiff,
  calls: DiffCalls,
  mark: (text: string) => string,
  dim: (text: string) => string,
  maxItems: number,
): string[] {
  const lines = [`${step.step}  ${step.model}  call ${callSignature(calls)} on ${records(calls.records.length)}`];
  const shown = maxItems === 0 ? calls.records : calls.records.slice(0, maxItems);
  for (const record of shown) {
    const key = record.key === undefined ? '' : `  key ${JSON.stringify(displayKey(record.key))}`;
    lines.push(mark(`  * #${record.id} ${JSON.stringify(record.displayName)}${key}`));
  }
  if (calls.records.length > shown.length)
    lines.push(dim(`  … ${calls.records.length - shown.length} more (--limit 0 lists all, --format json gives all)`));
  if (calls.pendingSelection === true) lines.push(dim(`  (${PENDING_SELECTION_NOTE})`));
  if (step.unchanged > 0) lines.push(dim(`  ${records(step.unchanged)} of the keys no longer match the where guard`));
  return lines;
}

/** Formatting helpers of the markdown renderer. */
export interface MarkdownHelpers {
  /** Escapes text for a list item. */
  readonly escape: (text: string) => string;
  /** Inline code. */
  readonly code: (text: string) => string;
  /** A titled list, folded when long, with a count of the items left out. */
  readonly section: (title: string, items: string[], total: number) => string[];
}

/** The lines of a call step in the markdown diff. */
export function callMarkdownLines(calls: DiffCalls, maxItems: number, md: MarkdownHelpers): string[] {
  const shown = maxItems === 0 ? calls.records : calls.records.slice(0, maxItems);
  const items = shown.map(
    (record) =>
      `- ▶️ #${record.id} ${md.escape(record.displayName)}${record.key === undefined ? '' : ` (key ${md.code(displayKey(record.key))})`}`,
  );
  return [
    `Calls ${md.code(callSignature(calls))} on ${records(calls.records.length)}.`,
    '',
    ...md.section('Call', items, calls.records.length),
    ...(calls.pendingSelection === true ? [`_Note: ${PENDING_SELECTION_NOTE}._`, ''] : []),
  ];
}
