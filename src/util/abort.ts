/**
 * The one abort check: whatever was aborted, the caller gets zenoo's `AbortError` (never the DOMException that
 * `AbortSignal.throwIfAborted()` throws), with a message that says what stopped.
 *
 * @packageDocumentation
 */
import { AbortError } from '../errors.js';
import type { ZenooErrorOptions } from '../errors.js';

/**
 * Throws `AbortError` when `signal` is aborted.
 *
 * @param what - what was aborted, as a sentence subject: `'The diff'` gives "The diff was aborted.".
 * @param options - context copied into the error (step, model…).
 */
export function throwIfAborted(signal: AbortSignal | undefined, what: string, options: ZenooErrorOptions = {}): void {
  if (signal?.aborted) throw new AbortError(`${what} was aborted.`, 'not-sent', options);
}
