/**
 * {@link IdOperation}: what the operations on records given by id share (a delete, a method call): their input is a
 * list or stream of ids, split and chunked the same way.
 *
 * @packageDocumentation
 */
import type { ChunkSizing } from '../chunk-sizing.js';
import { BatchOperation, assertRecordSource, isArraySource } from './batch-operation.js';
import { readBatches } from '../read-batches.js';
import type { BatchOperationOptions, PlannedChunk, RecordSource } from './batch-operation.js';

/** An operation on records of one model given by id. */
export abstract class IdOperation extends BatchOperation {
  /** The ids of the records. */
  readonly data: RecordSource<number>;

  constructor(model: string, data: RecordSource<number>, options: BatchOperationOptions) {
    super(model, options);
    assertRecordSource(data, 'data');
    this.data = data;
  }

  /** The same operation on `ids`, with `options` (a part of this one, see {@link split}). */
  protected abstract part(ids: readonly number[], options: BatchOperationOptions): this;

  /** What each planned chunk carries besides its ids (a call's method). @default nothing */
  protected chunkExtras(): Partial<PlannedChunk> {
    return {};
  }

  get batchSize(): number | undefined {
    return isArraySource(this.data) ? this.data.length : undefined;
  }

  validate(): void {
    if (isArraySource(this.data)) this.data.forEach((id, index) => this.checkId(id, index));
  }

  split(chunkSize: number): this[] {
    if (!isArraySource(this.data)) {
      throw new TypeError(
        `Operation ${this.operationId} streams its records: it cannot be split without consuming them.`,
      );
    }
    const parts: this[] = [];
    for (let start = 0; start < this.data.length; start += chunkSize) {
      parts.push(this.part(this.data.slice(start, start + chunkSize), this.baseOptions(parts.length)));
    }
    return parts;
  }

  touchedIds(): ReadonlySet<number> | 'unknown' {
    return isArraySource(this.data) ? new Set(this.data) : 'unknown';
  }

  async *planChunks(chunkSize: ChunkSizing): AsyncGenerator<PlannedChunk, void, undefined> {
    const validated = isArraySource(this.data); // checked in full by validate()
    const extras = this.chunkExtras();
    let index = 0;
    let chunkIndex = 0;
    for await (const ids of readBatches(this.data, chunkSize)) {
      const inputIndexes: number[] = [];
      for (const id of ids) {
        if (!validated) this.checkId(id, index);
        inputIndexes.push(index++);
      }
      yield { index: chunkIndex++, inputIndexes, ids, ...extras };
    }
  }
}
