import { describe, expect, it } from 'vitest';
import {
  AbortError,
  AccessDeniedError,
  ConcurrencyError,
  HttpError,
  MissingError,
  NetworkError,
  ProtocolError,
  RpcFault,
  SessionExpiredError,
  TimeoutError,
  ValidationError,
} from '../../../src/errors.js';
import {
  DEFAULT_RETRY_OPTIONS,
  calculateRetryDelay,
  classifyMethod,
  decideRetry,
  resolveRetryOptions,
} from '../../../src/client/retry-policy.js';
import type { RetryOptions } from '../../../src/client/retry-policy.js';

const fault = (name: string, message = 'x') => ({ code: 200, message: 'Odoo Server Error', data: { name, message } });
const noJitter: RetryOptions = { ...DEFAULT_RETRY_OPTIONS, jitter: 0, baseDelayMs: 100, maxDelayMs: 1000 };

const errors = {
  concurrency: new ConcurrencyError(fault('psycopg2.errors.SerializationFailure')),
  sessionExpired: new SessionExpiredError({
    code: 100,
    message: 'Odoo Session Expired',
    data: { name: 'odoo.http.SessionExpiredException' },
  }),
  poolFull: new RpcFault(fault('psycopg2.pool.PoolError', 'The Connection Pool Is Full')),
  tooManyClients: new RpcFault(fault('psycopg2.OperationalError', 'FATAL: sorry, too many clients already')),
  noDatabase: new RpcFault(fault('psycopg2.OperationalError', 'FATAL: database "nodb" does not exist')),
  http503: new HttpError('503', { status: 503, bodyExcerpt: '' }),
  http502: new HttpError('502', { status: 502, bodyExcerpt: '' }),
  http504: new HttpError('504', { status: 504, bodyExcerpt: '' }),
  http500: new HttpError('500', { status: 500, bodyExcerpt: '' }),
  http429: new HttpError('429', { status: 429, bodyExcerpt: '' }),
  http400: new HttpError('400', { status: 400, bodyExcerpt: 'Invalid JSON data' }),
  refused: new NetworkError('refused', 'not-sent', 'ECONNREFUSED'),
  resetAfterSend: new NetworkError('reset', 'sent', 'ECONNRESET'),
  timeoutAfterSend: new TimeoutError('timeout', 100, 'sent'),
  timeoutBeforeSend: new TimeoutError('timeout', 100, 'not-sent'),
  abortedAfterSend: new AbortError('aborted', 'sent'),
  protocol: new ProtocolError('html', '<html>'),
  validation: new ValidationError(fault('odoo.exceptions.ValidationError')),
  missing: new MissingError(fault('odoo.exceptions.MissingError')),
  accessDenied: new AccessDeniedError(fault('odoo.exceptions.AccessDenied', 'Access Denied')),
};

describe('classifyMethod', () => {
  it.each([
    'read',
    'search',
    'search_read',
    'search_count',
    'fields_get',
    'name_search',
    'default_get',
    'check_object_reference',
    'get_param',
    'version',
    'authenticate',
  ])('%s is a read', (method) => expect(classifyMethod(method)).toBe('read'));
  it.each([
    'create',
    'write',
    'unlink',
    'load',
    'set_param',
    'export_data',
    'action_confirm',
    'no_such_method',
    'copy',
  ])('%s is a write', (method) => expect(classifyMethod(method)).toBe('write'));
});

describe('decideRetry', () => {
  const decide = (error: unknown, kind: 'read' | 'write', attempt = 1, options: RetryOptions = noJitter) =>
    decideRetry({ error, kind, attempt, options }).action;

  it.each(Object.keys(errors))('reads: %s', (name) => {
    const retried = [
      'concurrency',
      'sessionExpired',
      'poolFull',
      'tooManyClients',
      'http503',
      'http502',
      'http504',
      'http500',
      'http429',
      'refused',
      'resetAfterSend',
      'timeoutAfterSend',
      'timeoutBeforeSend',
    ];
    expect(decide(errors[name as keyof typeof errors], 'read')).toBe(retried.includes(name) ? 'retry' : 'fail');
  });

  it.each(Object.keys(errors))('writes: %s', (name) => {
    const retried = [
      'concurrency',
      'sessionExpired',
      'poolFull',
      'tooManyClients',
      'http503',
      'http502',
      'http504',
      'refused',
      'timeoutBeforeSend',
    ];
    const unknown = ['resetAfterSend', 'timeoutAfterSend'];
    const expected = retried.includes(name) ? 'retry' : unknown.includes(name) ? 'outcome-unknown' : 'fail';
    expect(decide(errors[name as keyof typeof errors], 'write')).toBe(expected);
  });

  it('stops after `limit` retries', () => {
    const options = { ...noJitter, limit: 2 };
    expect(decide(errors.http503, 'write', 1, options)).toBe('retry');
    expect(decide(errors.http503, 'write', 2, options)).toBe('retry');
    expect(decideRetry({ error: errors.http503, kind: 'write', attempt: 3, options })).toEqual({
      action: 'fail',
      reason: 'exhausted',
    });
  });

  it('never retries with limit 0, but still reports an unknown write outcome', () => {
    const options = { ...noJitter, limit: 0 };
    expect(decide(errors.concurrency, 'write', 1, options)).toBe('fail');
    expect(decide(errors.timeoutAfterSend, 'write', 1, options)).toBe('outcome-unknown');
  });

  it('does not retry an abort', () => {
    expect(decideRetry({ error: errors.abortedAfterSend, kind: 'read', attempt: 1, options: noJitter })).toEqual({
      action: 'fail',
      reason: 'aborted',
    });
  });

  it('honours Retry-After, and gives up when it is longer than maxRetryAfterMs', () => {
    const asked = new HttpError('503', { status: 503, bodyExcerpt: '', retryAfterMs: 3000 });
    expect(decideRetry({ error: asked, kind: 'write', attempt: 1, options: noJitter })).toEqual({
      action: 'retry',
      delayMs: 3000,
    });
    expect(
      decideRetry({ error: asked, kind: 'write', attempt: 1, options: { ...noJitter, maxRetryAfterMs: 2000 } }),
    ).toEqual({
      action: 'fail',
      reason: 'retry-after-too-long',
    });
  });
});

describe('calculateRetryDelay', () => {
  it('doubles from baseDelayMs and caps at maxDelayMs', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => calculateRetryDelay(attempt, noJitter))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
  });

  it('spreads by ±jitter', () => {
    const options = { ...noJitter, jitter: 0.5 };
    expect(calculateRetryDelay(2, options, undefined, () => 0)).toBe(100);
    expect(calculateRetryDelay(2, options, undefined, () => 0.999999)).toBe(300);
    for (let i = 0; i < 100; i++) {
      const value = calculateRetryDelay(2, options);
      expect(value).toBeGreaterThanOrEqual(100);
      expect(value).toBeLessThanOrEqual(300);
    }
  });

  it('never waits less than Retry-After', () => {
    expect(calculateRetryDelay(1, noJitter, 5000)).toBe(5000);
    expect(calculateRetryDelay(4, noJitter, 10)).toBe(800);
  });
});

describe('resolveRetryOptions', () => {
  it('merges over the defaults and turns false into no retries', () => {
    expect(resolveRetryOptions(undefined)).toBe(DEFAULT_RETRY_OPTIONS);
    expect(resolveRetryOptions({ limit: 5 })).toEqual({ ...DEFAULT_RETRY_OPTIONS, limit: 5 });
    expect(resolveRetryOptions(false).limit).toBe(0);
    expect(Object.isFrozen(resolveRetryOptions({ limit: 1 }))).toBe(true);
  });

  it.each([
    [{ limit: -1 }, /retry\.limit/],
    [{ limit: 1.5 }, /retry\.limit/],
    [{ baseDelayMs: Number.NaN }, /retry\.baseDelayMs/],
    [{ baseDelayMs: 500, maxDelayMs: 100 }, /retry\.maxDelayMs/],
    [{ jitter: 2 }, /retry\.jitter/],
    [{ maxRetryAfterMs: -5 }, /retry\.maxRetryAfterMs/],
  ])('rejects %j', (input, message) => {
    expect(() => resolveRetryOptions(input)).toThrow(TypeError);
    expect(() => resolveRetryOptions(input)).toThrow(message);
  });
});
