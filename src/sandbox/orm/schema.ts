/**
 * The SQLite schema of the sandbox (one table per model, Odoo's table names, relation tables for many2many fields)
 * and the records a fresh Odoo 17.0 database starts with: the company partner, the admin user (uid 2, login `admin`,
 * password `admin`) and its API key, the built-in users, the 250 countries with their `base.<code>` external ids, and
 * the usual system parameters.
 *
 * @packageDocumentation
 */

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { FieldDef, ModelDef } from './model-types.js';
import type { ModelRegistry } from './models/model-registry.js';
import { hasColumn } from './models/registry.js';
import { SEED_COUNTRIES } from './seed-countries.js';

/** Version of the schema written in `zenoo_sandbox_meta`; a file with another version is refused. */
export const SCHEMA_VERSION = '1';

/** The admin's uid, login and password on a fresh database (as on a fresh Odoo). */
export const ADMIN_UID = 2;
export const ADMIN_LOGIN = 'admin';
export const ADMIN_PASSWORD = 'admin';

function sqlType(field: FieldDef): string {
  switch (field.type) {
    case 'integer':
    case 'boolean':
    case 'many2one':
    case 'many2one_reference':
      return 'INTEGER';
    case 'float':
    case 'monetary':
      return 'REAL';
    default:
      return 'TEXT';
  }
}

/** The DDL of one model's table and indexes. */
function modelDdl(model: ModelDef): string[] {
  const columns = ['id INTEGER PRIMARY KEY AUTOINCREMENT'];
  for (const field of Object.values(model.fields)) {
    if (field.name === 'id' || !hasColumn(field)) continue;
    // Snapshot fields (they carry `depends`) are checked by the ORM, after defaults and computations.
    const notNull = field.required === true && model.fromSnapshot !== true && field.depends === undefined;
    columns.push(`"${field.name}" ${sqlType(field)}${notNull ? ' NOT NULL' : ''}`);
  }
  if (model.name === 'res.users') columns.push('password_hash TEXT');
  for (const check of model.checks) columns.push(`CONSTRAINT ${check.name} CHECK (${check.sql})`);
  const statements = [`CREATE TABLE ${model.table} (${columns.join(', ')})`];
  for (const unique of model.uniques) {
    statements.push(
      `CREATE UNIQUE INDEX ${unique.name} ON ${model.table} (${unique.columns.map((c) => `"${c}"`).join(', ')})`,
    );
  }
  for (const field of Object.values(model.fields)) {
    if (field.index && hasColumn(field)) {
      statements.push(`CREATE INDEX ${model.table}_${field.name}_index ON ${model.table} ("${field.name}")`);
    }
    if (
      field.type === 'many2many' &&
      field.relationTable &&
      field.column1 &&
      field.column2 &&
      (field.column1 < field.column2 || model.fromSnapshot === true)
    ) {
      // Created once, from the side whose column names sort first; both sides share the table. A snapshot model's
      // many2many has a table of its own (its inverse side, if any, is not known from fields_get).
      statements.push(
        `CREATE TABLE ${field.relationTable} (${field.column1} INTEGER NOT NULL, ${field.column2} INTEGER NOT NULL, ` +
          `PRIMARY KEY (${field.column1}, ${field.column2})) WITHOUT ROWID`,
        `CREATE INDEX ${field.relationTable}_${field.column2}_idx ON ${field.relationTable} (${field.column2}, ${field.column1})`,
      );
    }
  }
  return statements;
}

/** Salted SHA-256 of a password, as stored in `res_users.password_hash` (`salt$hex`). */
export function hashPassword(password: string, salt = randomBytes(8).toString('hex')): string {
  return `${salt}$${createHash('sha256').update(`${salt}:${password}`).digest('hex')}`;
}

/** Whether `password` matches a hash made by {@link hashPassword}. */
export function verifyPassword(password: string, stored: string | null | undefined): boolean {
  if (!stored || password === '') return false;
  const salt = stored.slice(0, stored.indexOf('$'));
  return hashPassword(password, salt) === stored;
}

/** Whether the database already holds a sandbox schema; throws if it holds another version or something else. */
export function hasSchema(db: Database.Database, file: string, models = 'base'): boolean {
  const meta = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'zenoo_sandbox_meta'").get();
  if (!meta) {
    const other = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
    if (other.n > 0) {
      throw new TypeError(
        `Sandbox database file ${file} contains tables that are not a zenoo sandbox; use a new or empty file.`,
      );
    }
    return false;
  }
  const row = db.prepare("SELECT value FROM zenoo_sandbox_meta WHERE key = 'schema_version'").get() as
    { value: string } | undefined;
  if (row?.value !== SCHEMA_VERSION) {
    throw new TypeError(
      `Sandbox database file ${file} has schema version ${row?.value ?? 'unknown'}, expected ${SCHEMA_VERSION}; ` +
        'delete it or use another file.',
    );
  }
  const set = db.prepare("SELECT value FROM zenoo_sandbox_meta WHERE key = 'models'").get() as
    { value: string } | undefined;
  // Files written before model sets existed hold the base models.
  const stored = set?.value ?? 'base';
  if (stored !== models) {
    throw new TypeError(
      `Sandbox database file ${file} holds the ${stored} models, not the ${models} models; ` +
        'open it with the same models, or use another file.',
    );
  }
  return true;
}

/** Creates every table and index and seeds a fresh database. Runs in the caller's transaction. */
export function createSchema(db: Database.Database, now: string, registry: ModelRegistry, models = 'base'): void {
  db.exec('CREATE TABLE zenoo_sandbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  db.exec(
    'CREATE TABLE res_users_apikeys (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL, key TEXT NOT NULL UNIQUE)',
  );
  for (const model of registry.values()) for (const statement of modelDdl(model)) db.exec(statement);
  db.exec('CREATE INDEX ir_model_data_model_res_id_index ON ir_model_data (model, res_id)');
  seed(db, now);
  db.prepare("INSERT INTO zenoo_sandbox_meta (key, value) VALUES ('schema_version', ?)").run(SCHEMA_VERSION);
  db.prepare("INSERT INTO zenoo_sandbox_meta (key, value) VALUES ('models', ?)").run(models);
}

function seed(db: Database.Database, now: string): void {
  const log = { create_uid: 1, create_date: now, write_uid: 1, write_date: now };
  const partner = db.prepare(
    'INSERT INTO res_partner (id, name, complete_name, active, is_company, type, lang, customer_rank, create_uid, create_date, write_uid, write_date) ' +
      "VALUES (@id, @name, @name, @active, @is_company, 'contact', 'en_US', 0, @create_uid, @create_date, @write_uid, @write_date)",
  );
  const partners: [number, string, number, number][] = [
    [1, 'My Company', 1, 1],
    [2, 'OdooBot', 0, 0],
    [3, 'Administrator', 1, 0],
    [4, 'Public user', 0, 0],
    [5, 'Portal User Template', 0, 0],
    [6, 'Default User Template', 0, 0],
  ];
  for (const [id, name, active, isCompany] of partners)
    partner.run({ id, name, active, is_company: isCompany, ...log });
  const user = db.prepare(
    'INSERT INTO res_users (id, name, login, active, partner_id, password_hash, create_uid, create_date, write_uid, write_date) ' +
      'VALUES (@id, @name, @login, @active, @partner_id, @password_hash, @create_uid, @create_date, @write_uid, @write_date)',
  );
  const users: [number, string, string, number, number, string | null][] = [
    [1, 'OdooBot', '__system__', 0, 2, null],
    [2, 'Administrator', ADMIN_LOGIN, 1, 3, hashPassword(ADMIN_PASSWORD)],
    [3, 'Public user', 'public', 0, 4, null],
    [4, 'Portal User Template', 'portaltemplate', 0, 5, null],
    [5, 'Default User Template', 'default', 0, 6, null],
  ];
  for (const [id, name, login, active, partnerId, hash] of users) {
    user.run({ id, name, login, active, partner_id: partnerId, password_hash: hash, ...log });
  }
  const xmlid = db.prepare(
    'INSERT INTO ir_model_data (module, name, model, res_id, noupdate, create_uid, create_date, write_uid, write_date) ' +
      "VALUES ('base', ?, ?, ?, ?, 1, ?, 1, ?)",
  );
  for (const [name, id] of [
    ['main_partner', 1],
    ['partner_root', 2],
    ['partner_admin', 3],
    ['public_partner', 4],
  ] as const) {
    xmlid.run(name, 'res.partner', id, 1, now, now);
  }
  for (const [name, id] of [
    ['user_root', 1],
    ['user_admin', 2],
    ['public_user', 3],
    ['template_portal_user_id', 4],
    ['default_user', 5],
  ] as const) {
    xmlid.run(name, 'res.users', id, 1, now, now);
  }
  const country = db.prepare(
    'INSERT INTO res_country (id, name, code, phone_code, create_uid, create_date, write_uid, write_date) VALUES (?, ?, ?, 0, 1, ?, 1, ?)',
  );
  SEED_COUNTRIES.forEach((c, index) => {
    country.run(index + 1, c.name, c.code, now, now);
    xmlid.run(c.code.toLowerCase(), 'res.country', index + 1, 1, now, now);
  });
  const param = db.prepare(
    'INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date) VALUES (?, ?, 1, ?, 1, ?)',
  );
  const params: [string, string][] = [
    ['database.secret', randomUUID()],
    ['database.uuid', randomUUID()],
    ['database.create_date', now],
    ['web.base.url', 'http://localhost:8069'],
    ['base.login_cooldown_after', '10'],
    ['base.login_cooldown_duration', '60'],
    ['base.template_portal_user_id', '4'],
  ];
  for (const [key, value] of params) param.run(key, value, now, now);
  db.prepare('INSERT INTO res_users_apikeys (user_id, key) VALUES (?, ?)').run(
    ADMIN_UID,
    randomBytes(20).toString('hex'),
  );
}
