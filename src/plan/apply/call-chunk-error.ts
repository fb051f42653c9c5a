/**
 * How a failed call chunk is journaled: the server's message (a UserError of `action_confirm`…) with the method, the
 * model and the ids it was called on, so that the journal and `plan status` say which records refused and why.
 *
 * @packageDocumentation
 */
import type { CheckpointChunk } from '../../batch/chunk-checkpoint.js';
import { errorView } from '../../util/error-view.js';
import type { StepSpec } from './step-spec.js';

/** At most this many ids are written in the message (the journal's in-doubt line has them all). */
const LISTED_IDS = 20;

/** The code of `error` (the server's, e.g. `ERR_ODOO_VALIDATION`) and its message naming the method and the ids. */
export function callChunkErrorView(
  spec: StepSpec,
  method: string | undefined,
  chunk: CheckpointChunk,
  error: unknown,
): { code: string; message: string } {
  const view = errorView(error);
  const ids = chunk.ids ?? [];
  const listed = ids.slice(0, LISTED_IDS).join(', ') + (ids.length > LISTED_IDS ? `, … (${ids.length} ids)` : '');
  return {
    code: view.code,
    message: `${spec.model}.${method ?? 'call'} on ids [${listed}] (step ${spec.id}, chunk ${chunk.chunkIndex}): ${view.message}`,
  };
}
