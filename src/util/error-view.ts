/**
 * The code and message of any error, as journals, ledgers and results record them.
 *
 * @packageDocumentation
 */
import { ZenooError } from '../errors.js';

/** The code and message of any error, as the journal and the result record them. */
export function errorView(error: unknown): { code: string; message: string } {
  if (error instanceof ZenooError) return { code: error.code, message: error.message };
  return { code: 'ERR_ZENOO', message: error instanceof Error ? error.message : String(error) };
}
