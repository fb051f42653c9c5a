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
import type { PlanStep, SourceRow, ValueTemplate } from '../model/plan-types.js';
import type { KeyValue } from '../../batch/send/record-keys.js';

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
  return parts.every((part) => part === null || part === undefined || part === '');
}

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

  /** Evaluates a node; `false` stands for "no record" (an empty reference key), as Odoo writes an empty many2one. */
  async value(template: ValueTemplate): Promise<unknown> {
    switch (template.kind) {
      case 'literal':
        return template.value;
      case 'string':
        try {
          return renderTemplateString(template.parts, this.scope);
        } catch (error) {
          if (error instanceof TemplateValueError) this.fail(template.path, error.message, error);
          throw error;
        }
      case 'ref': {
        const key: KeyValue[] = [];
        for (const part of template.key) {
          const value = await this.value(part);
          if (value !== null && typeof value === 'object') {
            this.fail(part.path, `a key value must be text, a number or a boolean, not ${JSON.stringify(value)}`);
          }
          key.push(value as KeyValue);
        }
        if (isEmptyKey(key)) return false;
        return this.resolver.ref(template.step, key, this.context(template.path));
      }
      case 'xmlid': {
        // Like a reference key, an external id whose placeholders are all empty (e.g. `base.${row.country}` with an
        // empty country cell) means "no record".
        if (template.xmlid.kind === 'string') {
          const placeholders = template.xmlid.parts.filter((part) => part.kind !== 'text');
          const values = await Promise.all(
            placeholders.map((part) => this.value({ kind: 'string', parts: [part], path: template.xmlid.path })),
          );
          if (isEmptyKey(values)) return false;
        }
        const xmlid = await this.value(template.xmlid);
        if (xmlid === null || xmlid === '') return false;
        if (typeof xmlid !== 'string' || !/^[^.\s]+\.[^\s]+$/.test(xmlid)) {
          this.fail(template.path, `${JSON.stringify(xmlid)} is not an external id (module.name)`);
        }
        return this.resolver.xmlid(xmlid, this.context(template.path));
      }
      case 'lookup': {
        const where = (await this.value(template.where)) as unknown[];
        return this.resolver.lookup(template.model, where, this.context(template.path));
      }
      case 'x2many': {
        const ids: unknown[] = [];
        for (const item of template.items) {
          const id = await this.value(item);
          // An empty reference (e.g. an empty CSV cell) means "no record": leave it out rather than send `false`.
          if (id !== false && id !== null && id !== '') ids.push(id);
        }
        if (template.op === 'set') return [[6, 0, ids]];
        const code = template.op === 'add' ? 4 : 3;
        return ids.map((id) => [code, id, 0]);
      }
      case 'list': {
        const items: unknown[] = [];
        for (const item of template.items) items.push(await this.value(item));
        return items;
      }
      case 'map': {
        const entries: Record<string, unknown> = {};
        for (const [field, entry] of Object.entries(template.entries)) entries[field] = await this.value(entry);
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
 * - `{ ref }`, `{ xmlid }`, `{ lookup }` go through `resolver`; a reference whose key is empty (e.g. an empty CSV
 *   cell, or an `{ xmlid: "base.${row.country}" }` whose placeholders are all empty) yields `false`, Odoo's
 *   "no record".
 * - `{ set: [...] }` → `[[6, 0, ids]]`, `{ add: [...] }` → `[[4, id, 0], ...]`, `{ remove: [...] }` →
 *   `[[3, id, 0], ...]`; raw command lists pass through with their references resolved.
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
    record[field] = await evaluator.value(step.values[field]!);
  }
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
