/**
 * {@link ChunkSizeTuner}: finds how many records to send per call (`chunk_size: auto`), for one step.
 *
 * - **Start small** (50 records, so that the first writes start early) and double while the time per record of full
 *   chunks improves by 3 % or more: a call's fixed costs (network, routing, the transaction) are spread over more
 *   records. Growth stops at the first size that brings less; a size that made things worse is undone.
 * - **Rising latency:** a chunk size whose calls take longer than `targetMs` (1 s) on average is halved: long calls
 *   delay the journal's checkpoints, make a resume redo more and come close to the server's time limits.
 * - **Time limit:** a call whose answer was lost (a timeout, or a connection the server closed, as Odoo does when a
 *   request passes `limit_time_real`) halves the size, and the size never grows back past that half.
 *
 * Like the concurrency tuner, a pure state machine over samples.
 *
 * @packageDocumentation
 */
import type { ChunkSample } from './chunk-sample.js';

/** Default largest chunk size the tuner reaches. */
export const DEFAULT_MAX_TUNED_CHUNK_SIZE = 1000;

/** Options of a {@link ChunkSizeTuner}. */
export interface ChunkSizeTunerOptions {
  /** Records per call at first. @default 50 */
  readonly initial?: number;
  /** Never fewer. @default 10 */
  readonly min?: number;
  /** Never more. @default DEFAULT_MAX_TUNED_CHUNK_SIZE (1000) */
  readonly max?: number;
  /** Longest average call worth keeping, in ms. @default 1000 */
  readonly targetMs?: number;
}

/** A change of the chunk size, and why (shown in `--json` events). */
export interface ChunkSizeChange {
  readonly from: number;
  readonly to: number;
  readonly reason: 'faster' | 'worse' | 'slow-calls' | 'lost';
}

/** Full chunks measured at one size before deciding. */
const SAMPLES_PER_SIZE = 3;

/** Tunes a chunk size from the samples of the calls made with it. */
export class ChunkSizeTuner {
  readonly #min: number;
  #max: number;
  readonly #targetMs: number;
  #size: number;
  #growing = true;
  #previous: { size: number; perRecord: number } | undefined;
  #durations: number[] = [];
  readonly #changes: ChunkSizeChange[] = [];

  /** @throws TypeError on bounds that are not integers with min ≤ initial ≤ max, or a target that is not > 0. */
  constructor(options: ChunkSizeTunerOptions = {}) {
    const { initial = 50, min = 10, max = DEFAULT_MAX_TUNED_CHUNK_SIZE, targetMs = 1000 } = options;
    for (const [name, value] of Object.entries({ initial, min, max })) {
      if (!Number.isInteger(value) || value < 1)
        throw new TypeError(`Expected \`${name}\` to be an integer from 1 and up`);
    }
    if (!(min <= initial && initial <= max)) throw new TypeError('Expected min ≤ initial ≤ max');
    if (!(targetMs > 0)) throw new TypeError('Expected `targetMs` to be a number of milliseconds > 0');
    this.#min = min;
    this.#max = max;
    this.#size = initial;
    this.#targetMs = targetMs;
  }

  /** Records of the next chunk. */
  get size(): number {
    return this.#size;
  }

  /** The changes made so far, oldest first. */
  get changes(): readonly ChunkSizeChange[] {
    return this.#changes;
  }

  /** Takes one settled call into account; returns the change it caused, if any. */
  observe(sample: ChunkSample): ChunkSizeChange | undefined {
    if (sample.outcome === 'lost') {
      // Cut for its size, maybe: never that big again.
      this.#growing = false;
      this.#max = Math.max(this.#min, Math.floor(Math.min(this.#max, sample.records) / 2));
      return this.#set(Math.min(this.#size, this.#max), 'lost');
    }
    // A busy server is the concurrency's business; a part of a chunk (a resend, a bisection) says nothing of the size.
    if (sample.outcome !== 'ok' || sample.records !== this.#size) return undefined;
    this.#durations.push(sample.durationMs);
    if (this.#durations.length < SAMPLES_PER_SIZE) return undefined;
    const durations = [...this.#durations].sort((a, b) => a - b);
    this.#durations = [];
    const median = durations[Math.floor(durations.length / 2)]!;
    if (median > this.#targetMs && this.#size > this.#min) {
      this.#growing = false;
      return this.#set(Math.max(this.#min, Math.floor(this.#size / 2)), 'slow-calls');
    }
    if (!this.#growing) return undefined;
    const perRecord = median / this.#size;
    const previous = this.#previous;
    if (previous !== undefined && perRecord > previous.perRecord * 0.97) {
      this.#growing = false;
      // Worse than the smaller size: back to it. About as good: keep this one, stop growing.
      return perRecord > previous.perRecord * 1.03 ? this.#set(previous.size, 'worse') : undefined;
    }
    this.#previous = { size: this.#size, perRecord };
    if (median * 2 > this.#targetMs) {
      this.#growing = false;
      return undefined;
    }
    return this.#set(Math.min(this.#max, this.#size * 2), 'faster');
  }

  #set(to: number, reason: ChunkSizeChange['reason']): ChunkSizeChange | undefined {
    const from = this.#size;
    this.#durations = [];
    if (to === from) return undefined;
    this.#size = to;
    const change: ChunkSizeChange = { from, to, reason };
    this.#changes.push(change);
    return change;
  }
}
