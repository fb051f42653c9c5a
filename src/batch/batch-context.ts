/**
 * {@link BatchContext}: collects operations inside `manager.batch(fn)` / `batchContext`, executed when the
 * callback returns.
 *
 * @packageDocumentation
 */
import type { RecordSource, RecordValues } from './operations/batch-operation.js';
import type { CreateOperationOptions } from './operations/create-operation.js';
import { CreateOperation } from './operations/create-operation.js';
import type { DeleteOperationOptions } from './operations/delete-operation.js';
import { DeleteOperation } from './operations/delete-operation.js';
import type { RecordUpdate, UpdateOperationOptions } from './operations/update-operation.js';
import { UpdateOperation } from './operations/update-operation.js';

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
