/**
 * The typed events and results of a plan apply. The engine never prints: the CLI turns these events into a progress
 * bar, plain lines or an NDJSON stream, and the result into a summary.
 *
 * @packageDocumentation
 */
import type { EventListener } from '../../util/event-hub.js';
import type { LockHolder } from '../../errors.js';
import type { StepAction } from '../model/plan-types.js';
import type { RunStatus, StepCounts } from '../checkpoint/journal.js';
import type { ChunkSizeChange } from '../../batch/tuning/chunk-size-tuner.js';
import type { ConcurrencyChange } from '../../batch/tuning/concurrency-tuner.js';

/**
 * Status of one step at the end of a run (`interrupted`: stopped part-way by the signal or by another step's `stop`
 * failure; resumable).
 */
export type StepStatus = 'done' | 'failed' | 'interrupted' | 'not-executed';

/** What one step did. */
export interface StepResult {
  /** Step id. */
  readonly step: string;
  /** Model. */
  readonly model: string;
  /** Action. */
  readonly action: StepAction;
  /** How the step ended. */
  readonly status: StepStatus;
  /** Records created, updated, deleted, unchanged and rejected by this run. */
  readonly counts: StepCounts;
  /** Time spent in the step, in ms. */
  readonly durationMs: number;
  /** The error that failed the step (JSON-safe view). */
  readonly error?: { readonly code: string; readonly message: string };
}

/** What a whole apply did. Multi-step work returns this rather than throwing away partial progress. */
export interface ApplyResult {
  /** How the run ended. */
  readonly status: RunStatus;
  /** Per step, in execution order (steps never reached are `not-executed`). */
  readonly steps: readonly StepResult[];
  /** Wall time of the run, in ms. */
  readonly durationMs: number;
  /** Records written (created + updated + deleted) per second. */
  readonly rate: number;
  /** True when the run continued an unfinished journal. */
  readonly resumed: boolean;
  /** Path of the checkpoint journal. */
  readonly journal: string;
  /** The error that stopped the run, if any. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** Events emitted while a plan is applied, in order. Every event is JSON-safe (the CLI streams them as NDJSON). */
export type ApplyEvent =
  | {
      readonly type: 'run-start';
      readonly plan: string;
      readonly url: string;
      readonly db: string;
      readonly resumed: boolean;
      readonly steps: readonly { readonly step: string; readonly model: string; readonly action: StepAction }[];
    }
  | { readonly type: 'lock-taken-over'; readonly key: string; readonly holder: LockHolder }
  | {
      readonly type: 'reconciled';
      readonly step: string;
      readonly chunk: number;
      readonly found: number;
      readonly missing: number;
    }
  | {
      readonly type: 'step-start';
      readonly step: string;
      readonly model: string;
      readonly action: StepAction;
      /** Records to write in this step (creates + updates + deletes found by the diff). */
      readonly total: number;
      /** Records already matching the plan. */
      readonly unchanged: number;
    }
  | {
      readonly type: 'chunk-done';
      readonly step: string;
      readonly chunk: number;
      readonly action: 'create' | 'update' | 'delete' | 'call';
      readonly records: number;
      readonly rejected: number;
    }
  /** Rows of a step found already matching the plan (nothing to write), as the diff reaches them. */
  | { readonly type: 'rows-unchanged'; readonly step: string; readonly rows: number }
  /**
   * `auto` tuning changed a setting, after the calls of `step` showed it: the run's chunks in flight, or the step's
   * chunk size (`--json` prints these, so that a run says what it chose and why).
   */
  | {
      readonly type: 'tuning';
      readonly step: string;
      readonly concurrency?: ConcurrencyChange;
      readonly chunkSize?: ChunkSizeChange;
    }
  | { readonly type: 'step-done'; readonly result: StepResult }
  | { readonly type: 'run-done'; readonly result: ApplyResult };

/** Listener of apply events (delivered through an `EventHub`: as they happen, never awaited). */
export type ApplyListener = EventListener<ApplyEvent>;
