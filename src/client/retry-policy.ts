/**
 * The retry policy of the Odoo client, as pure functions: which RPC methods are reads, which failures are safe to
 * retry for which kind of method, and how long to wait before the next attempt.
 *
 * The rule that matters: a read can be sent again after any transient failure, but a write is sent again only when
 * the server cannot have committed it (it reported a rolled-back concurrency failure, a gateway answered 502/503/504,
 * or the connection was refused before the request left). A write whose outcome is unknown (timeout or connection
 * loss after sending) is never resent: the caller must reconcile first.
 *
 * @packageDocumentation
 */

import {
  AbortError,
  ConcurrencyError,
  HttpError,
  NetworkError,
  RpcFault,
  SessionExpiredError,
  TimeoutError,
} from '../errors.js';

/** How the client retries failed calls. */
export interface RetryOptions {
  /** Maximum number of retries after the first attempt (0 disables retries). @default 3 */
  readonly limit: number;
  /** Delay before the first retry, in ms; doubles with each further retry. @default 250 */
  readonly baseDelayMs: number;
  /** Upper bound of the computed backoff, in ms (a longer `Retry-After` is still honoured). @default 10_000 */
  readonly maxDelayMs: number;
  /** Random spread applied to each delay, as a fraction (0.2 means ±20 %), so that clients do not retry in step. @default 0.2 */
  readonly jitter: number;
  /** Longest `Retry-After` the client waits for; a server asking for more fails the call instead. @default 60_000 */
  readonly maxRetryAfterMs: number;
}

/** Default retry options. */
export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = Object.freeze({
  limit: 3,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  jitter: 0.2,
  maxRetryAfterMs: 60_000,
});

/**
 * Resolves and validates retry options once: `false` means no retries, a partial object is merged over
 * {@link DEFAULT_RETRY_OPTIONS}.
 *
 * @throws TypeError naming the offending option.
 */
export function resolveRetryOptions(input: Partial<RetryOptions> | false | undefined): Readonly<RetryOptions> {
  if (input === false) return Object.freeze({ ...DEFAULT_RETRY_OPTIONS, limit: 0 });
  if (input === undefined) return DEFAULT_RETRY_OPTIONS;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError('Expected `retry` to be an object of retry options or `false`');
  }
  const resolved: RetryOptions = { ...DEFAULT_RETRY_OPTIONS, ...stripUndefined(input) };
  if (!Number.isInteger(resolved.limit) || resolved.limit < 0) {
    throw new TypeError(`Expected \`retry.limit\` to be an integer from 0 and up, got ${String(resolved.limit)}`);
  }
  for (const key of ['baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    const value = resolved[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new TypeError(
        `Expected \`retry.${key}\` to be a finite number of milliseconds from 0 and up, got ${String(value)}`,
      );
    }
  }
  if (resolved.maxDelayMs < resolved.baseDelayMs) {
    throw new TypeError(
      `Expected \`retry.maxDelayMs\` (${resolved.maxDelayMs}) to be at least \`retry.baseDelayMs\` (${resolved.baseDelayMs})`,
    );
  }
  if (typeof resolved.jitter !== 'number' || !(resolved.jitter >= 0 && resolved.jitter <= 1)) {
    throw new TypeError(`Expected \`retry.jitter\` to be a number from 0 to 1, got ${String(resolved.jitter)}`);
  }
  return Object.freeze(resolved);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Whether an RPC method only reads (safe to send twice) or may write. */
export type MethodKind = 'read' | 'write';

/**
 * Methods known to change nothing on the server. Everything else, including `load`, `set_param`, `export_data`
 * (it creates `__export__` external ids) and any method this list does not know, counts as a write.
 */
export const READ_METHODS: ReadonlySet<string> = new Set([
  // ORM reads
  'read',
  'search',
  'search_read',
  'search_count',
  'search_fetch',
  'read_group',
  'fields_get',
  'name_search',
  'name_get',
  'default_get',
  'get_external_id',
  'get_metadata',
  'check_access_rights',
  'check_object_reference',
  'get_param',
  'context_get',
  'has_group',
  'web_read',
  'web_search_read',
  'web_read_group',
  // services
  'version',
  'authenticate',
  'login',
  'about',
  'list',
  'db_exist',
  'server_version',
  'list_lang',
]);

/** Classifies an RPC method as a read or a write (unknown methods are writes: never assume a call is harmless). */
export function classifyMethod(method: string): MethodKind {
  return READ_METHODS.has(method) ? 'read' : 'write';
}

/** HTTP statuses a gateway sends before the call reached a worker: nothing was processed. */
const NOT_PROCESSED_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);
/** Further HTTP statuses worth retrying for reads. */
const TRANSIENT_READ_STATUSES: ReadonlySet<number> = new Set([408, 429, 500]);

/** Odoo faults that mean the database was under pressure and no transaction ran (connection pool full, too many clients). */
function isServerBusyFault(error: RpcFault): boolean {
  if (error.faultName === 'psycopg2.pool.PoolError') return true;
  return error.faultName === 'psycopg2.OperationalError' && /too many (connections|clients)/i.test(error.faultMessage);
}

/**
 * Whether the server cannot have committed the failed call, so that sending it again is safe even for a write:
 * a concurrency failure the server rolled back, an expired session (refused before dispatch), a busy database pool,
 * a gateway 502/503/504, or a connection failure before the request was sent.
 */
export function isNothingCommitted(error: unknown): boolean {
  if (error instanceof ConcurrencyError || error instanceof SessionExpiredError) return true;
  if (error instanceof RpcFault) return isServerBusyFault(error);
  if (error instanceof HttpError) return NOT_PROCESSED_STATUSES.has(error.status);
  if (error instanceof NetworkError || error instanceof TimeoutError) return error.phase === 'not-sent';
  return false;
}

/** Whether a failed read is worth sending again: anything that did not come from the call itself being wrong. */
export function isTransientFailure(error: unknown): boolean {
  if (isNothingCommitted(error)) return true;
  if (error instanceof NetworkError || error instanceof TimeoutError) return true;
  return error instanceof HttpError && TRANSIENT_READ_STATUSES.has(error.status);
}

/** Whether a failed write may or may not have been committed: it was sent, and no answer came back. */
export function isOutcomeUnknown(error: unknown): boolean {
  return (error instanceof NetworkError || error instanceof TimeoutError) && error.phase === 'sent';
}

/**
 * Delay before retry number `attempt` (1-based): `baseDelayMs * 2^(attempt-1)` capped at `maxDelayMs`, spread by
 * ±`jitter`, and never shorter than a `Retry-After` the server asked for.
 *
 * @param random - source of randomness in [0, 1), injectable for tests.
 */
export function calculateRetryDelay(
  attempt: number,
  options: Readonly<RetryOptions>,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const exponential = options.baseDelayMs * 2 ** Math.max(0, attempt - 1);
  const spread = 1 - options.jitter + 2 * options.jitter * random();
  const backoff = Math.min(exponential * spread, options.maxDelayMs);
  return Math.round(retryAfterMs === undefined ? backoff : Math.max(backoff, retryAfterMs));
}

/** What to do after a failed attempt. */
export type RetryDecision =
  /** Send the call again after `delayMs`. */
  | { readonly action: 'retry'; readonly delayMs: number }
  /** Give up and reject with the error as is. */
  | { readonly action: 'fail'; readonly reason: 'aborted' | 'not-retryable' | 'exhausted' | 'retry-after-too-long' }
  /** A write may or may not have been committed: reject with `OutcomeUnknownError`, never resend. */
  | { readonly action: 'outcome-unknown' };

/** Input of {@link decideRetry}. */
export interface RetryInput {
  /** The error of the failed attempt (already mapped to the zenoo hierarchy). */
  readonly error: unknown;
  /** Whether the call reads or writes (see {@link classifyMethod}). */
  readonly kind: MethodKind;
  /** Number of the attempt that just failed (1 for the first). */
  readonly attempt: number;
  /** Resolved retry options. */
  readonly options: Readonly<RetryOptions>;
  /** Source of randomness in [0, 1), for tests. @default Math.random */
  readonly random?: () => number;
}

/**
 * Decides whether a failed call is retried, given up, or reported as outcome-unknown.
 *
 * @example
 * ```ts
 * decideRetry({ error, kind: classifyMethod('create'), attempt: 1, options: DEFAULT_RETRY_OPTIONS });
 * // → { action: 'outcome-unknown' } for a TimeoutError after sending
 * ```
 */
export function decideRetry(input: RetryInput): RetryDecision {
  const { error, kind, attempt, options } = input;
  if (error instanceof AbortError) return { action: 'fail', reason: 'aborted' };
  if (kind === 'write' && isOutcomeUnknown(error)) return { action: 'outcome-unknown' };
  const retryable = kind === 'read' ? isTransientFailure(error) : isNothingCommitted(error);
  if (!retryable) return { action: 'fail', reason: 'not-retryable' };
  if (attempt > options.limit) return { action: 'fail', reason: 'exhausted' };
  const retryAfterMs = error instanceof HttpError ? error.retryAfterMs : undefined;
  if (retryAfterMs !== undefined && retryAfterMs > options.maxRetryAfterMs) {
    return { action: 'fail', reason: 'retry-after-too-long' };
  }
  return { action: 'retry', delayMs: calculateRetryDelay(attempt, options, retryAfterMs, input.random) };
}
