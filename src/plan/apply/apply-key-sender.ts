/**
 * Idempotent creates for a step with a key, without external ids: the records are sent with a plain `create` (one
 * call, one transaction: all of them commit or none), and a create whose outcome is unknown is reconciled by looking
 * the chunk's keys up. If every key is found the chunk committed; if none is, it did not and is resent; the Batch API
 * does both (it calls {@link ChunkSender.reconcile} for these creates because {@link KeyedCreateSender.canReconcile}
 * says it can, although they carry no external ids).
 *
 * This keeps an apply of a keyed step as cheap as a bulk create (`load` with external ids costs the target about
 * twice as much per record), while staying exactly as safe: the key is what the next diff matches records by.
 *
 * @packageDocumentation
 */
import type { BatchClient } from '../../batch/batch-client.js';
import type {
  ChunkRequest,
  ChunkSendOptions,
  ChunkSendResult,
  ChunkSender,
  ReconcileResult,
} from '../../batch/send/chunk-sender.js';
import { OdooChunkSender } from '../../batch/send/odoo-chunk-sender.js';
import { Reconciler } from '../../batch/send/reconciler.js';

/** A chunk sender whose creates are idempotent through the step's key rather than external ids. */
export class KeyedCreateSender implements ChunkSender {
  readonly #inner: OdooChunkSender;
  readonly #reconciler: Reconciler;
  readonly #keyFields: readonly string[];

  /** @param keyFields - the step's key fields (non-empty). */
  constructor(client: BatchClient, keyFields: readonly string[]) {
    if (keyFields.length === 0) throw new TypeError('Expected `keyFields` to name at least one field');
    this.#reconciler = new Reconciler(client);
    this.#inner = new OdooChunkSender(client);
    this.#keyFields = keyFields;
  }

  methodOf(request: ChunkRequest): Promise<string> {
    return this.#inner.methodOf(request);
  }

  send(request: ChunkRequest, options: ChunkSendOptions): Promise<ChunkSendResult> {
    return this.#inner.send(request, options);
  }

  /** A create is looked up by its records' keys: every record of a keyed step has one. */
  canReconcile(request: ChunkRequest): boolean {
    return request.operationType === 'create' && request.records !== undefined;
  }

  async reconcile(request: ChunkRequest, options: ChunkSendOptions): Promise<ReconcileResult> {
    const keys = (request.records ?? []).map((record) => this.#keyFields.map((field) => record[field]));
    const ids = await this.#reconciler.byKeys(request.model, this.#keyFields, keys, {
      ...(request.context === undefined ? {} : { context: request.context }),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    // One create call is one transaction: a partly found chunk cannot happen unless someone else wrote the same keys,
    // in which case resending the missing ones is still what the plan asks for.
    return { ids, resendable: true };
  }
}
