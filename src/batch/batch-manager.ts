/**
 * {@link BatchManager}: the main entry point of the Batch API: bulk create / update / delete, batch contexts, manual
 * batches, operation lists, statistics and compensating transactions.
 *
 * @packageDocumentation
 */
import { BatchExecutionError } from '../errors.js';
import type { BatchClient } from './batch-client.js';
import { BatchContext } from './batch-context.js';
import type { BatchExecutorOptions, ExecutionResult } from './batch-executor.js';
import type { OperationResult } from './operations/operation-result.js';
import { BatchExecutor } from './batch-executor.js';
import type { BatchOperation, OdooContext, RecordSource, RecordValues } from './operations/batch-operation.js';
import type { OnErrorPolicy } from './batch-options.js';
import type { BatchStats } from './batch-stats.js';
import { StatsCounter } from './batch-stats.js';
import { BatchTransaction, runTransaction } from './batch-transaction.js';
import { Batch } from './batch.js';
import type {
  BatchManagerClient,
  BulkCreateOptions,
  BulkOptions,
  BulkUpdateOptions,
  RunOptions,
} from './bulk-options.js';
import { CreateOperation } from './operations/create-operation.js';
import { DeleteOperation } from './operations/delete-operation.js';
import type { RecordUpdate } from './operations/update-operation.js';
import { UpdateOperation } from './operations/update-operation.js';

/** Options of a {@link BatchManager}: those of its executor (the manager takes its client; the client knows no manager). */
export type BatchManagerOptions = BatchExecutorOptions;

/** Statistics of every run of a manager. */
export interface BatchManagerStats extends BatchStats {
  /** Runs (bulk calls, batches, operation lists). */
  readonly batches: number;
  /** Runs that applied every record. */
  readonly completedBatches: number;
  /** Runs that did not. */
  readonly failedBatches: number;
}

/**
 * The main interface of the Batch API.
 *
 * @example
 * ```ts
 * const manager = new BatchManager(client, { maxChunkSize: 200, maxConcurrency: 10, timeoutMs: 600_000 });
 * const ids = await manager.bulkCreate('res.partner', [{ name: 'ACME Corp' }, { name: 'Global Inc' }], { chunkSize: 50 });
 * await manager.bulkUpdate('res.partner', { active: true }, { recordIds: ids });
 * await manager.bulkDelete('res.partner', ids);
 * ```
 */
export class BatchManager {
  /** The client chunks are sent with. */
  readonly client: BatchManagerClient;
  /** The executor all runs of this manager go through. */
  readonly executor: BatchExecutor;
  /** Batches built with {@link createBatch} and not yet executed, by id. */
  readonly activeBatches = new Map<string, Batch>();
  readonly #stats = new StatsCounter();
  #batches = 0;
  #completedBatches = 0;

  /** @throws TypeError on invalid options. */
  constructor(client: BatchManagerClient, options: BatchManagerOptions = {}) {
    if (client === null || typeof client !== 'object' || typeof client.executeKw !== 'function') {
      throw new TypeError('Expected `client` to be an OdooClient (an object with an executeKw method).');
    }
    this.client = client;
    this.executor = new BatchExecutor(client, options ?? {});
  }

  /**
   * Creates records and resolves to their ids **in input order**.
   *
   * @throws BatchValidationError before anything is sent when a record is invalid.
   * @throws BatchExecutionError when not every record was created; it carries the ids created (by input index), the
   *   rejected records and those whose outcome is unknown.
   */
  async bulkCreate(
    model: string,
    records: RecordSource<RecordValues>,
    options: BulkCreateOptions = {},
  ): Promise<number[]> {
    const { xmlid, ...rest } = options;
    const operation = new CreateOperation(model, records, { ...operationOptions(rest), xmlid });
    const [result] = await this.#runOrThrow([operation], rest, `bulkCreate on ${model}`);
    return result!.ids as number[];
  }

  /**
   * Updates records: one object of values written to `recordIds`, or a list of `{ id, ...values }` (records with
   * identical values are grouped into one `write` per chunk). The caller's objects are never changed.
   *
   * @returns `true` once every record was written.
   * @throws BatchExecutionError when not every record was written.
   */
  async bulkUpdate(
    model: string,
    data: RecordValues | RecordSource<RecordUpdate>,
    options: BulkUpdateOptions = {},
  ): Promise<true> {
    const { recordIds, ...rest } = options;
    const operation = new UpdateOperation(model, data, { ...operationOptions(rest), recordIds });
    await this.#runOrThrow([operation], rest, `bulkUpdate on ${model}`);
    return true;
  }

  /**
   * Deletes records by id (ids already gone count as deleted).
   *
   * @returns `true` once every record was deleted.
   * @throws BatchExecutionError when not every record was deleted.
   */
  async bulkDelete(model: string, recordIds: RecordSource<number>, options: BulkOptions = {}): Promise<true> {
    const operation = new DeleteOperation(model, recordIds, operationOptions(options));
    await this.#runOrThrow([operation], options, `bulkDelete on ${model}`);
    return true;
  }

  /**
   * Collects the operations `fn` adds to its {@link BatchContext} and executes them when `fn` returns. If `fn` throws,
   * nothing is executed and its error propagates.
   *
   * @throws BatchExecutionError when not every record was applied (with the partial results).
   *
   * @example
   * ```ts
   * await manager.batch(async (b) => {
   *   b.create('res.partner', [{ name: 'Company A' }, { name: 'Company B' }]);
   *   b.update('res.partner', { active: true }, { recordIds: [1, 2] });
   *   b.delete('res.partner', [3, 4, 5]);
   * });
   * ```
   */
  async batch(fn: (context: BatchContext) => unknown, options: RunOptions = {}): Promise<ExecutionResult> {
    if (typeof fn !== 'function') throw new TypeError('Expected `batch` to be given a function (context) => { ... }.');
    const context = new BatchContext();
    await fn(context);
    const result = await this.executeOperations(context.operations, options);
    throwIfIncomplete(result, 'batch');
    return result;
  }

  /** Creates a {@link Batch} to build by hand and execute later. */
  createBatch(batchId?: string): Batch {
    const batch = new Batch(this, batchId);
    if (this.activeBatches.has(batch.batchId)) {
      throw new TypeError(`A batch with id '${batch.batchId}' is already active on this manager; give another id.`);
    }
    this.activeBatches.set(batch.batchId, batch);
    return batch;
  }

  /**
   * Executes operations and reports what each did. Never throws for per-record or per-chunk failures: they are in
   * `results` (and `error` holds the first one).
   *
   * @throws BatchValidationError when an operation is invalid: nothing was sent.
   */
  async executeOperations(operations: readonly BatchOperation[], options: RunOptions = {}): Promise<ExecutionResult> {
    if (!Array.isArray(operations)) throw new TypeError('Expected `operations` to be an array of batch operations.');
    const result = await this.executor.execute(operations, options);
    this.#record(result);
    return result;
  }

  /** Statistics of every run of this manager so far. */
  getStats(): BatchManagerStats {
    return Object.freeze({
      ...this.#stats.snapshot(),
      batches: this.#batches,
      completedBatches: this.#completedBatches,
      failedBatches: this.#batches - this.#completedBatches,
    });
  }

  /**
   * Runs `fn` with a {@link BatchTransaction} that records every write; if `fn` throws, the writes are compensated in
   * reverse order (created records unlinked, old values written back, deleted records re-created).
   *
   * Odoo commits every call on its own: this is compensation, not an ACID rollback. Other users may see the
   * intermediate state, and compensation itself can fail; the thrown {@link TransactionError} says what was undone
   * (including the new ids of re-created records) and what was not.
   *
   * @throws TransactionError (with `cause` = the callback's error and a compensation `report`) when `fn` throws.
   */
  async transaction<T>(
    fn: (tx: BatchTransaction) => Promise<T> | T,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<T> {
    return runTransaction(this, fn, options);
  }

  /** Forgets a batch once executed. @internal */
  release(batch: Batch): void {
    if (this.activeBatches.get(batch.batchId) === batch) this.activeBatches.delete(batch.batchId);
  }

  async #runOrThrow(
    operations: BatchOperation[],
    options: RunOptions,
    what: string,
  ): Promise<ExecutionResult['results']> {
    const result = await this.executeOperations(operations, options);
    throwIfIncomplete(result, what);
    return result.results;
  }

  #record(result: ExecutionResult): void {
    this.#stats.add(result.stats);
    this.#batches += 1;
    if (result.results.every((r) => r.status === 'completed')) this.#completedBatches += 1;
  }
}

/** The operation options among bulk options. */
function operationOptions(options: BulkOptions): {
  chunkSize?: number;
  context?: OdooContext;
  onError?: OnErrorPolicy;
} {
  return {
    ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
    ...(options.context === undefined ? {} : { context: options.context }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  };
}

/** How many rejections a message names before "and N more": enough to see a pattern, short enough to read. */
const NAMED_REJECTIONS = 3;

/**
 * The first rejected records with the server's reason (its first line), and how many more: "1 rejected" alone tells
 * the operator neither which record nor why.
 */
function describeRejections(incomplete: readonly OperationResult[]): string {
  const several = incomplete.filter((result) => result.rejected.length > 0).length > 1;
  const all = incomplete.flatMap((result) => result.rejected.map((rejection) => ({ result, rejection })));
  const named = all.slice(0, NAMED_REJECTIONS).map(({ result, rejection }) => {
    const reason = (rejection.error.message.split('\n')[0] ?? '').slice(0, 200);
    const where = several ? ` of ${result.model} ${result.operationType}` : '';
    return `input ${rejection.index}${where}: ${reason}`;
  });
  const more = all.length - named.length;
  return `${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/**
 * Throws a {@link BatchExecutionError} carrying the partial results unless every operation completed.
 *
 * @internal
 */
export function throwIfIncomplete(result: ExecutionResult, what: string): void {
  const incomplete = result.results.filter((r) => r.status !== 'completed');
  if (incomplete.length === 0) return;
  const rejected = incomplete.reduce((n, r) => n + r.rejected.length, 0);
  const unknown = incomplete.reduce((n, r) => n + r.unknown.length, 0);
  const applied = result.results.reduce((n, r) => n + r.applied, 0);
  const records = result.results.reduce((n, r) => n + r.records, 0);
  const failedChunks = incomplete.reduce((n, r) => n + r.failedChunks.length, 0);
  const parts = [
    `${applied} of ${records} records applied`,
    rejected > 0 ? `${rejected} rejected by the server (${describeRejections(incomplete)})` : '',
    failedChunks > 0 ? `${failedChunks} chunk(s) failed` : '',
    unknown > 0 ? `${unknown} of unknown outcome (sent, answer lost; check them before sending again)` : '',
  ].filter(Boolean);
  const cause = result.error;
  throw new BatchExecutionError(
    `${what} did not complete: ${parts.join(', ')}.${cause ? ` First error: ${cause.message}` : ''} ` +
      'The error carries the ids applied (by input index), the rejected records and those of unknown outcome.',
    result.results,
    { ...(incomplete[0] ? { model: incomplete[0].model } : {}), ...(cause ? { cause } : {}) },
  );
}

/**
 * A batch without a long-lived manager: builds one for `client` with `options`, collects what `fn` adds, and executes
 * it when `fn` returns (nothing if `fn` throws).
 *
 * @throws BatchExecutionError when not every record was applied (with the partial results).
 *
 * @example
 * ```ts
 * await batchContext(client, { maxChunkSize: 100, maxConcurrency: 5 }, (batch) => {
 *   batch.create('res.partner', [{ name: 'Test' }]);
 *   batch.update('res.partner', { active: false }, { recordIds: [1, 2] });
 * });
 * ```
 */
export async function batchContext(
  client: BatchManagerClient | BatchClient,
  options: BatchManagerOptions & RunOptions,
  fn: (context: BatchContext) => unknown,
): Promise<ExecutionResult> {
  const { onProgress, onEvent, signal, ...managerOptions } = options ?? {};
  const manager = new BatchManager(client as BatchManagerClient, managerOptions);
  return manager.batch(fn, { onProgress, onEvent, signal });
}
