/**
 * The text rendering of a {@link Diff} (`zenoo plan diff`): `+` create, `~` update (with per-field before → after),
 * `-` delete. Colours come from an injected {@link DiffStyle} so that this library module never depends on a terminal;
 * the CLI passes a chalk-based style (which honours NO_COLOR), tests pin the plain one.
 *
 * @packageDocumentation
 */
import { hasChanges, stepChangeCount } from '../model/diff-types.js';
import type { Diff, StepDiff } from '../model/diff-types.js';
import { displayKey, formatAfter, formatValue } from './render-value.js';
import { callTextLines } from './render-calls.js';
import type { LineItem } from './render-lines.js';
import { lineItems } from './render-lines.js';

/** Colouring hooks of the text renderer. Each returns its input decorated (or unchanged). */
export interface DiffStyle {
  readonly create: (text: string) => string;
  readonly update: (text: string) => string;
  readonly delete: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

const identity = (text: string): string => text;

/** The style without colours. */
export const PLAIN_STYLE: DiffStyle = Object.freeze({
  create: identity,
  update: identity,
  delete: identity,
  dim: identity,
  bold: identity,
});

/** Default number of creates, updates and deletes shown per step before the rest is counted. */
export const DEFAULT_TEXT_MAX_ITEMS = 50;

/** Options of {@link renderDiffText}. */
export interface TextRenderOptions {
  /** Colours. @default PLAIN_STYLE */
  readonly style?: DiffStyle;
  /** Items shown per kind and step; 0 shows all. @default DEFAULT_TEXT_MAX_ITEMS */
  readonly maxItems?: number;
  /** What the header says of the server, e.g. `Odoo 19.0 over json2` (a CLI run knows it; a saved diff does not). */
  readonly server?: string | undefined;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `row 3, key "ACME"` (whatever of the two is known). */
function origin(row: number | undefined, key: string | undefined): string {
  return [
    row === undefined ? undefined : `row ${row}`,
    key === undefined ? undefined : `key ${JSON.stringify(displayKey(key))}`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** A document's line changes, indented under it: `+ line "[LP014] Chair"  product_uom_qty: 2`. */
function renderLines(items: readonly LineItem[], style: DiffStyle): string[] {
  const mark = { create: '+', update: '~', delete: '-' } as const;
  return items.map((item) =>
    style[item.kind](`      ${mark[item.kind]} ${item.label}${item.detail === '' ? '' : `  ${item.detail}`}`),
  );
}

function renderStep(step: StepDiff, style: DiffStyle, maxItems: number): string[] {
  const lines: string[] = [];
  const counts =
    `${style.create(`+${step.creates.length}`)} ${style.update(`~${step.updates.length}`)} ` +
    `${style.delete(`-${step.deletes.length}`)} ${style.dim(`=${step.unchanged}`)}`;
  lines.push(`${style.bold(step.step)}  ${step.model}  ${step.action}  ${counts}`);
  const limit = (count: number): number => (maxItems === 0 ? count : Math.min(count, maxItems));
  const more = (total: number, kind: string): void => {
    if (total > limit(total)) {
      lines.push(
        style.dim(`  … ${total - limit(total)} more ${kind} (--limit 0 lists all, --format json gives all as JSON)`),
      );
    }
  };

  for (const create of step.creates.slice(0, limit(step.creates.length))) {
    const values = Object.entries(create.values)
      .map(([field, value]) => `${field}: ${formatValue(value, step.names?.[field])}`)
      .join(', ');
    lines.push(style.create(`  + ${origin(create.row, create.key)}  ${values}`));
    lines.push(...renderLines(lineItems(create.lines), style));
  }
  more(step.creates.length, step.creates.length - limit(step.creates.length) === 1 ? 'create' : 'creates');

  for (const update of step.updates.slice(0, limit(step.updates.length))) {
    const from = origin(update.row, update.key);
    lines.push(style.update(`  ~ #${update.id} ${JSON.stringify(update.displayName)}${from ? `  ${from}` : ''}`));
    for (const change of update.changes) {
      lines.push(
        `      ${change.field}: ${style.delete(formatValue(change.before, step.names?.[change.field]))} → ${style.create(formatAfter(change.before, change.after, step.names?.[change.field]))}`,
      );
    }
    lines.push(...renderLines(lineItems(update.lines), style));
  }
  more(step.updates.length, step.updates.length - limit(step.updates.length) === 1 ? 'update' : 'updates');

  for (const remove of step.deletes.slice(0, limit(step.deletes.length))) {
    lines.push(style.delete(`  - #${remove.id} ${JSON.stringify(remove.displayName)}`));
  }
  more(step.deletes.length, step.deletes.length - limit(step.deletes.length) === 1 ? 'delete' : 'deletes');
  return lines;
}

/** Renders a diff as text for a terminal or a log. Ends with a newline. */
export function renderDiffText(diff: Diff, options: TextRenderOptions = {}): string {
  const style = options.style ?? PLAIN_STYLE;
  const maxItems = options.maxItems ?? DEFAULT_TEXT_MAX_ITEMS;
  if (!Number.isInteger(maxItems) || maxItems < 0) {
    throw new TypeError('Expected `maxItems` to be an integer from 0 and up');
  }
  const server = options.server === undefined ? '' : `, ${options.server}`;
  const lines: string[] = [
    `Plan ${style.bold(diff.plan.name)} on ${diff.target.url} (database ${diff.target.db}${server})`,
    '',
  ];
  for (const step of diff.steps) {
    if (step.calls !== undefined && (step.calls.records.length > 0 || step.calls.pendingSelection === true)) {
      lines.push(...callTextLines(step, step.calls, style.update, style.dim, maxItems));
      continue;
    }
    if (stepChangeCount(step) === 0) {
      lines.push(style.dim(`${step.step}  ${step.model}  ${step.action}  no changes (${step.unchanged} unchanged)`));
      continue;
    }
    lines.push(...renderStep(step, style, maxItems));
  }
  lines.push('');
  const { summary } = diff;
  if (!hasChanges(diff)) {
    lines.push(`No changes: the target already matches the plan (${plural(summary.unchanged, 'record')} unchanged).`);
  } else {
    lines.push(
      `Summary: ${style.create(`${summary.create} to create`)}, ${style.update(`${summary.update} to update`)}, ` +
        `${style.delete(`${summary.delete} to delete`)}, ${summary.unchanged} unchanged` +
        `${(summary.call ?? 0) > 0 ? `, ${style.update(`${summary.call} to call`)}` : ''}.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
