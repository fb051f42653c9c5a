/**
 * The reference check of an apply. Unless its caller already ran it (`referencesChecked`), `applyPlan` runs
 * {@link checkPlanReferences} before it takes the lock and writes anything, reading through the run's own state
 * reader (so field metadata is fetched once for the check and the steps); either way it gets the run's resolver,
 * which takes the external ids and lookups the check resolved from the {@link ReferenceCache} instead of reading them
 * again.
 *
 * @packageDocumentation
 */
import { compilePlan } from '../graph/plan-graph.js';
import type { BatchClient } from '../../batch/batch-client.js';
import { PlanValidationError } from '../../errors.js';
import { PlanResolver } from '../references/plan-resolver.js';
import { checkPlanReferences } from './check-plan-references.js';
import type { ReferenceCheckClient } from './reference-check-options.js';
import type { Plan } from '../model/plan-types.js';
import { ReferenceCache } from '../references/reference-cache.js';
import type { StateReader } from '../references/state-reader.js';

/** What the apply's reference check needs besides its state reader: `execute_kw` (for `search_count`). */
export type ApplyReferenceCheckClient = Pick<BatchClient, 'executeKw'>;

/** The apply options {@link checkApplyReferences} reads (see `ApplyOptions`). */
export interface ApplyReferenceCheckOptions {
  /** The caller ran the check and it found nothing: skip it. @default false */
  readonly referencesChecked?: boolean | undefined;
  /** What the caller's check resolved. @default a new cache, filled by this check */
  readonly referenceCache?: ReferenceCache | undefined;
  /** Cancels the check. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Runs the pre-write reference check of `plan` (unless `options.referencesChecked`) and returns the resolver of the
 * run, sharing the check's cache.
 *
 * @throws PlanValidationError with every problem found (nothing has been written).
 * @throws TypeError when `referencesChecked` is not a boolean or `referenceCache` not a {@link ReferenceCache}.
 */
export async function checkApplyReferences(
  plan: Plan,
  client: ApplyReferenceCheckClient,
  reader: StateReader,
  options: ApplyReferenceCheckOptions,
): Promise<PlanResolver> {
  const { referencesChecked, signal } = options;
  if (referencesChecked !== undefined && typeof referencesChecked !== 'boolean') {
    throw new TypeError(`Expected \`referencesChecked\` to be a boolean, got ${typeof referencesChecked}`);
  }
  if (options.referenceCache !== undefined && !(options.referenceCache instanceof ReferenceCache)) {
    throw new TypeError('Expected `referenceCache` to be a ReferenceCache');
  }
  const cache = options.referenceCache ?? new ReferenceCache();
  if (referencesChecked !== true) {
    const checkClient: ReferenceCheckClient = {
      searchRead: (model, domain, read = {}) =>
        reader.searchRead(model, domain, read.fields ?? [], {
          ...(read.limit !== undefined ? { limit: read.limit } : {}),
          signal: read.signal,
        }),
      searchCount: async (model, domain, call = {}) =>
        (await client.executeKw(
          model,
          'search_count',
          [domain],
          {},
          call.signal ? { signal: call.signal } : {},
        )) as number,
      fieldsGet: (model, call = {}) => reader.fieldsOf(model, { signal: call.signal }),
    };
    const problems = await checkPlanReferences(plan, checkClient, undefined, {
      referenceCache: cache,
      ...(signal ? { signal } : {}),
    });
    if (problems.length > 0) throw new PlanValidationError(problems);
  }
  return new PlanResolver(reader, cache, { graph: compilePlan(plan) });
}
