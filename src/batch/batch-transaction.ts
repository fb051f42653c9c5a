/**
 * {@link BatchTransaction}: records what each write did and, when the transaction's callback throws, compensates in
 * reverse order.
 *
 * Odoo commits every RPC call on its own; there is no way to hold a database transaction open across calls. This is
 * therefore **compensation, not ACID**: between the writes and their compensation other users can see (and change)
 * the intermediate state, compensation can itself fail, and re-created records get new ids. The
 * {@link TransactionError} thrown at the end says exactly what was undone and what was not.
 *
 * @packageDocumentation
 */
import { BatchExecutionError, TransactionError, UnexpectedError, ZenooError } from '../errors.js';
import type { CompensationReport, CompensationStep } from '../errors.js';
import type { CallOptions, FieldInfo } from '../client/types.js';
import type {
  BulkCreateOptions,
  BulkOptions,
  BulkUpdateOptions,
  BulkWriter,
  TransactionClient,
} from './bulk-options.js';
import type { OdooContext, RecordSource, RecordValues } from './operations/batch-operation.js';
import { isArraySource } from './operations/batch-operation.js';
import type { RecordUpdate } from './operations/update-operation.js';

/** Options of the single-call writes of a transaction. */
export interface TransactionCallOptions {
  /** Odoo context of the call. @default undefined */
  readonly context?: OdooContext | undefined;
  /** Aborts the call. @default the transaction's signal */
  readonly signal?: AbortSignal | undefined;
}

/** One recorded write, enough to undo it. */
type RecordedWrite =
  | { readonly kind: 'created'; readonly model: string; readonly ids: readonly number[] }
  | { readonly kind: 'updated'; readonly model: string; readonly before: readonly RecordUpdate[] }
  | { readonly kind: 'deleted'; readonly model: string; readonly records: readonly RecordUpdate[] };

/** Fields never written back: maintained by Odoo itself. */
const MAGIC_FIELDS = new Set([
  'id',
  'display_name',
  'create_uid',
  'create_date',
  'write_uid',
  'write_date',
  '__last_update',
]);
/** Ids per read call while saving state (keeps each call small). */
const READ_CHUNK = 500;

/**
 * The writes of a transaction. Only writes made through this object are recorded (a write made directly on the
 * client or manager inside the callback is not compensated).
 */
export class BatchTransaction {
  readonly #manager: BulkWriter;
  readonly #client: TransactionClient;
  readonly #signal: AbortSignal | undefined;
  readonly #writes: RecordedWrite[] = [];
  readonly #fields = new Map<string, Promise<Record<string, FieldInfo>>>();

  /** Use `BatchManager.transaction`. */
  constructor(manager: BulkWriter, signal?: AbortSignal) {
    this.#manager = manager;
    this.#client = manager.client;
    this.#signal = signal;
  }

  /** Number of writes recorded so far. */
  get recordedWrites(): number {
    return this.#writes.length;
  }

  /** Creates one record (or several in one call) and records the new ids. */
  async create(model: string, values: RecordValues, options?: TransactionCallOptions): Promise<number>;
  async create(model: string, values: readonly RecordValues[], options?: TransactionCallOptions): Promise<number[]>;
  async create(
    model: string,
    values: RecordValues | readonly RecordValues[],
    options: TransactionCallOptions = {},
  ): Promise<number | number[]> {
    const list = Array.isArray(values) ? (values as readonly RecordValues[]) : [values as RecordValues];
    const ids = (await this.#client.executeKw(model, 'create', [list], {}, this.#call(options))) as number[];
    this.#writes.push({ kind: 'created', model, ids });
    return Array.isArray(values) ? ids : ids[0]!;
  }

  /** Reads the current values of the written fields, then writes. */
  async write(
    model: string,
    ids: readonly number[],
    values: RecordValues,
    options: TransactionCallOptions = {},
  ): Promise<true> {
    const before = await this.#readForUndo(model, ids, Object.keys(values));
    await this.#client.executeKw(model, 'write', [ids, values], {}, this.#call(options));
    this.#writes.push({ kind: 'updated', model, before });
    return true;
  }

  /** Reads the full records, then deletes them. */
  async unlink(model: string, ids: readonly number[], options: TransactionCallOptions = {}): Promise<true> {
    const records = await this.#readForUndo(model, ids, undefined);
    await this.#client.executeKw(model, 'unlink', [ids], {}, this.#call(options));
    this.#writes.push({ kind: 'deleted', model, records });
    return true;
  }

  /** `BatchManager.bulkCreate`, recording the ids created (also those of a partly failed run). */
  async bulkCreate(
    model: string,
    records: RecordSource<RecordValues>,
    options: BulkCreateOptions = {},
  ): Promise<number[]> {
    try {
      const ids = await this.#manager.bulkCreate(model, records, this.#bulk(options));
      this.#writes.push({ kind: 'created', model, ids });
      return ids;
    } catch (error) {
      if (error instanceof BatchExecutionError) {
        const ids = error.ids.filter((id): id is number => id !== undefined);
        if (ids.length > 0) this.#writes.push({ kind: 'created', model, ids });
      }
      throw error;
    }
  }

  /** `BatchManager.bulkUpdate`, after reading the old values of the written fields (arrays only). */
  async bulkUpdate(
    model: string,
    data: RecordValues | readonly RecordUpdate[],
    options: BulkUpdateOptions = {},
  ): Promise<true> {
    let ids: readonly number[];
    let fields: string[];
    if (Array.isArray(data)) {
      const updates = data as readonly RecordUpdate[];
      ids = updates.map((update) => update.id);
      fields = [...new Set(updates.flatMap((update) => Object.keys(update).filter((key) => key !== 'id')))];
    } else {
      const recordIds = options.recordIds;
      if (recordIds === undefined || !isArraySource(recordIds)) {
        throw new TypeError(
          'In a transaction, bulkUpdate needs `recordIds` as an array (old values are read before writing).',
        );
      }
      ids = recordIds;
      fields = Object.keys(data);
    }
    const before = await this.#readForUndo(model, ids, fields);
    // Recorded before the run: a partly applied update is undone by writing the old values to every id (writing
    // the old values to a record that was not changed is harmless).
    this.#writes.push({ kind: 'updated', model, before });
    return this.#manager.bulkUpdate(model, data as RecordValues, this.#bulk(options));
  }

  /** `BatchManager.bulkDelete`, after reading the full records (arrays only). */
  async bulkDelete(model: string, recordIds: readonly number[], options: BulkOptions = {}): Promise<true> {
    if (!Array.isArray(recordIds)) {
      throw new TypeError(
        'In a transaction, bulkDelete needs `recordIds` as an array (records are read before deleting).',
      );
    }
    const records = await this.#readForUndo(model, recordIds, undefined);
    try {
      await this.#manager.bulkDelete(model, recordIds, this.#bulk(options));
      this.#writes.push({ kind: 'deleted', model, records });
      return true;
    } catch (error) {
      if (error instanceof BatchExecutionError) {
        const deleted = new Set(error.ids.filter((id): id is number => id !== undefined));
        const gone = records.filter((record) => deleted.has(record.id));
        if (gone.length > 0) this.#writes.push({ kind: 'deleted', model, records: gone });
      }
      throw error;
    }
  }

  /**
   * Undoes the recorded writes in reverse order and says what was undone. Re-created records get new ids; later
   * (earlier-recorded) steps are applied to the new ids.
   *
   * @internal called by {@link runTransaction}.
   */
  async compensate(): Promise<CompensationReport> {
    const compensated: CompensationStep[] = [];
    const failed: CompensationStep[] = [];
    // old id → new id of records re-created by compensation, per model.
    const renamed = new Map<string, Map<number, number>>();
    const current = (model: string, id: number): number => renamed.get(model)?.get(id) ?? id;
    for (const write of [...this.#writes].reverse()) {
      try {
        switch (write.kind) {
          case 'created': {
            const ids = write.ids.map((id) => current(write.model, id));
            await this.#unlinkExisting(write.model, ids);
            compensated.push({ action: 'unlink-created', model: write.model, ids: write.ids });
            break;
          }
          case 'updated': {
            for (const group of groupByValues(write.before)) {
              await this.#client.executeKw(
                write.model,
                'write',
                [group.ids.map((id) => current(write.model, id)), group.values],
                {},
                {},
              );
            }
            compensated.push({ action: 'restore-values', model: write.model, ids: write.before.map((r) => r.id) });
            break;
          }
          case 'deleted': {
            const values = write.records.map(({ id: _id, ...rest }) => rest);
            const newIds = (await this.#client.executeKw(write.model, 'create', [values], {}, {})) as number[];
            const map = renamed.get(write.model) ?? new Map<number, number>();
            write.records.forEach((record, i) => map.set(record.id, newIds[i]!));
            renamed.set(write.model, map);
            compensated.push({
              action: 'recreate-deleted',
              model: write.model,
              ids: write.records.map((r) => r.id),
              newIds,
            });
            break;
          }
        }
      } catch (error) {
        const action =
          write.kind === 'created'
            ? 'unlink-created'
            : write.kind === 'updated'
              ? 'restore-values'
              : 'recreate-deleted';
        const ids =
          write.kind === 'created'
            ? write.ids
            : write.kind === 'updated'
              ? write.before.map((r) => r.id)
              : write.records.map((r) => r.id);
        failed.push({ action, model: write.model, ids, error: UnexpectedError.wrap(error, { model: write.model }) });
      }
    }
    return Object.freeze({ compensated, failed, complete: failed.length === 0 });
  }

  async #unlinkExisting(model: string, ids: readonly number[]): Promise<void> {
    // Some may already be gone (deleted later in the transaction): unlink only those that exist.
    const alive = (await this.#client.executeKw(
      model,
      'search',
      [[['id', 'in', ids]]],
      {},
      { context: { active_test: false } },
    )) as number[];
    if (alive.length > 0) await this.#client.executeKw(model, 'unlink', [alive], {}, {});
  }

  /** Reads `fields` (or every restorable field) of `ids`, in write format, for undoing a write or a delete. */
  async #readForUndo(model: string, ids: readonly number[], fields: string[] | undefined): Promise<RecordUpdate[]> {
    const info = await this.#fieldsOf(model);
    const wanted =
      fields ??
      Object.entries(info)
        .filter(
          ([name, field]) =>
            !MAGIC_FIELDS.has(name) && field.store !== false && field.readonly !== true && field.type !== 'one2many',
        )
        .map(([name]) => name);
    const records: RecordUpdate[] = [];
    for (let start = 0; start < ids.length; start += READ_CHUNK) {
      const rows = (await this.#client.executeKw(
        model,
        'read',
        [ids.slice(start, start + READ_CHUNK), wanted],
        {},
        {
          ...this.#call({}),
          context: { active_test: false },
        },
      )) as Record<string, unknown>[];
      for (const row of rows) records.push(toWriteFormat(row, wanted, info));
    }
    return records;
  }

  #fieldsOf(model: string): Promise<Record<string, FieldInfo>> {
    let fields = this.#fields.get(model);
    if (fields === undefined) {
      fields = this.#client.executeKw(
        model,
        'fields_get',
        [],
        { attributes: ['type', 'store', 'readonly', 'relation'] },
        this.#call({}),
      ) as Promise<Record<string, FieldInfo>>;
      this.#fields.set(model, fields);
    }
    return fields;
  }

  #call(options: TransactionCallOptions): CallOptions {
    const signal = options.signal ?? this.#signal;
    return {
      ...(signal === undefined ? {} : { signal }),
      ...(options.context === undefined ? {} : { context: options.context }),
    };
  }

  #bulk<T extends BulkOptions>(options: T): T {
    return options.signal === undefined && this.#signal !== undefined ? { ...options, signal: this.#signal } : options;
  }
}

/** Converts a `read` row to values `write`/`create` accept. */
function toWriteFormat(
  row: Record<string, unknown>,
  fields: readonly string[],
  info: Record<string, FieldInfo>,
): RecordUpdate {
  const values: Record<string, unknown> = { id: row['id'] as number };
  for (const field of fields) {
    if (!(field in row)) continue;
    const value = row[field];
    const type = info[field]?.type;
    if (type === 'many2one') values[field] = Array.isArray(value) ? value[0] : value;
    else if (type === 'many2many' || type === 'one2many') values[field] = [[6, 0, Array.isArray(value) ? value : []]];
    else values[field] = value;
  }
  return values as RecordUpdate;
}

/** Groups records by identical values, so that restoring takes one write per distinct set. */
function groupByValues(records: readonly RecordUpdate[]): { ids: number[]; values: RecordValues }[] {
  const groups = new Map<string, { ids: number[]; values: RecordValues }>();
  for (const { id, ...values } of records) {
    const key = JSON.stringify(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : 1)));
    const group = groups.get(key);
    if (group) group.ids.push(id);
    else groups.set(key, { ids: [id], values });
  }
  return [...groups.values()];
}

/**
 * Runs `fn` in a compensating transaction of `manager`.
 *
 * @internal use `BatchManager.transaction`.
 */
export async function runTransaction<T>(
  manager: BulkWriter,
  fn: (tx: BatchTransaction) => Promise<T> | T,
  options: { readonly signal?: AbortSignal | undefined } = {},
): Promise<T> {
  if (typeof fn !== 'function') throw new TypeError('Expected `transaction` to be given a function (tx) => { ... }.');
  const tx = new BatchTransaction(manager, options.signal);
  try {
    return await fn(tx);
  } catch (error) {
    // Compensation runs even after an abort: leaving half a transaction behind is worse than finishing the undo.
    const report = await tx.compensate();
    const reason = error instanceof Error ? error.message : String(error);
    const undone = `${report.compensated.length} of ${report.compensated.length + report.failed.length} recorded write(s) compensated`;
    const message = report.complete
      ? `The transaction failed (${reason}); ${undone}. Odoo had committed each write: this was compensation, not a rollback.`
      : `The transaction failed (${reason}) and could not be fully compensated: ${undone}; ` +
        `${report.failed.map((step) => `${step.action} on ${step.model} ${JSON.stringify(step.ids)}: ${step.error?.message ?? ''}`).join('; ')}. ` +
        'Fix those records by hand.';
    throw new TransactionError(message, report, {
      cause: error instanceof ZenooError || error instanceof Error ? error : undefined,
    });
  }
}
