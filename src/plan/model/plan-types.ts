/**
 * The normalised, frozen form of a plan file, as {@link loadPlan} returns it.
 *
 * The YAML file (snake_case, see `schemas/plan.schema.json`) is validated, defaulted and compiled into these camelCase
 * structures once; everything downstream (graph, diff, apply) works on them and never re-reads the YAML. Every node
 * keeps its path (`steps[1].values.parent_id`), and {@link Plan.positions} maps paths to `line:col` so that a problem
 * found later (at diff or apply time) can still point at the exact place in the file.
 *
 * @packageDocumentation
 */

/** The plan format version this code understands. */
export const PLAN_FORMAT_VERSION = 1;

/** Default `chunk_size`: records per RPC call. */
export const DEFAULT_PLAN_CHUNK_SIZE = 200;

/** Records of a step's first chunk when its `chunk_size` is `auto` (the tuner grows it from there). */
export const AUTO_INITIAL_CHUNK_SIZE = 50;

/** Default `concurrency`: RPC calls in flight at once for one step. */
export const DEFAULT_PLAN_CONCURRENCY = 4;

/** Default `on_error`. */
export const DEFAULT_PLAN_ON_ERROR: PlanOnError = 'stop';

/** Default step `priority`. */
export const DEFAULT_STEP_PRIORITY = 0;

/** What a step does. */
export type StepAction = 'create' | 'upsert' | 'update' | 'delete' | 'call';

/** The writes a step of some action may make (one flag per write action of the Batch API). */
export interface StepWrites {
  readonly create: boolean;
  readonly update: boolean;
  readonly delete: boolean;
  /** Calls a model method on the selected records (what it writes is the method's business). */
  readonly call: boolean;
}

/**
 * The writes each step action may make: the one map from step actions to writes. The switch is exhaustive, so a new
 * action does not compile until it says what it writes (and so do the diff's and the apply's switches).
 */
export function stepWrites(action: StepAction): StepWrites {
  switch (action) {
    case 'create':
      return { create: true, update: false, delete: false, call: false };
    case 'upsert':
      return { create: true, update: true, delete: false, call: false };
    case 'update':
      return { create: false, update: true, delete: false, call: false };
    case 'delete':
      return { create: false, update: false, delete: true, call: false };
    case 'call':
      return { create: false, update: false, delete: false, call: true };
    default:
      return action satisfies never;
  }
}

/** What happens when a chunk fails: stop the plan, or report the failed records and go on. */
export type PlanOnError = 'stop' | 'continue';

/**
 * What an empty value (an empty cell, a template whose placeholders are all empty, a reference with an empty key)
 * writes: `leave` sends nothing for the field, so a create gets the field's default and an update keeps what the
 * record holds; `clear` writes `false`, Odoo's empty value.
 */
export type PlanOnEmpty = 'leave' | 'clear';

/** Default `on_empty`: an empty value never overwrites what a record holds. */
export const DEFAULT_PLAN_ON_EMPTY: PlanOnEmpty = 'leave';

/** Formats a data file can have. */
export type RecordsFormat = 'csv' | 'json' | 'jsonl' | 'yaml';

/** A 1-based place in a file. */
export interface SourcePosition {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly col: number;
}

/** One piece of an interpolated string: literal text, `${row.COLUMN}` or `${env.NAME}`. */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'row'; readonly column: string }
  | { readonly kind: 'env'; readonly name: string };

/** The x2many helper operations and the Odoo command each one compiles to (`set` → 6, `add` → 4, `remove` → 3). */
export type X2manyOperation = 'set' | 'add' | 'remove';

/**
 * The `split:` of a reference inside an x2many helper: the cell of `column` holds several keys separated by
 * `separator` (`VIP;Retail`), and the reference is resolved once per key.
 */
export interface TemplateSplit {
  /** The one row column the reference reads. */
  readonly column: string;
  /** What separates the keys in the cell, e.g. `;`. */
  readonly separator: string;
}

/**
 * A compiled value of `values:`, `where:` or a lookup domain: a tree evaluated once per row by {@link evaluateRecord}.
 * Every node carries the `path` of its YAML node (see {@link Plan.positions}).
 */
export type ValueTemplate =
  /** A scalar written as is (a string without `${...}`). */
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null; readonly path: string }
  /**
   * A string with `${row.col}` / `${env.NAME}` placeholders. A string that is exactly one placeholder evaluates to
   * the raw value (a JSON number stays a number); otherwise the parts are concatenated.
   */
  | { readonly kind: 'string'; readonly parts: readonly TemplatePart[]; readonly path: string }
  /** `{ ref: STEP, key: ... }`: one key template per key field of the target step. */
  | {
      readonly kind: 'ref';
      readonly step: string;
      readonly key: readonly ValueTemplate[];
      readonly path: string;
      readonly split?: TemplateSplit;
    }
  /** `{ xmlid: module.name }`. */
  | { readonly kind: 'xmlid'; readonly xmlid: ValueTemplate; readonly path: string; readonly split?: TemplateSplit }
  /** `{ lookup: { model, where } }`; `where` is a `list` template (a domain). */
  | {
      readonly kind: 'lookup';
      readonly model: string;
      readonly where: ValueTemplate;
      readonly path: string;
      readonly split?: TemplateSplit;
    }
  /** `{ set | add | remove: [...] }`: ids or references, compiled to Odoo commands. */
  | {
      readonly kind: 'x2many';
      readonly op: X2manyOperation;
      readonly items: readonly ValueTemplate[];
      readonly path: string;
    }
  /** A list (raw x2many commands, a domain, a domain leaf, an id list inside a command). */
  | { readonly kind: 'list'; readonly items: readonly ValueTemplate[]; readonly path: string }
  /** A map (the values of a `[0, 0, {...}]` / `[1, id, {...}]` command). */
  | { readonly kind: 'map'; readonly entries: Readonly<Record<string, ValueTemplate>>; readonly path: string };

/** Records written inline in the plan. */
export interface InlineRecords {
  readonly kind: 'inline';
  /** The rows, as written. */
  readonly rows: readonly Readonly<Record<string, unknown>>[];
  /** Number of rows. */
  readonly rowCount: number;
  /** Every column that appears in at least one row, in first-seen order. */
  readonly columns: readonly string[];
}

/** Records read from a data file (streamed by {@link openRecords}). */
export interface FileRecords {
  readonly kind: 'file';
  /** The path as written in the plan (relative to the plan's directory). */
  readonly file: string;
  /** Absolute path of the data file. */
  readonly absolutePath: string;
  /** The file's format. */
  readonly format: RecordsFormat;
  /** CSV field delimiter. */
  readonly delimiter: string;
  /** sha256 (hex) of the file's bytes when the plan was loaded. */
  readonly sha256: string;
  /** Number of rows when the plan was loaded. */
  readonly rowCount: number;
  /** Every column that appears in at least one row, in first-seen order. */
  readonly columns: readonly string[];
}

/** Where a step's rows come from. */
export type RecordsSource = InlineRecords | FileRecords;

/** Line rows nested in their parent's own row: the column holding a list of maps (JSON, JSONL, YAML or inline data). */
export interface NestedLineRecords {
  readonly kind: 'column';
  /** The parent row's column that holds the lines. */
  readonly column: string;
}

/** Where the lines of a document come from: their own rows (each naming its parent), or a column of the parent row. */
export type LineRecordsSource = RecordsSource | NestedLineRecords;

/** What happens to a live line the plan does not declare: deleted (`(2, id)`, the default), or kept as it is. */
export type PlanUnlisted = 'delete' | 'keep';

/** Default `unlisted`: a document's lines are exactly the declared ones. */
export const DEFAULT_PLAN_UNLISTED: PlanUnlisted = 'delete';

/**
 * The owned lines of a step's documents (`lines: { order_line: {...} }`): the one2many field, where its rows come
 * from, how a line row names its parent and how a line is identified inside its parent. The diff compares the
 * declared lines with the live ones and writes `(0, 0, vals)`, `(1, id, vals)` and `(2, id)` in the document's call.
 */
export interface PlanLines {
  /** The one2many field of the step's model, e.g. `order_line`. */
  readonly field: string;
  /** Path of the node, e.g. `steps[1].lines.order_line`. */
  readonly path: string;
  /** The line rows. */
  readonly records: LineRecordsSource;
  /**
   * One template per key field of the step: the parent's key value, evaluated on the line row (empty for nested
   * lines, whose parent is the row holding them).
   */
  readonly parent: readonly ValueTemplate[];
  /** Fields identifying a line inside its parent; empty: lines are matched by position. */
  readonly key: readonly string[];
  /** Columns of the line rows that feed templates (or name the parent) only and are never sent. */
  readonly templateColumns: readonly string[];
  /** The line `values:` templates by field name. */
  readonly values: Readonly<Record<string, ValueTemplate>>;
  /** What happens to live lines not declared. */
  readonly unlisted: PlanUnlisted;
}

/** The resolved settings every step inherits. */
export interface PlanDefaults {
  /** Records per RPC call (the first chunk's, when {@link autoChunkSize}). */
  readonly chunkSize: number;
  /** `chunk_size: auto`: every step's chunk size is tuned while it runs, unless the step gives its own. */
  readonly autoChunkSize: boolean;
  /** RPC calls in flight at once, for the whole run (the first limit, when {@link autoConcurrency}). */
  readonly concurrency: number;
  /** `concurrency: auto`: the run's limit is tuned while it runs, and steps have no cap of their own by default. */
  readonly autoConcurrency: boolean;
  /** Odoo context sent with every call. */
  readonly context: Readonly<Record<string, unknown>>;
  /** Chunk failure policy. */
  readonly onError: PlanOnError;
  /** What empty values write. */
  readonly onEmpty: PlanOnEmpty;
}

/** One normalised step. Settings are resolved (defaults applied), so every field is present. */
export interface PlanStep {
  /** Step id. */
  readonly id: string;
  /** 0-based index of the step in the file. */
  readonly index: number;
  /** Path of the step node, e.g. `steps[2]`. */
  readonly path: string;
  /** Position of the step in the plan file. */
  readonly position: SourcePosition;
  /** The plan file as shown in messages (same as {@link Plan.displayFile}). */
  readonly planFile: string;
  /** The plan's node positions (the same object as {@link Plan.positions}), for messages about this step. */
  readonly positions: Readonly<Record<string, SourcePosition>>;
  /** Free-text description, if any. */
  readonly description: string | undefined;
  /** Odoo model. */
  readonly model: string;
  /** The action. */
  readonly action: StepAction;
  /** Key fields (empty when the step has none). */
  readonly key: readonly string[];
  /** The rows, or `undefined` for a step driven by `where`. */
  readonly records: RecordsSource | undefined;
  /** Columns of the rows that feed templates only and are never sent. */
  readonly templateColumns: readonly string[];
  /** The `values:` templates by field name. */
  readonly values: Readonly<Record<string, ValueTemplate>>;
  /** The `where:` domain template (a `list`), or `undefined`. */
  readonly where: ValueTemplate | undefined;
  /** Explicit `depends_on` step ids. */
  readonly dependsOn: readonly string[];
  /** Priority among ready steps (higher first). */
  readonly priority: number;
  /** Records per RPC call (the first chunk's, when {@link autoChunkSize}). */
  readonly chunkSize: number;
  /** `chunk_size: auto` (its own, or the defaults'): the chunk size is tuned while the step runs. */
  readonly autoChunkSize: boolean;
  /** RPC calls in flight at once. */
  readonly concurrency: number;
  /** `concurrency: auto` (its own, or the defaults'): no cap of its own, the run's limit only. */
  readonly autoConcurrency: boolean;
  /** Odoo context (defaults' context with the step's merged over it). */
  readonly context: Readonly<Record<string, unknown>>;
  /** Chunk failure policy. */
  readonly onError: PlanOnError;
  /** What empty values write (defaults' `on_empty` unless the step sets its own). */
  readonly onEmpty: PlanOnEmpty;
  /** Values of the `${env.NAME}` variables this step uses, captured at load time. */
  readonly env: Readonly<Record<string, string>>;
  /** The owned lines of the step's documents, by one2many field; absent when the step declares none. */
  readonly lines?: Readonly<Record<string, PlanLines>>;
  /** For a `call` step: the method, its arguments after the ids, and its keyword arguments. */
  readonly call?: StepCall;
}

/**
 * The method a `call` step calls on its selected records: `model.method(ids, *args, **kwargs)`. The arguments are
 * plain JSON values as written in the plan, with `${env.NAME}` filled in at load time.
 */
export interface StepCall {
  /** A public method name (a name starting with `_` is refused when the plan is loaded). */
  readonly method: string;
  /** Positional arguments after the ids. */
  readonly args: readonly unknown[];
  /** Keyword arguments (the step's context travels separately, as for every call). */
  readonly kwargs: Readonly<Record<string, unknown>>;
}

/** A loaded, validated, normalised plan. Deeply frozen. */
export interface Plan {
  /** Absolute path of the plan file. */
  readonly file: string;
  /** Absolute directory of the plan file; data paths are relative to it. */
  readonly dir: string;
  /** The plan file as shown in messages (relative to the working directory when inside it). */
  readonly displayFile: string;
  /** Format version (always {@link PLAN_FORMAT_VERSION}). */
  readonly version: number;
  /** Plan name. */
  readonly name: string;
  /** Description, if any. */
  readonly description: string | undefined;
  /** Resolved defaults. */
  readonly defaults: PlanDefaults;
  /** Steps in file order. */
  readonly steps: readonly PlanStep[];
  /** Positions of the plan's YAML nodes by path (`steps[1].values.parent_id` → line/col). */
  readonly positions: Readonly<Record<string, SourcePosition>>;
  /**
   * sha256 (hex) of the normalised plan, the bytes of every data file it reads and the values of the environment
   * variables it uses. Comments and formatting do not change it; any change of meaning does.
   */
  readonly fingerprint: string;
}

/** One row of a step, as {@link openRecords} yields it. */
export interface SourceRow {
  /** Row number as a user sees it: CSV line, JSONL line, or array index + 1 for JSON, YAML and inline records. */
  readonly row: number;
  /** The file the row comes from, for messages (the data file, or the plan file for inline records). */
  readonly source: string;
  /** The row's columns. */
  readonly values: Readonly<Record<string, unknown>>;
}
