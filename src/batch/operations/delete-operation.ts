/**
 * {@link DeleteOperation}: unlink records by id.
 *
 * @packageDocumentation
 */
import type { BatchOperationOptions, RecordSource } from './batch-operation.js';
import { IdOperation } from './id-operation.js';

/** Options of a {@link DeleteOperation}. */
export type DeleteOperationOptions = BatchOperationOptions;

/**
 * Deletes records of one model by id.
 *
 * @example
 * ```ts
 * new DeleteOperation('res.partner', [1, 2, 3, 4, 5], { context: { active_test: false } }).batchSize; // 5
 * ```
 */
export class DeleteOperation extends IdOperation {
  readonly operationType = 'delete' as const;

  constructor(model: string, data: RecordSource<number>, options: DeleteOperationOptions = {}) {
    super(model, data, options);
  }

  protected part(ids: readonly number[], options: BatchOperationOptions): this {
    return new DeleteOperation(this.model, ids, options) as this;
  }
}
