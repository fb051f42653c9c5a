/**
 * The line-by-line diff of documents with lines (`lines:` of a step): for each document of a chunk, the declared
 * lines (evaluated like a step's rows, against the lines' model) are compared with its live lines, by line key or by
 * position, giving the lines to add, to change (only the fields that differ) and to delete. The live lines of a chunk
 * of documents are read at once: their ids come with the documents' own read (the one2many field), then one
 * `search_read` per chunk of line ids.
 *
 * Line rows of their own (`records: { file }` with `parent:`) are grouped by their parent's key when the step starts:
 * the line file is read once into a map parent key → rows, so memory grows with the line file (not with the number
 * of documents read at once). Nested lines (`records: { column }`) are read from their document's row.
 *
 * @packageDocumentation
 */
import { RowReferenceError } from '../../errors.js';
import type { FieldInfo } from '../../client/types.js';
import { keyPart, keyString } from '../../batch/send/record-keys.js';
import type { EvaluatedRow } from '../evaluate/row-evaluator.js';
import { fail, rowEvaluator, rowProblem } from '../evaluate/row-evaluator.js';
import { documentKey, lineParentKey } from '../load/line-parent-key.js';
import type {
  DiffCreate,
  DiffUpdate,
  DocumentLines,
  LineChanges,
  LineCreate,
  LineDelete,
  LineUpdate,
} from '../model/diff-types.js';
import { changedFields } from '../model/field-values.js';
import type { Plan, PlanLines, PlanStep, SourceRow } from '../model/plan-types.js';
import type { PlanResolver } from '../references/plan-resolver.js';
import type { ReadRecord, StateReader } from '../references/state-reader.js';
import { seenRecord } from './seen-record.js';
import { ALWAYS_READ } from '../references/state-reader.js';
import { nestedLineRows } from '../sources/nested-line-rows.js';
import { openRecordBatches } from '../sources/record-provider.js';
import type { NameCache } from './record-names.js';
import { readRecordNames } from './record-names.js';

/** Line records read per call. */
export const LINE_READ_CHUNK = 2000;

/** One document of a chunk, as the lines diff sees it. */
export interface LineDocument {
  /** The document's evaluated row. */
  readonly item: EvaluatedRow;
  /** The live document, when it exists (read with its one2many fields). */
  readonly match: ReadRecord | undefined;
}

/** The line changes of a chunk of documents. */
export interface ChunkLines {
  /** Per document row (its evaluated row object), the line changes; absent: no line differs. */
  readonly lines: ReadonlyMap<EvaluatedRow, DocumentLines>;
  /** Documents left out because one of their lines has a reference that found nothing when the step ran. */
  readonly rejected: readonly { readonly row: SourceRow; readonly error: RowReferenceError }[];
}

/** One `lines:` entry ready to diff: its model, fields, evaluation step and (rows of their own) grouped rows. */
interface LinesEntry {
  readonly lines: PlanLines;
  readonly model: string;
  readonly fields: Record<string, FieldInfo>;
  /** The lines evaluated as the rows of a step of the lines' model (errors name the step, the file and the row). */
  readonly lineStep: PlanStep;
  /** Line rows by parent key (rows of their own); `undefined` for nested lines. */
  readonly byParent: ReadonlyMap<string, SourceRow[]> | undefined;
}

/** Options of {@link LinesDiffer.create}. */
export interface LinesDifferOptions {
  /** The plan (its data files are read through it). */
  readonly plan: Plan;
  /** The step whose documents have lines. */
  readonly step: PlanStep;
  /** Fields of the step's model. */
  readonly fields: Record<string, FieldInfo>;
  /** Reads the live lines (the step's reader: its reads are counted with the others). */
  readonly reader: StateReader;
  /** Resolves the references of the lines' values. */
  readonly resolver: PlanResolver;
  /** Cancels the reads. */
  readonly signal?: AbortSignal | undefined;
}

/** A line declared by the plan, evaluated. */
interface DeclaredLine {
  readonly item: EvaluatedRow;
  /** 1-based place among the document's declared lines. */
  readonly position: number;
}

/** Diffs the lines of a step's documents, chunk by chunk (one instance per run of a step). */
export class LinesDiffer {
  readonly #options: LinesDifferOptions;
  readonly #entries: readonly LinesEntry[];

  private constructor(options: LinesDifferOptions, entries: readonly LinesEntry[]) {
    this.#options = options;
    this.#entries = entries;
  }

  /**
   * The differ of `step`'s lines, or `undefined` when it declares none. Reads each line file once, grouping its rows
   * by parent key.
   */
  static async create(options: LinesDifferOptions): Promise<LinesDiffer | undefined> {
    const { plan, step, fields, reader, signal } = options;
    if (step.lines === undefined || Object.keys(step.lines).length === 0) return undefined;
    const entries: LinesEntry[] = [];
    for (const lines of Object.values(step.lines)) {
      const relation = fields[lines.field]?.relation;
      if (fields[lines.field]?.type !== 'one2many' || relation === undefined) {
        fail(step, [
          {
            file: step.planFile,
            path: lines.path,
            message: `field ${lines.field} of ${step.model} is not a one2many`,
            hint: 'lines: takes the one2many field of the document lines',
          },
        ]);
      }
      const lineStep: PlanStep = {
        ...step,
        model: relation,
        path: lines.path,
        key: lines.key,
        values: lines.values,
        templateColumns: lines.templateColumns,
        records: lines.records.kind === 'column' ? undefined : lines.records,
        lines: undefined,
      };
      let byParent: Map<string, SourceRow[]> | undefined;
      if (lines.records.kind !== 'column') {
        byParent = new Map();
        for await (const batch of openRecordBatches(plan, lineStep, { signal })) {
          for (const row of batch) {
            const parent = lineParentKey(lines.parent, row.values, step.env);
            // Load refused lines without parent; a parent key is never empty here.
            if (parent === undefined) continue;
            const list = byParent.get(parent);
            if (list === undefined) byParent.set(parent, [row]);
            else list.push(row);
          }
        }
      }
      entries.push({
        lines,
        model: relation,
        fields: await reader.fieldsOf(relation, { signal }),
        lineStep,
        byParent,
      });
    }
    return new LinesDiffer(options, entries);
  }

  /** The one2many fields to read with the documents (their values are the live line ids). */
  get documentFields(): string[] {
    return this.#entries.map((entry) => entry.lines.field);
  }

  /** The declared line rows of a document. */
  #rowsOf(entry: LinesEntry, item: EvaluatedRow): readonly SourceRow[] {
    // Line rows name their document's key as written in its row (text), before the document's values are converted:
    // that is the key they are grouped by. A key computed by a reference is only known as evaluated.
    if (entry.byParent !== undefined)
      return entry.byParent.get(documentKey(this.#options.step, item.row) ?? item.key ?? '') ?? [];
    const column = (entry.lines.records as { column: string }).column;
    const nested = nestedLineRows(item.row, column);
    if (!nested.ok)
      fail(this.#options.step, [rowProblem(item.row, `${entry.lines.field}: ${nested.message}`, nested.hint)]);
    return nested.rows;
  }

  /** Evaluates a document's declared lines (a fresh evaluator per document: line keys are unique per document). */
  async #declared(entry: LinesEntry, item: EvaluatedRow): Promise<DeclaredLine[]> {
    const evaluate = rowEvaluator(entry.lineStep, entry.fields, this.#options.resolver, this.#options.signal);
    const declared: DeclaredLine[] = [];
    for (const row of this.#rowsOf(entry, item)) {
      const pending = evaluate(row);
      declared.push({ item: pending instanceof Promise ? await pending : pending, position: declared.length + 1 });
    }
    return declared;
  }

  /** The line changes of a chunk of documents; a document whose lines all match gets no entry. */
  async diff(documents: readonly LineDocument[]): Promise<ChunkLines> {
    const result = new Map<EvaluatedRow, Record<string, LineChanges>>();
    const rejected: { row: SourceRow; error: RowReferenceError }[] = [];
    const rejectedRows = new Set<EvaluatedRow>();
    for (const entry of this.#entries) {
      // Declared lines first (references resolved, cached), then the live lines of the whole chunk at once.
      const declaredOf = new Map<EvaluatedRow, DeclaredLine[]>();
      for (const { item } of documents) {
        if (rejectedRows.has(item)) continue;
        try {
          declaredOf.set(item, await this.#declared(entry, item));
        } catch (error) {
          if (!(error instanceof RowReferenceError)) throw error;
          rejectedRows.add(item);
          rejected.push({ row: item.row, error });
        }
      }
      const live = await this.#readLive(entry, documents, declaredOf);
      for (const { item, match } of documents) {
        const declared = declaredOf.get(item);
        if (declared === undefined) continue;
        const changes =
          match === undefined
            ? this.#creates(entry, declared)
            : this.#compare(entry, declared, this.#liveOf(entry, match, live));
        if (changes === undefined) continue;
        let lines = result.get(item);
        if (lines === undefined) result.set(item, (lines = {}));
        lines[entry.lines.field] = changes;
      }
    }
    for (const item of rejectedRows) result.delete(item);
    return { lines: result, rejected };
  }

  /** Reads the live lines of the chunk's existing documents: one `search_read` per {@link LINE_READ_CHUNK} ids. */
  async #readLive(
    entry: LinesEntry,
    documents: readonly LineDocument[],
    declaredOf: ReadonlyMap<EvaluatedRow, DeclaredLine[]>,
  ): Promise<Map<number, ReadRecord>> {
    const { reader, signal, step } = this.#options;
    const ids: number[] = [];
    const fieldSet = new Set<string>(entry.lines.key);
    for (const { item, match } of documents) {
      const declared = declaredOf.get(item);
      if (match === undefined || declared === undefined) continue;
      ids.push(...this.#liveIds(entry, match));
      for (const line of declared) for (const field in line.item.record) fieldSet.add(field);
    }
    const found = new Map<number, ReadRecord>();
    const fields = [...fieldSet, ...ALWAYS_READ];
    for (let start = 0; start < ids.length; start += LINE_READ_CHUNK) {
      const records = await reader.searchRead(
        entry.model,
        [['id', 'in', ids.slice(start, start + LINE_READ_CHUNK)]],
        fields,
        {
          context: { ...step.context, active_test: false },
          signal,
        },
      );
      for (const record of records) found.set(record.id, record);
    }
    return found;
  }

  /** The document's line ids as read (the one2many field), in the order the server gives them. */
  #liveIds(entry: LinesEntry, match: ReadRecord): number[] {
    const value = match[entry.lines.field];
    return Array.isArray(value) ? value.filter((id): id is number => typeof id === 'number') : [];
  }

  #liveOf(entry: LinesEntry, match: ReadRecord, live: ReadonlyMap<number, ReadRecord>): LiveLines {
    const ids = this.#liveIds(entry, match);
    return { ids, records: ids.flatMap((id) => (live.has(id) ? [live.get(id)!] : [])) };
  }

  /** The lines of a document to create: every declared line. */
  #creates(entry: LinesEntry, declared: readonly DeclaredLine[]): LineChanges | undefined {
    if (declared.length === 0) return undefined;
    return {
      model: entry.model,
      ...(entry.lines.key.length > 0 ? { keyFields: entry.lines.key } : {}),
      creates: declared.map((line) => this.#lineCreate(line)),
      updates: [],
      deletes: [],
    };
  }

  #lineCreate(line: DeclaredLine): LineCreate {
    return {
      row: line.item.row.row,
      ...(line.item.key === undefined ? { position: line.position } : { key: line.item.key }),
      values: line.item.record,
    };
  }

  /** Compares the declared lines with the live ones, by key or position. */
  #compare(entry: LinesEntry, declared: readonly DeclaredLine[], live: LiveLines): LineChanges | undefined {
    const keyFields = entry.lines.key;
    const keyed = keyFields.length > 0;
    const liveKey = (record: ReadRecord): string => keyString(keyFields.map((field) => keyPart(record[field])));
    const unmatched = new Map<number, ReadRecord>(live.records.map((record) => [record.id, record]));
    const byKey = new Map<string, ReadRecord[]>();
    if (keyed) {
      for (const record of live.records) {
        const key = liveKey(record);
        const list = byKey.get(key);
        if (list === undefined) byKey.set(key, [record]);
        else list.push(record);
      }
    }
    const creates: LineCreate[] = [];
    const updates: LineUpdate[] = [];
    declared.forEach((line, index) => {
      // By key: the first live line with that key (a second live line with the same key is not declared). By
      // position: the live line at the same place.
      const record = keyed ? byKey.get(line.item.key!)?.shift() : live.records[index];
      if (record === undefined) {
        creates.push(this.#lineCreate(line));
        return;
      }
      unmatched.delete(record.id);
      const changes = changedFields(entry.fields, record, line.item.record);
      if (changes.length > 0)
        updates.push({
          id: record.id,
          ...(keyed ? { key: line.item.key! } : { position: line.position }),
          writeDate: seenRecord(record).writeDate,
          changes,
        });
    });
    const deletes: LineDelete[] =
      entry.lines.unlisted === 'keep'
        ? []
        : [...unmatched.values()].map((record) => ({
            id: record.id,
            ...(keyed ? { key: liveKey(record) } : {}),
            ...seenRecord(record),
          }));
    if (creates.length + updates.length + deletes.length === 0) return undefined;
    return {
      model: entry.model,
      ...(keyed ? { keyFields } : {}),
      lineIds: live.ids,
      creates,
      updates,
      deletes,
    };
  }
}

/** A document's live lines: every id of its one2many field, and the records read for them. */
interface LiveLines {
  readonly ids: readonly number[];
  readonly records: readonly ReadRecord[];
}

/**
 * The display names a review shows for a document's line changes (the records their values and keys point at), read
 * through the dry run's name cache: one read per related model and batch of ids, as for the documents' own values.
 */
export async function lineNames(
  lines: DocumentLines,
  reader: StateReader,
  signal?: AbortSignal,
  known?: NameCache,
): Promise<DocumentLines> {
  const named: Record<string, LineChanges> = {};
  for (const [field, changes] of Object.entries(lines)) {
    const fields = await reader.fieldsOf(changes.model, { signal });
    const keyFields = changes.keyFields ?? [];
    // A line's key names records too (`product_id` 42 is shown by the product's name): read them as values would be.
    const keyValues = (key: string | undefined): Record<string, unknown> => {
      if (key === undefined) return {};
      const parts = JSON.parse(key) as unknown[];
      const values: Record<string, unknown> = {};
      keyFields.forEach((name, index) => {
        const part = parts[index];
        if (typeof part === 'string' && /^\d+$/.test(part)) values[name] = Number(part);
      });
      return values;
    };
    const creates: DiffCreate[] = [
      ...changes.creates.map((create) => ({ row: create.row, values: create.values })),
      ...[...changes.updates, ...changes.deletes].map((line) => ({ row: 0, values: keyValues(line.key) })),
    ];
    const updates: DiffUpdate[] = changes.updates.map((update) => ({
      id: update.id,
      displayName: '',
      writeDate: update.writeDate,
      changes: update.changes,
    }));
    const names = await readRecordNames(fields, creates, updates, reader, signal, known);
    named[field] = names === undefined ? changes : { ...changes, names };
  }
  return named;
}
