/**
 * One concurrency limit shared by several Batch API executions: a plan apply runs independent steps at the same time,
 * each in its own {@link BatchExecutor.execute}, and all of their chunks must still count against ONE global limit.
 *
 * {@link ChunkLimiter} is the shape an execution accepts (a `p-limit` instance satisfies it); {@link SharedLimiter}
 * adds priorities, so that when a slot frees, the waiting chunk of the highest-priority step goes first.
 *
 * @packageDocumentation
 */

/**
 * Runs `task` when a slot is free and resolves (or rejects) with its outcome. A `p-limit` limit function satisfies
 * this interface.
 */
export type ChunkLimiter = <T>(task: () => Promise<T>) => Promise<T>;

/** Default slots of a {@link SharedLimiter}. */
export const DEFAULT_SHARED_CONCURRENCY = 4;

/** Options of a {@link SharedLimiter}. */
export interface SharedLimiterOptions {
  /** Tasks running at once, across every user of the limiter. @default DEFAULT_SHARED_CONCURRENCY (4) */
  readonly concurrency?: number;
}

interface Waiter {
  readonly priority: number;
  readonly start: () => void;
}

/**
 * A concurrency limit with priorities: at most `concurrency` tasks run at once; when a slot frees, the waiting task
 * with the highest priority starts (equal priorities: first come, first served).
 *
 * @example
 * ```ts
 * const shared = new SharedLimiter({ concurrency: 4 });
 * await Promise.all([
 *   executor.execute(stepA, { limiter: shared.limiter(10) }),
 *   executor.execute(stepB, { limiter: shared.limiter(0) }),
 * ]); // never more than 4 chunks in flight in total; step A's chunks are served first
 * ```
 */
export class SharedLimiter {
  #concurrency: number;
  #active = 0;
  // Kept sorted (priority descending, then arrival): the queue is short (bounded by the callers' back-pressure).
  readonly #waiting: Waiter[] = [];

  /** @throws TypeError when `concurrency` is not an integer from 1 and up. */
  constructor(options: SharedLimiterOptions = {}) {
    const concurrency = options.concurrency ?? DEFAULT_SHARED_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new TypeError('Expected `concurrency` to be an integer from 1 and up');
    }
    this.#concurrency = concurrency;
  }

  /** Tasks allowed to run at once. */
  get concurrency(): number {
    return this.#concurrency;
  }

  /**
   * Changes the limit while tasks run (an adaptive tuner's new value): a higher one starts waiting tasks at once, a
   * lower one lets the running tasks finish and starts no new one until they are below it.
   * @throws TypeError when `value` is not an integer from 1 and up.
   */
  set concurrency(value: number) {
    if (!Number.isInteger(value) || value < 1) {
      throw new TypeError('Expected `concurrency` to be an integer from 1 and up');
    }
    this.#concurrency = value;
    this.#next();
  }

  /** Tasks running now. */
  get activeCount(): number {
    return this.#active;
  }

  /** Tasks waiting for a slot. */
  get pendingCount(): number {
    return this.#waiting.length;
  }

  /** Runs `task` in a slot, ahead of waiting tasks of lower `priority`. @param priority - @default 0 */
  run<T>(task: () => Promise<T>, priority = 0): Promise<T> {
    if (!Number.isFinite(priority)) throw new TypeError('Expected `priority` to be a finite number');
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.#active += 1;
        let settled: Promise<T>;
        try {
          settled = task();
        } catch (error) {
          settled = Promise.reject(error);
        }
        // The slot is freed before the caller resumes, so that counts read right after a task are exact.
        const free = (): void => {
          this.#active -= 1;
          this.#next();
        };
        settled.then(
          (value) => {
            free();
            resolve(value);
          },
          (error: unknown) => {
            free();
            reject(error);
          },
        );
      };
      if (this.#active < this.#concurrency && this.#waiting.length === 0) {
        start();
        return;
      }
      const waiter: Waiter = { priority, start };
      const at = this.#waiting.findIndex((other) => other.priority < priority);
      if (at === -1) this.#waiting.push(waiter);
      else this.#waiting.splice(at, 0, waiter);
    });
  }

  /** A {@link ChunkLimiter} view of this limiter that runs every task at `priority` (for one execution). */
  limiter(priority = 0): ChunkLimiter {
    return (task) => this.run(task, priority);
  }

  #next(): void {
    while (this.#active < this.#concurrency) {
      const waiter = this.#waiting.shift();
      if (waiter === undefined) return;
      waiter.start();
    }
  }
}
