/**
 * Turns a row of a step into the record sent to Odoo: the row's columns (minus the step's template-only columns),
 * overridden by the step's `values:` evaluated against that row.
 *
 * References are resolved through an injected {@link ReferenceResolver}: this module knows the plan, not the server.
 * The apply engine implements the resolver (with caching and batched look-ups); tests implement it with a map.
 *
 * @packageDocumentation
 */
import { throwIfAborted } from '../../util/abort.js';
import type { PlanProblem } from '../../errors.js';
import { PlanValidationError } from '../../errors.js';
import type { TemplateScope } from '../load/template-string.js';
import { TemplateValueError, renderTemplateString } from '../load/template-string.js';
import { findPosition } from '../model/plan-positions.js';
import type { PlanStep, SourceRow, TemplatePart, ValueTemplate } from '../model/plan-types.js';
import { visitTemplate } from '../model/template-walk.js';
import type { KeyValue } from '../../batch/send/record-keys.js';
import { EMPTY_VALUE, applyEmptyValue, isEmptyValue } from './empty-value.js';

/** Where a reference is being resolved, for the resolver's error messages and cancellation. */
export interface ReferenceContext {
  /** The step whose record is being evaluated. */
  readonly step: PlanStep;
  /** Path of the reference node, e.g. `steps[2].values.parent_id` (see `problemAt`). */
  readonly path: string;
  /** The row being evaluated, if any. */
  readonly row: SourceRow | undefined;
  /** Cancels the look-up. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Resolves references to record ids. Each method returns the id, or throws a zenoo error saying what was not found.
 * Return values may be promises, so an implementation can batch look-ups.
 */
export interface ReferenceResolver {
  /**
   * The id of the record that step `stepId` created or matched under `key` (one value per key field of that step, in
   * the order of its `key:`; compare keys with `keyString`).
   */
  ref(stepId: string, key: readonly KeyValue[], context: ReferenceContext): number | Promise<number>;
  /** The id of the record with external id `xmlid` (`module.name`). */
  xmlid(xmlid: string, context: ReferenceContext): number | Promise<number>;
  /** The id of the one record of `model` matching `where` (zero or several matches must throw). */
  lookup(model: string, where: readonly unknown[], context: ReferenceContext): number | Promise<number>;
}

/** Options of {@link evaluateRecord} and {@link evaluateWhere}. */
export interface EvaluateOptions {
  /** Cancels the evaluation (checked before every reference). */
  readonly signal?: AbortSignal | undefined;
}

function isEmptyKey(parts: readonly unknown[]): boolean {
  return parts.every(isEmptyValue);
}

/** The placeholders (`${row.x}`, `${env.X}`) of every string below `template`. */
function placeholdersOf(template: ValueTemplate): TemplatePart[] {
  const parts: TemplatePart[] = [];
  visitTemplate(template, (node) => {
    if (node.kind === 'string') for (const part of node.parts) if (part.kind !== 'text') parts.push(part);
  });
  return parts;
}

type Reference = Extract<ValueTemplate, { kind: 'ref' | 'xmlid' | 'lookup' }>;

class Evaluator {
  constructor(
    private readonly step: PlanStep,
    private readonly row: SourceRow | undefined,
    private readonly resolver: ReferenceResolver,
    private readonly signal: AbortSignal | undefined,
  ) {}

  private get scope(): TemplateScope {
    return { row: this.row?.values, env: this.step.env };
  }

  private context(path: string): ReferenceContext {
    throwIfAborted(this.signal, 'Evaluation', { step: this.step.id });
    return { step: this.step, path, row: this.row, signal: this.signal };
  }

  fail(path: string, message: string, cause?: unknown): never {
    const position = findPosition(this.step.positions, path);
    const problem: PlanProblem = this.row
      ? { file: this.row.source, path: `row ${this.row.row}`, message: `${path}: ${message}` }
      : { file: this.step.planFile, ...position, path, message };
    throw new PlanValidationError([problem], { step: this.step.id, model: this.step.model, cause });
  }

  /** Fills placeholders (see `renderTemplateString`); a missing column or variable is a problem at `path`. */
  private render(parts: readonly TemplatePart[], path: string): unknown {
    try {
      return renderTemplateString(parts, this.scope);
    } catch (error) {
      if (error instanceof TemplateValueError) this.fail(path, error.message, error);
      throw error;
    }
  }

  /** Whether `parts` hold at least one placeholder and every placeholder is empty in this row. */
  private allEmpty(parts: readonly TemplatePart[], path: string): boolean {
    if (parts.length === 0) return false;
    for (const part of parts) {
      if (part.kind === 'text') continue;
      if (!isEmptyValue(this.render([part], path))) return false;
    }
    return parts.some((part) => part.kind !== 'text');
  }

  /**
   * The value of a field (of `values:`, or of a command's values): like {@link value}, but an empty value gives
   * {@link EMPTY_VALUE} rather than `false` or text, so that the step's `on_empty` decides what it writes. Empty are:
   * a template whose placeholders are all empty (`"${row.first} ${row.last}"` with both cells empty), a reference with
   * an empty key or whose placeholders are all empty (`base.${row.country}`), an x2many helper whose items all are.
   */
  async fieldValue(template: ValueTemplate): Promise<unknown> {
    switch (template.kind) {
      case 'string':
        return this.allEmpty(template.parts, template.path) ? EMPTY_VALUE : this.value(template);
      case 'ref':
      case 'xmlid':
      case 'lookup':
        return this.reference(template);
      case 'x2many': {
        const ids: unknown[] = [];
        for (const item of template.items) {
          for (const id of await this.items(item)) if (!isEmptyValue(id) && id !== false) ids.push(id);
        }
        // `{ set: [] }` as written clears the links; a helper whose every item is empty says nothing.
        if (ids.length === 0 && template.items.length > 0) return EMPTY_VALUE;
        if (template.op === 'set') return [[6, 0, ids]];
        const code = template.op === 'add' ? 4 : 3;
        return ids.map((id) => [code, id, 0]);
      }
      default:
        return this.value(template);
    }
  }

  /**
   * The ids of one item of an x2many helper: one, or one per key of a `split:` reference's cell (`VIP;Retail` →
   * the reference resolved with VIP, then with Retail; keys trimmed, empty keys skipped).
   */
  private async items(item: ValueTemplate): Promise<unknown[]> {
    if ((item.kind !== 'ref' && item.kind !== 'xmlid' && item.kind !== 'lookup') || item.split === undefined) {
      return [await this.fieldValue(item)];
    }
    const { column, separator } = item.split;
    const cell = this.render([{ kind: 'row', column }], item.path);
    if (cell !== null && typeof cell === 'object') {
      this.fail(item.path, `split reads text, but column "${column}" holds ${JSON.stringify(cell)}`);
    }
    const keys = isEmptyValue(cell)
      ? []
      : String(cell)
          .split(separator)
          .map((key) => key.trim())
          .filter((key) => key !== '');
    const ids: unknown[] = [];
    for (const key of keys) {
      const row: SourceRow = { ...this.row!, values: { ...this.row!.values, [column]: key } };
      ids.push(await new Evaluator(this.step, row, this.resolver, this.signal).reference(item));
    }
    return ids;
  }

  /** Resolves a reference; {@link EMPTY_VALUE} when its key, or every placeholder it has, is empty. */
  async reference(template: Reference): Promise<unknown> {
    switch (template.kind) {
      case 'ref': {
        const key: KeyValue[] = [];
        for (const part of template.key) {
          const value = part.kind === 'string' && this.allEmpty(part.parts, part.path) ? '' : await this.value(part);
          if (value !== null && typeof value === 'object') {
            this.fail(part.path, `a key value must be text, a number or a boolean, not ${JSON.stringify(value)}`);
          }
          key.push(value as KeyValue);
        }
        if (isEmptyKey(key)) return EMPTY_VALUE;
        return this.resolver.ref(template.step, key, this.context(template.path));
      }
      case 'xmlid': {
        // Like a reference key, an external id whose placeholders are all empty (e.g. `base.${row.country}` with an
        // empty country cell) means "no record", never the id `base.`.
        if (template.xmlid.kind === 'string' && this.allEmpty(template.xmlid.parts, template.xmlid.path)) {
          return EMPTY_VALUE;
        }
        const xmlid = await this.value(template.xmlid);
        if (isEmptyValue(xmlid)) return EMPTY_VALUE;
        if (typeof xmlid !== 'string' || !/^[^.\s]+\.[^\s]+$/.test(xmlid)) {
          this.fail(template.path, `${JSON.stringify(xmlid)} is not an external id (module.name)`);
        }
        return this.resolver.xmlid(xmlid, this.context(template.path));
      }
      case 'lookup': {
        // A lookup of an empty cell (`[[code, "=", "${row.country}"]]`) means "no record", not a search for "".
        const placeholders = placeholdersOf(template.where);
        if (placeholders.length > 0 && this.allEmpty(placeholders, template.where.path)) return EMPTY_VALUE;
        const where = (await this.value(template.where)) as unknown[];
        return this.resolver.lookup(template.model, where, this.context(template.path));
      }
      default:
        return template satisfies never;
    }
  }

  /** Evaluates a node; `false` stands for "no record" (an empty reference key), as Odoo writes an empty many2one. */
  async value(template: ValueTemplate): Promise<unknown> {
    switch (template.kind) {
      case 'literal':
        return template.value;
      case 'string':
        return this.render(template.parts, template.path);
      case 'ref':
      case 'xmlid':
      case 'lookup': {
        // Inside a command or a domain an empty reference is `false`, as Odoo writes an empty many2one.
        const id = await this.reference(template);
        return id === EMPTY_VALUE ? false : id;
      }
      case 'x2many': {
        const value = await this.fieldValue(template);
        return value === EMPTY_VALUE ? [] : value;
      }
      case 'list': {
        const items: unknown[] = [];
        for (const item of template.items) items.push(await this.value(item));
        return items;
      }
      case 'map': {
        // The values of a `[0, 0, {...}]` or `[1, id, {...}]` command are field values: empty ones follow on_empty.
        const entries: Record<string, unknown> = {};
        for (const [field, entry] of Object.entries(template.entries)) {
          const value = await this.fieldValue(entry);
          if (value !== EMPTY_VALUE) entries[field] = value;
          else if (this.step.onEmpty === 'clear') entries[field] = false;
        }
        return entries;
      }
      default:
        return template satisfies never;
    }
  }
}

/**
 * The columns of `row` that go into its record (all but the step's template-only columns), as a new object: the
 * record {@link evaluateRecord} builds before applying `values:`, and all of it for a step without `values:`.
 */
export function rowColumns(step: PlanStep, row: SourceRow): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  const values = row.values;
  const hidden = step.templateColumns;
  // Called once per row of large files: plain loops, no entry arrays.
  for (const column in values) {
    if (Object.hasOwn(values, column) && (hidden.length === 0 || !hidden.includes(column))) {
      record[column] = values[column];
    }
  }
  return record;
}

/**
 * The record to send for `row`: its columns except the step's template-only columns, overridden by the step's
 * `values:` evaluated against the row. Pass `undefined` as row for a `where`-driven step (values only).
 *
 * - `${row.col}` / `${env.NAME}` interpolate; a string that is one placeholder keeps the raw value's type.
 * - `{ ref }`, `{ xmlid }`, `{ lookup }` go through `resolver`.
 * - `{ set: [...] }` → `[[6, 0, ids]]`, `{ add: [...] }` → `[[4, id, 0], ...]`, `{ remove: [...] }` →
 *   `[[3, id, 0], ...]`; a `split:` item gives one id per key of its cell; raw command lists pass through with their
 *   references resolved.
 * - An empty value (an empty cell, a template whose placeholders are all empty, a reference with an empty key such as
 *   `{ xmlid: "base.${row.country}" }` with an empty country, a helper whose items are all empty) is left out of the
 *   record with the step's `on_empty: leave` (the default), or is `false` with `on_empty: clear` (see
 *   `applyEmptyValue`). Values are not converted to their field's type here: `prepareRecord` does that.
 *
 * Throws {@link PlanValidationError} (naming the source and row) when a placeholder cannot be filled; errors of the
 * resolver propagate as they are.
 *
 * @example
 * ```ts
 * for await (const row of openRecords(plan, step)) {
 *   const record = await evaluateRecord(step, row, resolver, { signal });
 * }
 * ```
 */
export async function evaluateRecord(
  step: PlanStep,
  row: SourceRow | undefined,
  resolver: ReferenceResolver,
  options: EvaluateOptions = {},
): Promise<Record<string, unknown>> {
  const record = row ? rowColumns(step, row) : {};
  let evaluator: Evaluator | undefined;
  for (const field in step.values) {
    if (!Object.hasOwn(step.values, field)) continue;
    evaluator ??= new Evaluator(step, row, resolver, options.signal);
    record[field] = await evaluator.fieldValue(step.values[field]!);
  }
  for (const field in record) if (isEmptyValue(record[field])) applyEmptyValue(step, record, field);
  return record;
}

/**
 * The step's `where:` domain with placeholders filled and references resolved, ready for `search`; `undefined` when
 * the step has no `where`.
 */
export async function evaluateWhere(
  step: PlanStep,
  resolver: ReferenceResolver,
  options: EvaluateOptions = {},
): Promise<unknown[] | undefined> {
  if (!step.where) return undefined;
  return (await new Evaluator(step, undefined, resolver, options.signal).value(step.where)) as unknown[];
}
