/**
 * What a sandbox costs like a real Odoo server, for benchmarks: a number of workers, a cost per record written and per
 * call, and a time limit per request. Without it (the default) the sandbox answers as fast as it can, with as many
 * calls at once as clients send.
 *
 * The model, and where each part comes from:
 * - **Workers.** An Odoo server handles as many requests at once as it has workers (`--workers`, or one Python thread
 *   at a time in threaded mode); the others wait in the listen queue. Here a request takes a worker from a FIFO pool
 *   once its network latency has passed, and gives it back when it answers.
 * - **Cost.** A worker spends `callCostMs` on every ORM call (routing, access checks, the transaction) plus
 *   `recordCostMs` per record a write call carries: `create` (its values), `write` and `unlink` (its ids), `load` (its
 *   rows). Reads pay the call cost only. The sandbox's own time on the call counts as part of that cost (the worker
 *   is held for what is left of it), so the modelled server keeps its pace while the machine has CPU to spare. Calibrated on a real Odoo 17 answering a keep-alive loop of `create` calls at
 *   about 1,200 res.partner per second, that is about 0.8 ms per created partner on one worker.
 * - **Time limit.** A request that would hold its worker longer than `timeLimitMs` is cut when the limit passes, as
 *   Odoo's `limit_time_real` kills the worker: the transaction is rolled back (nothing written) and the connection
 *   closes without an answer, so the client cannot tell whether it committed.
 *
 * This is a benchmark model, not captured behaviour: the captures say nothing of timing. It changes no answer, only
 * when answers come (and the time limit's dropped connection).
 *
 * @packageDocumentation
 */

/** A sandbox's capacity, as given to `startSandbox({ capacity })`. */
export interface SandboxCapacity {
  /** Requests served at once; the others wait, first come first served. */
  readonly workers: number;
  /** Worker time per record of a write call, in ms (e.g. 0.8 for res.partner creates). @default 0 */
  readonly recordCostMs?: number;
  /** Worker time of every ORM call, in ms. @default 0 */
  readonly callCostMs?: number;
  /** Longest a request may hold its worker, in ms; longer ones are cut (see the module comment). @default none */
  readonly timeLimitMs?: number;
}

/** {@link SandboxCapacity} with its defaults applied (frozen). */
export interface ResolvedSandboxCapacity {
  readonly workers: number;
  readonly recordCostMs: number;
  readonly callCostMs: number;
  readonly timeLimitMs: number | undefined;
}

/** Validates a capacity and applies its defaults. @throws TypeError naming the offending field. */
export function resolveCapacity(capacity: SandboxCapacity | undefined): ResolvedSandboxCapacity | undefined {
  if (capacity === undefined) return undefined;
  if (capacity === null || typeof capacity !== 'object') {
    throw new TypeError(`Expected \`capacity\` to be an object, got ${String(capacity)}`);
  }
  const known = new Set(['workers', 'recordCostMs', 'callCostMs', 'timeLimitMs']);
  for (const key of Object.keys(capacity)) {
    if (!known.has(key)) throw new TypeError(`Unknown field \`capacity.${key}\` (expected ${[...known].join(', ')})`);
  }
  const { workers } = capacity;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new TypeError(`Expected \`capacity.workers\` to be an integer from 1 and up, got ${String(workers)}`);
  }
  const ms = (value: unknown, name: string, positive = false): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
      throw new TypeError(
        `Expected \`capacity.${name}\` to be a number of milliseconds ${positive ? '> 0' : '>= 0'}, got ${String(value)}`,
      );
    }
    return value;
  };
  return Object.freeze({
    workers,
    recordCostMs: ms(capacity.recordCostMs ?? 0, 'recordCostMs'),
    callCostMs: ms(capacity.callCostMs ?? 0, 'callCostMs'),
    timeLimitMs: capacity.timeLimitMs === undefined ? undefined : ms(capacity.timeLimitMs, 'timeLimitMs', true),
  });
}

/** ORM methods whose records cost worker time, and where their records are in the positional or named arguments. */
const WRITES: Readonly<Record<string, { readonly position: number; readonly name: string }>> = {
  create: { position: 0, name: 'vals_list' },
  write: { position: 0, name: 'ids' },
  unlink: { position: 0, name: 'ids' },
  load: { position: 1, name: 'data' },
};

/**
 * Records a call carries, for its cost: the length of the values, ids or rows of a write method (a single values
 * dict is one record), 0 for anything else.
 */
export function recordsOfCall(
  method: string,
  positional: readonly unknown[],
  named: Readonly<Record<string, unknown>>,
): number {
  const where = WRITES[method];
  if (where === undefined) return 0;
  const value = positional.length > where.position ? positional[where.position] : named[where.name];
  if (Array.isArray(value)) return value.length;
  return value !== null && typeof value === 'object' ? 1 : 0;
}

/** What a request must do once it holds a worker: answer after `holdMs`, or be cut after the time limit. */
export interface WorkerTicket {
  /** Worker time the request takes, in ms. */
  readonly holdMs: number;
  /** Whether it exceeds the time limit: the call must not run, and its connection is closed after `holdMs`. */
  readonly cut: boolean;
  /** Gives the worker back (once). */
  release(): void;
}

/** The workers of a sandbox with a capacity: a FIFO pool that requests wait in. */
export class WorkerPool {
  readonly #capacity: ResolvedSandboxCapacity;
  #busy = 0;
  readonly #queue: (() => void)[] = [];

  constructor(capacity: ResolvedSandboxCapacity) {
    this.#capacity = capacity;
  }

  /** Requests waiting for a worker now. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Waits for a worker for a call carrying `records` records, and says how long to hold it. */
  async acquire(records: number): Promise<WorkerTicket> {
    if (this.#busy < this.#capacity.workers) this.#busy += 1;
    else await new Promise<void>((start) => this.#queue.push(start));
    const { callCostMs, recordCostMs, timeLimitMs } = this.#capacity;
    const cost = callCostMs + records * recordCostMs;
    const cut = timeLimitMs !== undefined && cost > timeLimitMs;
    let released = false;
    return {
      holdMs: cut ? timeLimitMs : cost,
      cut,
      release: () => {
        if (released) return;
        released = true;
        const next = this.#queue.shift();
        // The worker passes straight to the next request in line: it stays busy.
        if (next === undefined) this.#busy -= 1;
        else next();
      },
    };
  }
}
