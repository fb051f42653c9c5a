/**
 * The shapes that describe a sandbox model: its fields (with the `fields_get` metadata of a real Odoo 17.0 server) and
 * how they map onto SQLite tables.
 *
 * @packageDocumentation
 */

import type { CallEnv } from './call-env.js';
import type Database from 'better-sqlite3';

/** Odoo field types the sandbox implements. */
export type FieldType =
  | 'char'
  | 'text'
  | 'html'
  | 'integer'
  | 'float'
  | 'boolean'
  | 'selection'
  | 'datetime'
  | 'date'
  | 'monetary'
  | 'binary'
  | 'json'
  | 'properties'
  | 'properties_definition'
  | 'many2one'
  | 'one2many'
  | 'many2many'
  | 'many2one_reference';

/** What happens to records pointing at a deleted record through a many2one (PostgreSQL `ON DELETE`). */
export type OnDelete = 'set null' | 'restrict' | 'cascade';

/** Values a default can be computed from. */
export interface DefaultContext {
  /** The call's context (`kwargs.context`). */
  readonly context: Readonly<Record<string, unknown>>;
  /** The call's timestamp (`YYYY-MM-DD HH:MM:SS` UTC), for date and datetime defaults. */
  readonly now?: string;
}

/** One field of a model. */
export interface FieldDef {
  /** Technical name, e.g. `country_id`. */
  readonly name: string;
  /** Odoo type. */
  readonly type: FieldType;
  /** Label (`fields_get` attribute `string`). */
  readonly string: string;
  /** `fields_get` attribute `required`; stored fields are NOT NULL in SQLite. */
  readonly required?: boolean;
  /** `fields_get` attribute `readonly` (a UI hint; writes over RPC are still accepted unless `computed`). */
  readonly readonly?: boolean;
  /** Whether the field has a column (or relation table). Non-stored fields are computed on read. */
  readonly store: boolean;
  /** Comodel of a relational field. */
  readonly relation?: string;
  /** Allowed values of a selection field, as `[value, label]` pairs. */
  readonly selection?: readonly (readonly [string, string])[];
  /** many2one: what deleting the target does. */
  readonly ondelete?: OnDelete;
  /** one2many: the many2one field on the comodel pointing back. */
  readonly inverseName?: string;
  /**
   * one2many: only the comodel records whose `field` is one of `values` belong to it (account.move's
   * `invoice_line_ids` are its lines of display type product, section or note).
   */
  readonly lineFilter?: { readonly field: string; readonly values: readonly string[] };
  /** many2many: the relation table and its two columns (this side first). */
  readonly relationTable?: string;
  readonly column1?: string;
  readonly column2?: string;
  /** char: maximum length; longer values are silently truncated, as Odoo does. */
  readonly size?: number;
  /** Computed by the ORM (display_name, log access fields, ...): writes to it are ignored. */
  readonly computed?: boolean;
  /** Default value for `create` and `default_get`. */
  readonly default?: (ctx: DefaultContext) => unknown;
  /** Has an SQLite index (for the look-ups benchmarks and plans rely on). */
  readonly index?: boolean;
  /**
   * Has a column although `store` is false: a company-dependent field (an `ir.property` in Odoo) is kept on the
   * record itself, the sandbox hosting a single company.
   */
  readonly column?: boolean;
  /** `fields_get` attribute `company_dependent`. */
  readonly companyDependent?: boolean;
  /** `fields_get` attribute `depends` (what a computed field is computed from). */
  readonly depends?: readonly string[];
  /**
   * `fields_get` attribute `related`, e.g. `product_tmpl_id.name`. A non-stored related field is read, written and
   * searched through its path (this is also how `_inherits` delegates fields to the parent record).
   */
  readonly related?: string;
  /** `fields_get` attribute `translate`. */
  readonly translate?: boolean;
}

/** A registered SQL unique constraint and its Odoo message (`_sql_constraints`). */
export interface UniqueConstraint {
  /** Constraint (and SQLite index) name, e.g. `res_country_code_uniq`. */
  readonly name: string;
  /** Columns of the constraint. */
  readonly columns: readonly string[];
  /**
   * Odoo's message. For a registered constraint this is the `_sql_constraints` message; for a plain unique index
   * (ir.model.data) it is undefined and the PostgreSQL text is reproduced instead.
   */
  readonly message?: string;
}

/** A group name as Odoo prints it in access errors, e.g. `Administration/Settings`. */
export type GroupLabel = string;

/** Who may do what on a model (the `ir.model.access` rows that matter to the sandbox). */
export interface ModelAccess {
  /** Operations an internal (non-admin) user may perform. The admin may do everything. */
  readonly internalUser: readonly ('read' | 'write' | 'create' | 'unlink')[];
  /** Groups that would allow the refused operations, as listed in the AccessError message. */
  readonly groups: GroupLabel;
}

/** One model. */
export interface ModelDef {
  /** Technical name, e.g. `res.partner`. */
  readonly name: string;
  /** `_description`, used in error messages: `Contact`, `Partner Tags`, ... */
  readonly description: string;
  /** SQLite table name (Odoo's: dots replaced by underscores). */
  readonly table: string;
  /** `_order`, an order specification using stored fields. */
  readonly order: string;
  /** `_rec_name`: the field that names a record and that name_search searches. */
  readonly recName: string;
  /** `_parent_name` for child_of / parent_of, if the model is a hierarchy. */
  readonly parentName?: string;
  /** Fields by name, in fields_get order. */
  readonly fields: Readonly<Record<string, FieldDef>>;
  /** Unique constraints. */
  readonly uniques: readonly UniqueConstraint[];
  /** SQL CHECK constraints: `name` is the Odoo constraint name, `sql` the condition, `message` Odoo's message. */
  readonly checks: readonly { readonly name: string; readonly sql: string; readonly message: string }[];
  /** Access rights. */
  readonly access: ModelAccess;
  /**
   * Whether `unlink` of an id that does not exist raises MissingError (res.partner does, because its record rules and
   * dependent fields read the records first) or is silently accepted (the base ORM).
   */
  readonly unlinkChecksExistence: boolean;
  /** `_inherits`: parent model → the required many2one field of this model that points at its parent record. */
  readonly inherits?: Readonly<Record<string, string>>;
  /**
   * Built from a `fields_get` snapshot: required fields are checked by the ORM after defaults and computations (no
   * NOT NULL columns), since the snapshot's required fields are often filled by computations.
   */
  readonly fromSnapshot?: boolean;
  /** Model-specific behaviour (computations, state rules, public methods). */
  readonly hooks?: ModelHooks;
}

/**
 * The record layer as hooks, commands and syncs see it (`RecordStore` implements it). Declared with the model types
 * so that model definitions need not import the store that runs them.
 */
export interface HookStore {
  /** The SQLite database. */
  readonly db: Database.Database;
  /** The models of the database. */
  readonly registry: {
    model(name: string): ModelDef;
    get(name: string): ModelDef | undefined;
    values(): IterableIterator<ModelDef>;
  };
  /** A prepared statement for `sql`, cached. */
  statement(sql: string): Database.Statement;
  /** The ids of `ids` that exist. */
  existing(model: ModelDef, ids: readonly number[]): Set<number>;
  /** Creates one record (defaults, checks, hooks) and returns its id. */
  createOne(env: CallEnv, model: ModelDef, raw: unknown): number;
  /** Writes values on records (checks, hooks). */
  write(env: CallEnv, model: ModelDef, ids: readonly number[], raw: unknown): void;
  /** Deletes records (checks, cascades, hooks). */
  unlink(env: CallEnv, model: ModelDef, requested: readonly number[]): void;
  /** Reads records as `read` answers them. */
  read(
    env: CallEnv,
    model: ModelDef,
    ids: readonly number[],
    fields: readonly string[] | undefined,
    load: 'classic' | 'none',
  ): Record<string, unknown>[];
}

/** What a model hook receives: the record layer, the call's environment and the model. */
export interface HookContext {
  readonly store: HookStore;
  readonly env: CallEnv;
  readonly model: ModelDef;
}

/** A public method of a model taking records (`model.method(ids, *args, **kwargs)`). */
export type RecordMethod = (
  ctx: HookContext,
  ids: number[],
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
) => unknown;

/** Model-specific behaviour plugged into the generic ORM. Every hook is optional. */
export interface ModelHooks {
  /** Before a record is created, with defaults applied: fill computed values, refuse what the model refuses. */
  readonly beforeCreate?: (ctx: HookContext, vals: Record<string, unknown>) => void;
  /** After a record (and its x2many values) was created. */
  readonly afterCreate?: (ctx: HookContext, id: number, vals: Readonly<Record<string, unknown>>) => void;
  /** Before `vals` is written to `ids`. */
  readonly beforeWrite?: (ctx: HookContext, ids: readonly number[], vals: Record<string, unknown>) => void;
  /** After `vals` was written to `ids`. */
  readonly afterWrite?: (ctx: HookContext, ids: readonly number[], vals: Readonly<Record<string, unknown>>) => void;
  /** Before `ids` are deleted. */
  readonly beforeUnlink?: (ctx: HookContext, ids: readonly number[]) => void;
  /** Values of non-stored computed fields for `ids`: field name → id → value (wire form, many2one as an id). */
  readonly compute?: (
    ctx: HookContext,
    ids: readonly number[],
    fields: readonly string[],
  ) => ReadonlyMap<string, ReadonlyMap<number, unknown>>;
  /** Display names, when not the `_rec_name` column. */
  readonly displayNames?: (ctx: HookContext, ids: readonly number[]) => Map<number, string | false>;
  /** Public record methods. */
  readonly methods?: Readonly<Record<string, RecordMethod>>;
}
