/**
 * How a diff shows one field value, shared by the text and markdown renderers: short, unambiguous, and never guessing
 * ids that do not exist yet.
 *
 * @packageDocumentation
 */
import { isPendingRef } from '../model/diff-types.js';

/** The longest string shown in full; longer ones are cut with an ellipsis (the JSON diff keeps them whole). */
export const MAX_SHOWN_STRING = 80;

function isMany2oneValue(value: unknown): value is [number, string] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string';
}

function isCommandList(value: unknown): value is unknown[][] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => Array.isArray(item) && typeof item[0] === 'number' && item[0] >= 0 && item[0] <= 6)
  );
}

function formatString(text: string): string {
  const cut = text.length > MAX_SHOWN_STRING ? `${text.slice(0, MAX_SHOWN_STRING - 1)}…` : text;
  return JSON.stringify(cut);
}

/**
 * A key as a reviewer reads it: the key string of a one-field key (`["VIP"]`) is shown as its value (`VIP`), a
 * multi-field key as its parts joined by `, `.
 */
export function displayKey(key: string): string {
  try {
    const parts = JSON.parse(key) as unknown;
    if (Array.isArray(parts)) return parts.map(String).join(', ');
  } catch {
    // Not a key string: show it as it is.
  }
  return key;
}

/** A lookup's domain as a reviewer reads it: `default_code = "P0001"`, leaves joined by `and` (operators kept). */
function formatDomain(where: readonly unknown[]): string {
  return where
    .map((leaf) =>
      Array.isArray(leaf) && leaf.length === 3
        ? `${String(leaf[0])} ${String(leaf[1])} ${formatValue(leaf[2])}`
        : JSON.stringify(leaf),
    )
    .join(' and ');
}

/** Display names of a field's records by id (a `StepDiff`'s `names` of that field). */
export type FieldNames = Readonly<Record<string, string>> | undefined;

function formatId(value: unknown, names?: FieldNames): string {
  if (isPendingRef(value)) {
    const pending = value.$pending;
    if ('lookup' in pending) return `<lookup ${pending.lookup.model} ${formatDomain(pending.lookup.where)}>`;
    return `<new ${pending.step} ${JSON.stringify(displayKey(pending.key))}>`;
  }
  if (typeof value !== 'number') return formatValue(value, names);
  const name = names?.[String(value)];
  return name === undefined ? `#${value}` : formatString(name);
}

/** Formats an x2many command the way a reviewer reads it: `+#4` (link), `-#3` (unlink), `= {#1, #2}` (set). */
function formatCommand(command: unknown[], names: FieldNames): string {
  const [code, id, payload] = command;
  switch (code) {
    case 0:
      return `new ${formatValue(payload)}`;
    case 1:
      return `~${formatId(id, names)} ${formatValue(payload)}`;
    case 2:
      return `delete ${formatId(id, names)}`;
    case 3:
      return `-${formatId(id, names)}`;
    case 4:
      return `+${formatId(id, names)}`;
    case 5:
      return 'clear';
    case 6:
      return `= {${(Array.isArray(payload) ? payload : []).map((item) => formatId(item, names)).join(', ')}}`;
    default:
      return JSON.stringify(command);
  }
}

/**
 * Formats a field value for a diff line: strings quoted, `false` as `false`, many2one `[id, name]` as `name (#id)`,
 * x2many id lists as `{#1, #2}`, commands as `+#4` / `-#3` / `= {#1}`, pending references as `<new STEP "KEY">`.
 * With the names of the field's records (`names`, read by the dry run), records show by name: `"Germany"`,
 * `{"VIP", "Retail"}`, `+"Retail"`; an id whose name is not known stays `#id`.
 */
export function formatValue(value: unknown, names?: FieldNames): string {
  if (isPendingRef(value)) {
    return formatId(value);
  }
  if (typeof value === 'string') {
    return formatString(value);
  }
  if (value === null || value === undefined) {
    return 'null';
  }
  if (typeof value === 'number' && names?.[String(value)] !== undefined) {
    return formatString(names[String(value)]!);
  }
  if (typeof value !== 'object') {
    return String(value);
  }
  if (isMany2oneValue(value)) {
    return names === undefined ? `${formatString(value[1])} (#${value[0]})` : formatString(value[1]);
  }
  if (isCommandList(value)) {
    return value.map((command) => formatCommand(command, names)).join(' ');
  }
  if (Array.isArray(value)) {
    return `{${value.map((item) => formatId(item, names)).join(', ')}}`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([key, item]) => `${key}: ${formatValue(item)}`).join(', ')}}`;
}

/**
 * Formats the "after" side of a change: a plain id replacing a many2one `[id, name]` (or `false`) is shown as `#id`,
 * so the reviewer reads "Belgium (#20) → #21", not a bare number.
 */
export function formatAfter(before: unknown, after: unknown, names?: FieldNames): string {
  if (typeof after === 'number' && (isMany2oneValue(before) || (before === false && Number.isInteger(after)))) {
    return formatId(after, names);
  }
  return formatValue(after, names);
}
