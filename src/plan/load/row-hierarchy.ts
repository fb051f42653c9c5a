/**
 * The hierarchy of a self-referencing step's rows (see `selfReferences`): which row each row refers to through its
 * own step, the level of every row (0 when it refers to no row of the file, else one more than the highest row it
 * refers to), and the cycles among rows, which no order of writes can satisfy.
 *
 * The loader runs it over a step's rows to refuse cycles before anything is written; the diff runs it again to write
 * the rows level by level. Both see the same keys: a row's key and the keys it refers to are read from the row alone
 * (the loader refuses a self-referencing step whose key or reference key needs a server read), compared as the run
 * compares keys (`keyString`).
 *
 * Linear in the number of rows and without recursion: a file may hold a million rows, or a chain as deep.
 *
 * @packageDocumentation
 */
import { keyPart, keyString } from '../../batch/send/record-keys.js';
import type { PlanStep, SourceRow, ValueTemplate } from '../model/plan-types.js';
import { selfReferences } from '../model/self-references.js';
import type { SelfReference } from '../model/self-references.js';
import { TemplateValueError, renderTemplateString } from './template-string.js';

/** One hop of a cycle: a row, and the row of the file it refers to. */
export interface RowCycleLink {
  /** Row number (as in the data file's messages). */
  readonly row: number;
  /** The row's key (canonical key string). */
  readonly key: string;
  /** The field whose reference makes the hop, e.g. `parent_id`. */
  readonly field: string;
  /** The row it refers to. */
  readonly toRow: number;
  /** That row's key. */
  readonly toKey: string;
}

/** What {@link RowHierarchy.finish} found. */
export interface RowLevels<Row> {
  /** The rows by level, each level in file order (empty when there are cycles). */
  readonly levels: readonly (readonly Row[])[];
  /** The keys the file declares (a reference to one of them is written after its row). */
  readonly declared: ReadonlySet<string>;
  /** Each cycle as the hops around it, from its first row in file order back to that row. */
  readonly cycles: readonly (readonly RowCycleLink[])[];
}

/** Whether a value says nothing (no key part), as the evaluator's empty values. */
function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/**
 * Collects a self-referencing step's rows one by one ({@link add}), then orders them ({@link finish}).
 *
 * @typeParam Row - what is kept of each row for the levels: the row itself (the diff), or nothing (the loader).
 */
export class RowHierarchy<Row = SourceRow> {
  readonly #step: PlanStep;
  readonly #references: readonly SelfReference[];
  readonly #keep: ((row: SourceRow) => Row) | undefined;
  readonly #rows: Row[] = [];
  readonly #numbers: number[] = [];
  readonly #keys: (string | undefined)[] = [];
  /** Per row: the keys it refers to, and through which field (most rows have one or none). */
  readonly #refers: ({ readonly key: string; readonly field: string }[] | undefined)[] = [];

  /**
   * @param step - a step with at least one self-reference.
   * @param keep - what to keep of each row for {@link RowLevels.levels} (omit to keep nothing: the levels are then
   *   empty, only the cycles are found).
   */
  constructor(step: PlanStep, keep?: (row: SourceRow) => Row) {
    this.#step = step;
    this.#references = selfReferences(step);
    this.#keep = keep;
  }

  /** Adds the next row (in file order). */
  add(row: SourceRow): void {
    if (this.#keep !== undefined) this.#rows.push(this.#keep(row));
    this.#numbers.push(row.row);
    this.#keys.push(this.#rowKey(row));
    let refers: { key: string; field: string }[] | undefined;
    for (const { field, template } of this.#references) {
      const parts = template.key.map((part) => this.#value(part, row));
      if (parts.every(isEmpty)) continue;
      (refers ??= []).push({ key: keyString(parts), field });
    }
    this.#refers.push(refers);
  }

  /** The row's key as the run registers it, or `undefined` when it is empty (the run refuses such a row). */
  #rowKey(row: SourceRow): string | undefined {
    const parts = this.#step.key.map((field) => {
      const template = this.#step.values[field];
      return keyPart(template === undefined ? row.values[field] : this.#value(template, row));
    });
    return parts.every((part) => part === null) ? undefined : keyString(parts);
  }

  /** The value of a key template for `row`; a placeholder that cannot be filled is left to the run to report. */
  #value(template: ValueTemplate, row: SourceRow): unknown {
    if (template.kind === 'literal') return template.value;
    if (template.kind !== 'string') return undefined; // refused by the loader (see `selfReferenceProblems`)
    try {
      return renderTemplateString(template.parts, { row: row.values, env: this.#step.env });
    } catch (error) {
      if (error instanceof TemplateValueError) return undefined;
      throw error;
    }
  }

  /** Orders the rows added so far: levels by Kahn's algorithm over the rows' references, then the cycles left. */
  finish(): RowLevels<Row> {
    const count = this.#numbers.length;
    const index = new Map<string, number>();
    this.#keys.forEach((key, row) => {
      // A duplicate key is refused elsewhere; the first row with it is the one referred to.
      if (key !== undefined && !index.has(key)) index.set(key, row);
    });
    // Per row, the rows of the file it refers to (parents), as a flat list: first parent of row r at start[r].
    const start = new Int32Array(count + 1);
    const parents: number[] = [];
    const fields: string[] = [];
    const waiting = new Int32Array(count);
    const childCount = new Int32Array(count + 1);
    for (let row = 0; row < count; row += 1) {
      start[row] = parents.length;
      for (const { key, field } of this.#refers[row] ?? []) {
        const parent = index.get(key);
        if (parent === undefined) continue; // not in the file: resolved as any reference (an existing record, or an error)
        parents.push(parent);
        fields.push(field);
        waiting[row]! += 1;
        childCount[parent]! += 1;
      }
    }
    start[count] = parents.length;
    // Children of each row, for Kahn's algorithm (compressed: children of row r at childStart[r]..childStart[r+1]).
    const childStart = new Int32Array(count + 1);
    for (let row = 0; row < count; row += 1) childStart[row + 1] = childStart[row]! + childCount[row]!;
    const children = new Int32Array(parents.length);
    const fill = childStart.slice(0, count);
    for (let row = 0; row < count; row += 1) {
      for (let at = start[row]!; at < start[row + 1]!; at += 1) children[fill[parents[at]!]!++] = row;
    }

    const level = new Int32Array(count);
    const queue = new Int32Array(count);
    let head = 0;
    let tail = 0;
    for (let row = 0; row < count; row += 1) if (waiting[row] === 0) queue[tail++] = row;
    while (head < tail) {
      const row = queue[head++]!;
      for (let at = childStart[row]!; at < childStart[row + 1]!; at += 1) {
        const child = children[at]!;
        if (level[child]! < level[row]! + 1) level[child] = level[row]! + 1;
        waiting[child]! -= 1;
        if (waiting[child] === 0) queue[tail++] = child;
      }
    }
    const declared = new Set(index.keys());
    if (tail < count) return { levels: [], declared, cycles: this.#cycles(waiting, start, parents, fields) };

    const levels: Row[][] = [];
    if (this.#keep !== undefined) {
      for (let row = 0; row < count; row += 1) (levels[level[row]!] ??= []).push(this.#rows[row]!);
    }
    return { levels, declared, cycles: [] };
  }

  /**
   * The cycles among the rows Kahn's algorithm left (`waiting` > 0). Each such row refers to at least one other such
   * row, so following those references from any of them ends on a cycle; every row is walked once.
   */
  #cycles(
    waiting: Int32Array,
    start: Int32Array,
    parents: readonly number[],
    fields: readonly string[],
  ): RowCycleLink[][] {
    const count = this.#numbers.length;
    // 0: not walked, 1: on the current walk, 2: walked.
    const state = new Uint8Array(count);
    const cycles: RowCycleLink[][] = [];
    const next = (row: number): number => {
      for (let at = start[row]!; at < start[row + 1]!; at += 1) if (waiting[parents[at]!]! > 0) return at;
      return -1; // cannot happen for a row left waiting
    };
    for (let first = 0; first < count; first += 1) {
      if (waiting[first] === 0 || state[first] !== 0) continue;
      const walk: number[] = [];
      let row = first;
      while (state[row] === 0) {
        state[row] = 1;
        walk.push(row);
        const at = next(row);
        if (at < 0) break;
        row = parents[at]!;
      }
      if (state[row] === 1) {
        const from = walk.indexOf(row);
        const members = walk.slice(from);
        // Start the cycle at its first row in file order, so that it reads as the file does.
        let lowest = 0;
        for (let at = 1; at < members.length; at += 1) if (members[at]! < members[lowest]!) lowest = at;
        const ordered = [...members.slice(lowest), ...members.slice(0, lowest)];
        cycles.push(
          ordered.map((member) => {
            const at = next(member);
            const parent = parents[at]!;
            return {
              row: this.#numbers[member]!,
              key: this.#keys[member]!,
              field: fields[at]!,
              toRow: this.#numbers[parent]!,
              toKey: this.#keys[parent]!,
            };
          }),
        );
      }
      for (const member of walk) state[member] = 2;
    }
    return cycles;
  }
}
