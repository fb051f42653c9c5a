/**
 * Computes what one plan step would change, chunk by chunk: evaluate the rows, read the matching records (one read
 * per chunk: by key, or by external id for a step without key), and sort every row into create, update (only the
 * fields that differ), delete or unchanged. The chunks come out in row order as an async generator, so a dry run can
 * collect them into a {@link StepDiff} while an apply streams them straight into the Batch API.
 *
 * @packageDocumentation
 */
import { RowReferenceError } from '../../errors.js';
import { readRecordNames } from './record-names.js';
import type { NameCache } from './record-names.js';
import type { FieldInfo } from '../../client/types.js';
import { evaluateWhere } from '../evaluate/evaluate-record.js';
import { planModule } from '../evaluate/plan-xmlid.js';
import type { EvaluatedRow } from '../evaluate/row-evaluator.js';
import { fail, rowEvaluator, rowProblem, whereValues } from '../evaluate/row-evaluator.js';
import type { DiffCallRecord, DiffCreate, DiffDelete, DiffUpdate, PendingRef, StepDiff } from '../model/diff-types.js';
import { diffCallChunks, diffCallStep } from './diff-call.js';
import { changedFields } from '../model/field-values.js';
import type { Plan, PlanStep, SourceRow } from '../model/plan-types.js';
import { keyPart, keyString } from '../../batch/send/record-keys.js';
import type { PlanResolver } from '../references/plan-resolver.js';
import type { ReadRecord, StateReader } from '../references/state-reader.js';
import { seenRecord } from './seen-record.js';
import { openRecordBatches } from '../sources/record-provider.js';
import { selfReferences } from '../model/self-references.js';
import { stepLevels } from './step-levels.js';
import type { ChunkLines } from './diff-lines.js';
import { LinesDiffer, lineNames } from './diff-lines.js';

/**
 * Rows read per call when diffing, unless the step's chunk size is larger. Reads are cheap per record but each call
 * has a fixed cost on the server; reading in larger chunks than the writes keeps an apply close to a bare bulk
 * create (writes keep the step's own chunk size).
 */
export const DEFAULT_READ_CHUNK_SIZE = 2000;

/** What one chunk of rows (or of `where` matches) would change. */
export interface ChunkDiff {
  readonly creates: DiffCreate[];
  readonly updates: DiffUpdate[];
  readonly deletes: DiffDelete[];
  /** Rows (or records) that already match. */
  readonly unchanged: number;
  /** Rows (or records) this chunk covered. */
  readonly size: number;
  /** The source columns of the rows to create or update, by row number (for the rejects file). */
  readonly sources?: ReadonlyMap<number, Readonly<Record<string, unknown>>>;
  /**
   * Rows left out because a reference found nothing when the step ran (a lookup on a model an earlier step writes):
   * the apply rejects them with their file and row, and goes on with the others.
   */
  readonly rejected?: readonly RejectedRow[];
  /** For a call step: the records of this chunk to call the step's method on. */
  readonly calls?: readonly DiffCallRecord[];
}

/** A row the diff left out, and why. */
export interface RejectedRow {
  /** The row. */
  readonly row: SourceRow;
  /** Why (its problem names the file and row). */
  readonly error: RowReferenceError;
}

/** Options of {@link diffStepChunks}. */
export interface DiffStepOptions {
  /** The plan. */
  readonly plan: Plan;
  /** The step to diff. */
  readonly step: PlanStep;
  /** Reads the target. */
  readonly reader: StateReader;
  /** Resolves references; the step's keys are registered in it as they are matched (and, in a dry run, as pending). */
  readonly resolver: PlanResolver;
  /** Whether records to create are registered as {@link PendingRef}s (dry run) rather than left for apply. */
  readonly pendingCreates: boolean;
  /**
   * Whether the step's keys are registered in the resolver at all. An apply turns it off for a step that no other
   * step refers to, so that a large step does not keep a map of every key it matched. @default true
   */
  readonly registerKeys?: boolean;
  /**
   * Rows evaluated and read at once. @default max(the step's chunk size, DEFAULT_READ_CHUNK_SIZE), reached by doubling
   * from the step's chunk size (the first read is small, so that the first writes start early)
   */
  readonly chunkSize?: number;
  /** Cancels the diff. */
  readonly signal?: AbortSignal | undefined;
  /** The dry run's cache of record names (see `readRecordNames`), shared by its steps. @default one per step */
  readonly names?: NameCache | undefined;
  /**
   * For a step that refers to itself, whose rows are diffed level by level: awaited after a level's last chunk was
   * yielded and before the next level's rows are evaluated. An apply resolves it once every record handed over so far
   * was created (its key registered, so that the next level's references find it) or updated. @default none (a dry
   * run: the keys are registered, as pending, by the time a level's chunks are yielded)
   */
  readonly settle?: (() => Promise<void>) | undefined;
  /**
   * For a call step in a dry run: earlier steps create records this step may select, so its selection is shown as
   * pending (and a key that no record has yet is not an error). @default false
   */
  readonly pendingSelection?: boolean;
}

/**
 * Regroups batches of rows into arrays of `first` items, then twice as many each time up to `max`. Starting small gets
 * the first writes of an apply going after a short read instead of a full-size one; growing keeps the number of reads
 * low. Works on whole batches (one await per batch, not per row).
 */
async function* inChunks<T>(batches: AsyncIterable<readonly T[]>, first: number, max: number): AsyncGenerator<T[]> {
  let size = Math.min(first, max);
  let chunk: T[] = [];
  for await (const batch of batches) {
    let offset = 0;
    while (offset < batch.length) {
      const take = Math.min(size - chunk.length, batch.length - offset);
      for (let i = 0; i < take; i += 1) chunk.push(batch[offset + i] as T);
      offset += take;
      if (chunk.length === size) {
        yield chunk;
        chunk = [];
        size = Math.min(size * 2, max);
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Reads of the next chunks overlap with the work on the current one; this many run ahead. */
const READ_AHEAD = 2;

/**
 * Maps `source` through `work` with up to `ahead + 1` calls in flight, yielding results in source order.
 * Keeps a diff's reads from adding one round trip per chunk to an apply.
 */
async function* ordered<T, R>(
  source: AsyncIterable<T>,
  ahead: number,
  work: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      while (pending.length <= ahead) {
        const next = await iterator.next();
        if (next.done) {
          while (pending.length > 0) yield await pending.shift()!;
          return;
        }
        const promise = work(next.value);
        // Failures surface when the result is awaited in order; until then they must not be unhandled.
        promise.catch(() => undefined);
        pending.push(promise);
      }
      yield await pending.shift()!;
    }
  } finally {
    await iterator.return?.();
  }
}

/**
 * Diffs one step chunk by chunk, in row order.
 *
 * @throws PlanValidationError for bad rows (unknown fields, empty or duplicate keys, ambiguous matches, an update of a
 * record that does not exist), naming the data file and row.
 */
export async function* diffStepChunks(options: DiffStepOptions): AsyncGenerator<ChunkDiff> {
  const { plan, step, reader, resolver, signal } = options;
  const chunkSize = options.chunkSize ?? Math.max(step.chunkSize, DEFAULT_READ_CHUNK_SIZE);
  if (!Number.isInteger(chunkSize) || chunkSize < 1)
    throw new TypeError('Expected `chunkSize` to be an integer from 1 and up');
  const fields = await reader.fieldsOf(step.model, { signal });
  const readContext = step.context;

  if (step.action === 'call') {
    yield* diffCallChunks(options, fields, chunkSize);
    return;
  }
  if (step.records === undefined) {
    yield* diffWhere(options, fields, chunkSize);
    return;
  }

  const module = planModule(plan.name);
  const keyed = step.key.length > 0;
  const evaluate = rowEvaluator(step, fields, resolver, signal);
  // Documents with lines: the line file is grouped by parent once, and each chunk's live lines are read at once.
  const linesDiffer = await LinesDiffer.create({ plan, step, fields, reader, resolver, signal });

  const diffChunk = async (rows: SourceRow[]): Promise<ChunkDiff> => {
    // Rows are evaluated in order (references are resolved with caching), then the chunk's records are read at once.
    const evaluated: EvaluatedRow[] = [];
    const rejected: RejectedRow[] = [];
    const touchedSet = new Set<string>();
    for (const row of rows) {
      let item: EvaluatedRow;
      try {
        const pending = evaluate(row);
        // Most steps evaluate synchronously: skip the await (one microtask per row) when there is nothing to wait for.
        item = pending instanceof Promise ? await pending : pending;
      } catch (error) {
        if (!(error instanceof RowReferenceError)) throw error;
        rejected.push({ row, error });
        continue;
      }
      evaluated.push(item);
      for (const field in item.record) touchedSet.add(field);
    }
    // The one2many fields of the lines are read with the documents: their values are the live line ids.
    if (linesDiffer !== undefined && step.action !== 'create')
      for (const field of linesDiffer.documentFields) touchedSet.add(field);
    const touched = [...touchedSet];

    const matches = new Map<string, ReadRecord[]>();
    if (keyed) {
      const found = await reader.readByKeys(
        step.model,
        step.key,
        evaluated.map((item) => item.keyParts!),
        touched,
        {
          context: readContext,
          signal,
        },
      );
      for (const record of found) {
        const key = keyString(step.key.map((field) => keyPart(record[field])));
        const list = matches.get(key);
        if (list === undefined) matches.set(key, [record]);
        else list.push(record);
      }
    } else {
      const found = await reader.readByXmlids(
        step.model,
        module,
        evaluated.map((item) => item.xmlidName),
        touched,
        {
          context: readContext,
          signal,
        },
      );
      for (const [name, record] of found) matches.set(name, [record]);
    }
    let lines: ChunkLines | undefined;
    if (linesDiffer !== undefined) {
      // A create step leaves an existing document as it is, lines included: only documents to create get lines.
      lines = await linesDiffer.diff(
        evaluated.flatMap((item) => {
          const match = (matches.get(item.key ?? item.xmlidName) ?? [])[0];
          return step.action === 'create' && match !== undefined ? [] : [{ item, match }];
        }),
      );
      if (lines.rejected.length > 0) {
        const left = new Set(lines.rejected.map((rejection) => rejection.row));
        evaluated.splice(0, evaluated.length, ...evaluated.filter((item) => !left.has(item.row)));
        rejected.push(...lines.rejected);
      }
    }
    const diff = classify(options, fields, evaluated, matches, module, lines);
    return rejected.length === 0 ? diff : { ...diff, size: diff.size + rejected.length, rejected };
  };

  // With an explicit chunk size every read has that size; by default the first read has the step's write size.
  const firstChunk = options.chunkSize ?? Math.min(step.chunkSize, chunkSize);
  if (selfReferences(step).length === 0) {
    const rows = inChunks(openRecordBatches(plan, step, { signal }), firstChunk, chunkSize);
    yield* ordered(rows, READ_AHEAD, diffChunk);
    return;
  }
  // A step referring to itself: level by level, each level's chunks read ahead only within the level, so that no row
  // is evaluated before the rows it refers to are registered (see DiffStepOptions.settle).
  const { levels, declared } = await stepLevels(plan, step, signal);
  resolver.declareOwnKeys(step.id, declared);
  for (const [index, level] of levels.entries()) {
    if (index > 0) await options.settle?.();
    yield* ordered(inChunks(oneBatch(level), firstChunk, chunkSize), READ_AHEAD, diffChunk);
  }
}

/** `rows` as a source of one batch. */
async function* oneBatch<T>(rows: readonly T[]): AsyncGenerator<readonly T[]> {
  yield rows;
}

/** Sorts evaluated rows into creates, updates, deletes and unchanged, registering keys in the resolver. */
function classify(
  options: DiffStepOptions,
  fields: Record<string, FieldInfo>,
  evaluated: readonly EvaluatedRow[],
  matches: ReadonlyMap<string, ReadRecord[]>,
  module: string,
  chunkLines?: ChunkLines,
): ChunkDiff {
  const { step, resolver } = options;
  const creates: DiffCreate[] = [];
  const updates: DiffUpdate[] = [];
  const deletes: DiffDelete[] = [];
  let unchanged = 0;
  for (const item of evaluated) {
    const found = matches.get(item.key ?? item.xmlidName) ?? [];
    if (found.length > 1) {
      fail(step, [
        rowProblem(
          item.row,
          `${found.length} records of ${step.model} match the key ${item.key} (ids ${found.map((record) => record.id).join(', ')})`,
          'make the key unique in the target, or choose key fields that identify one record',
        ),
      ]);
    }
    const match = found[0];
    const lines = chunkLines?.lines.get(item);
    const register = (id: number | PendingRef): void => {
      if (item.key !== undefined && options.registerKeys !== false) resolver.register(step.id, item.key, id);
    };
    if (match === undefined) {
      switch (step.action) {
        case 'create':
        case 'upsert': {
          // A keyed record is identified by its key; only a record without key gets an external id.
          creates.push({
            ...(item.key === undefined
              ? { row: item.row.row, xmlid: `${module}.${item.xmlidName}`, values: item.record }
              : { row: item.row.row, key: item.key, values: item.record }),
            ...(lines === undefined ? {} : { lines }),
          });
          if (options.pendingCreates && item.key !== undefined)
            register({ $pending: { step: step.id, key: item.key } });
          break;
        }
        case 'update':
          fail(step, [
            rowProblem(
              item.row,
              `no record of ${step.model} has the key ${item.key}`,
              'an update step changes existing records only: use action upsert to create missing ones',
            ),
          ]);
          break;
        case 'delete':
          // Already gone: deleting is idempotent.
          unchanged += 1;
          break;
        case 'call':
          // Call steps select their records in diff-call.ts and never reach this sorting.
          throw new TypeError(`call step ${step.id} cannot be sorted into writes`);
        default:
          step.action satisfies never;
      }
      continue;
    }
    register(match.id);
    switch (step.action) {
      case 'create':
        // A create never changes an existing record: it exists, so this row is done.
        unchanged += 1;
        break;
      case 'upsert':
      case 'update': {
        const changes = changedFields(fields, match, item.record);
        // A document whose lines differ is one update, even when its own fields all match.
        if (changes.length === 0 && lines === undefined) {
          unchanged += 1;
        } else {
          updates.push({
            row: item.row.row,
            ...(item.key === undefined ? {} : { key: item.key }),
            id: match.id,
            ...seenRecord(match),
            changes,
            ...(lines === undefined ? {} : { lines }),
          });
        }
        break;
      }
      case 'delete':
        deletes.push({ id: match.id, ...seenRecord(match) });
        break;
      case 'call':
        throw new TypeError(`call step ${step.id} cannot be sorted into writes`);
      default:
        step.action satisfies never;
    }
  }
  const sources = new Map<number, Readonly<Record<string, unknown>>>();
  for (const item of evaluated) sources.set(item.row.row, item.row.values);
  return { creates, updates, deletes, unchanged, size: evaluated.length, sources };
}

/** A step driven by `where` (update or delete every matching record). */
async function* diffWhere(
  options: DiffStepOptions,
  fields: Record<string, FieldInfo>,
  chunkSize: number,
): AsyncGenerator<ChunkDiff> {
  const { step, reader, resolver, signal } = options;
  const domain = (await evaluateWhere(step, resolver, { signal })) ?? [];
  const values = await whereValues(step, fields, resolver, signal);
  for await (const page of reader.readWhere(step.model, domain as never, Object.keys(values), chunkSize, {
    context: step.context,
    signal,
  })) {
    const updates: DiffUpdate[] = [];
    const deletes: DiffDelete[] = [];
    let unchanged = 0;
    for (const record of page) {
      if (step.action === 'delete') {
        deletes.push({ id: record.id, ...seenRecord(record) });
        continue;
      }
      const changes = changedFields(fields, record, values);
      if (changes.length === 0) unchanged += 1;
      else updates.push({ id: record.id, ...seenRecord(record), changes });
    }
    yield { creates: [], updates, deletes, unchanged, size: page.length };
  }
}

/** Collects a step's chunks into its {@link StepDiff} (dry run). */
export async function diffStep(options: DiffStepOptions): Promise<StepDiff> {
  if (options.step.action === 'call')
    return diffCallStep(options, options.chunkSize ?? Math.max(options.step.chunkSize, DEFAULT_READ_CHUNK_SIZE));
  const creates: DiffCreate[] = [];
  const updates: DiffUpdate[] = [];
  const deletes: DiffDelete[] = [];
  let unchanged = 0;
  for await (const chunk of diffStepChunks(options)) {
    creates.push(...chunk.creates);
    updates.push(...chunk.updates);
    deletes.push(...chunk.deletes);
    unchanged += chunk.unchanged;
  }
  const { step } = options;
  // A review shows the records the lines point at by name, as it does for the documents' own values.
  if (step.lines !== undefined) {
    for (const [index, create] of creates.entries())
      if (create.lines !== undefined)
        creates[index] = {
          ...create,
          lines: await lineNames(create.lines, options.reader, options.signal, options.names),
        };
    for (const [index, update] of updates.entries())
      if (update.lines !== undefined)
        updates[index] = {
          ...update,
          lines: await lineNames(update.lines, options.reader, options.signal, options.names),
        };
  }
  const names =
    creates.length + updates.length > 0
      ? await readRecordNames(
          await options.reader.fieldsOf(step.model, { signal: options.signal }),
          creates,
          updates,
          options.reader,
          options.signal,
          options.names,
        )
      : undefined;
  return {
    step: step.id,
    model: step.model,
    action: step.action,
    creates,
    updates,
    deletes,
    unchanged,
    ...(step.key.length > 0 ? { keyFields: step.key } : {}),
    chunkSize: step.chunkSize,
    ...(step.autoChunkSize ? { autoChunkSize: true as const } : {}),
    context: step.context,
    ...(names === undefined ? {} : { names }),
  };
}
