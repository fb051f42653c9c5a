/**
 * The Diff: what applying a plan would change in a target, step by step. It is the output of a dry run
 * (`zenoo plan diff`), the input of a reviewed apply (`zenoo plan apply plan.json`), and its JSON form is a documented,
 * versioned format (`formatVersion: 1`):
 *
 * ```jsonc
 * {
 *   "formatVersion": 1,
 *   "plan": { "name": "crm-seed", "fingerprint": "…" },
 *   "target": { "url": "http://127.0.0.1:8069", "db": "zenoo" },
 *   "createdAt": "2026-11-29T08:00:00.000Z",
 *   "stateFingerprint": "…",              // hash of every record read (model, id, write_date) and every key found absent
 *   "summary": { "create": 1, "update": 1, "delete": 0, "unchanged": 3 },
 *   "steps": [{
 *     "step": "companies", "model": "res.partner", "action": "upsert",
 *     "creates":   [{ "row": 2, "key": "[\"ACME\"]", "xmlid": "zenoo_crm_seed.companies_…", "values": { "name": "ACME" } }],
 *     "updates":   [{ "row": 1, "key": "[\"BETA\"]", "id": 7, "displayName": "Beta", "writeDate": "2026-11-29 07:31:39",
 *                    "changes": [{ "field": "email", "before": false, "after": "b@x" }] }],
 *     "deletes":   [{ "id": 9, "displayName": "Old", "writeDate": "…" }],
 *     "unchanged": 3,
 *     "chunkSize": 200, "context": { "tracking_disable": true }
 *   }]
 * }
 * ```
 *
 * A value that refers to a record an earlier step will create (and that does not exist yet) is written as
 * `{ "$pending": { "step": "companies", "key": "[\"ACME\"]" } }` (keys are JSON arrays of the key fields' values, as text) rather than guessed; apply resolves it once that step ran.
 * A lookup on a model an earlier step writes, which finds nothing before that step ran, is written as
 * `{ "$pending": { "step": "templates", "lookup": { "model": "product.product", "where": [["default_code", "=", "P1"]] } } }`
 * and run again when its step is applied.
 *
 * @packageDocumentation
 */
import type { StepAction } from './plan-types.js';

/** Version of the Diff JSON format written by this zenoo. */
export const DIFF_FORMAT_VERSION = 1;

/**
 * A reference to a record that an earlier step of the same apply will create: by its key in that step, or (a lookup
 * on a model that step writes, which finds nothing before it ran) by the lookup itself, run again when its step runs.
 */
export interface PendingRef {
  readonly $pending:
    | {
        /** The step creating the record. */
        readonly step: string;
        /** The record's key in that step (canonical key string). */
        readonly key: string;
      }
    | {
        /** The step that writes the lookup's model (the first, in file order, that has records to create). */
        readonly step: string;
        /** The lookup, with its domain evaluated for the row. */
        readonly lookup: { readonly model: string; readonly where: readonly unknown[] };
      };
}

/** Whether `value` is a {@link PendingRef}. */
export function isPendingRef(value: unknown): value is PendingRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { $pending?: unknown }).$pending === 'object' &&
    (value as { $pending?: unknown }).$pending !== null
  );
}

/**
 * A line to add to a document: command `(0, 0, values)`. Lines of a document are diffed by their line key (the
 * `key` of `lines:`), or by position when the lines have no key.
 */
export interface LineCreate {
  /** Row of the line in its source (1-based: the line file's row, or the line's place in its document's list). */
  readonly row: number;
  /** The line's key (canonical string), when the lines have a key. */
  readonly key?: string;
  /** 1-based position of the line among its document's declared lines, when the lines have no key. */
  readonly position?: number;
  /** Values to create the line with (references resolved to ids, or {@link PendingRef}). */
  readonly values: Readonly<Record<string, unknown>>;
}

/** A line to change in place: command `(1, id, values)` with only the fields that differ. */
export interface LineUpdate {
  /** Line record id. */
  readonly id: number;
  /** The line's key (canonical string), when the lines have a key. */
  readonly key?: string;
  /** 1-based position, when the lines have no key. */
  readonly position?: number;
  /** `write_date` of the line as read: a saved diff is refused if it changed since. */
  readonly writeDate: string | false;
  /** Only the fields that differ. */
  readonly changes: readonly FieldChange[];
}

/** A live line the plan does not declare: command `(2, id)` (left alone with `unlisted: keep`). */
export interface LineDelete {
  /** Line record id. */
  readonly id: number;
  /** The line's key as read (canonical string), when the lines have a key. */
  readonly key?: string;
  /** Display name as read. */
  readonly displayName: string;
  /** `write_date` as read. */
  readonly writeDate: string | false;
}

/** The changes of one one2many field of one document. */
export interface LineChanges {
  /** The lines' model (the field's comodel), e.g. `sale.order.line`. */
  readonly model: string;
  /** The line key fields, when the lines have a key (the `key` of creates, updates and deletes holds their values). */
  readonly keyFields?: readonly string[];
  /** The document's line ids as read (absent for a document to create): a saved diff checks they did not change. */
  readonly lineIds?: readonly number[];
  /** Lines to add, in declaration order. */
  readonly creates: readonly LineCreate[];
  /** Lines to change. */
  readonly updates: readonly LineUpdate[];
  /** Lines to delete. */
  readonly deletes: readonly LineDelete[];
  /** Display names of the records the lines' relational values and keys point at (see {@link StepDiff.names}). */
  readonly names?: RecordNames;
}

/** Line changes of one document, by one2many field. */
export type DocumentLines = Readonly<Record<string, LineChanges>>;

/** A record to create. */
export interface DiffCreate {
  /** Input row number (1-based). */
  readonly row: number;
  /** The record's key (canonical string), when the step has one. */
  readonly key?: string;
  /** The external id the record will get (`module.name`), for a step without key (a keyed record is found by its key). */
  readonly xmlid?: string;
  /** Values to create with (references resolved to ids, or {@link PendingRef}). */
  readonly values: Readonly<Record<string, unknown>>;
  /** The document's lines, created with it in the same call (absent when the step declares no lines). */
  readonly lines?: DocumentLines;
}

/** One field of an update: the value read and the value the plan wants. */
export interface FieldChange {
  /** Field name. */
  readonly field: string;
  /** Value as read from the target (many2one as `[id, display name]`, x2many as ids). */
  readonly before: unknown;
  /** Value to write (as the plan gives it, references resolved, x2many as commands). */
  readonly after: unknown;
}

/** A record to update. */
export interface DiffUpdate {
  /** Input row number (1-based), when the update comes from a data row (upsert); absent for `where` updates. */
  readonly row?: number;
  /** The record's key (canonical string), when the step has one. */
  readonly key?: string;
  /** Record id. */
  readonly id: number;
  /** Display name as read. */
  readonly displayName: string;
  /** `write_date` as read: a saved diff is refused if it changed since. */
  readonly writeDate: string | false;
  /**
   * Only the fields that differ (empty for a document whose lines alone differ: a document with line changes is one
   * update, written in one call with its line commands).
   */
  readonly changes: readonly FieldChange[];
  /** The document's line changes, by one2many field (absent when its lines match the plan). */
  readonly lines?: DocumentLines;
}

/** A record to delete. */
export interface DiffDelete {
  /** Record id. */
  readonly id: number;
  /** Display name as read. */
  readonly displayName: string;
  /** `write_date` as read. */
  readonly writeDate: string | false;
}

/** A record a `call` step would call its method on. */
export interface DiffCallRecord {
  /** Record id. */
  readonly id: number;
  /** Display name as read. */
  readonly displayName: string;
  /** The record's key (canonical string), when the step selects by key. */
  readonly key?: string;
  /** Input row number (1-based) of that key, when the step selects by key. */
  readonly row?: number;
}

/**
 * What a `call` step would call: `model.method(ids, *args, **kwargs)` on the records listed, in chunks of the step's
 * chunk size. The selection (`where` and/or `keys`) is kept so that applying the diff later can check that each
 * reviewed record still matches it.
 */
export interface DiffCalls {
  /** The method. */
  readonly method: string;
  /** Positional arguments after the ids (absent when none). */
  readonly args?: readonly unknown[];
  /** Keyword arguments (absent when none). */
  readonly kwargs?: Readonly<Record<string, unknown>>;
  /** The step's domain, evaluated (the guard the records must still match), when it has one. */
  readonly where?: readonly unknown[];
  /** The keys (canonical strings) the step selects, when it selects by key. */
  readonly keys?: readonly string[];
  /** The records selected now, in id order (key order for a keyed selection). */
  readonly records: readonly DiffCallRecord[];
  /**
   * An earlier step of the plan creates records of this model (or a step this one depends on creates records): the
   * selection is made again when the step runs, and may hold records that do not exist yet.
   */
  readonly pendingSelection?: true;
}

/** What one step would change. */
export interface StepDiff {
  /** Step id. */
  readonly step: string;
  /** Model. */
  readonly model: string;
  /** The step's action. */
  readonly action: StepAction;
  /** Records to create, in row order. */
  readonly creates: readonly DiffCreate[];
  /** Records to update, in row (or id) order. */
  readonly updates: readonly DiffUpdate[];
  /** Records to delete, in id order. */
  readonly deletes: readonly DiffDelete[];
  /** Records that already match the plan. */
  readonly unchanged: number;
  /** The step's key fields, when it has a key (the `key` of creates and updates holds their values). */
  readonly keyFields?: readonly string[];
  /** Records per write call when this diff is applied (the step's `chunk_size`; the first call's when auto). */
  readonly chunkSize?: number;
  /** The step's `chunk_size` is `auto`: the apply tunes it from {@link chunkSize} on. */
  readonly autoChunkSize?: true;
  /** Odoo context of the step's writes (the step's `context`). */
  readonly context?: Readonly<Record<string, unknown>>;
  /**
   * Display names of the records the step's relational values point at, per field and id (a dry run reads them so
   * that a review shows names; ids stay in the values). Absent when the step has no relational value.
   */
  readonly names?: RecordNames;
  /** For a `call` step: the method and the records it would be called on. */
  readonly calls?: DiffCalls;
}

/** Display names per field, then per record id (as text, for JSON): `{ country_id: { "57": "Germany" } }`. */
export type RecordNames = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Totals over all steps. */
export interface DiffSummary {
  readonly create: number;
  readonly update: number;
  readonly delete: number;
  readonly unchanged: number;
  /** Records a `call` step would call a method on (absent in diffs written before call steps existed). */
  readonly call?: number;
}

/** The whole diff of a plan against a target. */
export interface Diff {
  /** Always {@link DIFF_FORMAT_VERSION} for diffs written by this version. */
  readonly formatVersion: typeof DIFF_FORMAT_VERSION;
  /** The plan diffed. */
  readonly plan: { readonly name: string; readonly fingerprint: string };
  /** The target read (never with credentials). */
  readonly target: { readonly url: string; readonly db: string };
  /** When the state was read (ISO). */
  readonly createdAt: string;
  /** Hash of the state read: every record (model, id, write_date) and every key found absent. */
  readonly stateFingerprint: string;
  /** Totals. */
  readonly summary: DiffSummary;
  /** Per step, in execution order. */
  readonly steps: readonly StepDiff[];
}

/** Totals of a list of step diffs. */
export function summarize(steps: readonly StepDiff[]): DiffSummary {
  let create = 0;
  let update = 0;
  let remove = 0;
  let unchanged = 0;
  let call = 0;
  for (const step of steps) {
    create += step.creates.length;
    update += step.updates.length;
    remove += step.deletes.length;
    unchanged += step.unchanged;
    call += step.calls?.records.length ?? 0;
  }
  // `call` only when a call step has records: a diff of a plan without call steps keeps its shape.
  return { create, update, delete: remove, unchanged, ...(call > 0 ? { call } : {}) };
}

/** Whether the diff has anything to write (or a method to call). */
export function hasChanges(diff: Pick<Diff, 'summary'>): boolean {
  return diff.summary.create + diff.summary.update + diff.summary.delete + (diff.summary.call ?? 0) > 0;
}

/** Number of changes (create + update + delete + records to call) in one step. */
export function stepChangeCount(step: StepDiff): number {
  return step.creates.length + step.updates.length + step.deletes.length + (step.calls?.records.length ?? 0);
}
