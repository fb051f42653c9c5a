/**
 * The markdown rendering of a {@link Diff} (`zenoo plan diff --format markdown`), made to be posted as a pull-request
 * comment: a summary table, then per step the details, with long lists folded in `<details>` and capped so that the
 * comment stays well under GitHub's 65,536-character limit.
 *
 * @packageDocumentation
 */
import { hasChanges, stepChangeCount } from '../model/diff-types.js';
import type { Diff, StepDiff } from '../model/diff-types.js';
import { displayKey, formatAfter, formatValue } from './render-value.js';
import { callMarkdownLines } from './render-calls.js';
import type { LineItem } from './render-lines.js';
import { lineItems } from './render-lines.js';

/** Lists longer than this are folded in a `<details>` block. */
export const DEFAULT_MARKDOWN_FOLD_AFTER = 10;

/** At most this many items per kind and step are listed; the rest is counted. */
export const DEFAULT_MARKDOWN_MAX_ITEMS = 100;

/** Options of {@link renderDiffMarkdown}. */
export interface MarkdownRenderOptions {
  /** Lists longer than this are folded. @default DEFAULT_MARKDOWN_FOLD_AFTER */
  readonly foldAfter?: number;
  /** Items listed per kind and step; 0 lists all. @default DEFAULT_MARKDOWN_MAX_ITEMS */
  readonly maxItems?: number;
}

/** Escapes text for a markdown table cell or list item (pipes, backticks, HTML, line breaks). */
function escapeMd(text: string): string {
  return text.replace(/[\\`*_[\]|<>]/g, (char) => `\\${char}`).replace(/\r?\n/g, ' ');
}

/** Inline code that survives backticks inside the value. */
function code(text: string): string {
  const clean = text.replace(/\r?\n/g, ' ');
  const fence = clean.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${clean}${fence.length > 1 ? ' ' : ''}${fence}`;
}

function section(title: string, items: string[], total: number, foldAfter: number): string[] {
  if (total === 0) {
    return [];
  }
  const more = total > items.length ? [`- … and ${total - items.length} more (see \`--format json\`)`] : [];
  const body = [...items, ...more];
  if (total > foldAfter) {
    return ['<details>', `<summary>${title} (${total})</summary>`, '', ...body, '', '</details>', ''];
  }
  return [`**${title}** (${total})`, '', ...body, ''];
}

/** A document's line changes as nested list items: `  - ➕ line "[LP014] Chair": \`product_uom_qty: 2\``. */
function renderLines(items: readonly LineItem[]): string[] {
  const mark = { create: '➕', update: '✏️', delete: '❌' } as const;
  return items.map(
    (item) => `  - ${mark[item.kind]} ${escapeMd(item.label)}${item.detail === '' ? '' : `: ${code(item.detail)}`}`,
  );
}

function renderStep(step: StepDiff, foldAfter: number, maxItems: number): string[] {
  const take = <T>(list: readonly T[]): readonly T[] => (maxItems === 0 ? list : list.slice(0, maxItems));
  const lines = [`### ${escapeMd(step.step)} — \`${step.model}\` (${step.action})`, ''];
  if (step.calls !== undefined) {
    const md = {
      escape: escapeMd,
      code,
      section: (title: string, items: string[], total: number) => section(title, items, total, foldAfter),
    };
    lines.push(...callMarkdownLines(step.calls, maxItems, md));
    return lines;
  }
  if (stepChangeCount(step) === 0) {
    lines.push(`No changes (${step.unchanged} unchanged).`, '');
    return lines;
  }
  const creates = take(step.creates).flatMap((create) => {
    const where = [`row ${create.row}`, create.key === undefined ? undefined : `key ${code(displayKey(create.key))}`]
      .filter(Boolean)
      .join(', ');
    const values = Object.entries(create.values)
      .map(([field, value]) => `${field}: ${formatValue(value, step.names?.[field])}`)
      .join(', ');
    return [`- ➕ ${where}: ${code(values)}`, ...renderLines(lineItems(create.lines))];
  });
  const updates = take(step.updates).flatMap((update) => {
    const where = [
      update.row === undefined ? undefined : `row ${update.row}`,
      update.key === undefined ? undefined : `key ${code(displayKey(update.key))}`,
    ]
      .filter(Boolean)
      .join(', ');
    return [
      `- ✏️ #${update.id} ${escapeMd(update.displayName)}${where ? ` (${where})` : ''}`,
      ...update.changes.map(
        (change) =>
          `  - ${code(change.field)}: ${code(formatValue(change.before, step.names?.[change.field]))} → ${code(formatAfter(change.before, change.after, step.names?.[change.field]))}`,
      ),
      ...renderLines(lineItems(update.lines)),
    ];
  });
  const deletes = take(step.deletes).map((remove) => `- ❌ #${remove.id} ${escapeMd(remove.displayName)}`);
  lines.push(
    ...section('Create', creates, step.creates.length, foldAfter),
    ...section('Update', updates.length === 0 ? [] : updates, step.updates.length, foldAfter),
    ...section('Delete', deletes, step.deletes.length, foldAfter),
  );
  if (step.unchanged > 0) {
    lines.push(`${step.unchanged} unchanged.`, '');
  }
  return lines;
}

/** Renders a diff as GitHub-flavoured markdown. Ends with a newline. */
export function renderDiffMarkdown(diff: Diff, options: MarkdownRenderOptions = {}): string {
  const foldAfter = options.foldAfter ?? DEFAULT_MARKDOWN_FOLD_AFTER;
  const maxItems = options.maxItems ?? DEFAULT_MARKDOWN_MAX_ITEMS;
  if (!Number.isInteger(foldAfter) || foldAfter < 0) {
    throw new TypeError('Expected `foldAfter` to be an integer from 0 and up');
  }
  if (!Number.isInteger(maxItems) || maxItems < 0) {
    throw new TypeError('Expected `maxItems` to be an integer from 0 and up');
  }
  const { summary } = diff;
  const lines = [
    `## zenoo plan \`${diff.plan.name}\` on \`${diff.target.db}\``,
    '',
    hasChanges(diff)
      ? `**${summary.create}** to create, **${summary.update}** to update, **${summary.delete}** to delete, ${summary.unchanged} unchanged${(summary.call ?? 0) > 0 ? `, **${summary.call}** to call` : ''}.`
      : `No changes: the target already matches the plan (${summary.unchanged} unchanged).`,
    '',
    '| Step | Model | Action | Create | Update | Delete | Unchanged |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: |',
    ...diff.steps.map(
      (step) =>
        `| ${escapeMd(step.step)} | \`${step.model}\` | ${step.action} | ${step.creates.length} | ${step.updates.length} | ${step.deletes.length} | ${step.unchanged} |`,
    ),
    '',
  ];
  for (const step of diff.steps) {
    if (stepChangeCount(step) > 0 || step.calls?.pendingSelection === true) {
      lines.push(...renderStep(step, foldAfter, maxItems));
    }
  }
  lines.push(`<sub>plan fingerprint \`${diff.plan.fingerprint.slice(0, 12)}\` · state read ${diff.createdAt}</sub>`);
  return `${lines.join('\n')}\n`;
}
