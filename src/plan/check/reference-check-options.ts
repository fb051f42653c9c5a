/**
 * What the reference check is given: its options with their defaults and validation, and the slice of the client it
 * reads through.
 *
 * @packageDocumentation
 */
import type { ReferenceReadClient } from '../references/reference-reader.js';
import type { PlanGraph } from '../graph/plan-graph.js';
import type { Domain, FieldInfo } from '../../client/types.js';
import { ReferenceCache } from '../references/reference-cache.js';

/** Default of {@link CheckPlanReferencesOptions.maxMissingKeysPerStep}. */
export const DEFAULT_MAX_MISSING_KEYS_PER_STEP = 5;

/** Default of {@link CheckPlanReferencesOptions.concurrency}. */
export const DEFAULT_REFERENCE_CHECK_CONCURRENCY = 4;

/** Default of {@link CheckPlanReferencesOptions.maxProblems}. */
export const DEFAULT_MAX_REFERENCE_PROBLEMS = 20;

/** Options of `checkPlanReferences`. */
export interface CheckPlanReferencesOptions {
  /**
   * The plan's graph, when the caller knows more than the loader (see `planGraphOverFields`): a lookup whose model a
   * step it waits for writes is left to the run. @default compilePlan(plan)
   */
  readonly graph?: PlanGraph | undefined;
  /** Cancels the check (between calls and while streaming data files). */
  readonly signal?: AbortSignal | undefined;
  /**
   * Row problems (a missing `{ ref }` key, external id or lookup match, an empty or duplicate key, a value that cannot
   * be computed) reported per step before the rest are only counted. @default 5
   */
  readonly maxMissingKeysPerStep?: number;
  /**
   * Problems after which the check stops reading rows (and says so): enough to act on, without streaming the rest of
   * a data file that is wrong throughout. @default 20
   */
  readonly maxProblems?: number;
  /** Lookups read at once (the row-independent ones, before the rows are read). @default 4 */
  readonly concurrency?: number;
  /**
   * Check external ids and lookups against the target's current state. Turn it off when other work runs before the
   * plan and may create what they find (earlier pending migrations); `{ ref }` keys and row values are checked either
   * way.
   * @default true
   */
  readonly targetState?: boolean;
  /**
   * Receives the external ids and lookups resolved by the check. Pass the same cache to `computeDiff` and `applyPlan`
   * so that they do not read them again. @default a cache of this check only
   */
  readonly referenceCache?: ReferenceCache | undefined;
  /**
   * Report data columns and `values:` that are not fields of their step's model (one problem per step). Off when the
   * caller reports them itself (`validatePlanRemote` does, with suggestions). Either way, such a step's rows are not
   * evaluated: every one would fail the same way.
   * @default true
   */
  readonly reportUnknownFields?: boolean;
  /**
   * Report values that do not fit their field's type (`"oui"` in a boolean column), found while rows are evaluated.
   * Off when the caller reports them itself (`validatePlanRemote` does, for every step, through the same conversion);
   * either way a row with such a value still counts with its key, so that references to it are not reported missing.
   * @default true
   */
  readonly reportValueProblems?: boolean;
}

/**
 * The slice of `OdooClient` that `checkPlanReferences` needs: what its {@link ReferenceReadClient} reads through, with
 * `search_count` (to say how many records a lookup matching several found) and `fields_get`.
 */
export interface ReferenceCheckClient extends ReferenceReadClient {
  /** `search_count` (only to say how many records a lookup matching several found). */
  searchCount(model: string, domain: Domain, options?: { readonly signal?: AbortSignal }): Promise<number>;
  /** `fields_get` of one model (only when no field metadata is passed in). */
  fieldsGet(
    model: string,
    options?: { readonly attributes?: readonly string[]; readonly signal?: AbortSignal },
  ): Promise<Record<string, FieldInfo>>;
}

/** Refuses options of the wrong type or range, naming the option. */
export function validateOptions(options: CheckPlanReferencesOptions): void {
  const { maxMissingKeysPerStep: max, maxProblems, concurrency, targetState, reportUnknownFields } = options;
  if (options.reportValueProblems !== undefined && typeof options.reportValueProblems !== 'boolean') {
    throw new TypeError(`Expected \`reportValueProblems\` to be a boolean, got ${typeof options.reportValueProblems}`);
  }
  if (targetState !== undefined && typeof targetState !== 'boolean') {
    throw new TypeError(`Expected \`targetState\` to be a boolean, got ${typeof targetState}`);
  }
  if (reportUnknownFields !== undefined && typeof reportUnknownFields !== 'boolean') {
    throw new TypeError(`Expected \`reportUnknownFields\` to be a boolean, got ${typeof reportUnknownFields}`);
  }
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    throw new TypeError(`Expected \`maxMissingKeysPerStep\` to be an integer from 1 and up, got ${String(max)}`);
  }
  if (maxProblems !== undefined && (!Number.isInteger(maxProblems) || maxProblems < 1)) {
    throw new TypeError(`Expected \`maxProblems\` to be an integer from 1 and up, got ${String(maxProblems)}`);
  }
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new TypeError(`Expected \`concurrency\` to be an integer from 1 and up, got ${String(concurrency)}`);
  }
  if (options.referenceCache !== undefined && !(options.referenceCache instanceof ReferenceCache)) {
    throw new TypeError('Expected `referenceCache` to be a ReferenceCache');
  }
}
