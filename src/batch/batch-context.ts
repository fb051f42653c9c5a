/**
 * {@link BatchContext}: collects operations inside `manager.batch(fn)` / {@link batchContext}, executed when the
 * callback returns.
 *
 * @packageDocumentation
 */
import type { BatchClient } from './batch-client.js';
import type { ExecutionResult } from './batch-executor.js';
import type { RecordSource, RecordValues } from './batch-operation.js';
import { BatchManager } from './batch-manager.js';
import type { BatchManagerClient, BatchManagerOptions, RunOptions } from './batch-manager.js';
import { CreateOperation } from './create-operation.js';
import type { CreateOperationOptions } from './create-operation.js';
import { DeleteOperation } from './delete-operation.js';
import type { DeleteOperationOptions } from './delete-operation.js';
import { UpdateOperation } from './update-operation.js';
import type { RecordUpdate, UpdateOperationOptions } from './update-operation.js';

/**
 * Collects operations; nothing is sent until the enclosing `batch()` callback returns. Each method validates its
 * operation at once (so a mistake points at the line that made it) and returns it, so its `result` can be read after
 * the batch ran.
 */
export class BatchContext {
  readonly #operations: (CreateOperation | UpdateOperation | DeleteOperation)[] = [];

  /** The operations collected so far, in insertion order. */
  get operations(): readonly (CreateOperation | UpdateOperation | DeleteOperation)[] {
    return this.#operations;
  }

  /** Adds a create operation. */
  create(model: string, data: RecordSource<RecordValues>, options: CreateOperationOptions = {}): CreateOperation {
    return this.#add(new CreateOperation(model, data, options));
  }

  /** Adds an update operation: one object of values with `recordIds`, or a list of `{ id, ...values }`. */
  update(
    model: string,
    data: RecordValues | RecordSource<RecordUpdate>,
    options: UpdateOperationOptions = {},
  ): UpdateOperation {
    return this.#add(new UpdateOperation(model, data, options));
  }

  /** Adds a delete operation. */
  delete(model: string, recordIds: RecordSource<number>, options: DeleteOperationOptions = {}): DeleteOperation {
    return this.#add(new DeleteOperation(model, recordIds, options));
  }

  #add<T extends CreateOperation | UpdateOperation | DeleteOperation>(operation: T): T {
    operation.validate();
    this.#operations.push(operation);
    return operation;
  }
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
