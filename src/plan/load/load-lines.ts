/**
 * The `lines:` of a step at load time: compiled once into {@link PlanLines} (templates, key, parent), checked against
 * the step's own rules (which actions take lines, which parent forms, which columns), and every line row checked
 * against its parent's data before anything is sent: a line naming a parent that is not in the parent data, a line
 * key given twice in one document, a column a template uses that the row lacks.
 *
 * @packageDocumentation
 */
import { keyPart, keyString } from '../../batch/send/record-keys.js';
import { childPath } from '../model/plan-positions.js';
import type {
  LineRecordsSource,
  PlanLines,
  PlanStep,
  PlanUnlisted,
  SourceRow,
  StepAction,
  ValueTemplate,
} from '../model/plan-types.js';
import { DEFAULT_PLAN_UNLISTED } from '../model/plan-types.js';
import { templatePlaceholders } from '../model/template-walk.js';
import { nestedLineRows } from '../sources/nested-line-rows.js';
import { documentKey, lineParentKey } from './line-parent-key.js';
import { TemplateValueError } from './template-string.js';
import type { ValueCompiler } from './value-template.js';

type Raw = Record<string, unknown>;

/** Reports a problem at a plan path. */
export type AtPath = (path: string, message: string, hint?: string) => void;

/** Reports a problem of a data row (its file and row are the caller's). */
export type AtRow = (row: SourceRow, message: string, hint?: string) => void;

function isMap(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The `lines:` entry of one field as compiled from the YAML, before its data is read. */
export interface DraftLines extends Omit<PlanLines, 'records'> {
  /** The `records:` node as written. */
  readonly rawRecords: unknown;
  /** The column of the parent row holding the lines, for nested lines. */
  readonly nestedColumn: string | undefined;
  /** Whether `parent:` was written. */
  readonly hasParent: boolean;
}

/** Compiles the `lines:` of a step (problems go to the compiler's list). */
export function compileLines(raw: unknown, stepPath: string, compiler: ValueCompiler): DraftLines[] {
  if (!isMap(raw)) return [];
  const drafts: DraftLines[] = [];
  for (const [field, entry] of Object.entries(raw)) {
    if (!isMap(entry)) continue;
    const path = childPath(childPath(stepPath, 'lines'), field);
    const values: Record<string, ValueTemplate> = {};
    if (isMap(entry.values)) {
      for (const [name, value] of Object.entries(entry.values)) {
        const compiled = compiler.fieldValue(value, childPath(childPath(path, 'values'), name));
        if (compiled) values[name] = compiled;
      }
    }
    const parentRaw = entry.parent;
    const parentPath = childPath(path, 'parent');
    const parent: ValueTemplate[] = [];
    const parentItems = Array.isArray(parentRaw) ? parentRaw : parentRaw === undefined ? [] : [parentRaw];
    parentItems.forEach((item, index) => {
      const itemPath = Array.isArray(parentRaw) ? childPath(parentPath, index) : parentPath;
      const compiled =
        typeof item === 'string'
          ? compiler.string(item, itemPath)
          : typeof item === 'number'
            ? ({ kind: 'literal', value: item, path: itemPath } as const)
            : undefined;
      if (compiled) parent.push(compiled);
    });
    const records = entry.records;
    drafts.push({
      field,
      path,
      rawRecords: records,
      nestedColumn: isMap(records) && typeof records.column === 'string' ? records.column : undefined,
      hasParent: parentRaw !== undefined,
      parent,
      key: stringList(entry.key),
      templateColumns: stringList(entry.template_columns),
      values,
      unlisted: (entry.unlisted as PlanUnlisted | undefined) ?? DEFAULT_PLAN_UNLISTED,
    });
  }
  return drafts;
}

/** The step facts the line rules need. */
export interface LinesStepFacts {
  /** Path of the step node. */
  readonly path: string;
  /** The step's action, when it is a valid one. */
  readonly action: StepAction | undefined;
  /** The step's key fields. */
  readonly key: readonly string[];
  /** Whether the step has records (the documents). */
  readonly hasRecords: boolean;
  /** The step's compiled `values:`. */
  readonly values: Readonly<Record<string, ValueTemplate>>;
}

/** Whether a compiled value holds an x2many create command (`[0, 0, {...}]`), which appends on every run. */
function createCommandPath(template: ValueTemplate): string | undefined {
  if (template.kind !== 'list') return undefined;
  for (const item of template.items) {
    if (item.kind !== 'list') continue;
    const [code] = item.items;
    if (code?.kind === 'literal' && code.value === 0) return item.path;
  }
  return undefined;
}

/**
 * Refuses `[0, 0, {...}]` commands in the `values:` of an upsert or update step: such a command appends a line on
 * every run (Odoo's create command is not idempotent), so the second apply would duplicate every line.
 */
export function checkRawLineCommands(step: LinesStepFacts, at: AtPath): void {
  if (step.action !== 'upsert' && step.action !== 'update') return;
  for (const [field, template] of Object.entries(step.values)) {
    const path = createCommandPath(template);
    if (path === undefined) continue;
    at(
      path,
      `a [0, 0, {...}] command in ${field} creates a new line on every run of ${step.action === 'upsert' ? 'an upsert' : 'an update'} step, so applying twice would duplicate the lines`,
      `declare the lines under lines: { ${field}: { records, parent, key, values } }: zenoo then compares them with the live lines and writes only the differences`,
    );
  }
}

/** Checks the rules of each `lines:` entry of a step (forms, parent, columns). */
export function checkLinesRules(step: LinesStepFacts, lines: readonly DraftLines[], at: AtPath): void {
  for (const draft of lines) {
    const { path } = draft;
    if (step.action === 'delete' || !step.hasRecords) {
      at(
        path,
        step.action === 'delete' ? 'a delete step takes no lines' : 'lines need a step with records',
        'declare lines on a create, upsert or update step whose records are the documents',
      );
      continue;
    }
    if (Object.hasOwn(step.values, draft.field)) {
      at(
        childPath(childPath(step.path, 'values'), draft.field),
        `${draft.field} is declared under lines: it cannot also be in values`,
        `remove ${draft.field} from values`,
      );
    }
    if (draft.nestedColumn === undefined) {
      if (step.key.length === 0) {
        at(
          path,
          'lines read from their own rows need a key on the step: `parent` names the key value of each line’s document',
          'add key: [FIELD, ...] to the step, or nest the lines in the document rows with records: { column: lines }',
        );
      } else if (!draft.hasParent) {
        at(
          path,
          'lines read from their own rows need parent: the key value of the document each line belongs to',
          `e.g. parent: '\${row.order}' (the value of ${step.key.join(', ')} of the document)`,
        );
      } else if (draft.parent.length !== step.key.length) {
        at(
          childPath(path, 'parent'),
          `the step has ${step.key.length} key field${step.key.length === 1 ? '' : 's'} (${step.key.join(', ')}) but parent gives ${draft.parent.length} value${draft.parent.length === 1 ? '' : 's'}`,
          `give parent: [${step.key.map((field) => `${field} value`).join(', ')}]`,
        );
      }
    } else if (draft.hasParent) {
      at(
        childPath(path, 'parent'),
        'nested lines belong to the row that holds them: parent is not used with records: { column }',
        'remove parent',
      );
    }
    for (const field of draft.key) {
      if (draft.templateColumns.includes(field))
        at(
          childPath(path, 'template_columns'),
          `line key field "${field}" cannot be template-only`,
          'the key identifies the line in its document: remove it from template_columns',
        );
    }
    const { rowColumns } = templatePlaceholders([...Object.values(draft.values), ...draft.parent]);
    draft.templateColumns.forEach((column, index) => {
      if (!rowColumns.has(column) && !draft.key.includes(column))
        at(
          childPath(childPath(path, 'template_columns'), index),
          `template column "${column}" is not used by any \${row.${column}} in the lines' values or parent`,
          'remove it from template_columns, or use it in values',
        );
    });
  }
}

/** The draft completed with its line rows' source. */
export function finishLines(draft: DraftLines, records: LineRecordsSource): PlanLines {
  return {
    field: draft.field,
    path: draft.path,
    records,
    parent: draft.parent,
    key: draft.key,
    templateColumns: draft.templateColumns,
    values: draft.values,
    unlisted: draft.unlisted,
  };
}

/**
 * The key values of a step's rows, as line rows name them: collected while the step's rows are loaded, so that each
 * line row's parent can be checked before anything is sent. A key computed by a reference is only known when the
 * step runs: the check is then left out (and the key set is {@link knowable} false).
 */
export class ParentKeys {
  readonly #keys = new Set<string>();
  readonly #step: Pick<PlanStep, 'key' | 'values' | 'env'>;
  /** Whether every key field comes from the row, a literal or a text template. */
  readonly knowable: boolean;

  constructor(step: Pick<PlanStep, 'key' | 'values' | 'env'>) {
    this.#step = step;
    this.knowable = step.key.every((field) => {
      const template = step.values[field];
      return template === undefined || template.kind === 'literal' || template.kind === 'string';
    });
  }

  /** Adds the key of a parent row (a row whose placeholders cannot be filled is reported by the row checks). */
  add(row: SourceRow): void {
    if (!this.knowable || this.#step.key.length === 0) return;
    try {
      const key = documentKey(this.#step, row);
      if (key !== undefined) this.#keys.add(key);
    } catch (error) {
      if (!(error instanceof TemplateValueError)) throw error;
    }
  }

  /** Whether a parent row has the key `key` (canonical text). */
  has(key: string): boolean {
    return this.#keys.has(key);
  }
}

/**
 * Checks the line rows of one `lines:` entry: the columns their templates use are there, each names a parent of the
 * step's data (rows of their own), and no line key appears twice in one document. Lines of one document are kept
 * apart by their parent's key (rows of their own) or by their row (nested lines).
 */
export class LineRowChecker {
  readonly #lines: Pick<PlanLines, 'field' | 'parent' | 'key' | 'values'>;
  readonly #stepId: string;
  readonly #keyLength: number;
  readonly #env: Readonly<Record<string, string>>;
  readonly #parents: ParentKeys | undefined;
  readonly #usedColumns: ReadonlyMap<string, readonly string[]>;
  readonly #keyFromRow: boolean;
  readonly #seen = new Map<string, Map<string, number>>();
  readonly #maxProblems: number;
  #reported = 0;
  #suppressed = 0;

  /** @param parents - the step's parent keys; `undefined` for nested lines. */
  constructor(
    lines: Pick<PlanLines, 'field' | 'parent' | 'key' | 'values'>,
    step: Pick<PlanStep, 'id' | 'env' | 'key'>,
    parents: ParentKeys | undefined,
    maxProblems: number,
  ) {
    this.#lines = lines;
    this.#stepId = step.id;
    this.#keyLength = step.key.length;
    this.#env = step.env;
    this.#parents = parents;
    this.#usedColumns = templatePlaceholders([...Object.values(lines.values), ...lines.parent]).rowColumns;
    this.#keyFromRow = lines.key.length > 0 && lines.key.every((field) => !Object.hasOwn(lines.values, field));
    this.#maxProblems = maxProblems;
  }

  #problem(report: AtRow, row: SourceRow, message: string, hint?: string): void {
    if (this.#reported >= this.#maxProblems) {
      this.#suppressed += 1;
      return;
    }
    this.#reported += 1;
    report(row, message, hint);
  }

  /** Checks one line row; `document` is the parent key (rows of their own) or the parent row's number (nested). */
  #check(row: SourceRow, document: string, report: AtRow): void {
    for (const [column, paths] of this.#usedColumns) {
      if (!Object.hasOwn(row.values, column))
        this.#problem(
          report,
          row,
          `no column "${column}", which \${row.${column}} uses (${paths.join(', ')})`,
          'add the column to every line, or change the template',
        );
    }
    if (!this.#keyFromRow) return;
    const parts = this.#lines.key.map((field) => keyPart(row.values[field]));
    if (parts.every((part) => part === null)) {
      this.#problem(
        report,
        row,
        `the line key (${this.#lines.key.join(', ')}) is empty`,
        'every line needs its key: it identifies the line in its document',
      );
      return;
    }
    const key = keyString(parts);
    let keys = this.#seen.get(document);
    if (keys === undefined) this.#seen.set(document, (keys = new Map()));
    const first = keys.get(key);
    if (first !== undefined)
      this.#problem(
        report,
        row,
        `the line key ${key} is also the key of row ${first}, in the same document`,
        'line keys must be unique within a document: add a key field (e.g. sequence), or omit key to match lines by position',
      );
    else keys.set(key, row.row);
  }

  /** Checks a line row of its own: its parent is in the step's data (when knowable), then the row checks. */
  checkOwnRow(row: SourceRow, report: AtRow): void {
    // A parent that does not fit the step's key is reported once at the plan node, not again at every row.
    if (this.#lines.parent.length === 0 || this.#lines.parent.length !== this.#keyLength) {
      this.#check(row, '', report);
      return;
    }
    let parent: string | undefined;
    try {
      parent = lineParentKey(this.#lines.parent, row.values, this.#env);
    } catch (error) {
      if (!(error instanceof TemplateValueError)) throw error;
      this.#check(row, '', report);
      return;
    }
    if (parent === undefined) {
      this.#problem(
        report,
        row,
        'the line names no parent (its parent value is empty)',
        'give every line its document',
      );
      return;
    }
    if (this.#parents?.knowable === true && !this.#parents.has(parent)) {
      this.#problem(
        report,
        row,
        `the line names the parent ${parent}, which is not a record of step "${this.#stepId}"`,
        `add that document to the records of step "${this.#stepId}", or correct the line's parent`,
      );
      return;
    }
    this.#check(row, parent, report);
  }

  /** Checks the nested lines of a parent row (its column must hold a list of maps). */
  checkNested(parent: SourceRow, column: string, report: AtRow): void {
    const nested = nestedLineRows(parent, column);
    if (!nested.ok) {
      this.#problem(report, parent, `${this.#lines.field}: ${nested.message}`, nested.hint);
      return;
    }
    for (const row of nested.rows) this.#check(row, String(parent.row), report);
  }

  /** Reports how many problems were left out. */
  finish(report: (message: string, hint: string) => void): void {
    if (this.#suppressed > 0)
      report(
        `... and ${this.#suppressed} more problem${this.#suppressed === 1 ? '' : 's'} in these lines`,
        'fix the ones above and validate again',
      );
  }
}
