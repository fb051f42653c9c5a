/**
 * {@link CallOperation}: call a public model method on records by id, a chunk of ids per call.
 *
 * @packageDocumentation
 */
import type { BatchOperationOptions, PlannedChunk, RecordSource } from './batch-operation.js';
import { IdOperation } from './id-operation.js';
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
export class CallOperation extends IdOperation {
  readonly operationType = 'call' as const;
  /** The method. */
  readonly call: MethodCall;

  constructor(model: string, data: RecordSource<number>, options: CallOperationOptions) {
    super(model, data, options);
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
    this.call = Object.freeze({ ...call });
  }

  protected part(ids: readonly number[], options: BatchOperationOptions): this {
    return new CallOperation(this.model, ids, { ...options, call: this.call }) as this;
  }

  protected override chunkExtras(): Partial<PlannedChunk> {
    return { call: this.call };
  }
}
