/**
 * Checks a plan's references against the target and against the plan itself, before anything is written, so that a
 * reference that would only fail when its step is reached (after earlier steps already wrote) is reported up front:
 *
 * - literal external ids (`{ xmlid: base.be }`, no `${row...}` placeholder) exist, checked with one batched
 *   `ir.model.data` search_read, and point at a record of the field's comodel;
 * - lookups that do not depend on the row (`{ lookup: { model, where } }`) match exactly one record (one
 *   `search_count` per distinct domain);
 * - `{ ref: STEP, key: K }` names a key of one of STEP's declared records (inline or in a data file), for a literal
 *   key and for every row's evaluated `${row...}` key. The check is against the plan, not the server: the records
 *   STEP will create count. A step driven by a `where` domain has no static keys and is skipped.
 *
 * @packageDocumentation
 */
import type { Domain } from '../client/types.js';
import { InvalidValueError } from '../errors.js';
import type { PlanProblem } from '../errors.js';
import { planModule } from './apply-xmlid.js';
import type { ModelFields } from './check-plan-fields.js';
import { buildPlanGraph } from './compile-plan.js';
import { keyString, stepReferences } from './evaluate-record.js';
import { childPath, problemAt } from './plan-positions.js';
import type { Plan, PlanStep, SourceRow, ValueTemplate } from './plan-types.js';
import { displayDataFile, openRecords } from './record-sources.js';
import { TemplateValueError, renderTemplateString } from './template-string.js';
import { visitTemplate } from './value-template.js';

/** Default of {@link CheckPlanReferencesOptions.maxMissingKeysPerStep}. */
export const DEFAULT_MAX_MISSING_KEYS_PER_STEP = 5;

/** Default of {@link CheckPlanReferencesOptions.concurrency}. */
export const DEFAULT_REFERENCE_CHECK_CONCURRENCY = 4;

/** Options of {@link checkPlanReferences}. */
export interface CheckPlanReferencesOptions {
  /** Cancels the check (between calls and while streaming data files). */
  readonly signal?: AbortSignal | undefined;
  /**
   * Rows whose `${row...}` reference key is missing from the referenced step, reported per referencing step before
   * the rest are only counted. @default 5
   */
  readonly maxMissingKeysPerStep?: number;
  /** Lookup counts (`search_count`) in flight at once. @default 4 */
  readonly concurrency?: number;
  /**
   * Check external ids and lookups against the target's current state. Turn it off when other work runs before the
   * plan and may create what they find (earlier pending migrations); `{ ref }` keys are checked either way.
   * @default true
   */
  readonly targetState?: boolean;
}

/** The slice of `OdooClient` that {@link checkPlanReferences} needs. */
export interface ReferenceCheckClient {
  /** `search_read` (used once, on `ir.model.data`). */
  searchRead(
    model: string,
    domain: Domain,
    options?: { readonly fields?: readonly string[]; readonly signal?: AbortSignal },
  ): Promise<Record<string, unknown>[]>;
  /** `search_count` (one per distinct lookup domain). */
  searchCount(model: string, domain: Domain, options?: { readonly signal?: AbortSignal }): Promise<number>;
}

const XMLID = /^([^.\s]+)\.(\S+)$/;

/** A value known before any row is read, or `undefined` when it depends on a row or on another reference. */
type Static = { readonly value: unknown } | undefined;

/** Evaluates a template that needs no row and no server: literals, `${env...}` strings, lists and maps of them. */
function staticValue(template: ValueTemplate, env: Readonly<Record<string, string>>): Static {
  switch (template.kind) {
    case 'literal':
      return { value: template.value };
    case 'string':
      if (template.parts.some((part) => part.kind === 'row')) return undefined;
      return rendered(template, { row: undefined, env });
    case 'list': {
      const items: unknown[] = [];
      for (const item of template.items) {
        const value = staticValue(item, env);
        if (!value) return undefined;
        items.push(value.value);
      }
      return { value: items };
    }
    case 'map': {
      const entries: Record<string, unknown> = {};
      for (const [field, entry] of Object.entries(template.entries)) {
        const value = staticValue(entry, env);
        if (!value) return undefined;
        entries[field] = value.value;
      }
      return { value: entries };
    }
    default:
      return undefined; // references resolve at run time
  }
}

/** A literal or string template evaluated against a row; `undefined` when it cannot be (the loader reports why). */
function rendered(
  template: ValueTemplate,
  scope: {
    readonly row: Readonly<Record<string, unknown>> | undefined;
    readonly env: Readonly<Record<string, string>>;
  },
): Static {
  if (template.kind === 'literal') return { value: template.value };
  if (template.kind !== 'string') return undefined;
  try {
    return { value: renderTemplateString(template.parts, scope) };
  } catch (error) {
    if (error instanceof TemplateValueError) return undefined;
    throw error;
  }
}

/** A key part as the apply engine registers it: Odoo's empty values (`false`, `''`) are "no value". */
function registeredPart(value: unknown): unknown {
  return value === false || value === undefined || value === '' ? null : value;
}

function isEmpty(parts: readonly unknown[]): boolean {
  return parts.every((part) => part === null || part === undefined || part === '' || part === false);
}

/** Where a step's records come from, for hints. */
function recordsPlace(plan: Plan, step: PlanStep): string {
  return step.records?.kind === 'file' ? displayDataFile(plan, step.records.file) : 'its inline records';
}

/** Runs `work` on every item, at most `limit` at a time. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next] as T;
        next += 1;
        await work(item);
      }
    }),
  );
}

interface XmlidUse {
  readonly path: string;
  readonly module: string;
  readonly name: string;
  /** The comodel of the field it is written to, when known. */
  readonly model: string | undefined;
  readonly field: string | undefined;
}

interface LookupUse {
  readonly step: PlanStep;
  readonly path: string;
  readonly model: string;
  readonly domain: unknown[];
}

interface RefUse {
  readonly node: Extract<ValueTemplate, { kind: 'ref' }>;
  readonly target: PlanStep;
}

class ReferenceChecker {
  readonly problems: PlanProblem[] = [];
  private readonly byId: ReadonlyMap<string, PlanStep>;
  private readonly keySets = new Map<string, Promise<ReadonlySet<string> | undefined>>();
  private readonly maxMissing: number;
  private readonly concurrency: number;

  constructor(
    private readonly plan: Plan,
    private readonly client: ReferenceCheckClient,
    private readonly models: ModelFields | undefined,
    private readonly options: CheckPlanReferencesOptions,
  ) {
    this.byId = new Map(plan.steps.map((step) => [step.id, step] as const));
    this.maxMissing = options.maxMissingKeysPerStep ?? DEFAULT_MAX_MISSING_KEYS_PER_STEP;
    this.concurrency = options.concurrency ?? DEFAULT_REFERENCE_CHECK_CONCURRENCY;
  }

  private get callOptions(): { readonly signal?: AbortSignal } {
    return this.options.signal ? { signal: this.options.signal } : {};
  }

  async run(): Promise<PlanProblem[]> {
    if (this.options.targetState !== false) {
      await this.checkXmlids();
      await this.checkLookups();
    }
    await this.checkRefs();
    return this.problems;
  }

  // ---- external ids ------------------------------------------------------------------------------------------------

  private xmlidUses(): XmlidUse[] {
    const ownModule = planModule(this.plan.name);
    const uses = new Map<string, XmlidUse>();
    const add = (step: PlanStep, node: ValueTemplate, field: string | undefined): void => {
      if (node.kind !== 'xmlid' || uses.has(node.path)) return;
      const value = staticValue(node.xmlid, step.env);
      const match = typeof value?.value === 'string' ? XMLID.exec(value.value) : null;
      // A malformed or empty computed id is reported when evaluated; the plan's own external ids do not exist yet.
      if (!match || match[1] === ownModule) return;
      const relation = field ? this.models?.get(step.model)?.[field]?.relation : undefined;
      uses.set(node.path, {
        path: node.path,
        module: match[1] as string,
        name: match[2] as string,
        model: relation,
        field: relation ? field : undefined,
      });
    };
    for (const step of this.plan.steps) {
      // First the nodes whose field (hence comodel) is known: a field's value itself, or an x2many helper's item.
      for (const [field, template] of Object.entries(step.values)) {
        add(step, template, field);
        if (template.kind === 'x2many') for (const item of template.items) add(step, item, field);
      }
      for (const root of [...Object.values(step.values), ...(step.where ? [step.where] : [])]) {
        visitTemplate(root, (node) => add(step, node, undefined));
      }
    }
    return [...uses.values()];
  }

  /** One `ir.model.data` search_read for every literal external id of the plan. */
  private async checkXmlids(): Promise<void> {
    const uses = this.xmlidUses();
    if (uses.length === 0) return;
    this.options.signal?.throwIfAborted();
    const modules = [...new Set(uses.map((use) => use.module))];
    const names = [...new Set(uses.map((use) => use.name))];
    // module IN (...) AND name IN (...) reads a superset of the pairs; the exact pairs are picked below.
    const rows = await this.client.searchRead(
      'ir.model.data',
      [
        ['module', 'in', modules],
        ['name', 'in', names],
      ],
      { fields: ['module', 'name', 'model', 'res_id'], ...this.callOptions },
    );
    const found = new Map<string, Record<string, unknown>>(
      rows.map((row) => [`${String(row['module'])}.${String(row['name'])}`, row]),
    );
    for (const use of uses) {
      const xmlid = `${use.module}.${use.name}`;
      const row = found.get(xmlid);
      const at = childPath(use.path, 'xmlid');
      if (!row) {
        this.problems.push(
          problemAt(
            this.plan,
            at,
            `external id ${xmlid} does not exist in the target`,
            'check the module and name, and that the module defining it is installed',
          ),
        );
      } else if (use.model && typeof row['model'] === 'string' && row['model'] !== use.model) {
        this.problems.push(
          problemAt(
            this.plan,
            at,
            `external id ${xmlid} is a ${row['model']} record, but "${use.field}" points to ${use.model}`,
            `use the external id of a ${use.model} record`,
          ),
        );
      }
    }
  }

  // ---- lookups -----------------------------------------------------------------------------------------------------

  /** Steps that `stepId` waits for, directly or not. */
  private upstream(graph: ReturnType<typeof buildPlanGraph>['graph'], stepId: string): Set<string> {
    const seen = new Set<string>();
    const pending = [stepId];
    for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
      for (const dependency of graph.byId[id]?.dependsOn ?? []) {
        if (!seen.has(dependency)) {
          seen.add(dependency);
          pending.push(dependency);
        }
      }
    }
    return seen;
  }

  /** Whether every field the domain names is a field of `model` (unknown ones are reported by the field checks). */
  private domainFieldsKnown(where: ValueTemplate, model: string): boolean {
    if (!this.models) return true;
    const fields = this.models.get(model);
    if (!fields) return false;
    if (where.kind !== 'list') return true;
    return where.items.every((leaf) => {
      if (leaf.kind !== 'list') return true;
      const [field] = leaf.items;
      if (field?.kind !== 'literal' || typeof field.value !== 'string') return true;
      return Object.hasOwn(fields, field.value.split('.')[0] ?? '');
    });
  }

  private lookupUses(): LookupUse[] {
    const { graph } = buildPlanGraph(this.plan.steps);
    const uses: LookupUse[] = [];
    for (const step of this.plan.steps) {
      let upstreamModels: Set<string> | undefined;
      for (const node of stepReferences(step)) {
        if (node.kind !== 'lookup' || !this.domainFieldsKnown(node.where, node.model)) continue;
        const where = staticValue(node.where, step.env);
        if (!where || !Array.isArray(where.value)) continue;
        // A step that runs before this one may create or change the records the lookup finds: the server's state
        // now says nothing about the lookup's result then.
        upstreamModels ??= new Set([...this.upstream(graph, step.id)].map((id) => this.byId.get(id)?.model ?? ''));
        if (upstreamModels.has(node.model)) continue;
        uses.push({ step, path: node.path, model: node.model, domain: where.value });
      }
    }
    return uses;
  }

  /** One `search_count` per distinct lookup (model and domain). */
  private async checkLookups(): Promise<void> {
    const uses = this.lookupUses();
    const byQuery = new Map<string, LookupUse[]>();
    for (const use of uses) {
      const query = `${use.model}\u0000${JSON.stringify(use.domain)}`;
      byQuery.set(query, [...(byQuery.get(query) ?? []), use]);
    }
    const outcomes = new Map<string, { count: number } | { fault: string }>();
    await forEachLimited([...byQuery], this.concurrency, async ([query, [first]]) => {
      if (!first) return;
      this.options.signal?.throwIfAborted();
      try {
        outcomes.set(query, {
          count: await this.client.searchCount(first.model, first.domain as Domain, this.callOptions),
        });
      } catch (error) {
        // A domain the server refuses (a value of the wrong type, an operator the field does not support).
        if (!(error instanceof InvalidValueError)) throw error;
        outcomes.set(query, { fault: error.faultMessage });
      }
    });
    for (const [query, list] of byQuery) {
      const outcome = outcomes.get(query);
      if (!outcome) continue;
      for (const use of list) {
        const what = `lookup of ${use.model} where ${JSON.stringify(use.domain)}`;
        const at = childPath(use.path, 'lookup');
        if ('fault' in outcome) {
          this.problems.push(
            problemAt(this.plan, at, `${what} cannot run: ${outcome.fault}`, 'fix the domain of the lookup'),
          );
        } else if (outcome.count === 0) {
          this.problems.push(
            problemAt(
              this.plan,
              at,
              `${what} found no record`,
              `a lookup must match exactly one existing ${use.model} record: fix the domain, or create the record first`,
            ),
          );
        } else if (outcome.count > 1) {
          this.problems.push(
            problemAt(
              this.plan,
              at,
              `${what} found ${outcome.count} records`,
              'a lookup must match exactly one record: make the domain more precise',
            ),
          );
        }
      }
    }
  }

  // ---- step references ---------------------------------------------------------------------------------------------

  /**
   * The keys of `step`'s declared records, as the apply engine registers them (`keyString` of the record's key
   * fields after `values:`), or `undefined` when they cannot be known before running (no records, or a key field
   * computed from a reference).
   */
  private keySet(step: PlanStep): Promise<ReadonlySet<string> | undefined> {
    let keys = this.keySets.get(step.id);
    if (!keys) {
      keys = this.readKeys(step);
      this.keySets.set(step.id, keys);
    }
    return keys;
  }

  private async readKeys(step: PlanStep): Promise<ReadonlySet<string> | undefined> {
    if (!step.records || step.key.length === 0) return undefined;
    const computed = step.key.map((field) => step.values[field]);
    if (computed.some((template) => template && template.kind !== 'literal' && template.kind !== 'string')) {
      return undefined;
    }
    const keys = new Set<string>();
    for await (const row of openRecords(this.plan, step, { signal: this.options.signal })) {
      const parts: unknown[] = [];
      for (const [index, field] of step.key.entries()) {
        const template = computed[index];
        const value = template ? rendered(template, { row: row.values, env: step.env }) : { value: row.values[field] };
        if (!value) return undefined; // a row the loader rejects: no reliable key set
        parts.push(registeredPart(value.value));
      }
      keys.add(keyString(parts));
    }
    return keys;
  }

  private refUses(step: PlanStep): { literal: RefUse[]; perRow: RefUse[] } {
    const literal: RefUse[] = [];
    const perRow: RefUse[] = [];
    for (const node of stepReferences(step)) {
      if (node.kind !== 'ref') continue;
      const target = this.byId.get(node.step);
      if (!target || !target.records || target.key.length !== node.key.length) continue;
      const byRow = node.key.some((part) => part.kind === 'string' && part.parts.some((p) => p.kind === 'row'));
      if (!byRow) literal.push({ node, target });
      else if (step.records) perRow.push({ node, target });
    }
    return { literal, perRow };
  }

  private missingKeyHint(target: PlanStep, key: string): string {
    const place = recordsPlace(this.plan, target);
    return `add a record whose key (${target.key.join(', ')}) is ${key} to step "${target.id}" (${place}), or fix the key`;
  }

  private async checkRefs(): Promise<void> {
    for (const step of this.plan.steps) {
      const { literal, perRow } = this.refUses(step);
      for (const { node, target } of literal) {
        const parts = node.key.map((part) => staticValue(part, step.env));
        if (parts.some((part) => !part)) continue;
        const values = parts.map((part) => part?.value);
        if (isEmpty(values) || values.some((value) => value !== null && typeof value === 'object')) continue;
        const keys = await this.keySet(target);
        const key = keyString(values);
        if (keys && !keys.has(key)) {
          this.problems.push(
            problemAt(
              this.plan,
              childPath(node.path, 'key'),
              `step "${target.id}" has no record with key ${key}`,
              this.missingKeyHint(target, key),
            ),
          );
        }
      }
      if (perRow.length > 0) await this.checkRowRefs(step, perRow);
    }
  }

  /** Streams the rows of `step` once, checking each row's evaluated reference keys. */
  private async checkRowRefs(step: PlanStep, uses: readonly RefUse[]): Promise<void> {
    const checked: { use: RefUse; keys: ReadonlySet<string> }[] = [];
    for (const use of uses) {
      const keys = await this.keySet(use.target);
      if (keys) checked.push({ use, keys });
    }
    if (checked.length === 0 || !step.records) return;
    const lineOf =
      step.records.kind === 'file' && (step.records.format === 'csv' || step.records.format === 'jsonl')
        ? (row: SourceRow) => ({ line: row.row })
        : () => ({});
    const inline = step.records.kind === 'inline';
    let reported = 0;
    let suppressed = 0;
    for await (const row of openRecords(this.plan, step, { signal: this.options.signal })) {
      for (const { use, keys } of checked) {
        const parts = use.node.key.map((part) => rendered(part, { row: row.values, env: step.env }));
        if (parts.some((part) => !part)) continue; // a missing column: the loader reports it
        const values = parts.map((part) => part?.value);
        if (isEmpty(values) || values.some((value) => value !== null && typeof value === 'object')) continue;
        const key = keyString(values);
        if (keys.has(key)) continue;
        if (reported >= this.maxMissing) {
          suppressed += 1;
          continue;
        }
        reported += 1;
        const message = `step "${use.target.id}" has no record with key ${key} (referenced by ${use.node.path})`;
        const hint = this.missingKeyHint(use.target, key);
        this.problems.push(
          inline
            ? problemAt(this.plan, childPath(childPath(step.path, 'records'), row.row - 1), message, hint)
            : { file: row.source, ...lineOf(row), path: `row ${row.row}`, message, hint },
        );
      }
    }
    if (suppressed > 0) {
      this.problems.push(
        problemAt(
          this.plan,
          step.path,
          `... and ${suppressed} more reference${suppressed === 1 ? '' : 's'} to missing keys in step "${step.id}"`,
          'fix the ones above and validate again',
        ),
      );
    }
  }
}

function validateOptions(options: CheckPlanReferencesOptions): void {
  const { maxMissingKeysPerStep: max, concurrency, targetState } = options;
  if (targetState !== undefined && typeof targetState !== 'boolean') {
    throw new TypeError(`Expected \`targetState\` to be a boolean, got ${typeof targetState}`);
  }
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    throw new TypeError(`Expected \`maxMissingKeysPerStep\` to be an integer from 1 and up, got ${String(max)}`);
  }
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new TypeError(`Expected \`concurrency\` to be an integer from 1 and up, got ${String(concurrency)}`);
  }
}

/**
 * Checks the references of `plan` (see the module comment) and returns every problem found, each located at the
 * reference node (`file:line:col`) or at the data-file row whose key is missing. Nothing is written.
 *
 * `models` (field metadata, as `validatePlanRemote` fetched it) lets the check skip lookups on unknown models or
 * fields (already reported) and compare an external id's model with the field's comodel; without it, lookups are
 * counted as they are. Connection and authentication errors propagate.
 *
 * @example
 * ```ts
 * const problems = await checkPlanReferences(plan, client, models, { signal });
 * if (problems.length > 0) throw new PlanValidationError(problems);
 * ```
 */
export async function checkPlanReferences(
  plan: Plan,
  client: ReferenceCheckClient,
  models?: ModelFields,
  options: CheckPlanReferencesOptions = {},
): Promise<PlanProblem[]> {
  validateOptions(options);
  return new ReferenceChecker(plan, client, models, options).run();
}
