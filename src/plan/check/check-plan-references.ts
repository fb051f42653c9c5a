/**
 * The one check of a plan's references made before anything is written, so that a reference that would only fail
 * when its step is reached (after earlier steps already wrote) is reported up front, all problems at once:
 *
 * - literal external ids (`{ xmlid: base.be }`) exist, read with one batched `ir.model.data` search_read, and point
 *   at a record of the field's comodel;
 * - lookups that do not depend on the row (`{ lookup: { model, where } }`) match exactly one record (one read per
 *   distinct domain, a few at a time);
 * - then every row of every step that references something, or that other steps reference, is evaluated as the
 *   apply evaluates it: external ids and lookups computed from the row (one read per distinct value), `{ ref: STEP,
 *   key }` keys against the keys of STEP's evaluated rows (the records STEP will create count: this part depends on
 *   the plan only), empty and duplicate keys, values that cannot be computed (a missing column, a malformed id).
 *
 * What the check resolves goes into a {@link ReferenceCache}: a diff or apply given the same cache uses it instead of
 * reading those external ids and lookups again. A lookup on a model that an earlier step writes is left to the run
 * (the target's state now says nothing about what it will find then), and so is any external id of the plan's own
 * module (its records do not exist yet).
 *
 * @packageDocumentation
 */
import { throwIfAborted } from '../../util/abort.js';
import pLimit from 'p-limit';
import type { FieldInfo } from '../../client/types.js';
import type { PlanProblem } from '../../errors.js';
import { PlanValidationError } from '../../errors.js';
import type { ReferenceContext, ReferenceResolver } from '../evaluate/evaluate-record.js';
import { evaluateWhere } from '../evaluate/evaluate-record.js';
import { planModule } from '../evaluate/plan-xmlid.js';
import { rowEvaluator, whereValues } from '../evaluate/row-evaluator.js';
import type { PlanGraph } from '../graph/plan-graph.js';
import { compilePlan } from '../graph/plan-graph.js';
import type { ModelFields } from '../model/model-fields.js';
import { childPath, problemAt } from '../model/plan-positions.js';
import type { Plan, PlanStep, SourceRow, ValueTemplate } from '../model/plan-types.js';
import type { KeyValue } from '../../batch/send/record-keys.js';
import { keyString } from '../../batch/send/record-keys.js';
import type { StepReference } from '../model/template-walk.js';
import { stepReferences } from '../model/template-walk.js';
import { ReferenceCache } from '../references/reference-cache.js';
import type { ReferenceMessage } from '../references/reference-problems.js';
import { externalIdOfOtherModel, lookupProblem, missingExternalId } from '../references/reference-problems.js';
import { ReferenceReader } from '../references/reference-reader.js';
import { displayDataFile } from '../sources/record-sources.js';
import { openRecords } from '../sources/record-provider.js';
import { fetchModels } from './reference-check-fields.js';
import type { CheckPlanReferencesOptions, ReferenceCheckClient } from './reference-check-options.js';
import {
  DEFAULT_MAX_MISSING_KEYS_PER_STEP,
  DEFAULT_MAX_REFERENCE_PROBLEMS,
  DEFAULT_REFERENCE_CHECK_CONCURRENCY,
  validateOptions,
} from './reference-check-options.js';
import { readsRow, staticValue } from './static-value.js';

const XMLID = /^([^.\s]+)\.(\S+)$/;

/**
 * Stand-in ids for references the check does not resolve (left to the run, or already reported), far below any
 * value a plan would hold: distinct per reference, so that keys computed from them stay distinct, and recognisable
 * when one ends up in a lookup's domain.
 */
const PLACEHOLDER_BASE = -1_000_000_000;

/** Where a step's records come from, for hints. */
function recordsPlace(plan: Plan, step: PlanStep): string {
  return step.records?.kind === 'file' ? displayDataFile(plan, step.records.file) : 'its inline records';
}

/** Runs `work` on every item, at most `limit` at a time. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const run = pLimit(limit);
  await Promise.all(items.map((item) => run(() => work(item))));
}

/** A reference node of the plan, with what the check needs to know about it. */
interface ReferenceNode {
  readonly step: PlanStep;
  readonly node: StepReference;
  /** Whether its value depends on the row (then its problems are reported at the row). */
  readonly byRow: boolean;
  /** The field it is written to and that field's comodel, when known (an external id's model is checked). */
  readonly field: string | undefined;
  readonly relation: string | undefined;
}

/** The problems of one step found while its rows were evaluated. */
interface StepProblems {
  /** Problems at a plan node (reported once). */
  readonly fixed: PlanProblem[];
  /** Problems at a row. */
  readonly rows: PlanProblem[];
  /** Row problems only counted, by kind. */
  suppressedKeys: number;
  suppressedOther: number;
}

class ReferenceChecker {
  private readonly byId: ReadonlyMap<string, PlanStep>;
  private readonly graph: PlanGraph;
  private readonly ownModule: string;
  private readonly targetState: boolean;
  private readonly maxPerStep: number;
  private readonly maxProblems: number;
  private readonly concurrency: number;
  private readonly cache: ReferenceCache;
  private readonly nodes = new Map<string, ReferenceNode>();
  /** Paths of the references the up-front checks (literal external ids, row-independent lookups) settled. */
  private readonly settled = new Set<string>();
  /** Plan-node problems already reported (a row-independent reference is met on every row). */
  private readonly reportedAt = new Set<string>();
  private readonly upfront: PlanProblem[] = [];
  private readonly byStep = new Map<string, StepProblems>();
  private reported = 0;
  /** Where the check stopped because enough problems were found (no step: before any row was read). */
  private stoppedAt: { readonly step: PlanStep | undefined; readonly row: SourceRow | undefined } | undefined;
  /** Keys of the evaluated rows of each step; a step missing here has keys the check cannot know. */
  private readonly keys = new Map<string, Set<string>>();
  /** Reads external ids and lookups once each, into the cache; a lookup matching several is counted for the message. */
  private readonly references: ReferenceReader;
  private readonly placeholders = new Map<string, number>();
  private readonly placeholderIds = new Set<number>();
  private readonly upstreamModels = new Map<string, ReadonlySet<string>>();
  private readonly resolver: ReferenceResolver = {
    ref: (stepId, key, context) => this.ref(stepId, key, context),
    xmlid: (xmlid, context) => this.xmlid(xmlid, context),
    lookup: (model, where, context) => this.lookup(model, where, context),
  };

  constructor(
    private readonly plan: Plan,
    client: ReferenceCheckClient,
    private readonly models: ModelFields,
    private readonly options: CheckPlanReferencesOptions,
  ) {
    this.byId = new Map(plan.steps.map((step) => [step.id, step] as const));
    this.graph = options.graph ?? compilePlan(plan);
    this.ownModule = planModule(plan.name);
    this.targetState = options.targetState !== false;
    this.maxPerStep = options.maxMissingKeysPerStep ?? DEFAULT_MAX_MISSING_KEYS_PER_STEP;
    this.maxProblems = options.maxProblems ?? DEFAULT_MAX_REFERENCE_PROBLEMS;
    this.concurrency = options.concurrency ?? DEFAULT_REFERENCE_CHECK_CONCURRENCY;
    this.cache = options.referenceCache ?? new ReferenceCache();
    this.references = new ReferenceReader(client, { cache: this.cache, fillCache: true, countSeveral: true });
    for (const step of plan.steps) this.indexReferences(step);
  }

  private get callOptions(): { readonly signal?: AbortSignal } {
    return this.options.signal ? { signal: this.options.signal } : {};
  }

  async run(): Promise<PlanProblem[]> {
    if (this.targetState) {
      await this.checkLiteralXmlids();
      await this.checkStaticLookups();
    }
    await this.evaluateSteps();
    const problems = [...this.upfront];
    for (const step of this.plan.steps) {
      const found = this.byStep.get(step.id);
      if (!found) continue;
      problems.push(...found.fixed, ...found.rows);
      const more = (count: number, one: string, several: string): void => {
        if (count > 0) {
          problems.push(
            problemAt(
              this.plan,
              step.path,
              `... and ${count} more ${count === 1 ? one : several} in step "${step.id}"`,
              'fix the ones above and validate again',
            ),
          );
        }
      };
      more(found.suppressedKeys, 'reference to missing keys', 'references to missing keys');
      more(found.suppressedOther, 'row problem', 'row problems');
    }
    if (this.stoppedAt) {
      const { step, row } = this.stoppedAt;
      const where = step ? ` at ${row ? `row ${row.row} of ` : ''}step "${step.id}"` : '';
      problems.push(
        problemAt(
          this.plan,
          step?.path ?? '',
          `stopped checking after ${this.reported} problems${where}: the rest was not checked`,
          'fix the ones above and validate again',
        ),
      );
    }
    return problems;
  }

  // ---- bookkeeping -------------------------------------------------------------------------------------------------

  private indexReferences(step: PlanStep): void {
    const fields = this.models.get(step.model);
    const add = (node: ValueTemplate, field: string | undefined): void => {
      if (node.kind !== 'ref' && node.kind !== 'xmlid' && node.kind !== 'lookup') return;
      if (this.nodes.has(node.path) && field === undefined) return;
      const relation = field ? fields?.[field]?.relation : undefined;
      this.nodes.set(node.path, {
        step,
        node,
        byRow: readsRow(node),
        field: relation ? field : undefined,
        relation,
      });
    };
    // First every reference anywhere, then those whose field (hence comodel) is known: a field's value itself, or an
    // x2many helper's item.
    for (const node of stepReferences(step)) add(node, undefined);
    for (const [field, template] of Object.entries(step.values)) {
      add(template, field);
      if (template.kind === 'x2many') for (const item of template.items) add(item, field);
    }
  }

  private stepProblems(step: PlanStep): StepProblems {
    let found = this.byStep.get(step.id);
    if (!found) {
      found = { fixed: [], rows: [], suppressedKeys: 0, suppressedOther: 0 };
      this.byStep.set(step.id, found);
    }
    return found;
  }

  private count(step: PlanStep, row: SourceRow | undefined): void {
    this.reported += 1;
    if (this.reported >= this.maxProblems && !this.stoppedAt) this.stoppedAt = { step, row };
  }

  /** A problem at a plan node, reported once however many rows meet it. */
  private atNode(step: PlanStep, problem: PlanProblem): void {
    const id = `${problem.path ?? ''}\u0000${problem.message}`;
    if (this.reportedAt.has(id)) return;
    this.reportedAt.add(id);
    this.stepProblems(step).fixed.push(problem);
    this.count(step, undefined);
  }

  /** A problem at a row, counted against the step's share. */
  private atRow(step: PlanStep, row: SourceRow, kind: 'key' | 'other', message: string, hint?: string): void {
    const found = this.stepProblems(step);
    if (found.rows.length >= this.maxPerStep) {
      if (kind === 'key') found.suppressedKeys += 1;
      else found.suppressedOther += 1;
      return;
    }
    found.rows.push(this.rowProblem(step, row, message, hint));
    this.count(step, row);
  }

  /** A problem located at a row: its plan node for inline records, else the data file, line (csv, jsonl) and row. */
  private rowProblem(step: PlanStep, row: SourceRow, message: string, hint: string | undefined): PlanProblem {
    const records = step.records;
    if (records?.kind === 'inline') {
      return problemAt(this.plan, childPath(childPath(step.path, 'records'), row.row - 1), message, hint);
    }
    const line = records?.kind === 'file' && (records.format === 'csv' || records.format === 'jsonl');
    return {
      file: row.source,
      ...(line ? { line: row.row } : {}),
      path: `row ${row.row}`,
      message,
      ...(hint ? { hint } : {}),
    };
  }

  /** Reports the problem of a reference at its row (when it reads the row) or once at its plan node. */
  private atReference(
    context: ReferenceContext,
    child: string,
    { message, hint }: ReferenceMessage,
    kind: 'key' | 'other',
  ): void {
    const info = this.nodes.get(context.path);
    if ((info?.byRow ?? false) && context.row) {
      this.atRow(context.step, context.row, kind, `${message} (referenced by ${context.path})`, hint);
    } else {
      this.atNode(context.step, problemAt(this.plan, childPath(context.path, child), message, hint));
    }
  }

  /** Turns what the evaluator threw into row (or node) problems; anything but a plan problem propagates. */
  private collect(step: PlanStep, row: SourceRow | undefined, error: unknown): void {
    if (!(error instanceof PlanValidationError)) throw error;
    for (const problem of error.problems) {
      if (row) this.atRow(step, row, 'other', problem.message, problem.hint);
      else this.atNode(step, problem);
    }
  }

  private placeholder(what: string): number {
    let id = this.placeholders.get(what);
    if (id === undefined) {
      id = PLACEHOLDER_BASE - this.placeholders.size;
      this.placeholders.set(what, id);
      this.placeholderIds.add(id);
    }
    return id;
  }

  private holdsPlaceholder(value: unknown): boolean {
    if (typeof value === 'number') return this.placeholderIds.has(value);
    if (Array.isArray(value)) return value.some((item) => this.holdsPlaceholder(item));
    if (value !== null && typeof value === 'object') {
      return Object.values(value).some((item) => this.holdsPlaceholder(item));
    }
    return false;
  }

  /** Models of the steps that `stepId` waits for, directly or not: what they find may not exist yet. */
  private upstream(stepId: string): ReadonlySet<string> {
    let models = this.upstreamModels.get(stepId);
    if (!models) {
      const seen = new Set<string>();
      const pending = [stepId];
      for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
        for (const dependency of this.graph.byId[id]?.dependsOn ?? []) {
          if (!seen.has(dependency)) {
            seen.add(dependency);
            pending.push(dependency);
          }
        }
      }
      models = new Set([...seen].map((id) => this.byId.get(id)?.model ?? ''));
      this.upstreamModels.set(stepId, models);
    }
    return models;
  }

  /** Whether every field the domain names is a field of `model` (unknown ones are reported by the field checks). */
  private domainFieldsKnown(where: ValueTemplate, model: string): boolean {
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

  // ---- up front: literal external ids, row-independent lookups -----------------------------------------------------

  /** One `ir.model.data` search_read for every literal external id of the plan. */
  private async checkLiteralXmlids(): Promise<void> {
    const uses: { readonly info: ReferenceNode; readonly module: string; readonly name: string }[] = [];
    for (const info of this.nodes.values()) {
      if (info.node.kind !== 'xmlid') continue;
      const value = staticValue(info.node.xmlid, info.step.env);
      const match = typeof value?.value === 'string' ? XMLID.exec(value.value) : null;
      // A malformed or empty computed id is reported when evaluated; the plan's own external ids do not exist yet.
      if (!match || match[1] === this.ownModule) continue;
      uses.push({ info, module: match[1] as string, name: match[2] as string });
    }
    const xmlids = uses.map((use) => `${use.module}.${use.name}`);
    if (xmlids.some((xmlid) => this.references.known(xmlid) === undefined)) {
      throwIfAborted(this.options.signal, 'The reference check');
    }
    // The ids not known yet are read together: module IN (...) AND name IN (...), the exact pairs kept.
    const found = await this.references.xmlids(xmlids, this.callOptions);
    for (const { info, module, name } of uses) {
      const xmlid = `${module}.${name}`;
      const record = found.get(xmlid) ?? null;
      const at = childPath(info.node.path, 'xmlid');
      this.settled.add(info.node.path);
      if (!record) {
        this.upfrontProblem(at, missingExternalId(xmlid));
      } else if (info.relation && info.field && record.model !== info.relation) {
        this.upfrontProblem(at, externalIdOfOtherModel(xmlid, record.model, info.field, info.relation));
      }
    }
  }

  private upfrontProblem(path: string, { message, hint }: ReferenceMessage): void {
    this.upfront.push(problemAt(this.plan, path, message, hint));
    this.reported += 1;
  }

  /** Whether the graph orders an earlier step before the lookup at `path` of `stepId` (it writes the lookup's model). */
  private lookupEdgeInto(stepId: string, path: string): boolean {
    const edgePath = childPath(path, 'lookup');
    return this.graph.edges.some((edge) => edge.kind === 'lookup' && edge.to === stepId && edge.path === edgePath);
  }

  /** Whether the check resolves this lookup now (else the run does, when the step is reached). */
  private lookupCheckable(step: PlanStep, model: string, info: ReferenceNode | undefined): boolean {
    // A step that runs before this one may create or change the records the lookup finds: the server's state now
    // says nothing about the lookup's result then. That is a step of the same model, or one the graph orders before
    // this lookup because it writes the model through a delegation (a `lookup` edge).
    if (this.upstream(step.id).has(model)) return false;
    if (info !== undefined && this.lookupEdgeInto(step.id, info.node.path)) return false;
    return info?.node.kind !== 'lookup' || this.domainFieldsKnown(info.node.where, model);
  }

  /** One read per distinct row-independent lookup (model and domain), a few at a time. */
  private async checkStaticLookups(): Promise<void> {
    const uses: { readonly info: ReferenceNode; readonly model: string; readonly where: unknown[] }[] = [];
    for (const info of this.nodes.values()) {
      const { node, step } = info;
      if (node.kind !== 'lookup' || !this.lookupCheckable(step, node.model, info)) continue;
      const where = staticValue(node.where, step.env);
      if (!where || !Array.isArray(where.value)) continue;
      uses.push({ info, model: node.model, where: where.value });
    }
    // The distinct domains first, a few at a time; the uses below then find them in the reader's memory.
    const queries = new Map<string, (typeof uses)[number]>();
    for (const use of uses) queries.set(`${use.model}\u0000${JSON.stringify(use.where)}`, use);
    await forEachLimited([...queries.values()], this.concurrency, async ({ info, model, where }) => {
      throwIfAborted(this.options.signal, 'The reference check');
      await this.references.lookup(model, where, { step: info.step.id, ...this.callOptions });
    });
    for (const { info, model, where } of uses) {
      const outcome = await this.references.lookup(model, where, { step: info.step.id, ...this.callOptions });
      this.settled.add(info.node.path);
      if (!('fault' in outcome)) this.cache.setLookup(info.step.id, model, where, outcome.ids);
      const problem = lookupProblem(model, where, outcome);
      if (problem) this.upfrontProblem(childPath(info.node.path, 'lookup'), problem);
    }
  }

  // ---- rows --------------------------------------------------------------------------------------------------------

  /**
   * Columns and `values:` of `step` that are not fields of its model. Every row would fail on them: the step is
   * reported once (unless the caller reports them) and its rows are not evaluated.
   */
  private hasUnknownFields(step: PlanStep, fields: Readonly<Record<string, FieldInfo>>): boolean {
    const names = new Set([
      ...(step.records?.columns ?? []).filter((column) => !step.templateColumns.includes(column)),
      ...Object.keys(step.values),
    ]);
    const unknown = [...names].filter((name) => !Object.hasOwn(fields, name));
    if (unknown.length === 0) return false;
    if (this.options.reportUnknownFields !== false) {
      const one = unknown.length === 1;
      this.atNode(
        step,
        problemAt(
          this.plan,
          step.records ? childPath(step.path, 'records') : childPath(step.path, 'values'),
          `field${one ? '' : 's'} ${unknown.join(', ')} do${one ? 'es' : ''} not exist on ${step.model}`,
          'check the column names of the data, or list columns used only in templates in template_columns',
        ),
      );
    }
    return true;
  }

  /** Whether the keys of `step`'s rows are known before running (not computed from a reference). */
  private static keysKnowable(step: PlanStep): boolean {
    return step.key.every((field) => {
      const template = step.values[field];
      return !template || template.kind === 'literal' || template.kind === 'string';
    });
  }

  /** Evaluates the rows of every step that references something or that others reference, in graph order. */
  private async evaluateSteps(): Promise<void> {
    const { signal } = this.options;
    if (this.reported >= this.maxProblems) {
      this.stoppedAt = { step: undefined, row: undefined };
      return;
    }
    for (const id of this.graph.order) {
      if (this.stoppedAt) return;
      const node = this.graph.byId[id];
      if (node === undefined) continue;
      const { step } = node;
      // A step that references nothing and that nothing waits for has nothing to resolve; its columns, keys and
      // data are checked when the plan is loaded and validated against the target.
      if (stepReferences(step).length === 0 && node.dependents.length === 0) continue;
      const fields = this.models.get(step.model);
      // An unknown model is reported by the field checks; references to its keys cannot be checked.
      if (!fields || this.hasUnknownFields(step, fields)) continue;
      if (step.records === undefined) {
        try {
          await evaluateWhere(step, this.resolver, { signal });
          await whereValues(step, fields, this.resolver, signal);
        } catch (error) {
          this.collect(step, undefined, error);
        }
        continue;
      }
      const keys = new Set<string>();
      const evaluate = rowEvaluator(step, fields, this.resolver, signal, {
        checkValues: this.options.reportValueProblems !== false,
      });
      for await (const row of openRecords(this.plan, step, { signal })) {
        try {
          const { key } = await evaluate(row);
          if (key !== undefined) keys.add(key);
        } catch (error) {
          this.collect(step, row, error);
        }
        if (this.stoppedAt) return;
      }
      if (ReferenceChecker.keysKnowable(step)) this.keys.set(step.id, keys);
    }
  }

  // ---- the resolver the rows are evaluated with ---------------------------------------------------------------------

  private ref(stepId: string, key: readonly KeyValue[], context: ReferenceContext): number {
    const text = keyString(key);
    const keys = this.keys.get(stepId);
    const target = this.byId.get(stepId);
    if (keys && target && !keys.has(text)) {
      const place = recordsPlace(this.plan, target);
      const message = `step "${stepId}" has no record with key ${text}`;
      const hint = `add a record whose key (${target.key.join(', ')}) is ${text} to step "${stepId}" (${place}), or fix the key`;
      this.atReference(context, 'key', { message, hint }, 'key');
    }
    return this.placeholder(`ref\u0000${stepId}\u0000${text}`);
  }

  private async xmlid(xmlid: string, context: ReferenceContext): Promise<number> {
    const stand = this.placeholder(`xmlid\u0000${xmlid}`);
    if (!this.targetState || xmlid.slice(0, xmlid.indexOf('.')) === this.ownModule) return stand;
    const record = await this.references.xmlid(xmlid, this.callOptions);
    if (this.settled.has(context.path)) return record?.id ?? stand;
    const info = this.nodes.get(context.path);
    if (!record) {
      this.atReference(context, 'xmlid', missingExternalId(xmlid), 'other');
      return stand;
    }
    if (info?.relation && info.field && record.model !== info.relation) {
      this.atReference(
        context,
        'xmlid',
        externalIdOfOtherModel(xmlid, record.model, info.field, info.relation),
        'other',
      );
    }
    return record.id;
  }

  private async lookup(model: string, where: readonly unknown[], context: ReferenceContext): Promise<number> {
    const stand = this.placeholder(`lookup\u0000${model}\u0000${JSON.stringify(where)}`);
    if (!this.targetState) return stand;
    if (this.settled.has(context.path)) {
      const ids = this.cache.lookup(context.step.id, model, where);
      return ids?.length === 1 ? ids[0]! : stand;
    }
    // A domain holding a reference the check did not resolve would be read with a stand-in id: left to the run.
    if (!this.lookupCheckable(context.step, model, this.nodes.get(context.path)) || this.holdsPlaceholder(where)) {
      return stand;
    }
    const outcome = await this.references.lookup(model, where, { step: context.step.id, ...this.callOptions });
    if (!('fault' in outcome)) this.cache.setLookup(context.step.id, model, where, outcome.ids);
    const problem = lookupProblem(model, where, outcome);
    if (problem) {
      this.atReference(context, 'lookup', problem, 'other');
      return stand;
    }
    // No problem means exactly one record was found.
    return 'fault' in outcome ? stand : outcome.ids[0]!;
  }
}

/**
 * Checks the references of `plan` (see the module comment) and returns every problem found (empty when there is
 * none), each located at the reference's plan node (`file:line:col`) or at the row (data file, line and `row N`; the
 * plan node of an inline record). Nothing is written. Rows are read until {@link CheckPlanReferencesOptions.maxProblems}
 * problems are found.
 *
 * `models` is the field metadata of the plan's models as `validatePlanRemote` fetched it: a step or lookup whose model
 * is missing from it is not checked (the caller reports unknown models). Without it, the metadata is fetched through
 * `client.fieldsGet`. Connection and authentication errors propagate.
 *
 * @example
 * ```ts
 * const referenceCache = new ReferenceCache();
 * const problems = await checkPlanReferences(plan, client, models, { signal, referenceCache });
 * if (problems.length > 0) throw new PlanValidationError(problems);
 * await applyPlan(plan, client, { target, signal, referencesChecked: true, referenceCache });
 * ```
 */
export async function checkPlanReferences(
  plan: Plan,
  client: ReferenceCheckClient,
  models?: ModelFields,
  options: CheckPlanReferencesOptions = {},
): Promise<PlanProblem[]> {
  validateOptions(options);
  const metadata = models ?? (await fetchModels(plan, client, options.signal));
  return new ReferenceChecker(plan, client, metadata, options).run();
}
