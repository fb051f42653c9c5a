/**
 * {@link DeleteOperation}: unlink records by id.
 *
 * @packageDocumentation
 */
import type { ChunkSizing } from '../chunk-sizing.js';
import { BatchOperation, assertRecordSource, isArraySource } from './batch-operation.js';
import { readBatches } from '../read-batches.js';
import type { BatchOperationOptions, PlannedChunk, RecordSource } from './batch-operation.js';

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
export class DeleteOperation extends BatchOperation {
  readonly operationType = 'delete' as const;
  /** The ids to delete. */
  readonly data: RecordSource<number>;

  constructor(model: string, data: RecordSource<number>, options: DeleteOperationOptions = {}) {
    super(model, options);
    assertRecordSource(data, 'data');
    this.data = data;
  }

  get batchSize(): number | undefined {
    return isArraySource(this.data) ? this.data.length : undefined;
  }

  validate(): void {
    if (isArraySource(this.data)) this.data.forEach((id, index) => this.checkId(id, index));
  }

  split(chunkSize: number): DeleteOperation[] {
    if (!isArraySource(this.data)) {
      throw new TypeError(
        `Operation ${this.operationId} streams its records: it cannot be split without consuming them.`,
      );
    }
    const parts: DeleteOperation[] = [];
    for (let start = 0; start < this.data.length; start += chunkSize) {
      parts.push(
        new DeleteOperation(this.model, this.data.slice(start, start + chunkSize), this.baseOptions(parts.length)),
      );
    }
    return parts;
  }

  touchedIds(): ReadonlySet<number> | 'unknown' {
    return isArraySource(this.data) ? new Set(this.data) : 'unknown';
  }

  async *planChunks(chunkSize: ChunkSizing): AsyncGenerator<PlannedChunk, void, undefined> {
    const validated = isArraySource(this.data); // checked in full by validate()
    let index = 0;
    let chunkIndex = 0;
    for await (const ids of readBatches(this.data, chunkSize)) {
      const inputIndexes: number[] = [];
      for (const id of ids) {
        if (!validated) this.checkId(id, index);
        inputIndexes.push(index++);
      }
      yield { index: chunkIndex++, inputIndexes, ids };
    }
  }
}
