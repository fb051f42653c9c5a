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
} from '../../batch/chunk-sender.js';
import { OdooChunkSender } from '../../batch/odoo-chunk-sender.js';
import { keyString } from '../model/record-key.js';
import { keyDomain } from '../references/state-reader.js';
import { keyPart } from '../model/record-key.js';

/** A chunk sender whose creates are idempotent through the step's key rather than external ids. */
export class KeyedCreateSender implements ChunkSender {
  readonly #inner: OdooChunkSender;
  readonly #client: BatchClient;
  readonly #keyFields: readonly string[];

  /** @param keyFields - the step's key fields (non-empty). */
  constructor(client: BatchClient, keyFields: readonly string[]) {
    if (keyFields.length === 0) throw new TypeError('Expected `keyFields` to name at least one field');
    this.#client = client;
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
    const records = request.records ?? [];
    const keys = records.map((record) => this.#keyFields.map((field) => keyPart(record[field])));
    const found = (await this.#client.executeKw(
      request.model,
      'search_read',
      [keyDomain(this.#keyFields, keys)],
      { fields: [...this.#keyFields] },
      {
        context: { ...request.context, active_test: false },
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      },
    )) as Record<string, unknown>[];
    const byKey = new Map(
      found.map((row) => [keyString(this.#keyFields.map((field) => keyPart(row[field]))), row['id'] as number]),
    );
    // One create call is one transaction: a partly found chunk cannot happen unless someone else wrote the same keys,
    // in which case resending the missing ones is still what the plan asks for.
    return { ids: keys.map((key) => byKey.get(keyString(key))), resendable: true };
  }
}
