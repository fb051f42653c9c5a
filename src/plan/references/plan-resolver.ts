/**
 * The {@link ReferenceResolver} of diffs and applies: `{ ref }` from the keys earlier steps matched or created,
 * `{ xmlid }` and `{ lookup }` through a {@link ReferenceReader} (each read once, so a reference repeated on every row
 * costs one call), which first consults the {@link ReferenceCache} the pre-write reference check filled (then without
 * any call). Its problems are worded by `reference-problems.ts`, as the check's are.
 *
 * In a dry run, a key that an earlier step will create (it does not exist yet) resolves to a {@link PendingRef}: the
 * diff shows the reference as such instead of guessing an id.
 *
 * @packageDocumentation
 */
import { ConfigurationError, PlanValidationError, RowReferenceError } from '../../errors.js';
import type { PlanProblem } from '../../errors.js';
import type { PendingRef } from '../model/diff-types.js';
import { isPendingRef } from '../model/diff-types.js';
import type { PlanGraph } from '../graph/plan-graph.js';
import { keyString } from '../../batch/send/record-keys.js';
import type { ReferenceContext, ReferenceResolver } from '../evaluate/evaluate-record.js';
import type { KeyValue } from '../../batch/send/record-keys.js';
import { childPath, findPosition } from '../model/plan-positions.js';
import type { ReferenceCache } from './reference-cache.js';
import type { ReferenceMessage } from './reference-problems.js';
import { lookupProblem, missingExternalId } from './reference-problems.js';
import type { LookupOutcome } from './reference-reader.js';
import { ReferenceReader } from './reference-reader.js';
import type { StateReader } from './state-reader.js';

/** Where a problem of a reference is, for its error message. */
function problemAt(context: ReferenceContext, { message, hint }: ReferenceMessage): PlanValidationError {
  const { step, row, path } = context;
  const problem: PlanProblem = row
    ? { file: row.source, path: `row ${row.row}`, message: `${path}: ${message}`, hint }
    : { file: step.planFile, ...findPosition(step.positions, path), path, message, hint };
  return new PlanValidationError([problem], { step: step.id, model: step.model });
}

/** Resolves references during one diff or apply. */
export class PlanResolver implements ReferenceResolver {
  /** step id → key string → record id (or pending reference in a dry run). */
  readonly #keys = new Map<string, Map<string, number | PendingRef>>();
  readonly #references: ReferenceReader;
  /** Steps that registered a pending key (a dry run's records to create): a lookup they may satisfy is pending. */
  readonly #creating = new Set<string>();
  /** step id and lookup path → the earlier steps that write the lookup's model (the graph's `lookup` edges). */
  readonly #lookupWriters = new Map<string, string[]>();
  readonly #dryRun: boolean;
  /** step id → the keys its own rows declare, for a step that refers to itself (see {@link declareOwnKeys}). */
  readonly #declared = new Map<string, ReadonlySet<string>>();

  /**
   * @param reader reads what is not in `checked` (its calls are counted with the run's other reads).
   * @param checked external ids and lookups already resolved by the reference check of the same run.
   * @param options.graph the plan's graph: its `lookup` edges say which lookups an earlier step may satisfy.
   * @param options.dryRun a dry run: nothing has been written, so a lookup that an earlier step may satisfy and that
   *   finds nothing yet is pending (in an apply, that step ran: the row is rejected).
   */
  constructor(
    reader: StateReader,
    checked?: ReferenceCache,
    options: { readonly graph?: PlanGraph | undefined; readonly dryRun?: boolean } = {},
  ) {
    const { graph } = options;
    this.#dryRun = options.dryRun === true;
    // The run reads but never fills the check's cache, and forgets what it did not find: its steps create records
    // under the plan's own external ids and change what lookups find as they go.
    this.#references = new ReferenceReader(reader.referenceClient(), { cache: checked, rememberMisses: false });
    for (const edge of graph?.edges ?? []) {
      if (edge.kind !== 'lookup') continue;
      const key = `${edge.to}\u0000${edge.path}`;
      this.#lookupWriters.set(key, [...(this.#lookupWriters.get(key) ?? []), edge.from]);
    }
  }

  /** Records that `key` of `stepId` is record `id` (matched or created), or will be created (`PendingRef`). */
  register(stepId: string, key: string, id: number | PendingRef): void {
    let keys = this.#keys.get(stepId);
    if (keys === undefined) {
      keys = new Map();
      this.#keys.set(stepId, keys);
    }
    keys.set(key, id);
    if (isPendingRef(id)) this.#creating.add(stepId);
  }

  /** Whether `key` of step `stepId` is registered (a record matched or created, or pending in a dry run). */
  hasKey(stepId: string, key: string): boolean {
    return this.#keys.get(stepId)?.has(key) === true;
  }

  /**
   * The keys the rows of step `stepId` declare, when the step refers to its own records. The step writes its rows
   * level by level, so a row's reference to one of these keys is asked for once its row was written: a key still
   * missing then belongs to a row that was not (its write failed or was rejected), and the row referring to it is
   * rejected as well instead of failing the step.
   */
  declareOwnKeys(stepId: string, keys: ReadonlySet<string>): void {
    this.#declared.set(stepId, keys);
  }

  ref(stepId: string, key: readonly KeyValue[], context: ReferenceContext): number {
    const own = stepId === context.step.id;
    const keys = this.#keys.get(stepId) ?? (own ? new Map<string, number | PendingRef>() : undefined);
    if (keys === undefined) {
      // The graph orders a step after every step it references; reaching this means that step failed or was skipped.
      throw problemAt(context, {
        message: `refers to step "${stepId}", which has not run`,
        hint: `fix the errors of step "${stepId}" first`,
      });
    }
    const text = keyString(key);
    const id = keys.get(text);
    // Only in an apply: in a dry run every row of a lower level is registered (matched, or pending), or failed.
    if (
      id === undefined &&
      own &&
      !this.#dryRun &&
      context.row !== undefined &&
      this.#declared.get(stepId)?.has(text) === true
    ) {
      const { row, step } = context;
      throw new RowReferenceError(
        [
          {
            file: row.source,
            path: `row ${row.row}`,
            message: `${context.path}: the row of step "${stepId}" with key ${text} was not written, so this row is not either`,
            hint: 'fix the error of that row (see the rejected rows), then apply again',
          },
        ],
        { step: step.id, model: step.model },
      );
    }
    if (id === undefined) {
      throw problemAt(context, {
        message: `step "${stepId}" has no record with key ${text}`,
        hint: `add a row with that key to step "${stepId}", or fix the key`,
      });
    }
    // A pending reference travels through the evaluator like an id; the diff renders it and apply replaces it.
    return id as number;
  }

  xmlid(xmlid: string, context: ReferenceContext): number | Promise<number> {
    const known = this.#references.known(xmlid);
    // Known already (checked, or read earlier in this run): answered without a promise, as the check left it.
    if (known !== undefined) return this.#xmlidAnswer(xmlid, known, context);
    return this.#references
      .xmlid(xmlid, { signal: context.signal })
      .then((record) => this.#xmlidAnswer(xmlid, record, context));
  }

  #xmlidAnswer(xmlid: string, record: { readonly id: number } | null, context: ReferenceContext): number {
    if (record === null) throw problemAt(context, missingExternalId(xmlid));
    return record.id;
  }

  lookup(model: string, where: readonly unknown[], context: ReferenceContext): number | Promise<number> {
    const step = context.step.id;
    const known = this.#references.knownLookup(model, where, step);
    // Known already (checked, or read earlier in this run): answered without a promise, as the check left it.
    if (known !== undefined) return this.#lookupAnswer(model, where, known, context);
    return this.#references
      .lookup(model, where, { step, signal: context.signal })
      .then((outcome) => this.#lookupAnswer(model, where, outcome, context));
  }

  #lookupAnswer(model: string, where: readonly unknown[], outcome: LookupOutcome, context: ReferenceContext): number {
    // A domain the server refuses fails the step as the server said it.
    if ('fault' in outcome) throw outcome.error;
    const problem = lookupProblem(model, where, outcome);
    if (problem === undefined) return outcome.ids[0]!;
    const writers = this.#lookupWriters.get(`${context.step.id}\u0000${childPath(context.path, 'lookup')}`);
    if (writers !== undefined && outcome.ids.length === 0) {
      // An earlier step writes this model. In a dry run nothing is written yet: the record may be one that step
      // creates (or changes into a match), so the lookup is shown as pending and run again when its step is applied.
      if (this.#dryRun) {
        const creating = writers.find((writer) => this.#creating.has(writer)) ?? writers[0]!;
        const pending: PendingRef = { $pending: { step: creating, lookup: { model, where } } };
        return pending as unknown as number;
      }
      // Those steps ran and the record is still missing: this row is rejected, not the plan.
      const { step, row } = context;
      if (row !== undefined) {
        throw new RowReferenceError(
          [
            {
              file: row.source,
              path: `row ${row.row}`,
              message: `${context.path}: ${problem.message}`,
              hint: problem.hint,
            },
          ],
          { step: step.id, model: step.model },
        );
      }
    }
    throw problemAt(context, problem);
  }

  /**
   * The id a saved diff's pending reference stands for: the record registered for its key, or the one record its
   * lookup finds now that the step writing the lookup's model ran.
   */
  async resolvePending(ref: PendingRef, signal?: AbortSignal): Promise<number> {
    const pending = ref.$pending;
    if ('lookup' in pending) {
      const { model, where } = pending.lookup;
      const outcome = await this.#references.lookup(model, where, { signal });
      if ('fault' in outcome) throw outcome.error;
      const problem = lookupProblem(model, where, outcome);
      if (problem !== undefined) {
        throw new ConfigurationError(
          `The diff's ${problem.message} (it waited for step "${pending.step}"): ${problem.hint}.`,
          { step: pending.step, model },
        );
      }
      return outcome.ids[0]!;
    }
    const id = this.#keys.get(pending.step)?.get(pending.key);
    if (typeof id !== 'number') {
      throw new ConfigurationError(
        `The diff refers to the record with key ${pending.key} of step "${pending.step}", which was not created. ` +
          'Fix the errors of that step and apply again.',
        { step: pending.step },
      );
    }
    return id;
  }
}
