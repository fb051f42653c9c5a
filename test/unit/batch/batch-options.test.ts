import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_CONCURRENCY,
  DEFAULT_RETRY_ATTEMPTS,
  resolveBatchOptions,
} from '../../../src/batch/batch-options.js';

describe('resolveBatchOptions', () => {
  it('applies the defaults and freezes the result', () => {
    const options = resolveBatchOptions();
    expect(options).toEqual({
      maxChunkSize: DEFAULT_CHUNK_SIZE,
      maxConcurrency: DEFAULT_CONCURRENCY,
      timeoutMs: undefined,
      retryAttempts: DEFAULT_RETRY_ATTEMPTS,
      onError: 'stop',
      onEvent: undefined,
    });
    expect(Object.isFrozen(options)).toBe(true);
  });

  it.each([
    [{ maxChunkSize: 0 }, /`maxChunkSize` to be an integer from 1 and up, got 0/],
    [{ maxChunkSize: 1.5 }, /`maxChunkSize`/],
    [{ maxConcurrency: -1 }, /`maxConcurrency` to be an integer from 1 and up, got -1/],
    [{ timeoutMs: 0 }, /`timeoutMs`/],
    [{ retryAttempts: -1 }, /`retryAttempts` to be an integer from 0 and up/],
    [{ onError: 'ignore' }, /`onError` to be one of 'stop', 'continue', 'isolate', got "ignore"/],
    [{ onEvent: 42 }, /`onEvent` to be a function/],
  ])('refuses %o with a precise TypeError', (options, message) => {
    expect(() => resolveBatchOptions(options as never)).toThrow(TypeError);
    expect(() => resolveBatchOptions(options as never)).toThrow(message);
  });
});
