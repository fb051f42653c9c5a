/**
 * {@link ConcurrencyTuner}: finds how many chunks to keep in flight, by measuring the records per second that each
 * setting gives (`concurrency: auto`).
 *
 * Hill climbing with back-off, one window of calls at a time:
 * - **Start small** (4 in flight: what a hand-written loop sends, and what a one-worker server only queues) and double
 *   while a window's throughput beats the best one by 5 %, then step by one. Starting at 2 cost a whole window of
 *   the climb: on 8 workers, 89-91 % of the best fixed setting against 98-100 % from 4 (bench/real-server).
 * - **Plateau:** a step that brings less than 5 % goes back to the best setting and holds it for a while (more in
 *   flight only queues at the server and raises latency), then probes one more again, in case the server freed up.
 * - **Back off** by half on a busy server (502/503/504 retried by the client) or a lost answer (timeout, dropped
 *   connection), and climb again from there one step at a time.
 * - **Rising latency:** while holding, a window whose throughput fell below 70 % of the held setting's first window
 *   means the server slowed down: one fewer in flight, and the measure starts over from there.
 *
 * A window counts only calls sent at the current setting: after a change, as many answers as were in flight are
 * skipped; it spans at least 6 calls and twice as many as are in flight (as many while doubling), so that one call
 * more or less in it moves its measure by little. The tuner is a pure state machine over samples and times, so its tests need no server and no clock.
 *
 * @packageDocumentation
 */
import type { ChunkSample } from './chunk-sample.js';

/** Options of a {@link ConcurrencyTuner}. */
export interface ConcurrencyTunerOptions {
  /** Chunks in flight at first. @default 4 */
  readonly initial?: number;
  /** Never fewer. @default 1 */
  readonly min?: number;
  /** Never more. @default 32 */
  readonly max?: number;
  /** Windows a plateau is held before probing one more in flight. @default 8 */
  readonly holdWindows?: number;
  /** Shortest window, in ms (a window also needs twice as many calls as there are in flight, and 6). @default 50 */
  readonly minWindowMs?: number;
}

/** A change of the limit, and why (shown in `--json` events). */
export interface ConcurrencyChange {
  readonly from: number;
  readonly to: number;
  readonly reason: 'faster' | 'plateau' | 'probe' | 'overloaded' | 'lost' | 'slower';
  /** Records per second of the window that decided it, when a window did. */
  readonly recordsPerSecond?: number;
}

/** Tunes a concurrency limit from the samples of the calls it allowed. */
export class ConcurrencyTuner {
  readonly #min: number;
  readonly #max: number;
  readonly #holdWindows: number;
  readonly #minWindowMs: number;
  #limit: number;
  #best = { limit: 0, throughput: 0 };
  #slowStart = true;
  #holding = 0;
  /** Throughput of the first window of the setting being held (what "slower" is measured against). */
  #held: number | undefined;
  #skip = 0;
  #windowStart: number | undefined;
  #records = 0;
  #calls = 0;
  readonly #changes: ConcurrencyChange[] = [];

  /** @throws TypeError on bounds that are not integers with min ≤ initial ≤ max. */
  constructor(options: ConcurrencyTunerOptions = {}) {
    const { initial = 4, min = 1, max = 32, holdWindows = 8, minWindowMs = 50 } = options;
    for (const [name, value] of Object.entries({ initial, min, max, holdWindows })) {
      if (!Number.isInteger(value) || value < 1)
        throw new TypeError(`Expected \`${name}\` to be an integer from 1 and up`);
    }
    if (!(min <= initial && initial <= max)) throw new TypeError('Expected min ≤ initial ≤ max');
    this.#min = min;
    this.#max = max;
    this.#limit = initial;
    this.#holdWindows = holdWindows;
    this.#minWindowMs = minWindowMs;
  }

  /** Chunks that may be in flight now. */
  get limit(): number {
    return this.#limit;
  }

  /** The changes made so far, oldest first. */
  get changes(): readonly ConcurrencyChange[] {
    return this.#changes;
  }

  /**
   * Takes one settled call into account, at time `now` (ms, monotonic). Returns the change it caused, if any.
   */
  observe(sample: ChunkSample, now: number): ConcurrencyChange | undefined {
    if (sample.outcome !== 'ok') {
      // The server is past what it can take: halve, forget what was best (it no longer holds), climb step by step.
      this.#slowStart = false;
      this.#best = { limit: 0, throughput: 0 };
      this.#holding = 0;
      return this.#set(Math.max(this.#min, Math.floor(this.#limit / 2)), sample.outcome, undefined, true);
    }
    if (this.#skip > 0) {
      this.#skip -= 1;
      if (this.#skip === 0) this.#windowStart = now;
      return undefined;
    }
    if (this.#windowStart === undefined) {
      // The very first answer opens the first window (the time before it is the first call's latency).
      this.#windowStart = now;
      return undefined;
    }
    this.#records += sample.records;
    this.#calls += 1;
    const elapsed = now - this.#windowStart;
    // While doubling, a window of one round of calls (as many as are in flight) is enough to tell 2x from no gain, and
    // halves the ramp's time: with large chunks, one round on a busy server takes a second. Then twice as many, so that
    // steps of one are measured closely.
    const calls = this.#slowStart ? this.#limit : 2 * this.#limit;
    if (this.#calls < Math.max(6, calls) || elapsed < this.#minWindowMs) return undefined;
    const throughput = (this.#records * 1000) / elapsed;
    this.#windowStart = now;
    this.#records = 0;
    this.#calls = 0;
    return this.#decide(throughput);
  }

  #decide(throughput: number): ConcurrencyChange | undefined {
    const limit = this.#limit;
    if (this.#holding > 0) {
      this.#held ??= throughput;
      if (throughput < this.#held * 0.7 && limit > this.#min) {
        this.#holding = 0;
        this.#best = { limit: 0, throughput: 0 };
        return this.#set(limit - 1, 'slower', throughput);
      }
      this.#holding -= 1;
      if (this.#holding === 0 && limit < this.#max) return this.#set(limit + 1, 'probe', throughput);
      return undefined;
    }
    if (throughput > this.#best.throughput * 1.05) {
      this.#best = { limit, throughput };
      const next = Math.min(this.#max, this.#slowStart ? limit * 2 : limit + 1);
      if (next === limit) {
        // At the maximum: doubling is over, hold it.
        this.#slowStart = false;
        this.#holding = this.#holdWindows;
        return undefined;
      }
      return this.#set(next, 'faster', throughput);
    }
    // No better than the best: go back to it and hold.
    this.#slowStart = false;
    this.#holding = this.#holdWindows;
    if (throughput > this.#best.throughput) this.#best = { limit, throughput };
    return this.#set(this.#best.limit, 'plateau', throughput);
  }

  #set(
    to: number,
    reason: ConcurrencyChange['reason'],
    recordsPerSecond: number | undefined,
    force = false,
  ): ConcurrencyChange | undefined {
    const from = this.#limit;
    if (to === from && !force) return undefined;
    this.#limit = to;
    this.#held = undefined;
    // Answers still in flight were sent at the old setting: they do not count for the new one.
    this.#skip = from;
    this.#windowStart = undefined;
    this.#records = 0;
    this.#calls = 0;
    if (to === from) return undefined;
    const change: ConcurrencyChange = {
      from,
      to,
      reason,
      ...(recordsPerSecond === undefined ? {} : { recordsPerSecond: Math.round(recordsPerSecond) }),
    };
    this.#changes.push(change);
    return change;
  }
}
