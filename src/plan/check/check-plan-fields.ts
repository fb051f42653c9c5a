/**
 * Checks a loaded plan against the target's field metadata (`fields_get`): models exist; keys, values and data
 * columns are fields (an undeclared column that is not a field is named with the closest field names: typos are
 * caught before anything is written); references point at relational fields of the right comodel; x2many helpers
 * are used on x2many fields; literal values fit their field's type; selection values (in `values:` and in every row)
 * are allowed; required fields are given to creates.
 *
 * {@link checkPlanFields} is pure (the metadata is passed in, so it is testable offline); {@link validatePlanRemote}
 * logs in, fetches the metadata through a client, and also checks the plan's references (external ids, lookups,
 * step keys, the rows of referencing and referenced steps: see `check-plan-references.ts`), so that nothing a step
 * would only find out when reached is left.
 *
 * @packageDocumentation
 */
import type { PlanGraph } from '../graph/plan-graph.js';
import { planGraphOverFields } from './plan-graph-over-fields.js';
import { checkPlanLines } from './check-plan-lines.js';
import { throwIfAborted } from '../../util/abort.js';
import type { FieldInfo } from '../../client/types.js';
import type { PlanProblem } from '../../errors.js';
import { ConfigurationError, PlanValidationError, RpcFault } from '../../errors.js';
import { closestNames } from '../../util/closest-names.js';
import type { ReferenceResolver } from '../evaluate/evaluate-record.js';
import { evaluateRecord, rowColumns } from '../evaluate/evaluate-record.js';
import { prepareRecord, valueProblemMessage } from '../evaluate/prepare-record.js';
import type { ModelFields } from '../model/model-fields.js';
import { childPath, problemAt } from '../model/plan-positions.js';
import { stepWrites } from '../model/plan-types.js';
import type { Plan, PlanStep, SourceRow, ValueTemplate } from '../model/plan-types.js';
import { templateReferences, visitTemplate } from '../model/template-walk.js';
import type { ReferenceCache } from '../references/reference-cache.js';
import { displayDataFile } from '../sources/record-sources.js';
import { openRecords } from '../sources/record-provider.js';
import type { ReferenceCheckClient } from './reference-check-options.js';
import { checkPlanReferences } from './check-plan-references.js';
import { delegatedParents, requiredFieldVerdict } from './required-field-rule.js';

/** Options of {@link checkPlanFields} and {@link validatePlanRemote}. */
export interface CheckPlanFieldsOptions {
  /** Cancels the check (it streams the data files to check selection values). */
  readonly signal?: AbortSignal | undefined;
  /** The plan's graph over these fields (see `planGraphOverFields`), if the caller built it. @default built here */
  readonly graph?: PlanGraph | undefined;
  /** Row problems reported per step before the rest are only counted. @default 20 */
  readonly maxProblemsPerStep?: number;
  /**
   * {@link validatePlanRemote}: also check literal external ids and row-independent lookups against the target's
   * current state. Turn it off when other work runs before the plan and may create what they find (e.g. earlier
   * pending migrations of the same run); `{ ref }` keys, which depend on the plan only, are checked either way.
   * @default true
   */
  readonly targetState?: boolean;
  /**
   * {@link validatePlanRemote}: receives the external ids and lookups its reference check resolved; pass the same
   * cache to `computeDiff` and `applyPlan` so that they do not read them again. @default a cache of this call only
   */
  readonly referenceCache?: ReferenceCache | undefined;
  /**
   * Per model, the fields `default_get` gives a value for ({@link readPlanDefaults}): a required field with a default
   * need not be given. @default none known (every required field without another source is then reported)
   */
  readonly defaults?: ReadonlyMap<string, ReadonlySet<string>> | undefined;
  /**
   * Receives what the check cannot know for sure (a required field that the server may fill): warnings, never
   * refusals. @default dropped
   */
  readonly warnings?: PlanProblem[] | undefined;
}

/** The slice of `OdooClient` that {@link validatePlanRemote} needs. */
export interface FieldsGetClient extends ReferenceCheckClient {
  /** The server URL, for messages (never holds credentials). */
  readonly url?: string;
  /** The database, for messages. */
  readonly db?: string;
  /** Logs in (first, so that a wrong database or login is reported as such, not as missing models). */
  authenticate(options?: { readonly signal?: AbortSignal }): Promise<number>;
  /** `fields_get` of one model. */
  fieldsGet(
    model: string,
    options?: { readonly attributes?: readonly string[]; readonly signal?: AbortSignal },
  ): Promise<Record<string, FieldInfo>>;
  /** `default_get` of some fields of one model. */
  defaultGet(
    model: string,
    fields: readonly string[],
    options?: { readonly signal?: AbortSignal },
  ): Promise<Record<string, unknown>>;
}

/**
 * The `fields_get` attributes the checks use: also what tells whether the server fills a required field itself
 * (`depends`: computed, `related`, `company_dependent`).
 */
export const FIELD_ATTRIBUTES: readonly string[] = [
  'string',
  'type',
  'required',
  'readonly',
  'relation',
  'selection',
  'depends',
  'related',
  'company_dependent',
];

const X2MANY = new Set(['one2many', 'many2many']);

/**
 * Resolves every reference to id 1, so that a row's values can be evaluated and converted without the server: which
 * references resolve is the reference check's part (`check-plan-references.ts`), and a reference's id is never
 * converted.
 */
const ANY_ID: ReferenceResolver = { ref: () => 1, xmlid: () => 1, lookup: () => 1 };
/** Columns Odoo fills itself; never "required" from a plan's point of view. */
const MAGIC = new Set(['id', 'create_uid', 'create_date', 'write_uid', 'write_date', 'display_name', '__last_update']);

/** The required fields of `step`'s model that its creates do not give. */
function missingRequired(step: PlanStep, fields: Readonly<Record<string, FieldInfo>>): string[] {
  const given = new Set([...(step.records?.columns ?? []), ...Object.keys(step.values), ...step.key]);
  return Object.entries(fields)
    .filter(
      ([name, field]) =>
        field.required && !MAGIC.has(name) && (!given.has(name) || step.templateColumns.includes(name)),
    )
    .map(([name]) => name);
}

/**
 * Reads `default_get` for the required fields that the plan's creates do not give, once per model (no call for a
 * model whose creates give every required field). Resolves to the fields that have a default, by model.
 */
export async function readPlanDefaults(
  plan: Plan,
  client: Pick<FieldsGetClient, 'defaultGet'>,
  fields: ModelFields,
  signal?: AbortSignal,
): Promise<Map<string, Set<string>>> {
  const missing = new Map<string, Set<string>>();
  for (const step of plan.steps) {
    const modelFields = fields.get(step.model);
    if (!modelFields || !stepWrites(step.action).create) continue;
    const names = missingRequired(step, modelFields);
    if (names.length === 0) continue;
    const set = missing.get(step.model) ?? new Set<string>();
    for (const name of names) set.add(name);
    missing.set(step.model, set);
  }
  const defaults = new Map<string, Set<string>>();
  for (const [model, names] of missing) {
    throwIfAborted(signal, 'The remote validation');
    const values = await client.defaultGet(model, [...names], signal ? { signal } : {});
    defaults.set(model, new Set(Object.keys(values)));
  }
  return defaults;
}

function didYouMean(name: string, fields: Readonly<Record<string, FieldInfo>>): string {
  const close = closestNames(name, Object.keys(fields), 3);
  return close.length > 0
    ? `did you mean ${close.map((field) => `"${field}"`).join(', ')}?`
    : 'check the field names with fields_get';
}

function literalFits(value: unknown, field: FieldInfo): boolean {
  if (value === false || value === null) return true; // Odoo's "empty" for every type
  switch (field.type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
    case 'monetary':
      return typeof value === 'number';
    case 'char':
    case 'text':
    case 'html':
    case 'selection':
    case 'date':
    case 'datetime':
      return typeof value === 'string';
    case 'many2one':
      return typeof value === 'number' && Number.isInteger(value) && value > 0;
    default:
      return true;
  }
}

function selectionKeys(field: FieldInfo): string[] | undefined {
  return field.type === 'selection' && Array.isArray(field.selection)
    ? field.selection.map(([key]) => String(key))
    : undefined;
}

class FieldChecker {
  readonly problems: PlanProblem[] = [];

  constructor(
    private readonly plan: Plan,
    private readonly models: ModelFields,
    private readonly options: CheckPlanFieldsOptions,
  ) {}

  private at(path: string, message: string, hint?: string): void {
    this.problems.push(problemAt(this.plan, path, message, hint));
  }

  async run(): Promise<PlanProblem[]> {
    for (const step of this.plan.steps) {
      const fields = this.models.get(step.model);
      if (!fields) continue; // reported by the caller (unknown model)
      this.checkStep(step, fields);
      await this.checkWhereValues(step, fields);
      await this.checkRows(step, fields);
    }
    return this.problems;
  }

  private checkStep(step: PlanStep, fields: Readonly<Record<string, FieldInfo>>): void {
    const byId = new Map(this.plan.steps.map((other) => [other.id, other] as const));
    step.key.forEach((field, index) => {
      if (!fields[field])
        this.at(
          childPath(childPath(step.path, 'key'), index),
          `key field "${field}" is not a field of ${step.model}`,
          didYouMean(field, fields),
        );
    });
    for (const [name, template] of Object.entries(step.values)) {
      const field = fields[name];
      if (!field) {
        this.at(template.path, `"${name}" is not a field of ${step.model}`, didYouMean(name, fields));
        continue;
      }
      this.checkValue(step, name, field, template, byId);
    }
    if (step.records) {
      const file = step.records.kind === 'file' ? displayDataFile(this.plan, step.records.file) : undefined;
      for (const column of step.records.columns) {
        if (fields[column] || step.templateColumns.includes(column) || Object.hasOwn(step.values, column)) continue;
        const where = file ? `column "${column}" of ${file}` : `column "${column}" of the inline records`;
        this.at(
          childPath(step.path, 'records'),
          `${where} is not a field of ${step.model}`,
          `${didYouMean(column, fields)} If it only feeds templates, list it in template_columns.`,
        );
      }
    }
    if (stepWrites(step.action).create) {
      const defaults = this.options.defaults?.get(step.model) ?? new Set<string>();
      const parents = delegatedParents(fields);
      for (const name of missingRequired(step, fields)) {
        const field = fields[name]!;
        const verdict = requiredFieldVerdict(name, field, defaults, parents);
        const message = `required field "${name}" (${field.string ?? name}) of ${step.model} is not given`;
        const hint = `add a "${name}" column to the records or set it in values`;
        if (verdict.kind === 'error') this.at(step.path, message, hint);
        else if (verdict.kind === 'warning') {
          this.options.warnings?.push(
            problemAt(this.plan, step.path, `${message}; the server may fill it: ${verdict.why}`, hint),
          );
        }
      }
    }
    if (step.where) this.checkDomain(step.where, fields, step.model);
    for (const reference of templateReferences(Object.values(step.values))) {
      if (reference.kind !== 'lookup') continue;
      const lookupFields = this.models.get(reference.model);
      if (!lookupFields) continue;
      this.checkDomain(reference.where, lookupFields, reference.model);
    }
  }

  private checkValue(
    step: PlanStep,
    name: string,
    field: FieldInfo,
    template: ValueTemplate,
    steps: ReadonlyMap<string, PlanStep>,
  ): void {
    switch (template.kind) {
      case 'literal': {
        const keys = selectionKeys(field);
        if (keys && typeof template.value === 'string' && !keys.includes(template.value)) {
          this.at(
            template.path,
            `"${template.value}" is not a value of selection field "${name}"`,
            `use one of ${keys.join(', ')}`,
          );
        } else if (!literalFits(template.value, field)) {
          this.at(
            template.path,
            `${JSON.stringify(template.value)} does not fit field "${name}" of type ${field.type}`,
            field.type === 'many2one'
              ? 'give a record id or a reference ({ ref }, { xmlid }, { lookup })'
              : `write a ${field.type} value`,
          );
        }
        return;
      }
      case 'ref':
      case 'xmlid':
      case 'lookup': {
        if (field.type !== 'many2one') {
          this.at(
            template.path,
            `a reference gives one record id, but "${name}" is a ${field.type} field`,
            X2MANY.has(field.type)
              ? 'wrap it: { set: [ ... ] } or { add: [ ... ] }'
              : 'references fit many2one fields only',
          );
          return;
        }
        this.checkTarget(template, field, name, steps);
        return;
      }
      case 'x2many':
        if (!X2MANY.has(field.type)) {
          this.at(
            template.path,
            `{ ${template.op}: [...] } writes x2many fields, but "${name}" is a ${field.type} field`,
            field.type === 'many2one' ? 'give one reference, without set/add/remove' : 'give a plain value',
          );
          return;
        }
        for (const item of template.items) this.checkTarget(item, field, name, steps);
        return;
      case 'list':
        if (!X2MANY.has(field.type)) {
          this.at(
            template.path,
            `x2many commands write one2many/many2many fields, but "${name}" is a ${field.type} field`,
            'give a plain value',
          );
        }
        return;
      case 'string':
      case 'map':
        return;
      default:
        template satisfies never;
    }
  }

  /** A `{ ref: STEP }` must point at a step of the field's comodel. */
  private checkTarget(
    template: ValueTemplate,
    field: FieldInfo,
    name: string,
    steps: ReadonlyMap<string, PlanStep>,
  ): void {
    if (template.kind === 'ref' && field.relation) {
      const target = steps.get(template.step);
      if (target && target.model !== field.relation) {
        this.at(
          childPath(template.path, 'ref'),
          `"${name}" points to ${field.relation}, but step "${target.id}" holds ${target.model} records`,
          `reference a step of model ${field.relation}`,
        );
      }
    }
    if (template.kind === 'lookup' && field.relation && template.model !== field.relation) {
      this.at(
        childPath(childPath(template.path, 'lookup'), 'model'),
        `"${name}" points to ${field.relation}, but the lookup searches ${template.model}`,
        `look up ${field.relation} records`,
      );
    }
  }

  private checkDomain(domain: ValueTemplate, fields: Readonly<Record<string, FieldInfo>>, model: string): void {
    if (domain.kind !== 'list') return;
    for (const leaf of domain.items) {
      if (leaf.kind !== 'list') continue;
      const [fieldNode] = leaf.items;
      if (fieldNode?.kind !== 'literal' || typeof fieldNode.value !== 'string') continue;
      const first = fieldNode.value.split('.')[0] ?? '';
      if (!fields[first]) this.at(fieldNode.path, `"${first}" is not a field of ${model}`, didYouMean(first, fields));
    }
  }

  /**
   * The values of `row` that do not fit their field, found by the conversion a diff or apply makes (`prepareRecord`),
   * so that `validate --remote` refuses them, with the file, row and column, before anything is written. A row whose
   * values cannot be evaluated at all (a malformed computed external id) is left to the reference check, which
   * reports why.
   */
  private async rowValueProblems(
    step: PlanStep,
    fields: Readonly<Record<string, FieldInfo>>,
    row: SourceRow | undefined,
  ): Promise<ReturnType<typeof prepareRecord>> {
    let record: Record<string, unknown>;
    try {
      record =
        row && Object.keys(step.values).length === 0
          ? rowColumns(step, row)
          : await evaluateRecord(step, row, ANY_ID, { signal: this.options.signal });
    } catch (error) {
      if (error instanceof PlanValidationError) return [];
      throw error;
    }
    // Only values computed from the row or the environment: the other forms of `values:` (literals, helpers, command
    // lists) are checked once, at their node (checkValue), not on every row.
    return prepareRecord(step, fields, record).filter((problem) => {
      const template = step.values[problem.field];
      return template === undefined || template.kind === 'string';
    });
  }

  /** The values of a `where`-driven update that do not fit their field (they depend on no row: checked once). */
  private async checkWhereValues(step: PlanStep, fields: Readonly<Record<string, FieldInfo>>): Promise<void> {
    if (step.records || step.action !== 'update') return;
    for (const problem of await this.rowValueProblems(step, fields, undefined)) {
      const template = step.values[problem.field];
      this.at(template?.path ?? step.path, valueProblemMessage(problem), problem.hint);
    }
  }

  /**
   * Streams the rows once for what only rows can tell: values that do not fit their field (selection values among
   * them) and required fields left empty.
   */
  private async checkRows(step: PlanStep, fields: Readonly<Record<string, FieldInfo>>): Promise<void> {
    if (!step.records) return;
    const selections = step.records.columns
      .filter((column) => !step.templateColumns.includes(column) && !Object.hasOwn(step.values, column))
      .flatMap((column) => {
        const field = fields[column];
        const keys = field ? selectionKeys(field) : undefined;
        return keys ? [{ column, keys }] : [];
      });
    const required = stepWrites(step.action).create
      ? step.records.columns.filter(
          (column) => fields[column]?.required && !Object.hasOwn(step.values, column) && !MAGIC.has(column),
        )
      : [];
    const max = this.options.maxProblemsPerStep ?? 20;
    let reported = 0;
    let suppressed = 0;
    const report = (problem: PlanProblem): void => {
      if (reported >= max) suppressed += 1;
      else {
        reported += 1;
        this.problems.push(problem);
      }
    };
    for await (const row of openRecords(this.plan, step, { signal: this.options.signal })) {
      const line =
        step.records.kind === 'file' && (step.records.format === 'csv' || step.records.format === 'jsonl')
          ? { line: row.row }
          : {};
      for (const { column, keys } of selections) {
        const value = row.values[column];
        if (value === undefined || value === null || value === '' || value === false) continue;
        if (!keys.includes(String(value))) {
          report({
            file: row.source,
            ...line,
            path: `row ${row.row}`,
            message: `${JSON.stringify(value)} is not a value of selection field "${column}"`,
            hint: `use one of ${keys.join(', ')}`,
          });
        }
      }
      for (const problem of await this.rowValueProblems(step, fields, row)) {
        // A selection column's problem is reported above, in its own words.
        if (problem.from === 'column' && fields[problem.field]?.type === 'selection') continue;
        report({
          file: row.source,
          ...line,
          path: `row ${row.row}`,
          message: valueProblemMessage(problem),
          hint: problem.hint,
        });
      }
      for (const column of required) {
        const value = row.values[column];
        if (value === undefined || value === null || value === '' || value === false) {
          report({
            file: row.source,
            ...line,
            path: `row ${row.row}`,
            message: `required field "${column}" is empty`,
            hint: `every record of step "${step.id}" needs a ${column}`,
          });
        }
      }
    }
    if (suppressed > 0) {
      this.problems.push({
        file: step.planFile,
        path: step.path,
        message: `... and ${suppressed} more row problem${suppressed === 1 ? '' : 's'} in step "${step.id}"`,
        hint: 'fix the ones above and validate again',
      });
    }
  }
}

/**
 * Checks `plan` against field metadata (see the module comment). Models missing from `models` are skipped: the
 * caller decides whether that is a problem ({@link validatePlanRemote} reports them).
 */
export async function checkPlanFields(
  plan: Plan,
  models: ModelFields,
  options: CheckPlanFieldsOptions = {},
): Promise<PlanProblem[]> {
  return new FieldChecker(plan, models, options).run();
}

/** Every model a plan touches: its steps' models and the models of its lookups. */
export function planModels(plan: Plan): string[] {
  const models = new Set<string>();
  for (const step of plan.steps) {
    models.add(step.model);
    for (const root of [...Object.values(step.values), ...(step.where ? [step.where] : [])]) {
      visitTemplate(root, (node) => {
        if (node.kind === 'lookup') models.add(node.model);
      });
    }
  }
  return [...models];
}

/**
 * Whether `error` is the server saying that `model` does not exist: `Object X doesn't exist` (a UserError, from
 * `execute_kw`), or a KeyError naming the model (from `/web/dataset/call_kw`). Any other fault (a wrong database,
 * access rights, a server error) is not about the plan and must not be reported as a missing model.
 */
export function isUnknownModelFault(error: unknown, model: string): boolean {
  if (!(error instanceof RpcFault)) return false;
  const message = error.faultMessage.trim();
  if (error.faultName === 'builtins.KeyError') return message === model || message === `'${model}'`;
  return message === `Object ${model} doesn't exist`;
}

/** Logs in; a database the server does not have is named as such (Odoo answers with a raw PostgreSQL error). */
async function authenticate(client: FieldsGetClient, signal: AbortSignal | undefined): Promise<void> {
  try {
    await client.authenticate(signal ? { signal } : {});
  } catch (error) {
    const database = error instanceof RpcFault ? /database "([^"]+)" does not exist/.exec(error.faultMessage) : null;
    if (!database) throw error;
    throw new ConfigurationError(
      `The database "${database[1]}" does not exist on ${client.url ?? 'the server'}. ` +
        "Check the database name of the target (list the databases with the server's database manager).",
      { cause: error, ...(client.url ? { url: client.url } : {}), db: database[1] ?? '' },
    );
  }
}

/**
 * Logs in through `client`, fetches `fields_get` for every model of `plan`, checks the plan against it and checks
 * its references against the target (`checkPlanReferences`: external ids, lookups, `{ ref }` keys against the
 * referenced step's records, row by row). A model the server does not know is reported at the step (or lookup) using it.
 * Returns every problem at once (empty when the plan fits the target), so that a caller can refuse the plan before
 * the first write; connection, database and authentication errors propagate.
 */
export async function validatePlanRemote(
  plan: Plan,
  client: FieldsGetClient,
  options: CheckPlanFieldsOptions = {},
): Promise<PlanProblem[]> {
  throwIfAborted(options.signal, 'The remote validation');
  await authenticate(client, options.signal);
  const { fields, problems } = await readPlanFields(plan, client, options.signal);
  const defaults = options.defaults ?? (await readPlanDefaults(plan, client, fields, options.signal));
  return [...problems, ...(await checkPlanAgainst(plan, client, fields, { ...options, defaults }))];
}

/**
 * Reads `fields_get` of every model the plan names (steps and lookups), once each, with {@link FIELD_ATTRIBUTES}.
 * A model the server does not know is a problem at every place that names it, not an error.
 */
export async function readPlanFields(
  plan: Plan,
  client: Pick<FieldsGetClient, 'fieldsGet'>,
  signal?: AbortSignal,
): Promise<{ readonly fields: ModelFields; readonly problems: PlanProblem[] }> {
  const models = new Map<string, Readonly<Record<string, FieldInfo>>>();
  const problems: PlanProblem[] = [];
  for (const model of planModels(plan)) {
    throwIfAborted(signal, 'The remote validation');
    try {
      models.set(model, await client.fieldsGet(model, { attributes: FIELD_ATTRIBUTES, ...(signal ? { signal } : {}) }));
    } catch (error) {
      if (!isUnknownModelFault(error, model)) throw error;
      const where = [
        ...plan.steps.filter((step) => step.model === model).map((step) => childPath(step.path, 'model')),
        ...plan.steps.flatMap((step) =>
          templateReferences([...Object.values(step.values), ...(step.where ? [step.where] : [])])
            .filter((reference) => reference.kind === 'lookup' && reference.model === model)
            .map((reference) => childPath(childPath(reference.path, 'lookup'), 'model')),
        ),
      ];
      for (const path of where) {
        problems.push(
          problemAt(
            plan,
            path,
            `model ${model} does not exist on the server (${(error as RpcFault).faultMessage})`,
            'check the model name, and that the module defining it is installed',
          ),
        );
      }
    }
  }
  // The models of documents' lines (the comodels of their one2many fields) join the plan's, checked and read once.
  const lines = await checkPlanLines(
    plan,
    (model) => client.fieldsGet(model, { attributes: FIELD_ATTRIBUTES, ...(signal ? { signal } : {}) }),
    models,
    signal,
  );
  return { fields: lines.fields, problems: [...problems, ...lines.problems] };
}

/**
 * The checks of {@link validatePlanRemote} on fields already read ({@link readPlanFields}): fields, selection values
 * and required fields, then every reference (filling `options.referenceCache`).
 */
export async function checkPlanAgainst(
  plan: Plan,
  client: ReferenceCheckClient,
  fields: ModelFields,
  options: CheckPlanFieldsOptions = {},
): Promise<PlanProblem[]> {
  return [
    ...(await checkPlanFields(plan, fields, options)),
    ...(await checkPlanReferences(plan, client, fields, {
      graph: options.graph ?? planGraphOverFields(plan, fields),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.targetState === false ? { targetState: false } : {}),
      ...(options.referenceCache ? { referenceCache: options.referenceCache } : {}),
      // checkPlanFields above reported them, with the closest field names, and every value that does not fit.
      reportUnknownFields: false,
      reportValueProblems: false,
    })),
  ];
}
