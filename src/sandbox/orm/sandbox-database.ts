/**
 * The sandbox's database: an Odoo-17.0-compatible ORM on SQLite (better-sqlite3). The HTTP layer authenticates with
 * it and hands it every `object` call; each call runs in one SQLite transaction, so a failed call changes nothing.
 *
 * @packageDocumentation
 */

import type Database from 'better-sqlite3';
import { sqliteModule } from './sqlite-module.js';
import { OdooServerError } from '../odoo-server-error.js';
import { WriteLog } from './call-env.js';
import type { CallEnv } from './call-env.js';
import { odooNow } from './field-values.js';
import type { ModelRegistry } from './models/model-registry.js';
import { BASE_MODEL_SET, type ModelSet } from './models/registry.js';
import { missingError, privateMethodError, unknownMethodError, unknownModelError } from './orm-errors.js';
import { hasMethod, methodSignature, runMethod, type MethodSignature } from './orm-methods.js';
import { RecordStore } from './record-store.js';
import { createSchema, hasSchema, verifyPassword } from './schema.js';

/** Options of {@link SandboxDatabase.open}. */
export interface SandboxDatabaseOptions {
  /**
   * SQLite file; an existing file is reopened with its records and external ids intact.
   * @default ':memory:'
   */
  readonly file?: string;
  /**
   * The models the database hosts; a file created with one set is refused when reopened with another.
   * @default BASE_MODEL_SET
   */
  readonly models?: ModelSet;
}

/** Default options of {@link SandboxDatabase.open}. */
export const DEFAULT_SANDBOX_DATABASE_OPTIONS: Readonly<Required<SandboxDatabaseOptions>> = Object.freeze({
  file: ':memory:',
  models: BASE_MODEL_SET,
});

/** One ORM call, as `execute_kw` / `call_kw` carry it. */
export interface OrmCall {
  /** Calling user (credentials already checked by the caller). */
  readonly uid: number;
  /** Model, e.g. `res.partner`. */
  readonly model: string;
  /** Method, e.g. `search_read`. */
  readonly method: string;
  /** Positional arguments (for record methods, the ids first). */
  readonly args: readonly unknown[];
  /** Keyword arguments, including `context`. */
  readonly kwargs: Readonly<Record<string, unknown>>;
}

/** The outcome of a successful call. */
export interface OrmResult {
  /** The method's return value (JSON-safe). */
  readonly result: unknown;
  /**
   * Records written by the call, per model and method (e.g. `{model: 'res.partner', method: 'create', count: 2}`);
   * empty for reads. Includes ir.model.data rows created by load / create-with-xmlid.
   */
  readonly writes: readonly { model: string; method: string; count: number }[];
}

/** Credential options. */
export interface CredentialOptions {
  /** Whether an API key is accepted in place of the password (non-interactive RPC paths). */
  readonly allowApiKey: boolean;
}

interface UserRow {
  readonly id: number;
  readonly login: string;
  readonly active: number;
  readonly password_hash: string | null;
}

function resolveOptions(options: unknown): Required<SandboxDatabaseOptions> {
  if (options === undefined) return DEFAULT_SANDBOX_DATABASE_OPTIONS;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `SandboxDatabase.open: options must be an object, got ${options === null ? 'null' : typeof options}`,
    );
  }
  const { file = DEFAULT_SANDBOX_DATABASE_OPTIONS.file, models = BASE_MODEL_SET } = options as SandboxDatabaseOptions;
  if (typeof models !== 'object' || models === null || typeof models.createRegistry !== 'function') {
    throw new TypeError('SandboxDatabase.open: options.models must be a model set (e.g. BASE_MODEL_SET)');
  }
  if (typeof file !== 'string' || file === '') {
    throw new TypeError(
      `SandboxDatabase.open: options.file must be a non-empty path or ':memory:', got ${JSON.stringify(file)}`,
    );
  }
  return Object.freeze({ file, models });
}

/** Lower-casing for `ilike` that, unlike SQLite's lower(), handles non-ASCII letters as PostgreSQL does. */
function unicodeLower(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

/** An Odoo-compatible database backed by SQLite. */
export class SandboxDatabase {
  /** The database name is the HTTP server's business. */
  declare readonly dbName?: never;
  /** The admin user's API key (40 hex chars), created with the database and persisted in the file. */
  readonly apiKey: string;
  private readonly db: Database.Database;
  private readonly store: RecordStore;
  private closed = false;

  private readonly registry: ModelRegistry;

  private constructor(db: Database.Database, apiKey: string, registry: ModelRegistry) {
    this.db = db;
    this.registry = registry;
    this.store = new RecordStore(db, registry);
    this.apiKey = apiKey;
  }

  /**
   * Opens (or creates and seeds) a sandbox database.
   *
   * @throws TypeError for invalid options, or a file that holds something other than a sandbox database.
   */
  static open(options?: SandboxDatabaseOptions): SandboxDatabase {
    const { file, models } = resolveOptions(options);
    const registry = models.createRegistry();
    const Sqlite = sqliteModule();
    const db = new Sqlite(file);
    try {
      if (file !== ':memory:') {
        // WAL lets readers run beside the writer; NORMAL sync is safe with WAL and much faster.
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      }
      db.pragma('busy_timeout = 5000');
      db.function('zenoo_lower', { deterministic: true }, unicodeLower);
      db.transaction(() => {
        if (hasSchema(db, file, models.name)) return;
        const now = odooNow();
        createSchema(db, now, registry, models.name);
        models.seed?.(new RecordStore(db, registry), { uid: 1, context: {}, now, writes: new WriteLog() });
      }).immediate();
      const row = db.prepare('SELECT key FROM res_users_apikeys WHERE user_id = 2 ORDER BY id LIMIT 1').get() as {
        key: string;
      };
      return new SandboxDatabase(db, row.key, registry);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private user(where: 'id' | 'login', value: number | string): UserRow | undefined {
    return this.store
      .statement(`SELECT id, login, active, password_hash FROM res_users WHERE ${where} = ?`)
      .get(value) as UserRow | undefined;
  }

  private passwordMatches(user: UserRow, password: string, options: CredentialOptions): boolean {
    if (typeof password !== 'string' || password === '') return false;
    if (verifyPassword(password, user.password_hash)) return true;
    if (!options.allowApiKey) return false;
    return (
      this.store.statement('SELECT 1 FROM res_users_apikeys WHERE user_id = ? AND key = ?').get(user.id, password) !==
      undefined
    );
  }

  /** common.authenticate / common.login: uid or false. allowApiKey: whether an API key is accepted as password. */
  authenticate(login: string, password: string, options: CredentialOptions): number | false {
    this.assertOpen();
    if (typeof login !== 'string') return false;
    const user = this.user('login', login);
    if (!user || !user.active) return false;
    return this.passwordMatches(user, password, options) ? user.id : false;
  }

  /**
   * Checks credentials of an execute_kw call (uid + password or API key); false → caller raises AccessDenied.
   *
   * @throws OdooServerError MissingError `(Record: res.users(999,), User: 999)` for a positive uid that does not exist,
   *   as Odoo 17.0 answers.
   */
  checkCredentials(uid: number, password: string, options: CredentialOptions): boolean {
    this.assertOpen();
    if (typeof uid !== 'number' || !Number.isInteger(uid) || uid <= 0) return false;
    const user = this.user('id', uid);
    if (!user) throw missingError('res.users', uid, uid);
    if (!user.active) return false;
    return this.passwordMatches(user, password, options);
  }

  /** The uid of the active user owning API key `key` (bearer authentication of the JSON-2 API), or false. */
  authenticateApiKey(key: string): number | false {
    this.assertOpen();
    if (typeof key !== 'string' || key === '') return false;
    const row = this.store
      .statement(
        'SELECT u.id FROM res_users_apikeys k JOIN res_users u ON u.id = k.user_id WHERE k.key = ? AND u.active',
      )
      .get(key) as { id: number } | undefined;
    return row === undefined ? false : row.id;
  }

  /**
   * What `method` of `model` is for a named-argument call: an unknown model, a private method, an unknown method, or
   * the method's signature.
   */
  describeMethod(
    model: string,
    method: string,
  ):
    | { readonly kind: 'unknown-model' | 'private' | 'unknown-method' }
    | { readonly kind: 'method'; readonly signature: MethodSignature } {
    this.assertOpen();
    const def = this.registry.get(model);
    if (!def) return { kind: 'unknown-model' };
    if (method.startsWith('_') || method === 'init') return { kind: 'private' };
    const signature = methodSignature(def, method);
    return signature === undefined ? { kind: 'unknown-method' } : { kind: 'method', signature };
  }

  /** Login name of a uid (for sessions), or undefined. */
  loginOf(uid: number): string | undefined {
    this.assertOpen();
    return this.user('id', uid)?.login;
  }

  /**
   * Runs one ORM call in ONE SQLite transaction (rolled back on any error, so a failed call changes nothing).
   *
   * @throws OdooServerError with Odoo's exact name and message.
   */
  execute(call: OrmCall): OrmResult {
    this.assertOpen();
    const model = this.registry.get(call.model);
    if (!model) throw unknownModelError(call.model);
    if (call.method.startsWith('_') || call.method === 'init') throw privateMethodError(call.model, call.method);
    if (!hasMethod(model, call.method)) throw unknownMethodError(call.model, call.method);
    if (!Array.isArray(call.args))
      throw new TypeError(`SandboxDatabase.execute: args must be an array (${call.model}.${call.method})`);
    if (typeof call.kwargs !== 'object' || call.kwargs === null || Array.isArray(call.kwargs)) {
      throw new TypeError(`SandboxDatabase.execute: kwargs must be an object (${call.model}.${call.method})`);
    }
    const { context: rawContext, ...kwargs } = call.kwargs;
    const context =
      typeof rawContext === 'object' && rawContext !== null && !Array.isArray(rawContext)
        ? (rawContext as Record<string, unknown>)
        : {};
    const env: CallEnv = { uid: call.uid, context, now: odooNow(), writes: new WriteLog() };
    try {
      const result = this.db
        .transaction(() => runMethod(this.store, env, model, call.method, call.args, kwargs))
        .immediate();
      return { result, writes: env.writes.list() };
    } catch (error) {
      if (
        error instanceof sqliteModule().SqliteError &&
        (error.code === 'SQLITE_BUSY' || error.code.startsWith('SQLITE_BUSY_'))
      ) {
        // Another process holds the write lock: report it as PostgreSQL's retryable serialization failure.
        throw new OdooServerError(
          'psycopg2.errors.SerializationFailure',
          'could not serialize access due to concurrent update',
        );
      }
      throw error;
    }
  }

  /** Closes the database; later calls throw. Closing twice is harmless. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed)
      throw new Error('SandboxDatabase: the database is closed; open it again with SandboxDatabase.open().');
  }
}
