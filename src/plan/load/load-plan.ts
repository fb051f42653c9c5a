/**
 * Loads a plan file: YAML with positions → JSON Schema → semantic checks → data files → a frozen {@link Plan}.
 *
 * Every problem is collected and reported at once in one {@link PlanValidationError}, each with its file, line,
 * column, path and a hint: malformed YAML, schema violations, malformed values and domains, duplicate step ids,
 * unknown `depends_on` / `ref` targets, cycles (of steps, and of the rows of a step that refers to itself), missing
 * `${env.NAME}` variables, data files that are missing, escape the plan's directory or do not parse, records without
 * their key, duplicate keys, and rows lacking a column a template uses. Nothing is sent anywhere: checks that need the server (models, fields) are in `check-plan-fields.ts`.
 *
 * @packageDocumentation
 */
import { throwIfAborted } from '../../util/abort.js';
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { PlanValidationError } from '../../errors.js';
import type { PlanProblem } from '../../errors.js';
import { closestNames } from '../../util/closest-names.js';
import { buildPlanGraph, cycleProblem, rememberPlanGraph } from '../graph/plan-graph.js';
import { stepReferences } from '../model/template-walk.js';
import { validatePlanSchema } from './plan-schema.js';
import { childPath, findPosition } from '../model/plan-positions.js';
import {
  AUTO_INITIAL_CHUNK_SIZE,
  DEFAULT_PLAN_CHUNK_SIZE,
  DEFAULT_PLAN_CONCURRENCY,
  DEFAULT_PLAN_ON_EMPTY,
  DEFAULT_PLAN_ON_ERROR,
  DEFAULT_STEP_PRIORITY,
  PLAN_FORMAT_VERSION,
} from '../model/plan-types.js';
import type {
  FileRecords,
  InlineRecords,
  Plan,
  PlanDefaults,
  PlanOnEmpty,
  PlanOnError,
  PlanStep,
  RecordsFormat,
  RecordsSource,
  SourcePosition,
  SourceRow,
  StepAction,
  ValueTemplate,
} from '../model/plan-types.js';
import { displayDataFile, formatFromExtension, readDataFile } from '../sources/record-sources.js';
import { ValueCompiler } from './value-template.js';
import { interpolateInlineRecords } from './inline-records.js';
import { RowChecker } from './row-checker.js';
import { checkCallStepRules, compileStepCall } from './call-step-rules.js';
import { RowHierarchy } from './row-hierarchy.js';
import { rowCycleProblems } from './row-cycles.js';
import { selfReferenceProblems } from './self-reference-rules.js';
import { selfReferences } from '../model/self-references.js';
import { templatePlaceholders } from '../model/template-walk.js';
import type { PathProblem } from './value-template.js';
import { parseYamlDocument } from '../sources/yaml-document.js';
import type { DraftLines } from './load-lines.js';
import {
  LineRowChecker,
  ParentKeys,
  checkLinesRules,
  checkRawLineCommands,
  compileLines,
  finishLines,
} from './load-lines.js';
import type { LineRecordsSource, PlanLines } from '../model/plan-types.js';

/** Default of {@link LoadPlanOptions.maxProblemsPerDataFile}. */
export const DEFAULT_MAX_PROBLEMS_PER_DATA_FILE = 20;

/** Options of {@link loadPlan}. */
export interface LoadPlanOptions {
  /** Environment variables for `${env.NAME}`. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory that file names in messages are relative to. @default process.cwd() */
  readonly cwd?: string;
  /** Row problems reported per data file before the rest are only counted. @default DEFAULT_MAX_PROBLEMS_PER_DATA_FILE */
  readonly maxProblemsPerDataFile?: number;
  /** Cancels loading (data files can be large). */
  readonly signal?: AbortSignal | undefined;
}

const ACTIONS: readonly StepAction[] = ['create', 'upsert', 'update', 'delete', 'call'];

type Raw = Record<string, unknown>;

function isMap(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `an update`, `a delete`. */
function article(action: StepAction): string {
  return `${/^[aeiou]/.test(action) ? 'an' : 'a'} ${action}`;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** JSON with sorted keys, so that the fingerprint does not depend on key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isMap(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A step as compiled from the YAML, before its data is read. */
interface DraftStep {
  readonly index: number;
  readonly path: string;
  readonly raw: Raw;
  readonly id: string | undefined;
  readonly action: StepAction | undefined;
  readonly key: readonly string[];
  readonly values: Record<string, ValueTemplate>;
  readonly where: ValueTemplate | undefined;
  readonly templateColumns: readonly string[];
  /** The compiled `lines:` entries. */
  readonly lines: readonly DraftLines[];
}

/** The checks {@link PlanLoader.loadRecords} runs on each row, and the columns it saw. */
interface RowChecks {
  readonly columns: string[];
  check(row: SourceRow, report: (message: string, hint?: string) => void): void;
  finish(report: (message: string, hint?: string) => void): void;
}

class PlanLoader {
  readonly problems: PlanProblem[] = [];
  private readonly dataProblems: PlanProblem[] = [];
  /** step id → the environment variables its inline records used. */
  private readonly inlineEnv = new Map<string, Readonly<Record<string, string>>>();
  private positions: Readonly<Record<string, SourcePosition>> = {};

  constructor(
    private readonly absoluteFile: string,
    private readonly displayFile: string,
    private readonly options: LoadPlanOptions,
  ) {}

  private get dir(): string {
    return dirname(this.absoluteFile);
  }

  private at(path: string, message: string, hint?: string): void {
    const position = findPosition(this.positions, path);
    this.problems.push({
      file: this.displayFile,
      ...(position ?? {}),
      ...(path ? { path } : {}),
      message,
      ...(hint ? { hint } : {}),
    });
  }

  private addPathProblems(problems: readonly PathProblem[]): void {
    for (const problem of problems) this.at(problem.path, problem.message, problem.hint);
  }

  private fail(): never {
    const byPlace = (a: PlanProblem, b: PlanProblem): number =>
      (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
    throw new PlanValidationError([...this.problems.sort(byPlace), ...this.dataProblems]);
  }

  async load(): Promise<Plan> {
    let text: string;
    try {
      text = await readFile(this.absoluteFile, { encoding: 'utf8', signal: this.options.signal });
    } catch (error) {
      throwIfAborted(this.options.signal, 'Loading the plan');
      const code = (error as NodeJS.ErrnoException).code;
      const message =
        code === 'ENOENT' ? 'plan file not found' : `cannot read the plan file: ${(error as Error).message}`;
      throw new PlanValidationError([{ file: this.displayFile, message, hint: 'check the path of the plan file' }], {
        cause: error,
      });
    }
    const parsed = parseYamlDocument(text.replace(/^\uFEFF/, ''), this.displayFile);
    if (!parsed.ok) throw new PlanValidationError(parsed.problems);
    this.positions = parsed.document.positions;
    const document = parsed.document.value;
    if (document === undefined || document === null) {
      this.at('', 'the plan file is empty', 'start with `version: 1`, `name:` and `steps:` (see plans/example.yaml)');
      this.fail();
    }

    this.addPathProblems(validatePlanSchema(document));
    if (!isMap(document)) this.fail();

    const compiler = new ValueCompiler();
    const drafts = (Array.isArray(document.steps) ? document.steps : []).flatMap((raw: unknown, index) =>
      isMap(raw) ? [this.draftStep(raw, index, compiler)] : [],
    );
    this.addPathProblems(compiler.problems);
    const uniqueIds = this.checkStepIds(drafts);
    for (const draft of drafts) this.checkActionRules(draft);
    for (const draft of drafts) this.addPathProblems(selfReferenceProblems(draft));
    this.checkReferences(drafts);

    const env = this.options.env ?? process.env;
    const rawDefaults = isMap(document.defaults) ? document.defaults : {};
    const autoChunkSize = rawDefaults.chunk_size === 'auto';
    const autoConcurrency = rawDefaults.concurrency === 'auto';
    const defaults: PlanDefaults = {
      chunkSize:
        typeof rawDefaults.chunk_size === 'number'
          ? rawDefaults.chunk_size
          : autoChunkSize
            ? AUTO_INITIAL_CHUNK_SIZE
            : DEFAULT_PLAN_CHUNK_SIZE,
      autoChunkSize,
      concurrency: typeof rawDefaults.concurrency === 'number' ? rawDefaults.concurrency : DEFAULT_PLAN_CONCURRENCY,
      autoConcurrency,
      context: isMap(rawDefaults.context) ? rawDefaults.context : {},
      onError: (rawDefaults.on_error as PlanOnError | undefined) ?? DEFAULT_PLAN_ON_ERROR,
      onEmpty: (rawDefaults.on_empty as PlanOnEmpty | undefined) ?? DEFAULT_PLAN_ON_EMPTY,
    };
    const steps = drafts.map((draft) => this.finishStep(draft, defaults, env));

    // Data files are read even when the plan has problems, so that one run reports everything.
    const sources = new Map<string, RecordsSource>();
    const lineSources = new Map<string, Record<string, PlanLines>>();
    for (const [index, draft] of drafts.entries()) {
      const step = steps[index] as PlanStep;
      const max = this.options.maxProblemsPerDataFile ?? DEFAULT_MAX_PROBLEMS_PER_DATA_FILE;
      // The keys of the documents are collected while their rows are read: line rows are then checked against them.
      const parents = draft.lines.length > 0 ? new ParentKeys(step) : undefined;
      const nested = draft.lines
        .filter((lines) => lines.nestedColumn !== undefined)
        .map((lines) => ({ column: lines.nestedColumn!, checker: new LineRowChecker(lines, step, undefined, max) }));
      const source = await this.loadRecords(
        draft.raw.records,
        childPath(draft.path, 'records'),
        step,
        new RowChecker(step, max),
        parents === undefined
          ? undefined
          : (row, report) => {
              parents.add(row);
              for (const { column, checker } of nested)
                checker.checkNested(row, column, (line, message, hint) =>
                  report(line === row ? message : `${column}, line ${line.row}: ${message}`, hint),
                );
            },
      );
      for (const { checker } of nested)
        checker.finish((message, hint) => this.at(childPath(draft.path, 'records'), message, hint));
      if (source) sources.set(step.id, source);
      if (parents !== undefined && source !== undefined) {
        const lines = await this.loadLines(draft, step, parents, max);
        if (lines) lineSources.set(step.id, lines);
      }
    }
    // Variables used inside inline records join the step's env: the fingerprint follows them as it follows `values`.
    const finalSteps = steps.map((step) => {
      const lines = lineSources.get(step.id);
      return {
        ...step,
        records: sources.get(step.id),
        env: { ...step.env, ...this.inlineEnv.get(step.id) },
        ...(lines === undefined ? {} : { lines }),
      };
    });
    // Cycles only make sense once the targets are known to exist; buildPlanGraph ignores unknown targets. The graph is
    // built on the final steps and kept with the plan: every later stage takes this one (see compilePlan).
    // With a duplicate id the edges of both steps meet on one node, which can make up a cycle that is not in the file:
    // the duplicate is the problem to report, not the cycle.
    const { graph, cycles } = buildPlanGraph(finalSteps);
    if (uniqueIds) for (const cycle of cycles) this.problems.push(cycleProblem(this.displayFile, cycle));
    if (this.problems.length > 0 || this.dataProblems.length > 0) this.fail();

    const hash = createHash('sha256');
    hash.update(canonicalJson({ format: PLAN_FORMAT_VERSION, document }));
    for (const step of finalSteps) {
      if (step.records?.kind === 'file')
        hash.update(`\u0000${step.id}\u0000${step.records.file}\u0000${step.records.sha256}`);
      for (const lines of Object.values(step.lines ?? {}))
        if (lines.records.kind === 'file')
          hash.update(`\u0000${step.id}\u0000${lines.field}\u0000${lines.records.file}\u0000${lines.records.sha256}`);
      for (const [name, value] of Object.entries(step.env)) hash.update(`\u0000env\u0000${name}\u0000${value}`);
    }
    const plan: Plan = {
      file: this.absoluteFile,
      dir: this.dir,
      displayFile: this.displayFile,
      version: PLAN_FORMAT_VERSION,
      name: String(document.name),
      description: typeof document.description === 'string' ? document.description : undefined,
      defaults,
      steps: finalSteps,
      positions: this.positions,
      fingerprint: hash.digest('hex'),
    };
    const frozen = deepFreeze(plan);
    rememberPlanGraph(frozen, graph);
    return frozen;
  }

  private draftStep(raw: Raw, index: number, compiler: ValueCompiler): DraftStep {
    const path = childPath('steps', index);
    const values: Record<string, ValueTemplate> = {};
    if (isMap(raw.values)) {
      for (const [field, value] of Object.entries(raw.values)) {
        const compiled = compiler.fieldValue(value, childPath(childPath(path, 'values'), field));
        if (compiled) values[field] = compiled;
      }
    }
    return {
      index,
      path,
      raw,
      id: typeof raw.id === 'string' ? raw.id : undefined,
      action: ACTIONS.find((action) => action === raw.action),
      key: stringList(raw.key),
      values,
      where: raw.where === undefined ? undefined : compiler.domain(raw.where, childPath(path, 'where')),
      templateColumns: stringList(raw.template_columns),
      lines: compileLines(raw.lines, path, compiler),
    };
  }

  /** Reports duplicate step ids; returns whether every id is unique. */
  private checkStepIds(drafts: readonly DraftStep[]): boolean {
    const first = new Map<string, DraftStep>();
    let unique = true;
    for (const draft of drafts) {
      if (draft.id === undefined) continue;
      const earlier = first.get(draft.id);
      if (earlier) {
        unique = false;
        const line = findPosition(this.positions, childPath(earlier.path, 'id'))?.line;
        this.at(
          childPath(draft.path, 'id'),
          `duplicate step id "${draft.id}"`,
          `it is already used by ${earlier.path}${line ? ` (line ${line})` : ''}; step ids must be unique`,
        );
      } else first.set(draft.id, draft);
    }
    return unique;
  }

  private checkActionRules(draft: DraftStep): void {
    const { raw, path, action } = draft;
    if (!action) return;
    const has = (name: string): boolean => raw[name] !== undefined;
    const hasValues = isMap(raw.values) && Object.keys(raw.values).length > 0;
    checkCallStepRules(raw, path, (at, message, hint) => this.at(at, message, hint));
    if (action === 'call') {
      // Its own rules (where and/or keyed records, no values) are checked above.
    } else if (action === 'create' || action === 'upsert') {
      if (!has('records'))
        this.at(path, `${article(action)} step needs records`, 'add records: [...] or records: { file: data/x.csv }');
      if (action === 'upsert' && !has('key'))
        this.at(path, 'an upsert step needs a key', 'add key: [FIELD, ...]: the fields that find an existing record');
      if (has('where'))
        this.at(
          childPath(path, 'where'),
          `where is not allowed on ${article(action)} step`,
          'use action: update or delete to act on the records a domain matches',
        );
    } else {
      if (has('where') && has('records')) {
        this.at(
          childPath(path, 'where'),
          `${article(action)} step takes either where or records, not both`,
          'keep where (a domain) or records with a key',
        );
      } else if (!has('where') && !has('records')) {
        this.at(
          path,
          `${article(action)} step needs where (a domain) or records with a key`,
          'e.g. where: [[email, "=like", "%@old.example"]]',
        );
      }
      if (has('records') && !has('key'))
        this.at(
          path,
          `${article(action)} step with records needs a key`,
          'add key: [FIELD, ...]: the fields that find each record',
        );
      if (has('where') && has('key'))
        this.at(
          childPath(path, 'key'),
          'key is used only with records',
          'remove key: the domain in where selects the records',
        );
      if (action === 'update' && has('where') && !hasValues)
        this.at(
          path,
          'an update step with where needs values',
          'add values: { FIELD: VALUE }: what to write on the matched records',
        );
      if (action === 'delete' && has('values'))
        this.at(childPath(path, 'values'), 'a delete step takes no values', 'remove values');
    }
    if (has('template_columns') && !has('records')) {
      this.at(
        childPath(path, 'template_columns'),
        'template_columns needs records',
        'remove template_columns, or give records',
      );
    }
    for (const field of draft.key) {
      if (draft.templateColumns.includes(field)) {
        this.at(
          childPath(path, 'template_columns'),
          `key field "${field}" cannot be template-only`,
          'the key is sent to Odoo to find the record: remove it from template_columns',
        );
      }
    }
    const { rowColumns } = templatePlaceholders(Object.values(draft.values));
    draft.templateColumns.forEach((column, index) => {
      if (!rowColumns.has(column) && !draft.key.includes(column)) {
        this.at(
          childPath(childPath(path, 'template_columns'), index),
          `template column "${column}" is not used by any \${row.${column}} in values`,
          'remove it from template_columns, or use it in values',
        );
      }
    });
    if (!has('records')) {
      for (const [column, paths] of rowColumns) {
        for (const where of paths)
          this.at(
            where,
            `\${row.${column}} is used but the step has no records`,
            'use ${env.NAME} or a literal, or give the step records',
          );
      }
    }
    const facts = { path, action, key: draft.key, hasRecords: has('records'), values: draft.values };
    checkRawLineCommands(facts, (where, message, hint) => this.at(where, message, hint));
    checkLinesRules(facts, draft.lines, (where, message, hint) => this.at(where, message, hint));
    if (draft.where) {
      for (const [column, paths] of templatePlaceholders([draft.where]).rowColumns) {
        for (const where of paths)
          this.at(
            where,
            `\${row.${column}} cannot be used in where: the domain is evaluated once per step`,
            'use records with a key to act on rows one by one',
          );
      }
    }
  }

  private checkReferences(drafts: readonly DraftStep[]): void {
    const byId = new Map(drafts.flatMap((draft) => (draft.id === undefined ? [] : [[draft.id, draft] as const])));
    const ids = [...byId.keys()];
    const unknown = (target: string): string => {
      const close = closestNames(target, ids, 1);
      return close[0] ? `did you mean "${close[0]}"? (steps: ${ids.join(', ')})` : `steps: ${ids.join(', ')}`;
    };
    for (const draft of drafts) {
      stringList(draft.raw.depends_on).forEach((target, index) => {
        if (!byId.has(target))
          this.at(
            childPath(childPath(draft.path, 'depends_on'), index),
            `depends_on names unknown step "${target}"`,
            unknown(target),
          );
      });
      for (const reference of stepReferences(draft)) {
        if (reference.kind !== 'ref') continue;
        const refPath = childPath(reference.path, 'ref');
        const target = byId.get(reference.step);
        if (!target) {
          this.at(refPath, `reference to unknown step "${reference.step}"`, unknown(reference.step));
          continue;
        }
        if (target.action === 'delete' || target.action === 'call') {
          this.at(
            refPath,
            `step "${reference.step}" ${target.action === 'delete' ? 'deletes records' : 'calls a method'}; it cannot be referenced`,
            'reference the step that creates or upserts the record',
          );
        } else if (target.key.length === 0 || target.raw.records === undefined) {
          this.at(
            refPath,
            `step "${reference.step}" has no key with records, so { ref: ${reference.step} } cannot find its records`,
            `add key: [...] and records to step "${reference.step}", or use { xmlid } or { lookup }`,
          );
        } else if (reference.key.length !== target.key.length) {
          this.at(
            childPath(reference.path, 'key'),
            `step "${reference.step}" has ${target.key.length} key field${target.key.length === 1 ? '' : 's'} (${target.key.join(', ')}) but the reference gives ${reference.key.length} value${reference.key.length === 1 ? '' : 's'}`,
            `give key: [${target.key.map((field) => `${field} value`).join(', ')}]`,
          );
        }
      }
    }
  }

  private finishStep(
    draft: DraftStep,
    defaults: PlanDefaults,
    env: Readonly<Record<string, string | undefined>>,
  ): PlanStep {
    const { raw } = draft;
    const roots = [
      ...Object.values(draft.values),
      ...(draft.where ? [draft.where] : []),
      ...draft.lines.flatMap((lines) => [...Object.values(lines.values), ...lines.parent]),
    ];
    const stepEnv: Record<string, string> = {};
    for (const [name, paths] of templatePlaceholders(roots).envNames) {
      const value = env[name];
      if (value === undefined) {
        for (const path of paths)
          this.at(
            path,
            `environment variable ${name} is not set`,
            `set ${name} before running (export ${name}=...), or remove \${env.${name}}`,
          );
      } else stepEnv[name] = value;
    }
    const number = (name: string, fallback: number): number =>
      typeof raw[name] === 'number' ? (raw[name] as number) : fallback;
    const call =
      draft.action === 'call'
        ? compileStepCall(raw, draft.path, env, (path, message, hint) => this.at(path, message, hint))
        : undefined;
    if (call !== undefined) Object.assign(stepEnv, call.env);
    return {
      id: draft.id ?? `#${draft.index + 1}`,
      index: draft.index,
      path: draft.path,
      position: findPosition(this.positions, draft.path) ?? { line: 1, col: 1 },
      planFile: this.displayFile,
      positions: this.positions,
      description: typeof raw.description === 'string' ? raw.description : undefined,
      model: typeof raw.model === 'string' ? raw.model : '',
      action: draft.action ?? 'create',
      key: draft.key,
      records: undefined,
      // The column holding nested lines feeds the lines only: it is never sent as a field of the document.
      templateColumns: [
        ...draft.templateColumns,
        ...draft.lines.flatMap((lines) =>
          lines.nestedColumn !== undefined && !draft.templateColumns.includes(lines.nestedColumn)
            ? [lines.nestedColumn]
            : [],
        ),
      ],
      values: draft.values,
      where: draft.where,
      dependsOn: stringList(raw.depends_on),
      priority: number('priority', DEFAULT_STEP_PRIORITY),
      chunkSize: raw.chunk_size === 'auto' ? AUTO_INITIAL_CHUNK_SIZE : number('chunk_size', defaults.chunkSize),
      autoChunkSize: raw.chunk_size === 'auto' || (raw.chunk_size === undefined && defaults.autoChunkSize),
      concurrency: number('concurrency', defaults.concurrency),
      autoConcurrency: raw.concurrency === 'auto' || (raw.concurrency === undefined && defaults.autoConcurrency),
      context: { ...defaults.context, ...(isMap(raw.context) ? raw.context : {}) },
      onError: (raw.on_error as PlanOnError | undefined) ?? defaults.onError,
      onEmpty: (raw.on_empty as PlanOnEmpty | undefined) ?? defaults.onEmpty,
      env: stepEnv,
      ...(call === undefined ? {} : { call: call.call }),
    };
  }

  /**
   * Reads the line rows of each `lines:` entry of a step (nested ones were checked with the document rows) and checks
   * them against the documents' keys; returns the lines, or `undefined` after reporting problems.
   */
  private async loadLines(
    draft: DraftStep,
    step: PlanStep,
    parents: ParentKeys,
    max: number,
  ): Promise<Record<string, PlanLines> | undefined> {
    const result: Record<string, PlanLines> = {};
    let ok = true;
    for (const lines of draft.lines) {
      if (lines.nestedColumn !== undefined) {
        result[lines.field] = finishLines(lines, { kind: 'column', column: lines.nestedColumn });
        continue;
      }
      const checker = new LineRowChecker(lines, step, parents, max);
      // The line rows' own columns are collected (for the field checks); the line checks run on each row.
      const lineStep: PlanStep = { ...step, key: [], values: {}, templateColumns: lines.templateColumns };
      const source: LineRecordsSource | undefined = await this.loadRecords(
        lines.rawRecords,
        childPath(lines.path, 'records'),
        lineStep,
        new RowChecker(lineStep, max),
        (row, report) => checker.checkOwnRow(row, (_row, message, hint) => report(message, hint)),
      );
      checker.finish((message, hint) => this.at(childPath(lines.path, 'records'), message, hint));
      if (source === undefined) ok = false;
      else result[lines.field] = finishLines(lines, source);
    }
    return ok ? result : undefined;
  }

  /**
   * Reads and checks rows (a step's, or a step's line rows); returns the source description, or `undefined` after
   * reporting problems. `onRow` runs further checks on each row (the variables of inline rows join the step's).
   */
  private async loadRecords(
    records: unknown,
    recordsPath: string,
    step: PlanStep,
    checker: RowChecks,
    onRow?: (row: SourceRow, report: (message: string, hint?: string) => void) => void,
  ): Promise<RecordsSource | undefined> {
    const maxProblems = this.options.maxProblemsPerDataFile ?? DEFAULT_MAX_PROBLEMS_PER_DATA_FILE;
    // A step referring to itself: a cycle among its rows is refused now, before any command reaches the server.
    const hierarchy = selfReferences(step).length > 0 ? new RowHierarchy<never>(step) : undefined;
    const cycles = (place: (row: number, message: string, hint: string) => void): void => {
      const found = hierarchy?.finish().cycles ?? [];
      for (const problem of rowCycleProblems(found, step.id, maxProblems))
        place(problem.row, problem.message, problem.hint);
    };
    if (Array.isArray(records)) {
      const interpolated = interpolateInlineRecords(
        records.filter(isMap),
        recordsPath,
        this.options.env ?? process.env,
        (path, message, hint) => this.at(path, message, hint),
      );
      const rows = interpolated.rows;
      if (Object.keys(interpolated.env).length > 0)
        this.inlineEnv.set(step.id, { ...this.inlineEnv.get(step.id), ...interpolated.env });
      for (const [index, values] of rows.entries()) {
        const rowPath = childPath(recordsPath, index);
        const row = { row: index + 1, source: this.displayFile, values };
        const report = (message: string, hint?: string): void => this.at(rowPath, message, hint);
        checker.check(row, report);
        hierarchy?.add(row);
        onRow?.(row, report);
      }
      checker.finish((message, hint) => this.at(recordsPath, message, hint));
      cycles((row, message, hint) => this.at(childPath(recordsPath, row - 1), message, hint));
      const inline: InlineRecords = { kind: 'inline', rows, rowCount: rows.length, columns: checker.columns };
      return inline;
    }
    if (!isMap(records) || typeof records.file !== 'string') return undefined;
    const filePath = childPath(recordsPath, 'file');
    const file = records.file;
    if (isAbsolute(file)) {
      this.at(filePath, `data file path "${file}" is absolute`, "write it relative to the plan file's directory");
      return undefined;
    }
    const absolutePath = resolve(this.dir, file);
    const inside = (root: string, target: string): boolean => {
      const rel = relative(root, target);
      return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
    };
    if (!inside(this.dir, absolutePath)) {
      this.at(
        filePath,
        `data file "${file}" is outside the plan's directory`,
        "data files must live in the plan's directory or below it (no ../)",
      );
      return undefined;
    }
    const format = (records.format as RecordsFormat | undefined) ?? formatFromExtension(file);
    if (!format) {
      this.at(
        filePath,
        `cannot tell the format of "${file}" from its extension`,
        'use .csv, .json, .jsonl, .yaml, or set format: csv|json|jsonl|yaml',
      );
      return undefined;
    }
    try {
      const real = await realpath(absolutePath);
      if (!inside(await realpath(this.dir), real)) {
        this.at(
          filePath,
          `data file "${file}" links outside the plan's directory`,
          "data files must live in the plan's directory or below it",
        );
        return undefined;
      }
      if (!(await stat(real)).isFile()) {
        this.at(filePath, `data file "${file}" is not a file`, 'point file: at a csv, json, jsonl or yaml file');
        return undefined;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.at(
        filePath,
        code === 'ENOENT'
          ? `data file "${file}" not found`
          : `cannot read data file "${file}": ${(error as Error).message}`,
        "the path is relative to the plan file's directory",
      );
      return undefined;
    }
    const displayFile = displayDataFile({ displayFile: this.displayFile }, file);
    const delimiter = typeof records.delimiter === 'string' ? records.delimiter : ',';
    const hash = createHash('sha256');
    let rowCount = 0;
    const report =
      (row: SourceRow) =>
      (message: string, hint?: string): void => {
        const line = format === 'csv' || format === 'jsonl' ? { line: row.row } : {};
        this.dataProblems.push({
          file: displayFile,
          ...line,
          path: `row ${row.row}`,
          message,
          ...(hint ? { hint } : {}),
        });
      };
    try {
      for await (const row of readDataFile(
        { absolutePath, displayFile, format, delimiter },
        { signal: this.options.signal, hash },
      )) {
        rowCount += 1;
        checker.check(row, report(row));
        hierarchy?.add(row);
        onRow?.(row, report(row));
      }
    } catch (error) {
      if (!(error instanceof PlanValidationError)) throw error;
      this.dataProblems.push(...error.problems);
      return undefined;
    }
    checker.finish((message, hint) =>
      this.dataProblems.push({ file: displayFile, message, ...(hint ? { hint } : {}) }),
    );
    cycles((row, message, hint) => report({ row, source: displayFile, values: {} })(message, hint));
    if (rowCount === 0) {
      this.at(filePath, `data file "${file}" holds no records`, 'add records to the file, or remove the step');
      return undefined;
    }
    const source: FileRecords = {
      kind: 'file',
      file,
      absolutePath,
      format,
      delimiter,
      sha256: hash.digest('hex'),
      rowCount,
      columns: checker.columns,
    };
    return source;
  }
}

/**
 * Loads, validates and normalises a plan file (see the module comment for every check).
 *
 * @param file - Path of the plan (relative to `options.cwd`).
 * @returns The frozen {@link Plan}, with its {@link Plan.fingerprint}.
 * @throws {@link PlanValidationError} with every problem found, each with file, line, column, path and hint.
 *
 * @example
 * ```ts
 * try {
 *   const plan = await loadPlan('plans/example.yaml', { env: process.env });
 * } catch (error) {
 *   if (error instanceof PlanValidationError) for (const p of error.problems) console.error(formatPlanProblem(p));
 * }
 * ```
 */
export async function loadPlan(file: string, options: LoadPlanOptions = {}): Promise<Plan> {
  if (typeof file !== 'string' || file === '') throw new TypeError('Expected `file` to be a non-empty path');
  const max = options.maxProblemsPerDataFile;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    throw new TypeError('Expected `maxProblemsPerDataFile` to be an integer from 1 and up');
  }
  const cwd = options.cwd ?? process.cwd();
  const absoluteFile = resolve(cwd, file);
  const rel = relative(cwd, absoluteFile);
  const displayFile = rel.startsWith('..') || isAbsolute(rel) ? absoluteFile : rel;
  return new PlanLoader(absoluteFile, displayFile, options).load();
}
