/**
 * {@link Batch}: a batch built by hand (`manager.createBatch()`), with chainable `create`, `update`, `unlink`.
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import type { ExecutionResult } from './batch-executor.js';
import type { OperationRunner, RunOptions } from './bulk-options.js';
import type { RecordSource, RecordValues } from './operations/batch-operation.js';
import { CreateOperation } from './operations/create-operation.js';
import type { CreateOperationOptions } from './operations/create-operation.js';
import { DeleteOperation } from './operations/delete-operation.js';
import type { DeleteOperationOptions } from './operations/delete-operation.js';
import { UpdateOperation } from './operations/update-operation.js';
import type { RecordUpdate, UpdateOperationOptions } from './operations/update-operation.js';

/**
 * Operations built step by step and executed together.
 *
 * @example
 * ```ts
 * const batch = manager.createBatch('custom-batch-001')
 *   .create('res.partner', [{ name: 'Company A', is_company: true }, { name: 'Company B', is_company: true }])
 *   .update('res.partner', { active: false }, { recordIds: [1, 2, 3] })
 *   .unlink('res.partner', [4, 5, 6]);
 * const { results, stats } = await batch.execute();
 * ```
 */
export class Batch {
  /** Identifier of the batch. */
  readonly batchId: string;
  readonly #manager: OperationRunner;
  readonly #operations: (CreateOperation | UpdateOperation | DeleteOperation)[] = [];
  #executed = false;

  /** Use `BatchManager.createBatch`. */
  constructor(manager: OperationRunner, batchId: string = randomUUID()) {
    if (typeof batchId !== 'string' || batchId === '')
      throw new TypeError('Expected `batchId` to be a non-empty string.');
    this.#manager = manager;
    this.batchId = batchId;
  }

  /** The operations added so far. */
  get operations(): readonly (CreateOperation | UpdateOperation | DeleteOperation)[] {
    return this.#operations;
  }

  /** Adds a create operation. */
  create(model: string, data: RecordSource<RecordValues>, options: CreateOperationOptions = {}): this {
    return this.#add(new CreateOperation(model, data, options));
  }

  /** Adds an update operation: one object of values with `recordIds`, or a list of `{ id, ...values }`. */
  update(model: string, data: RecordValues | RecordSource<RecordUpdate>, options: UpdateOperationOptions = {}): this {
    return this.#add(new UpdateOperation(model, data, options));
  }

  /** Adds a delete operation. */
  unlink(model: string, recordIds: RecordSource<number>, options: DeleteOperationOptions = {}): this {
    return this.#add(new DeleteOperation(model, recordIds, options));
  }

  /**
   * Executes the operations (once). Like `BatchManager.executeOperations`, it reports per-record failures in the
   * results instead of throwing them.
   *
   * @throws TypeError when the batch was already executed.
   */
  async execute(options: RunOptions = {}): Promise<ExecutionResult> {
    if (this.#executed) throw new TypeError(`Batch ${this.batchId} was already executed; create a new batch.`);
    this.#executed = true;
    try {
      return await this.#manager.executeOperations(this.#operations, options);
    } finally {
      this.#manager.release(this);
    }
  }

  #add(operation: CreateOperation | UpdateOperation | DeleteOperation): this {
    if (this.#executed) throw new TypeError(`Batch ${this.batchId} was already executed; create a new batch.`);
    operation.validate();
    this.#operations.push(operation);
    return this;
  }
}
