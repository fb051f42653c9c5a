/**
 * The base class of batch operations ({@link CreateOperation}, {@link UpdateOperation}, {@link DeleteOperation}):
 * identity, priority, context, lifecycle status and timestamps, and the chunk planning the executor relies on.
 *
 * @packageDocumentation
 */
import type { ChunkSizing } from '../chunk-sizing.js';
import { randomUUID } from 'node:crypto';
import type { ZenooError } from '../../errors.js';
import { BatchValidationError } from '../../errors.js';
import type { OnErrorPolicy } from '../batch-options.js';
import { assertInteger, assertOnErrorPolicy, describeInput } from '../batch-options.js';
import type { MethodCall } from './method-call.js';
import type { OperationResult } from './operation-result.js';
import type { OperationStatus, OperationType } from './operation-result.js';

/** Field values of one record, as sent to Odoo. */
export type RecordValues = Readonly<Record<string, unknown>>;

/** Odoo context of a call (always sent in kwargs). */
export type OdooContext = Readonly<Record<string, unknown>>;

/**
 * Records given to an operation: an array (validated completely before anything is sent), any iterable, or an
 * `AsyncIterable` (streamed with bounded memory; each record is validated as it arrives).
 */
export type RecordSource<T> = readonly T[] | Iterable<T> | AsyncIterable<T>;

/**
 * A streamed source that can also hand over records a chunk at a time. The engine reads such a source with
 * {@link BatchedRecordSource.nextBatch} (one await per chunk instead of one per record) and, when it stops before the
 * end, calls {@link BatchedRecordSource.abandon}. Any other `AsyncIterable` is read record by record.
 */
export interface BatchedRecordSource<T> extends AsyncIterable<T> {
  /**
   * The next `max` records, or `undefined` once the input is exhausted. Fewer only at the end of the input, or when
   * the producer flushed the source: then the records it gave are to be written now, not held for a fuller chunk.
   */
  nextBatch(max: number): Promise<T[] | undefined>;
  /** The reader stops before the end: a producer waiting for room must not wait forever. */
  abandon(): void;
}

/** Whether `source` is a {@link BatchedRecordSource}. */
export function isBatchedSource<T>(source: RecordSource<T>): source is BatchedRecordSource<T> {
  const candidate = source as Partial<BatchedRecordSource<T>>;
  return typeof candidate.nextBatch === 'function' && typeof candidate.abandon === 'function';
}

/** Options shared by every operation. */
export interface BatchOperationOptions {
  /**
   * Identifier of the operation in events, results and errors.
   * @default a random UUID
   */
  readonly operationId?: string;
  /**
   * Operations with a higher priority start first; equal priorities keep insertion order.
   * @default 0
   */
  readonly priority?: number;
  /**
   * Odoo context of every call of this operation (sent in kwargs, never mutated).
   * @default undefined
   */
  readonly context?: OdooContext | undefined;
  /**
   * Records per chunk for this operation; `undefined` uses the executor's `maxChunkSize`.
   * @default undefined
   */
  readonly chunkSize?: number | undefined;
  /**
   * Failure policy of this operation; `undefined` uses the executor's.
   * @default undefined
   */
  readonly onError?: OnErrorPolicy | undefined;
}

/** One chunk as planned from an operation's input, before it is sent. */
export interface PlannedChunk {
  /** 0-based index of the chunk within its operation, in planning order. */
  readonly index: number;
  /** Indexes of the chunk's records in the operation's input (0-based), in the order they are sent. */
  readonly inputIndexes: readonly number[];
  /** create: the values of each record (copies; the caller's objects are never sent or changed). */
  readonly records?: readonly RecordValues[];
  /** create with `xmlid`: the external id (`module.name`) of each record. */
  readonly xmlids?: readonly string[];
  /** update: the values written to every id of the chunk. */
  readonly values?: RecordValues;
  /** update / delete / call: the record ids of the chunk. */
  readonly ids?: readonly number[];
  /** call: the method called on the chunk's ids. */
  readonly call?: MethodCall;
}

/**
 * Base class of all batch operations.
 *
 * Operations are plain descriptions: they never talk to the server. {@link BatchExecutor} runs them and stores the
 * outcome in {@link BatchOperation.status}, {@link BatchOperation.result} and {@link BatchOperation.error}.
 */
export abstract class BatchOperation {
  /** What the operation does. */
  abstract readonly operationType: OperationType;
  /** Identifier of the operation in events, results and errors. */
  readonly operationId: string;
  /** Odoo model, e.g. `res.partner`. */
  readonly model: string;
  /** Higher first; ties keep insertion order. */
  readonly priority: number;
  /** Odoo context sent with every call of this operation. */
  readonly context: OdooContext | undefined;
  /** Chunk size of this operation, if it overrides the executor's. */
  readonly chunkSize: number | undefined;
  /** Failure policy of this operation, if it overrides the executor's. */
  readonly onError: OnErrorPolicy | undefined;
  /** Lifecycle status, updated by the executor. */
  status: OperationStatus = 'pending';
  /** When the operation was built (ms since epoch). */
  readonly createdAt: number = Date.now();
  /** When the executor started it (ms since epoch). */
  startedAt: number | undefined;
  /** When it settled (ms since epoch). */
  completedAt: number | undefined;
  /** The first error that failed or stopped it, if any. */
  error: ZenooError | undefined;
  /** What it did, once settled. */
  result: OperationResult | undefined;

  protected constructor(model: string, options: BatchOperationOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`Expected operation options to be an object, got ${describeInput(options)}.`);
    }
    if (typeof model !== 'string' || !/^[a-z_][a-z0-9_]*(\.[a-z0-9_]+)+$/.test(model)) {
      throw new TypeError(
        `Expected \`model\` to be an Odoo model name such as 'res.partner', got ${describeInput(model)}.`,
      );
    }
    const { operationId = randomUUID(), priority = 0, context, chunkSize, onError } = options;
    if (typeof operationId !== 'string' || operationId === '') {
      throw new TypeError(`Expected \`operationId\` to be a non-empty string, got ${describeInput(operationId)}.`);
    }
    if (typeof priority !== 'number' || !Number.isFinite(priority)) {
      throw new TypeError(`Expected \`priority\` to be a finite number, got ${describeInput(priority)}.`);
    }
    if (context !== undefined && (context === null || typeof context !== 'object' || Array.isArray(context))) {
      throw new TypeError(`Expected \`context\` to be a plain object, got ${describeInput(context)}.`);
    }
    if (chunkSize !== undefined) assertInteger(chunkSize, 'chunkSize', 1);
    if (onError !== undefined) assertOnErrorPolicy(onError, 'onError');
    this.model = model;
    this.operationId = operationId;
    this.priority = priority;
    // A copy: the caller may reuse and change its context object while the operation runs.
    this.context = context === undefined ? undefined : Object.freeze({ ...context });
    this.chunkSize = chunkSize;
    this.onError = onError;
  }

  /** Number of records, or `undefined` while it is unknown (streamed input). */
  abstract get batchSize(): number | undefined;

  /** Whether one set of values applies to every record (always true for create and delete). */
  isBulkOperation(): boolean {
    return true;
  }

  /** Whether the operation has settled (successfully or not). */
  isCompleted(): boolean {
    return (
      this.status === 'completed' ||
      this.status === 'partial' ||
      this.status === 'failed' ||
      this.status === 'cancelled'
    );
  }

  /** Whether every record was applied. */
  isSuccessful(): boolean {
    return this.status === 'completed';
  }

  /**
   * Checks everything that can be checked without the server and without consuming a streamed input.
   *
   * @throws BatchValidationError naming the operation and the record index.
   */
  abstract validate(): void;

  /**
   * Splits an operation whose input is an array into operations of at most `chunkSize` records each (same model,
   * priority, context and policy; new operation ids suffixed `#n`).
   *
   * @throws TypeError when the input is streamed (it cannot be split without consuming it).
   */
  abstract split(chunkSize: number): BatchOperation[];

  /**
   * Plans the chunks of this operation lazily, validating each record as it arrives.
   *
   * @internal used by {@link BatchExecutor}.
   */
  abstract planChunks(chunkSize: ChunkSizing): AsyncGenerator<PlannedChunk, void, undefined>;

  /**
   * The ids this operation touches when they are known without consuming its input: an array of ids (update or
   * delete), `'none'` for creates (they touch only new records), `'unknown'` for streamed updates and deletes.
   *
   * @internal used to keep overlapping operations from running concurrently.
   */
  abstract touchedIds(): ReadonlySet<number> | 'none' | 'unknown';

  /** The base options of this operation, for {@link split}. */
  protected baseOptions(suffix: number): BatchOperationOptions {
    return {
      operationId: `${this.operationId}#${suffix}`,
      priority: this.priority,
      context: this.context,
      chunkSize: this.chunkSize,
      onError: this.onError,
    };
  }

  /** A validation error naming this operation and, when given, the record index. */
  protected invalid(message: string, recordIndex?: number, cause?: unknown): BatchValidationError {
    const where =
      recordIndex === undefined
        ? `${this.operationType} operation ${this.operationId} on ${this.model}`
        : `record ${recordIndex} of ${this.operationType} operation ${this.operationId} on ${this.model}`;
    return new BatchValidationError(
      `${where}: ${message}`,
      { operationId: this.operationId, recordIndex },
      {
        model: this.model,
        method: this.operationType,
        ...(recordIndex === undefined ? {} : { recordIndexes: [recordIndex] }),
        ...(cause === undefined ? {} : { cause }),
      },
    );
  }

  /** Checks that `values` is a plain object whose values can be sent as JSON. */
  protected checkValues(values: unknown, index: number | undefined, allowId: boolean): void {
    if (values === null || typeof values !== 'object' || Array.isArray(values)) {
      throw this.invalid(`expected an object of field values, got ${describeInput(values)}.`, index);
    }
    // Hot path (every record of every chunk): plain typeof checks, no per-field allocation.
    const record = values as Record<string, unknown>;
    for (const field of Object.keys(record)) {
      const value = record[field];
      const type = typeof value;
      if (field === 'id' && !allowId) {
        throw this.invalid(
          `has an \`id\` field: creates make new records; use an update operation to change record ${describeInput(value)}.`,
          index,
        );
      }
      if (type === 'string' || type === 'boolean' || type === 'object') continue;
      if (type === 'number') {
        if (!Number.isFinite(value)) {
          throw this.invalid(`field \`${field}\` is ${String(value)}, which cannot be sent to Odoo.`, index);
        }
        continue;
      }
      throw this.invalid(
        `field \`${field}\` is ${type}, which cannot be sent to Odoo; use false for an empty value.`,
        index,
      );
    }
  }

  /** Checks that `id` is a positive integer record id. */
  protected checkId(id: unknown, index: number): asserts id is number {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) {
      throw this.invalid(`expected a record id (a positive integer), got ${describeInput(id)}.`, index);
    }
  }
}

/** Whether `source` is an array (so that it can be validated and counted before anything is sent). */
export function isArraySource<T>(source: RecordSource<T>): source is readonly T[] {
  return Array.isArray(source);
}

/**
 * Throws a `TypeError` unless `source` is an array, an iterable or an async iterable.
 *
 * @internal
 */
export function assertRecordSource(source: unknown, name: string): void {
  const ok =
    source !== null && typeof source === 'object' && (Symbol.iterator in source || Symbol.asyncIterator in source);
  if (!ok || typeof source === 'string') {
    throw new TypeError(
      `Expected \`${name}\` to be an array, an iterable or an async iterable, got ${describeInput(source)}.`,
    );
  }
}
