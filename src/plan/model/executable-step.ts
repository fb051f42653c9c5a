/**
 * A step as the engine runs it: what scheduling and sending need, and nothing of how its changes are found. Compiled
 * once from a plan (every node of the plan's graph carries one, see `compilePlan`), or read from a saved diff, which
 * carries the same attributes; the apply turns either into its step specs without deriving them again.
 *
 * @packageDocumentation
 */
import type { OnErrorPolicy } from '../../batch/batch-options.js';
import type { PlanStep, StepAction } from './plan-types.js';
import { selfReferences } from './self-references.js';

/** What the apply needs of a step to schedule it and send its chunks. */
export interface ExecutableStep {
  /** Step id. */
  readonly id: string;
  /** Model it writes. */
  readonly model: string;
  /** What it does. */
  readonly action: StepAction;
  /** Records per chunk (the first chunk's, when {@link autoChunkSize}). */
  readonly chunkSize: number;
  /** Whether the chunk size is tuned while the step runs (`chunk_size: auto`). */
  readonly autoChunkSize: boolean;
  /** Odoo context of its calls. */
  readonly context: Readonly<Record<string, unknown>>;
  /** Failure policy of its chunks (an apply's `onError` option overrides it). */
  readonly onError: OnErrorPolicy;
  /** Steps it waits for (it is not run if one of them failed). */
  readonly dependsOn: readonly string[];
  /** Among steps ready at the same time, higher first (its chunks also go first for the global limit's slots). */
  readonly priority: number;
  /** Its own cap of chunks in flight, within the run's global limit (`undefined`: the global limit only). */
  readonly concurrency: number | undefined;
  /** Key fields: creates are then idempotent by key (plain `create`, reconciled by key), not by external id. */
  readonly keyFields: readonly string[] | undefined;
  /**
   * Whether a later step, or the step itself, refers to its records (then the keys it matches or creates are kept for
   * those refs).
   */
  readonly referenced: boolean;
}

/** The executable form of `step`, given its place in the graph. */
export function executableStep(
  step: PlanStep,
  dependsOn: readonly string[],
  dependents: readonly string[],
): ExecutableStep {
  return Object.freeze({
    id: step.id,
    model: step.model,
    action: step.action,
    chunkSize: step.chunkSize,
    autoChunkSize: step.autoChunkSize,
    context: step.context,
    onError: step.onError,
    dependsOn,
    priority: step.priority,
    concurrency: step.autoConcurrency ? undefined : step.concurrency,
    keyFields: step.key.length > 0 ? step.key : undefined,
    referenced: dependents.length > 0 || selfReferences(step).length > 0,
  });
}
