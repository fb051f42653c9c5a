/**
 * What an apply is given: the client slice it needs and its options, with their defaults and validation.
 *
 * @packageDocumentation
 */
import type { PreparedPlan } from '../prepare/prepare-plan.js';
import type { JournalStore } from '../checkpoint/journal-store.js';
import type { BatchClient } from '../../batch/batch-client.js';
import type { BatchExecutorOptions } from '../../batch/batch-executor.js';
import type { OnErrorPolicy } from '../../batch/batch-options.js';
import type { LockClient, LockOptions } from '../lock/lock.js';
import { DEFAULT_PLAN_CONCURRENCY } from '../model/plan-types.js';
import type { ReferenceCache } from '../references/reference-cache.js';
import type { StateClient } from '../references/state-reader.js';
import type { ApplyListener } from './apply-events.js';

/** The client an apply needs: reads, `execute_kw` for the Batch API and the lock. `OdooClient` satisfies it. */
export type ApplyClient = StateClient & BatchClient & LockClient;

/** Chunks in flight when applying a saved diff (the plan's own setting is not part of the diff). */
export const DEFAULT_DIFF_CONCURRENCY = DEFAULT_PLAN_CONCURRENCY;

/** Options of `applyPlan` and `applyDiff`. */
export interface ApplyOptions {
  /** The target as recorded in the journal (never with credentials). */
  readonly target: { readonly url: string; readonly db: string };
  /** Directory of journals. @default DEFAULT_STATE_DIR ('.zenoo') */
  readonly stateDir?: string;
  /** Where the journal is kept. @default the journal files under `stateDir` */
  readonly journalStore?: JournalStore | undefined;
  /** Forget an unfinished journal and start over. @default false */
  readonly restart?: boolean;
  /** Failure policy of every step (overrides the plan's `on_error`). @default the plan's */
  readonly onError?: OnErrorPolicy | undefined;
  /**
   * Chunks in flight at once, for the whole run, or `auto` to tune it while the run goes (see `ConcurrencyTuner`).
   * @default the plan's `defaults.concurrency`
   */
  readonly concurrency?: number | 'auto' | undefined;
  /**
   * Records per write call of every step (over the plan's `chunk_size`), or `auto` to tune each step's while it runs
   * (see `ChunkSizeTuner`). @default each step's own
   */
  readonly chunkSize?: number | 'auto' | undefined;
  /** Receives progress events. */
  readonly onEvent?: ApplyListener | undefined;
  /** Writes rejected rows (JSON lines: the row's columns plus `_error`, `_step`, `_row`) to this file. */
  readonly rejectsFile?: string | undefined;
  /** Lock options, or `false` to run without the lock (tests of the engine only). @default {} */
  readonly lock?: Omit<LockOptions, 'signal' | 'onLost'> | false;
  /** Extra Batch API options (e.g. an injected sender, a timeout). */
  readonly batch?: Omit<BatchExecutorOptions, 'onEvent' | 'maxConcurrency' | 'onError'>;
  /** zenoo version written to the journal. @default ZENOO_VERSION */
  readonly zenooVersion?: string;
  /**
   * This apply runs a migration for `zenoo migrate`, which holds the target's migrations lock itself. Any other apply
   * refuses to start (`LockHeldError`) while a live migrations lock exists, so that migrate and apply never
   * write to one target at once.
   * @default false
   */
  readonly migration?: boolean;
  /**
   * `applyPlan`: the caller already ran the pre-write reference check of this plan against this target
   * (`validatePlanRemote` or `checkPlanReferences`, with `targetState` on) and it found no problem, so the apply does
   * not run it again. Leave it off otherwise: the apply then checks every reference before the lock and the first
   * write, and throws `PlanValidationError` with every problem.
   * @default false
   */
  readonly referencesChecked?: boolean;
  /**
   * `applyPlan`: the cache the caller's reference check filled (`referenceCache` of that check): the run takes
   * the external ids and lookups it resolved from there instead of reading them again.
   * @default a cache filled by the apply's own check
   */
  readonly referenceCache?: ReferenceCache | undefined;
  /**
   * `applyPlan`: the plan prepared for this command (`preparePlan`, which checked it against this target): the apply
   * takes its graph, fields and resolved references, and reads through its state reader, instead of checking and
   * reading them again. @default none: the apply checks every reference before the lock and the first write
   */
  readonly prepared?: PreparedPlan | undefined;
  /** Stops feeding new records: running chunks settle, the journal records an interrupted run. */
  readonly signal?: AbortSignal | undefined;
}

/** Refuses options of the wrong type or range, naming the option. */
export function validateOptions(options: ApplyOptions): void {
  if (
    options.concurrency !== undefined &&
    options.concurrency !== 'auto' &&
    (!Number.isInteger(options.concurrency) || options.concurrency < 1)
  ) {
    throw new TypeError('Expected `concurrency` to be an integer from 1 and up, or "auto"');
  }
  if (
    options.chunkSize !== undefined &&
    options.chunkSize !== 'auto' &&
    (!Number.isInteger(options.chunkSize) || options.chunkSize < 1)
  ) {
    throw new TypeError('Expected `chunkSize` to be an integer from 1 and up, or "auto"');
  }
  if (options.onError !== undefined && !['stop', 'continue', 'isolate'].includes(options.onError)) {
    throw new TypeError("Expected `onError` to be 'stop', 'continue' or 'isolate'");
  }
  if (typeof options.target?.url !== 'string' || typeof options.target.db !== 'string') {
    throw new TypeError('Expected `target` to be { url, db }');
  }
  if (options.migration !== undefined && typeof options.migration !== 'boolean') {
    throw new TypeError('Expected `migration` to be a boolean');
  }
}
