/**
 * {@link CallOperation}: call a public model method on records by id, a chunk of ids per call.
 *
 * @packageDocumentation
 */
import type { ChunkSizing } from '../chunk-sizing.js';
import { BatchOperation, assertRecordSource, isArraySource } from './batch-operation.js';
import { readBatches } from '../read-batches.js';
import type { BatchOperationOptions, PlannedChunk, RecordSource } from './batch-operation.js';
import type { MethodCall } from './method-call.js';

/** Options of a {@link CallOperation}. */
export interface CallOperationOptions extends BatchOperationOptions {
  /** The method, its arguments and its guard domain. */
  readonly call: MethodCall;
}

/**
 * Calls `model.method(ids, *args, **kwargs)` on records of one model, `chunkSize` ids per call. A method is not
 * idempotent by itself (`action_post` on a posted move raises a UserError): give the ids of the records that still
 * need it, and a {@link MethodCall.guard} so that a call whose answer was lost can be reconciled.
 *
 * @example
 * ```ts
 * new CallOperation('sale.order', [7, 8], { call: { method: 'action_confirm', guard: [['state', '=', 'draft']] } });
 * ```
 */
export class CallOperation extends BatchOperation {
  readonly operationType = 'call' as const;
  /** The ids to call the method on. */
  readonly data: RecordSource<number>;
  /** The method. */
  readonly call: MethodCall;

  constructor(model: string, data: RecordSource<number>, options: CallOperationOptions) {
    super(model, options);
    assertRecordSource(data, 'data');
    const call = options.call as MethodCall | undefined;
    if (call === undefined || typeof call.method !== 'string' || !/^[A-Za-z]\w*$/.test(call.method)) {
      throw new TypeError(
        `Expected \`call.method\` to be a public method name (not starting with _), got ${JSON.stringify(call?.method)}.`,
      );
    }
    if (call.args !== undefined && !Array.isArray(call.args))
      throw new TypeError('Expected `call.args` to be an array of positional arguments.');
    if (
      call.kwargs !== undefined &&
      (call.kwargs === null || typeof call.kwargs !== 'object' || Array.isArray(call.kwargs))
    )
      throw new TypeError('Expected `call.kwargs` to be an object of keyword arguments.');
    if (call.guard !== undefined && !Array.isArray(call.guard))
      throw new TypeError('Expected `call.guard` to be a domain (an array).');
    this.data = data;
    this.call = Object.freeze({ ...call });
  }

  get batchSize(): number | undefined {
    return isArraySource(this.data) ? this.data.length : undefined;
  }

  validate(): void {
    if (isArraySource(this.data)) this.data.forEach((id, index) => this.checkId(id, index));
  }

  split(chunkSize: number): CallOperation[] {
    if (!isArraySource(this.data)) {
      throw new TypeError(
        `Operation ${this.operationId} streams its records: it cannot be split without consuming them.`,
      );
    }
    const parts: CallOperation[] = [];
    for (let start = 0; start < this.data.length; start += chunkSize) {
      parts.push(
        new CallOperation(this.model, this.data.slice(start, start + chunkSize), {
          ...this.baseOptions(parts.length),
          call: this.call,
        }),
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
      yield { index: chunkIndex++, inputIndexes, ids, call: this.call };
    }
  }
}
