/**
 * Options of the batch engine ({@link BatchManager}, {@link BatchExecutor}), their defaults, and their one-time
 * validation into a frozen, fully populated object.
 *
 * @packageDocumentation
 */
import type { BatchEventListener } from './batch-events.js';

/** Default number of records per chunk (one RPC call each). */
export const DEFAULT_CHUNK_SIZE = 100;
/** Default number of chunks in flight at once, across all operations of a run. */
export const DEFAULT_CONCURRENCY = 5;
/** Default number of attempts for calls the client may safely retry (reads, calls the server rolled back). */
export const DEFAULT_RETRY_ATTEMPTS = 3;

/**
 * What to do when a chunk fails.
 *
 * - `stop`: send no new chunk (of any operation of the run) after a failure; chunks already in flight settle.
 * - `continue`: record the failure and go on with the next chunks.
 * - `isolate`: bisect a failing create or update chunk until the offending records are found, apply the rest, and
 *   report each rejected record index with Odoo's message (costs about `2 × log2(chunkSize)` calls per bad record).
 */
export type OnErrorPolicy = 'stop' | 'continue' | 'isolate';

/** The accepted values of {@link OnErrorPolicy}. */
export const ON_ERROR_POLICIES: readonly OnErrorPolicy[] = Object.freeze(['stop', 'continue', 'isolate']);

/** Default failure policy. */
export const DEFAULT_ON_ERROR: OnErrorPolicy = 'stop';

/** Options of a {@link BatchManager} and of a {@link BatchExecutor}. */
export interface BatchOptions {
  /**
   * Records per chunk when an operation does not say otherwise.
   * @default 100
   */
  readonly maxChunkSize?: number;
  /**
   * Chunks in flight at once for a whole run (one limiter shared by all operations).
   * @default 5
   */
  readonly maxConcurrency?: number;
  /**
   * Time limit of each RPC call in milliseconds; a call that exceeds it is aborted. An aborted write counts as
   * outcome-unknown (it may have committed). `undefined` keeps the client's own timeout.
   * @default undefined
   */
  readonly timeoutMs?: number | undefined;
  /**
   * Attempts for calls the client may safely retry (passed to the client's retry policy as its `limit`). Writes whose
   * outcome is unknown are never retried blindly, whatever this says.
   * @default 3
   */
  readonly retryAttempts?: number;
  /**
   * Failure policy of operations that do not set their own.
   * @default 'stop'
   */
  readonly onError?: OnErrorPolicy;
  /**
   * Receives every {@link BatchEvent} of every run, as it happens. Events are observations: a returned promise is not
   * awaited (what must be durable before a chunk is sent goes through `ExecuteOptions.checkpoint`).
   * @default undefined
   */
  readonly onEvent?: BatchEventListener | undefined;
}

/** {@link BatchOptions} with every field resolved. */
export interface ResolvedBatchOptions {
  readonly maxChunkSize: number;
  readonly maxConcurrency: number;
  readonly timeoutMs: number | undefined;
  readonly retryAttempts: number;
  readonly onError: OnErrorPolicy;
  readonly onEvent: BatchEventListener | undefined;
}

/**
 * Throws a `TypeError` naming `name` unless `value` is an integer ≥ `min`.
 *
 * @internal
 */
export function assertInteger(value: unknown, name: string, min: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(`Expected \`${name}\` to be an integer from ${min} and up, got ${describeInput(value)}.`);
  }
}

/**
 * Throws a `TypeError` naming `name` unless `value` is a known {@link OnErrorPolicy}.
 *
 * @internal
 */
export function assertOnErrorPolicy(value: unknown, name: string): asserts value is OnErrorPolicy {
  if (!ON_ERROR_POLICIES.includes(value as OnErrorPolicy)) {
    throw new TypeError(
      `Expected \`${name}\` to be one of ${ON_ERROR_POLICIES.map((p) => `'${p}'`).join(', ')}, got ${describeInput(value)}.`,
    );
  }
}

/** A short, safe description of a value for error messages. */
export function describeInput(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? `an array of ${value.length}` : 'an object';
}

/**
 * Validates `options` once and returns them frozen with every default applied.
 *
 * @throws TypeError naming the first invalid option and the accepted values.
 */
export function resolveBatchOptions(options: BatchOptions = {}): ResolvedBatchOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`Expected batch options to be an object, got ${describeInput(options)}.`);
  }
  const {
    maxChunkSize = DEFAULT_CHUNK_SIZE,
    maxConcurrency = DEFAULT_CONCURRENCY,
    timeoutMs,
    retryAttempts = DEFAULT_RETRY_ATTEMPTS,
    onError = DEFAULT_ON_ERROR,
    onEvent,
  } = options;
  assertInteger(maxChunkSize, 'maxChunkSize', 1);
  assertInteger(maxConcurrency, 'maxConcurrency', 1);
  if (timeoutMs !== undefined) assertInteger(timeoutMs, 'timeoutMs', 1);
  assertInteger(retryAttempts, 'retryAttempts', 0);
  assertOnErrorPolicy(onError, 'onError');
  if (onEvent !== undefined && typeof onEvent !== 'function') {
    throw new TypeError(`Expected \`onEvent\` to be a function, got ${describeInput(onEvent)}.`);
  }
  return Object.freeze({ maxChunkSize, maxConcurrency, timeoutMs, retryAttempts, onError, onEvent });
}
