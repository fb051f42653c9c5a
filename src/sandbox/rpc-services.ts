/**
 * The three services of Odoo's stateless `/jsonrpc` endpoint (`common`, `db`, `object`), with the same argument
 * handling, credential checks and error names as Odoo 17's `odoo/service/{common,db,model}.py`.
 *
 * @packageDocumentation
 */
import { OdooServerError } from './odoo-server-error.js';
import type { OdooVersionInfo } from './odoo-version.js';
import {
  accessDeniedError,
  checkPythonArity,
  pythonInt,
  pythonTypeName,
  unknownDatabaseError,
  unknownUserError,
} from './python-errors.js';
import type { SandboxBackend, SandboxWrite } from './sandbox-backend.js';

/** The outcome of one RPC call: its result and the writes it committed. */
export interface RpcOutcome {
  /** The value sent as `result` (`undefined` or `null` → no `result` member, like Odoo's `None`). */
  readonly result: unknown;
  /** Records written (empty for reads and non-ORM calls). */
  readonly writes: readonly SandboxWrite[];
}

/** What the services need to know about the sandbox. */
export interface RpcServiceContext {
  /** The backend holding the data. */
  readonly backend: SandboxBackend;
  /** The one database name the sandbox serves. */
  readonly db: string;
  /** The version reported (`common.version`, `db.server_version`, `common.about`). */
  readonly version: OdooVersionInfo;
}

/**
 * Describes an `/jsonrpc` call for statistics and fault scoping before running it: ORM calls are named
 * `model.method` (e.g. `res.partner.create`), other calls `service.method` (e.g. `common.authenticate`).
 */
export function describeJsonRpcCall(
  service: unknown,
  method: unknown,
  args: unknown,
): { key: string; isObjectCall: boolean } {
  if (service === 'object' && (method === 'execute_kw' || method === 'execute') && Array.isArray(args)) {
    const [, , , model, ormMethod] = args as unknown[];
    if (typeof model === 'string' && typeof ormMethod === 'string')
      return { key: `${model}.${ormMethod}`, isObjectCall: true };
    return { key: `object.${method}`, isObjectCall: true };
  }
  return { key: `${String(service)}.${String(method)}`, isObjectCall: service === 'object' };
}

/**
 * Runs one `/jsonrpc` call (`params.service`, `params.method`, `params.args`).
 *
 * @throws OdooServerError exactly where Odoo raises (unknown service → `builtins.KeyError`, bad credentials on `object`
 *   → `odoo.exceptions.AccessDenied`, unknown database → `psycopg2.OperationalError`, ...).
 */
export function dispatchJsonRpc(
  context: RpcServiceContext,
  service: unknown,
  method: unknown,
  args: unknown,
): RpcOutcome {
  if (typeof service !== 'string' || !['common', 'db', 'object'].includes(service)) {
    // dispatch_rpc looks the service up in a dict: Python's KeyError carries the service name.
    throw new OdooServerError('builtins.KeyError', String(service), [service]);
  }
  const params = toArgList(args);
  const name = String(method);
  switch (service) {
    case 'common':
      return { result: dispatchCommon(context, name, params), writes: [] };
    case 'db':
      return { result: dispatchDb(context, name, params), writes: [] };
    default:
      return dispatchObject(context, name, params);
  }
}

function toArgList(args: unknown): readonly unknown[] {
  if (Array.isArray(args)) return args;
  // The service dispatchers unpack `*params`: anything that is not a sequence fails like Python's unpacking.
  throw new OdooServerError(
    'builtins.TypeError',
    `dispatch() argument after * must be an iterable, not ${pythonTypeName(args)}`,
  );
}

function checkDb(context: RpcServiceContext, db: unknown): void {
  if (db !== context.db) throw unknownDatabaseError(db);
}

function authenticate(context: RpcServiceContext, db: unknown, login: unknown, password: unknown): number | false {
  checkDb(context, db);
  if (typeof login !== 'string' || typeof password !== 'string' || login === '' || password === '') return false;
  // Non-interactive login: API keys are accepted in the password slot.
  return context.backend.authenticate(login, password, { allowApiKey: true });
}

function dispatchCommon(context: RpcServiceContext, method: string, params: readonly unknown[]): unknown {
  switch (method) {
    case 'version':
      checkPythonArity('exp_version', [], 0, params);
      return context.version;
    case 'login':
      checkPythonArity('exp_login', ['db', 'login', 'password'], 3, params);
      return authenticate(context, params[0], params[1], params[2]);
    case 'authenticate':
      checkPythonArity('exp_authenticate', ['db', 'login', 'password', 'user_agent_env'], 4, params);
      return authenticate(context, params[0], params[1], params[2]);
    case 'about': {
      checkPythonArity('exp_about', ['extended'], 0, params);
      const info = 'See http://openerp.com';
      return params[0] ? [info, context.version.server_version] : info;
    }
    case 'set_loglevel':
      // Deprecated in 17.0 but still answered; the sandbox has no log level to change.
      checkPythonArity('exp_set_loglevel', ['loglevel', 'logger'], 1, params);
      return true;
    default:
      throw new OdooServerError('builtins.Exception', `Method not found: ${method}`);
  }
}

// db methods that need the master password; the sandbox has none, so they are always refused like a wrong password.
const MASTER_PASSWORD_DB_METHODS = new Set([
  'create_database',
  'duplicate_database',
  'drop',
  'dump',
  'restore',
  'rename',
  'change_admin_password',
  'migrate_databases',
  'list_countries',
]);

function dispatchDb(context: RpcServiceContext, method: string, params: readonly unknown[]): unknown {
  switch (method) {
    case 'list':
      checkPythonArity('exp_list', ['document'], 0, params);
      return [context.db];
    case 'server_version':
      checkPythonArity('exp_server_version', [], 0, params);
      return context.version.server_version;
    case 'db_exist':
      checkPythonArity('exp_db_exist', ['db_name'], 1, params);
      return params[0] === context.db;
    case 'list_lang':
      checkPythonArity('exp_list_lang', [], 0, params);
      // The sandbox has one language.
      return [['en_US', 'English (US)']];
    default:
      if (MASTER_PASSWORD_DB_METHODS.has(method)) throw accessDeniedError();
      throw new OdooServerError('builtins.KeyError', `Method not found: ${method}`);
  }
}

/**
 * Checks `object` credentials in Odoo's order: empty password, database, user existence, then password or API key.
 * Returns the uid.
 */
function checkObjectCredentials(context: RpcServiceContext, params: readonly unknown[]): number {
  if (params.length < 3) throw new OdooServerError('builtins.IndexError', 'list index out of range');
  const [db, rawUid, password] = params;
  const uid = pythonInt(rawUid);
  if (typeof password !== 'string' || password === '') throw accessDeniedError();
  checkDb(context, db);
  if (uid <= 0) throw accessDeniedError();
  if (context.backend.loginOf(uid) === undefined) {
    throw unknownUserError(uid);
  }
  if (!context.backend.checkCredentials(uid, password, { allowApiKey: true })) throw accessDeniedError();
  return uid;
}

function dispatchObject(context: RpcServiceContext, method: string, params: readonly unknown[]): RpcOutcome {
  const uid = checkObjectCredentials(context, params);
  const rest = params.slice(3);
  let model: unknown;
  let ormMethod: unknown;
  let args: unknown;
  let kwargs: unknown;
  if (method === 'execute_kw') {
    checkPythonArity('execute_kw', ['db', 'uid', 'obj', 'method', 'args', 'kw'], 5, [null, null, ...rest]);
    [model, ormMethod, args, kwargs] = rest;
  } else if (method === 'execute') {
    checkPythonArity('execute', ['db', 'uid', 'obj', 'method'], 4, [null, null, ...rest.slice(0, 2)]);
    [model, ormMethod] = rest;
    args = rest.slice(2);
    kwargs = {};
  } else {
    throw new OdooServerError('builtins.NameError', `Method not available ${method}`);
  }
  return executeOrm(context, uid, model, ormMethod, args, kwargs);
}

/** Validates the shape of an ORM call and runs it through the backend. Shared by `/jsonrpc` and `call_kw`. */
export function executeOrm(
  context: RpcServiceContext,
  uid: number,
  model: unknown,
  method: unknown,
  args: unknown,
  kwargs: unknown,
): RpcOutcome {
  if (typeof model !== 'string') {
    throw new OdooServerError('builtins.TypeError', `unhashable type: '${pythonTypeName(model)}'`);
  }
  if (typeof method !== 'string') {
    throw new OdooServerError('builtins.TypeError', `attribute name must be string, not '${pythonTypeName(method)}'`);
  }
  if (!Array.isArray(args)) {
    throw new OdooServerError(
      'builtins.TypeError',
      `odoo.api.call_kw() argument after * must be an iterable, not ${pythonTypeName(args)}`,
    );
  }
  const kw = kwargs ?? {};
  if (typeof kw !== 'object' || Array.isArray(kw)) {
    throw new OdooServerError(
      'builtins.TypeError',
      `odoo.api.call_kw() argument after ** must be a mapping, not ${pythonTypeName(kw)}`,
    );
  }
  const { result, writes } = context.backend.execute({
    uid,
    model,
    method,
    args: args as unknown[],
    kwargs: kw as Record<string, unknown>,
  });
  return { result, writes };
}
