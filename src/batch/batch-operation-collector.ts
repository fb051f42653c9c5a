/**
 * {@link batchOperation}: accumulate records of one operation type with `collector.add(record)` and apply them when
 * the callback returns.
 *
 * @packageDocumentation
 */
import type { BatchClient } from './batch-client.js';
import { BatchManager } from './batch-manager.js';
import type { BatchManagerOptions } from './batch-manager.js';
import type { BatchManagerClient, RunOptions } from './bulk-options.js';
import type { OdooContext, RecordValues } from './operations/batch-operation.js';
import type { OperationType } from './operations/operation-result.js';
import { describeInput } from './batch-options.js';
import type { XmlidFunction } from './operations/create-operation.js';
import type { RecordUpdate } from './operations/update-operation.js';

/** The operation types a collector collects records for: the writes (a method call has no records to collect). */
export type CollectedOperationType = Exclude<OperationType, 'call'>;

/** What each operation type collects. */
export interface CollectedRecord {
  /** Values of a record to create. */
  create: RecordValues;
  /** `{ id, ...values }` of a record to update. */
  update: RecordUpdate;
  /** Id of a record to delete. */
  delete: number;
}

/** Options of {@link batchOperation}. */
export interface BatchOperationCollectorOptions<T extends CollectedOperationType>
  extends BatchManagerOptions, RunOptions {
  /** Odoo model. */
  readonly model: string;
  /** What to do with the collected records. */
  readonly operationType: T;
  /** Records per chunk. @default the manager's `maxChunkSize` */
  readonly chunkSize?: number | undefined;
  /** Odoo context of every call. @default undefined */
  readonly context?: OdooContext | undefined;
  /** For creates: external id of each record (idempotent creates). @default undefined */
  readonly xmlid?: XmlidFunction | undefined;
}

/** Collects records for {@link batchOperation}. */
export class OperationCollector<T extends CollectedOperationType> {
  readonly #records: CollectedRecord[T][] = [];

  /** Adds one record (values to create, `{ id, ...values }` to update, or an id to delete). */
  add(record: CollectedRecord[T]): this {
    this.#records.push(record);
    return this;
  }

  /** The records collected so far. */
  get records(): readonly CollectedRecord[T][] {
    return this.#records;
  }
}

/**
 * Collects records of one operation type and applies them in chunks when `fn` returns (nothing if it throws).
 *
 * @returns for creates, the new ids in the order the records were added; otherwise `true`.
 * @throws BatchExecutionError when not every record was applied (with the partial results).
 *
 * @example
 * ```ts
 * const ids = await batchOperation(client, { model: 'res.partner', operationType: 'create', chunkSize: 50 }, (collector) => {
 *   collector.add({ name: 'Test Company 1' });
 *   collector.add({ name: 'Test Company 2' });
 * });
 * ```
 */
export async function batchOperation<T extends CollectedOperationType>(
  client: BatchManagerClient | BatchClient,
  options: BatchOperationCollectorOptions<T>,
  fn: (collector: OperationCollector<T>) => unknown,
): Promise<T extends 'create' ? number[] : true> {
  const { model, operationType, chunkSize, context, xmlid, onProgress, onEvent, signal, onError, ...managerOptions } =
    options ?? ({} as never);
  if (!['create', 'update', 'delete'].includes(operationType)) {
    throw new TypeError(
      `Expected \`operationType\` to be 'create', 'update' or 'delete', got ${describeInput(operationType)}.`,
    );
  }
  if (typeof fn !== 'function')
    throw new TypeError('Expected `batchOperation` to be given a function (collector) => { ... }.');
  const collector = new OperationCollector<T>();
  await fn(collector);
  const manager = new BatchManager(client as BatchManagerClient, managerOptions);
  const bulk = { chunkSize, context, onError, onProgress, onEvent, signal };
  const records: readonly unknown[] = collector.records;
  switch (operationType) {
    case 'create':
      return (await manager.bulkCreate(model, records as readonly RecordValues[], {
        ...bulk,
        xmlid,
      })) as T extends 'create' ? number[] : true;
    case 'update':
      return (await manager.bulkUpdate(model, records as readonly RecordUpdate[], bulk)) as T extends 'create'
        ? number[]
        : true;
    default:
      return (await manager.bulkDelete(model, records as readonly number[], bulk)) as T extends 'create'
        ? number[]
        : true;
  }
}
