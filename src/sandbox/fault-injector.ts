/**
 * Decides, call by call, what the sandbox does to a request: how long it waits, and which fault (if any) it injects.
 *
 * Decisions come from seeded generators so that a test run is reproducible: under the same seed the n-th faultable
 * call always gets the same fault. Latency jitter has its own generator, so turning latency on or off never shifts
 * the fault sequence. `setFaults()` restarts the fault sequence from its seed, so "seed data, then switch faults on"
 * yields the same faults however much data was seeded.
 *
 * @packageDocumentation
 */
import type { FaultKind, ResolvedSandboxFaults } from './sandbox-faults.js';
import { createSeededRandom, type RandomSource } from './seeded-random.js';

/** Latency added to every RPC call: `fixed` plus a uniformly drawn amount in `[0, jitter]`, in milliseconds. */
export interface ResolvedLatency {
  /** Fixed part, in milliseconds. */
  readonly fixed: number;
  /** Maximum random extra, in milliseconds. */
  readonly jitter: number;
}

/** What the sandbox does with one RPC call. */
export interface CallPlan {
  /** Milliseconds to wait before processing the call (latency, plus `slowMs` for a slow call). */
  readonly delayMs: number;
  /** The fault to inject, if any. */
  readonly fault: FaultKind | undefined;
  /** For `http-503`: the `Retry-After` value in seconds, when the response carries one. */
  readonly retryAfterSeconds: number | undefined;
}

// Offset that decorrelates the jitter stream from the fault stream drawn from the same seed.
const JITTER_SEED_OFFSET = 0x9e3779b9;

/** Seeded per-call decisions for latency and faults. */
export class FaultInjector {
  readonly #latency: ResolvedLatency;
  readonly #seed: number;
  readonly #jitterRandom: RandomSource;
  #faults: ResolvedSandboxFaults;
  #faultRandom: RandomSource;

  /**
   * @param latency - latency applied to every call.
   * @param faults - initial fault settings.
   * @param seed - default seed, used when `faults.seed` is not set.
   */
  constructor(latency: ResolvedLatency, faults: ResolvedSandboxFaults, seed: number) {
    this.#latency = latency;
    this.#seed = seed;
    this.#jitterRandom = createSeededRandom(seed + JITTER_SEED_OFFSET);
    this.#faults = faults;
    this.#faultRandom = createSeededRandom(faults.seed ?? seed);
  }

  /** The current fault settings. */
  get faults(): ResolvedSandboxFaults {
    return this.#faults;
  }

  /** Replaces the fault settings and restarts the fault sequence from its seed. */
  setFaults(faults: ResolvedSandboxFaults): void {
    this.#faults = faults;
    this.#faultRandom = createSeededRandom(faults.seed ?? this.#seed);
  }

  /**
   * Plans one RPC call.
   *
   * @param isObjectCall - whether the call is an ORM call (`object` service or `call_kw`); with scope `object`, other
   *   calls are never faulted (but still get latency).
   */
  plan(isObjectCall: boolean): CallPlan {
    const latency = this.#latency;
    let delayMs = latency.fixed + (latency.jitter > 0 ? Math.round(this.#jitterRandom() * latency.jitter) : 0);
    const faults = this.#faults;
    const inScope = isObjectCall || faults.scope === 'all';
    if (!inScope || faults.transient + faults.drop + faults.slow === 0) {
      return { delayMs, fault: undefined, retryAfterSeconds: undefined };
    }
    // Always two draws per faultable call, so that the n-th call's decision depends only on n and the seed.
    const decision = this.#faultRandom();
    const detail = this.#faultRandom();
    let fault: FaultKind | undefined;
    let retryAfterSeconds: number | undefined;
    if (decision < faults.transient) {
      const kinds = faults.transientKinds;
      // `detail` picks the kind; its remainder within the kind's slot decides whether a 503 carries Retry-After.
      const scaled = detail * kinds.length;
      const index = Math.min(kinds.length - 1, Math.floor(scaled));
      fault = kinds[index];
      if (fault === 'http-503' && scaled - index < 0.5) retryAfterSeconds = 1;
    } else if (decision < faults.transient + faults.drop) {
      fault = 'drop';
    } else if (decision < faults.transient + faults.drop + faults.slow) {
      fault = 'slow';
      delayMs += faults.slowMs;
    }
    return { delayMs, fault, retryAfterSeconds };
  }
}
