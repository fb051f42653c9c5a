/**
 * The shared state of one run: results, failed steps, the one limiter, the stop signal and the event sink.
 *
 * @packageDocumentation
 */
import { SharedLimiter } from '../../batch/shared-limiter.js';
import { ConcurrencyTuner } from '../../batch/tuning/concurrency-tuner.js';
import type { JournalState, StepCounts } from '../checkpoint/journal.js';
import { JournalWriter } from '../checkpoint/journal.js';
import { PlanResolver } from '../references/plan-resolver.js';
import type { ApplyEvent, StepResult } from './apply-events.js';
import type { ApplyClient, ApplyOptions } from './apply-options.js';
import { RejectsWriter } from './rejects-writer.js';
import { EventHub } from '../../util/event-hub.js';

/** The counts of a step that wrote nothing. */
export const EMPTY_COUNTS: StepCounts = Object.freeze({
  created: 0,
  updated: 0,
  deleted: 0,
  unchanged: 0,
  rejected: 0,
});

/** The most chunks in flight `concurrency: auto` may reach (the schema's maximum for a fixed one). */
export const AUTO_MAX_CONCURRENCY = 32;

/** Shared state of one run. */
export class ApplyRun {
  readonly results: StepResult[] = [];
  readonly failed = new Set<string>();
  readonly startedAt = performance.now();
  /** The one global limit: every chunk of every step takes one of its slots. */
  readonly limiter: SharedLimiter;
  readonly #stop = new AbortController();
  readonly #events = new EventHub<ApplyEvent>();

  /** Writes the rejects file, if the options name one. */
  readonly rejects: RejectsWriter;
  /** Chunks in flight at once for the whole run: its limit, or the most the tuner may allow. */
  readonly concurrency: number;
  /** Tunes the run's limit (`concurrency: auto`); `undefined` for a fixed one. */
  readonly tuner: ConcurrencyTuner | undefined;

  /**
   * @param defaultConcurrency - chunks in flight when `options.concurrency` does not say, or `auto` (the plan's
   *   `defaults.concurrency`).
   */
  constructor(
    readonly client: ApplyClient,
    readonly journal: JournalWriter,
    readonly journalState: JournalState,
    readonly options: ApplyOptions,
    readonly resolver: PlanResolver,
    defaultConcurrency: number | 'auto',
  ) {
    this.rejects = new RejectsWriter(options.rejectsFile);
    const concurrency = options.concurrency ?? defaultConcurrency;
    this.tuner = concurrency === 'auto' ? new ConcurrencyTuner() : undefined;
    this.concurrency = concurrency === 'auto' ? AUTO_MAX_CONCURRENCY : concurrency;
    this.limiter = new SharedLimiter({ concurrency: this.tuner?.limit ?? this.concurrency });
    this.#events.onAny(options.onEvent);
  }

  /** Whether a `stop` failure ended the run: no new step, no new chunk. */
  get stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  /** Aborted on a `stop` failure: running steps stop feeding records and sending new chunks (sent ones settle). */
  get stopSignal(): AbortSignal {
    return this.#stop.signal;
  }

  /** Stops the run after a `stop` failure. */
  stop(): void {
    this.#stop.abort();
  }

  /** Publishes `event` to the run's `onEvent` (an observation: a listener's failure does not break the run). */
  emit(event: ApplyEvent): void {
    this.#events.emit(event);
  }
}
