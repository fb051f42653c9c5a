/**
 * {@link UpdateOperation}: write one set of values to many ids, or per-record values grouped into as few `write`
 * calls as possible.
 *
 * @packageDocumentation
 */
import { nextChunkSize } from '../chunk-sizing.js';
import type { ChunkSizing } from '../chunk-sizing.js';
import { describeInput } from '../batch-options.js';
import { BatchOperation, assertRecordSource, isArraySource } from './batch-operation.js';
import { readBatches } from '../read-batches.js';
import type { BatchOperationOptions, PlannedChunk, RecordSource, RecordValues } from './batch-operation.js';

/** Per-record update: the record `id` plus the values to write to it. */
export type RecordUpdate = Readonly<{ id: number } & Record<string, unknown>>;

/** Options of an {@link UpdateOperation}. */
export interface UpdateOperationOptions extends BatchOperationOptions {
  /**
   * The ids to write when `data` is one set of values (required then, refused otherwise).
   * @default undefined
   */
  readonly recordIds?: RecordSource<number> | undefined;
}

/**
 * Updates records of one model.
 *
 * With one set of values (`data` an object, plus `recordIds`), every chunk is one `write(ids, values)`.
 * With per-record updates (`data` a list of `{ id, ...values }`), records whose values are identical are grouped into
 * one `write` per chunk, so 10,000 updates falling into 10 distinct value sets take 10 × ⌈1000/chunkSize⌉ calls
 * instead of 10,000. The caller's objects are never changed.
 *
 * @example
 * ```ts
 * new UpdateOperation('res.partner', { active: true }, { recordIds: [1, 2, 3, 4, 5] }).isBulkOperation(); // true
 * new UpdateOperation('res.partner', [{ id: 1, name: 'N1' }, { id: 2, name: 'N2' }]).batchSize; // 2
 * ```
 */
export class UpdateOperation extends BatchOperation {
  readonly operationType = 'update' as const;
  /** One set of values for all `recordIds`, or per-record updates. */
  readonly data: RecordValues | RecordSource<RecordUpdate>;
  /** The ids to write when `data` is one set of values. */
  readonly recordIds: RecordSource<number> | undefined;

  constructor(model: string, data: RecordValues | RecordSource<RecordUpdate>, options: UpdateOperationOptions = {}) {
    super(model, options);
    const { recordIds } = options;
    const perRecord =
      data !== null && typeof data === 'object' && (Symbol.iterator in data || Symbol.asyncIterator in data);
    if (perRecord) {
      if (recordIds !== undefined) {
        throw new TypeError(
          'Expected either `data` as one object of values with `recordIds`, or `data` as a list of { id, ...values } without `recordIds`; got both a list and `recordIds`.',
        );
      }
    } else {
      if (data === null || typeof data !== 'object') {
        throw new TypeError(
          `Expected \`data\` to be an object of values or a list of { id, ...values }, got ${describeInput(data)}.`,
        );
      }
      if (recordIds === undefined) {
        throw new TypeError(
          '`recordIds` is required when `data` is one object of values: give the ids to write them to.',
        );
      }
      assertRecordSource(recordIds, 'recordIds');
    }
    this.data = data;
    this.recordIds = recordIds;
  }

  get batchSize(): number | undefined {
    if (this.recordIds !== undefined) return isArraySource(this.recordIds) ? this.recordIds.length : undefined;
    return isArraySource(this.data as RecordSource<RecordUpdate>)
      ? (this.data as readonly RecordUpdate[]).length
      : undefined;
  }

  override isBulkOperation(): boolean {
    return this.recordIds !== undefined;
  }

  validate(): void {
    if (this.recordIds !== undefined) {
      this.checkValues(this.data, undefined, false);
      if (Object.keys(this.data).length === 0) throw this.invalid('`data` has no field to write.');
      if (isArraySource(this.recordIds)) this.checkIds(this.recordIds);
      return;
    }
    const updates = this.data as RecordSource<RecordUpdate>;
    if (!isArraySource(updates)) return;
    const seen = new Map<number, number>();
    updates.forEach((update, index) => this.checkUpdate(update, index, seen));
  }

  split(chunkSize: number): UpdateOperation[] {
    const parts: UpdateOperation[] = [];
    if (this.recordIds !== undefined) {
      if (!isArraySource(this.recordIds)) throw this.unsplittable();
      for (let start = 0; start < this.recordIds.length; start += chunkSize) {
        parts.push(
          new UpdateOperation(this.model, this.data as RecordValues, {
            ...this.baseOptions(parts.length),
            recordIds: this.recordIds.slice(start, start + chunkSize),
          }),
        );
      }
      return parts;
    }
    const updates = this.data as RecordSource<RecordUpdate>;
    if (!isArraySource(updates)) throw this.unsplittable();
    for (let start = 0; start < updates.length; start += chunkSize) {
      parts.push(
        new UpdateOperation(this.model, updates.slice(start, start + chunkSize), this.baseOptions(parts.length)),
      );
    }
    return parts;
  }

  touchedIds(): ReadonlySet<number> | 'unknown' {
    if (this.recordIds !== undefined) return isArraySource(this.recordIds) ? new Set(this.recordIds) : 'unknown';
    const updates = this.data as RecordSource<RecordUpdate>;
    return isArraySource(updates) ? new Set(updates.map((update) => update.id)) : 'unknown';
  }

  async *planChunks(chunkSize: ChunkSizing): AsyncGenerator<PlannedChunk, void, undefined> {
    if (this.recordIds !== undefined) {
      yield* this.planBulk(chunkSize);
    } else {
      yield* this.planGrouped(chunkSize);
    }
  }

  private async *planBulk(chunkSize: ChunkSizing): AsyncGenerator<PlannedChunk, void, undefined> {
    this.checkValues(this.data, undefined, false);
    if (Object.keys(this.data).length === 0) throw this.invalid('`data` has no field to write.');
    const values = Object.freeze({ ...(this.data as RecordValues) });
    const recordIds = this.recordIds as RecordSource<number>;
    const validated = isArraySource(recordIds); // checked in full by validate()
    let chunkIndex = 0;
    let index = 0;
    for await (const ids of readBatches(recordIds, chunkSize)) {
      const inputIndexes: number[] = [];
      for (const id of ids) {
        if (!validated) this.checkId(id, index);
        inputIndexes.push(index++);
      }
      yield { index: chunkIndex++, inputIndexes, ids, values };
    }
  }

  /**
   * Groups per-record updates by identical values. A group is sent as soon as it holds `chunkSize` ids; the rest are
   * sent when the input ends, or when a batch of the input comes short (a {@link BatchedRecordSource} whose producer
   * flushed it: it waits for what it gave to be written). Memory is bounded by (distinct value sets × chunkSize),
   * whatever the input's length.
   */
  private async *planGrouped(chunkSize: ChunkSizing): AsyncGenerator<PlannedChunk, void, undefined> {
    const groups = new Map<string, { values: RecordValues; ids: number[]; inputIndexes: number[] }>();
    // Ids already seen: writing the same record twice in one operation would make the result depend on write order,
    // which grouping changes. About 50 bytes per record of a stream (an array was checked in full by validate()).
    const seen = new Map<number, number>();
    const validated = isArraySource(this.data as RecordSource<RecordUpdate>);
    let chunkIndex = 0;
    let index = 0;
    // The size each batch of the input was asked for (a tuned size changes between batches): a shorter one was flushed.
    let asked = 0;
    const sizing = (): number => (asked = nextChunkSize(chunkSize));
    for await (const batch of readBatches(this.data as RecordSource<RecordUpdate>, sizing)) {
      for (const update of batch) {
        if (!validated) this.checkUpdate(update, index, seen);
        const { id, ...rest } = update;
        const key = signature(rest);
        let group = groups.get(key);
        if (group === undefined) {
          group = { values: Object.freeze(rest), ids: [], inputIndexes: [] };
          groups.set(key, group);
        }
        group.ids.push(id);
        group.inputIndexes.push(index);
        index += 1;
        if (group.ids.length >= nextChunkSize(chunkSize)) {
          yield { index: chunkIndex++, inputIndexes: group.inputIndexes, ids: group.ids, values: group.values };
          groups.delete(key);
        }
      }
      if (batch.length < asked) {
        for (const group of groups.values()) {
          yield { index: chunkIndex++, inputIndexes: group.inputIndexes, ids: group.ids, values: group.values };
        }
        groups.clear();
      }
    }
    for (const group of groups.values()) {
      yield { index: chunkIndex++, inputIndexes: group.inputIndexes, ids: group.ids, values: group.values };
    }
  }

  private checkUpdate(update: RecordUpdate, index: number, seen: Map<number, number>): void {
    this.checkValues(update, index, true);
    this.checkId(update.id, index);
    if (Object.keys(update).length < 2)
      throw this.invalid(`update of record ${update.id} has no field to write besides \`id\`.`, index);
    const first = seen.get(update.id);
    if (first !== undefined) {
      throw this.invalid(
        `record id ${update.id} is also updated by record ${first}; merge the two updates into one.`,
        index,
      );
    }
    seen.set(update.id, index);
  }

  private checkIds(ids: readonly unknown[]): void {
    ids.forEach((id, index) => this.checkId(id, index));
  }

  private unsplittable(): TypeError {
    return new TypeError(
      `Operation ${this.operationId} streams its records: it cannot be split without consuming them.`,
    );
  }
}

/** A canonical key for a set of values: equal values (in any key order) give equal keys. */
function signature(values: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(values, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}
