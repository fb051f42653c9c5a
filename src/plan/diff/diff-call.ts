/**
 * The selection of a `call` step: which records its method would be called on, now. A call is not idempotent by
 * itself (`action_confirm` on a confirmed order raises a UserError), so a call step is idempotent by its selection:
 * the records are selected when the step runs, and a `where` that the method moves records out of selects none the
 * next time.
 *
 * - `where` only: every record matching the domain, read in pages by id.
 * - `key` + `records`: the record of each key (one read per chunk of keys), and, with a `where` too, only those that
 *   also match the domain (the domain guards the keyed records; the others count as unchanged).
 *
 * The dry run collects the selection into the step's {@link DiffCalls}; the apply streams it chunk by chunk into the
 * Batch API, as it streams the creates and updates of other steps.
 *
 * @packageDocumentation
 */
import { keyPart, keyString } from '../../batch/send/record-keys.js';
import type { FieldInfo } from '../../client/types.js';
import { evaluateWhere } from '../evaluate/evaluate-record.js';
import type { EvaluatedRow } from '../evaluate/row-evaluator.js';
import { fail, rowEvaluator, rowProblem } from '../evaluate/row-evaluator.js';
import type { DiffCallRecord, DiffCalls, DiffCreate, DiffDelete, DiffUpdate, StepDiff } from '../model/diff-types.js';
import type { PlanStep } from '../model/plan-types.js';
import type { ReadRecord, StateReader } from '../references/state-reader.js';
import { openRecordBatches } from '../sources/record-provider.js';
import type { Plan } from '../model/plan-types.js';
import type { ReferenceResolver } from '../evaluate/evaluate-record.js';

/** What the selection of a call step needs of the diff's options (`DiffStepOptions` satisfies it). */
export interface CallDiffOptions {
  readonly plan: Plan;
  readonly step: PlanStep;
  readonly reader: StateReader;
  readonly resolver: ReferenceResolver;
  readonly signal?: AbortSignal | undefined;
  /** Earlier steps create records the selection may hold (dry run): missing keys are then not an error. */
  readonly pendingSelection?: boolean;
}

/** One chunk of a call step's selection, in the shape of the diff's chunks (`ChunkDiff`). */
export interface CallChunkDiff {
  readonly creates: DiffCreate[];
  readonly updates: DiffUpdate[];
  readonly deletes: DiffDelete[];
  readonly unchanged: number;
  readonly size: number;
  readonly calls: readonly DiffCallRecord[];
}

/** A record's display name as the diff shows it. */
function displayName(record: ReadRecord): string {
  const name = record['display_name'];
  return typeof name === 'string' ? name : String(record.id);
}

/** Options of {@link selectCallRecords}: where the selection reads, and what it selects. */
export interface CallSelection {
  /** The step's model. */
  readonly model: string;
  /** Context of the reads (the step's). */
  readonly context: Readonly<Record<string, unknown>>;
  /** The domain, evaluated; `undefined` when the step has none. */
  readonly where: readonly unknown[] | undefined;
  /** Reads the target. */
  readonly reader: StateReader;
  /** Records per read. */
  readonly chunkSize: number;
  /** Cancels the reads. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Of the records `ids`, those that match `where` now (one read). Used to guard keyed records, to check a saved diff's
 * reviewed records, and to reconcile a call whose answer was lost (a record still matching was not called).
 */
export async function stillMatching(
  selection: Omit<CallSelection, 'chunkSize'>,
  ids: readonly number[],
): Promise<Map<number, ReadRecord>> {
  if (ids.length === 0) return new Map();
  const rows = await selection.reader.searchRead(
    selection.model,
    [['id', 'in', [...ids]], ...((selection.where ?? []) as never[])],
    ['display_name'],
    { context: selection.context, signal: selection.signal },
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/** The records matching `where`, a page at a time, in id order. */
export async function* selectWhere(selection: CallSelection): AsyncGenerator<DiffCallRecord[]> {
  for await (const page of selection.reader.readWhere(
    selection.model,
    (selection.where ?? []) as never,
    [],
    selection.chunkSize,
    { context: selection.context, signal: selection.signal },
  )) {
    yield page.map((record) => ({ id: record.id, displayName: displayName(record) }));
  }
}

/** One keyed record to select: its key (parts and canonical string) and its row. */
export interface CallKey {
  readonly parts: readonly unknown[];
  readonly key: string;
  readonly row: number;
}

/** What one chunk of keys selected. */
export interface KeyedSelection {
  /** The records to call, in key order. */
  readonly records: DiffCallRecord[];
  /** Keys whose record exists but does not match the domain (already moved out of it): nothing to call. */
  readonly guarded: number;
  /** Keys no record has. */
  readonly missing: readonly CallKey[];
}

/**
 * The records of `keys` (one read by key), and with a domain only those that also match it (a second read).
 *
 * @throws PlanValidationError (through `ambiguous`) when several records have one key.
 */
export async function selectByKeys(
  selection: CallSelection,
  keyFields: readonly string[],
  keys: readonly CallKey[],
  ambiguous: (key: CallKey, ids: readonly number[]) => never,
): Promise<KeyedSelection> {
  const found = await selection.reader.readByKeys(
    selection.model,
    keyFields,
    keys.map((key) => key.parts),
    [],
    { context: selection.context, signal: selection.signal },
  );
  const byKey = new Map<string, ReadRecord[]>();
  for (const record of found) {
    const key = keyString(keyFields.map((field) => keyPart(record[field])));
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [record]);
    else list.push(record);
  }
  const guard =
    selection.where === undefined
      ? undefined
      : await stillMatching(
          selection,
          found.map((record) => record.id),
        );
  const records: DiffCallRecord[] = [];
  const missing: CallKey[] = [];
  let guarded = 0;
  for (const key of keys) {
    const matches = byKey.get(key.key) ?? [];
    if (matches.length > 1)
      ambiguous(
        key,
        matches.map((record) => record.id),
      );
    const match = matches[0];
    if (match === undefined) missing.push(key);
    else if (guard !== undefined && !guard.has(match.id)) guarded += 1;
    else records.push({ id: match.id, displayName: displayName(match), key: key.key, row: key.row });
  }
  return { records, guarded, missing };
}

/** A chunk of a call step's selection, with the keys it covered (for the diff's `keys`). */
interface CallChunk {
  readonly chunk: CallChunkDiff;
  readonly keys: readonly string[];
}

/** The selection of a call step, chunk by chunk, with `domain` already evaluated. */
async function* callChunks(
  options: CallDiffOptions,
  fields: Record<string, FieldInfo>,
  chunkSize: number,
  domain: readonly unknown[] | undefined,
): AsyncGenerator<CallChunk> {
  const { plan, step, reader, resolver, signal } = options;
  const selection: CallSelection = {
    model: step.model,
    context: step.context,
    where: domain,
    reader,
    chunkSize,
    signal,
  };
  if (step.records === undefined) {
    for await (const calls of selectWhere(selection)) {
      yield {
        chunk: { creates: [], updates: [], deletes: [], unchanged: 0, size: calls.length, calls },
        keys: [],
      };
    }
    return;
  }
  const evaluate = rowEvaluator(step, fields, resolver, signal);
  for await (const rows of rechunk(openRecordBatches(plan, step, { signal }), chunkSize)) {
    const keys: CallKey[] = [];
    for (const row of rows) {
      const item: EvaluatedRow = await evaluate(row);
      keys.push({ parts: item.keyParts!, key: item.key!, row: row.row });
    }
    const selected = await selectByKeys(selection, step.key, keys, (key, ids) =>
      fail(step, [
        rowProblem(
          rows.find((row) => row.row === key.row)!,
          `${ids.length} records of ${step.model} match the key ${key.key} (ids ${ids.join(', ')})`,
          'make the key unique in the target, or choose key fields that identify one record',
        ),
      ]),
    );
    // A key that nothing has yet may be a record an earlier step creates: only a dry run can meet one (the apply
    // runs this step after them), and there the selection is marked pending. Otherwise the plan names a record that
    // does not exist.
    const first = selected.missing[0];
    if (first !== undefined && options.pendingSelection !== true) {
      fail(
        step,
        selected.missing.map((key) =>
          rowProblem(
            rows.find((row) => row.row === key.row)!,
            `no record of ${step.model} has the key ${key.key}`,
            'a call step calls its method on existing records only: check the key, or create the record first',
          ),
        ),
      );
    }
    yield {
      chunk: {
        creates: [],
        updates: [],
        deletes: [],
        unchanged: selected.guarded,
        size: rows.length,
        calls: selected.records,
      },
      keys: keys.map((key) => key.key),
    };
  }
}

/** Regroups batches of rows into chunks of `size` (the last one may be smaller). */
async function* rechunk<T>(batches: AsyncIterable<readonly T[]>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const batch of batches) {
    for (const item of batch) {
      chunk.push(item);
      if (chunk.length === size) {
        yield chunk;
        chunk = [];
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** The selection of a call step chunk by chunk, for the apply: each chunk's `calls` are the records to call. */
export async function* diffCallChunks(
  options: CallDiffOptions,
  fields: Record<string, FieldInfo>,
  chunkSize: number,
): AsyncGenerator<CallChunkDiff> {
  const domain = await evaluateWhere(options.step, options.resolver, { signal: options.signal });
  for await (const { chunk } of callChunks(options, fields, chunkSize, domain)) yield chunk;
}

/** The {@link StepDiff} of a call step (dry run): the records its method would be called on, and how they are chosen. */
export async function diffCallStep(options: CallDiffOptions, chunkSize: number): Promise<StepDiff> {
  const { step } = options;
  const fields = await options.reader.fieldsOf(step.model, { signal: options.signal });
  const domain = await evaluateWhere(step, options.resolver, { signal: options.signal });
  const records: DiffCallRecord[] = [];
  const keys: string[] = [];
  let unchanged = 0;
  for await (const { chunk, keys: chunkKeys } of callChunks(options, fields, chunkSize, domain)) {
    records.push(...(chunk.calls ?? []));
    keys.push(...chunkKeys);
    unchanged += chunk.unchanged;
  }
  const call = step.call;
  const calls: DiffCalls = {
    method: call?.method ?? '',
    ...(call !== undefined && call.args.length > 0 ? { args: call.args } : {}),
    ...(call !== undefined && Object.keys(call.kwargs).length > 0 ? { kwargs: call.kwargs } : {}),
    ...(domain === undefined ? {} : { where: domain }),
    ...(step.records === undefined ? {} : { keys }),
    records,
    ...(options.pendingSelection === true ? { pendingSelection: true as const } : {}),
  };
  return {
    step: step.id,
    model: step.model,
    action: step.action,
    creates: [],
    updates: [],
    deletes: [],
    unchanged,
    ...(step.key.length > 0 ? { keyFields: step.key } : {}),
    chunkSize: step.chunkSize,
    context: step.context,
    calls,
  };
}

/** Whether `step` is a call step (its records are selected, not written). */
export function isCallStep(step: PlanStep): boolean {
  return step.action === 'call';
}
