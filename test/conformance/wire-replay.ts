/**
 * Replays captured Odoo exchanges against a live target (the sandbox, or a real Odoo) and compares the answers.
 *
 * Ids differ between servers, so recorded ids are mapped to the ids the target actually returns (per model, learned
 * from results: created ids, read rows, many2one pairs, ...) and substituted into later requests and into expected
 * messages (`res.partner(7,)`, `User: 2`). The database name, login and password of the capture (`zenoo`, `admin`,
 * `admin`) are replaced by the target's. Timestamps and debug traces are not compared.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { WireExchange, WireRoute } from './wire-file.js';

/** The server the exchanges are replayed against. */
export interface ReplayTarget {
  /** Base URL, without trailing slash. */
  readonly url: string;
  readonly db: string;
  readonly login: string;
  readonly password: string;
  /** A real Odoo (not the sandbox): environment-specific texts (PostgreSQL host/port) are compared loosely. */
  readonly isRealOdoo: boolean;
}

/** Database, login and password used when a capture was made. */
export interface RecordedCredentials {
  readonly db: string;
  readonly login: string;
  readonly password: string;
}

/** Database, login and password used when the base exchanges were captured. */
export const RECORDED: RecordedCredentials = Object.freeze({ db: 'zenoo', login: 'admin', password: 'admin' });

interface FieldInfo {
  readonly type: string;
  readonly relation?: string;
}

const FIELDS = JSON.parse(
  readFileSync(new URL('../fixtures/odoo/fields-odoo-17.0.json', import.meta.url), 'utf8'),
) as Record<string, Record<string, FieldInfo>>;

/** fields_get of the company database's business models (the snapshot the company sandbox is built from). */
const COMPANY_FIELDS = (
  JSON.parse(
    readFileSync(new URL('../../src/sandbox/company/fields-odoo-17.0-company.json', import.meta.url), 'utf8'),
  ) as { models: Record<string, { fields: Record<string, FieldInfo> }> }
).models;

/** Fields the company capture reads on models outside both snapshots (ir.model, as Odoo 17.0 defines it). */
const EXTRA_FIELDS: Readonly<Record<string, Readonly<Record<string, FieldInfo>>>> = {
  'ir.model': { inherited_model_ids: { type: 'many2many', relation: 'ir.model' } },
};

function fieldInfo(model: string, field: string): FieldInfo | undefined {
  if (field === 'create_uid' || field === 'write_uid') return { type: 'many2one', relation: 'res.users' };
  const fields = FIELDS[model];
  const base = fields !== undefined && !Array.isArray(fields) ? fields[field] : undefined;
  return base ?? COMPANY_FIELDS[model]?.fields[field] ?? EXTRA_FIELDS[model]?.[field];
}

const isRelational = (info: FieldInfo | undefined): info is FieldInfo & { relation: string } =>
  info !== undefined && info.relation !== undefined && ['many2one', 'one2many', 'many2many'].includes(info.type);

/** Recorded id → actual id, per model. */
export class IdMap {
  readonly #maps = new Map<string, Map<number, number>>();

  #map(model: string): Map<number, number> {
    let map = this.#maps.get(model);
    if (map === undefined) {
      map = new Map();
      this.#maps.set(model, map);
    }
    return map;
  }

  /** The actual id for a recorded one; unmapped ids (never seen in a result) pass through unchanged. */
  toActual(model: string, recorded: number): number {
    return this.#maps.get(model)?.get(recorded) ?? recorded;
  }

  /** The only model that has a mapping for `recorded`, if exactly one has. */
  findModel(recorded: number): string | undefined {
    const models = [...this.#maps].filter(([, map]) => map.has(recorded)).map(([model]) => model);
    return models.length === 1 ? models[0] : undefined;
  }

  /** Records `recorded → actual`; returns a problem when it contradicts an earlier mapping. */
  learn(model: string, recorded: number, actual: number): string | undefined {
    const map = this.#map(model);
    const known = map.get(recorded);
    if (known !== undefined) {
      return known === actual ? undefined : `${model} id ${recorded} was ${known} on the target, now ${actual}`;
    }
    for (const [otherRecorded, otherActual] of map) {
      if (otherActual === actual)
        return `${model} id ${actual} on the target stands for both ${otherRecorded} and ${recorded}`;
    }
    map.set(recorded, actual);
    return undefined;
  }
}

const clone = <T>(value: T): T => structuredClone(value);

function mapIds(ids: IdMap, model: string, value: unknown): unknown {
  if (typeof value === 'number') return ids.toActual(model, value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'number' ? ids.toActual(model, v) : v));
  return value;
}

/** Maps the recorded ids in create/write values (many2one, x2many commands) to the target's. */
export function translateValues(ids: IdMap, model: string, values: unknown): unknown {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) return values;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
    const info = fieldInfo(model, key);
    if (model === 'ir.model.data' && key === 'res_id' && typeof value === 'number') {
      const target = (values as Record<string, unknown>)['model'];
      out[key] = typeof target === 'string' ? ids.toActual(target, value) : value;
    } else if (isRelational(info) && info.type === 'many2one') {
      out[key] = mapIds(ids, info.relation, value);
    } else if (isRelational(info) && Array.isArray(value)) {
      out[key] = value.map((command) => translateCommand(ids, info.relation, command));
    } else {
      out[key] = value;
    }
  }
  return out;
}

function translateCommand(ids: IdMap, relation: string, command: unknown): unknown {
  if (typeof command === 'number') return ids.toActual(relation, command);
  if (!Array.isArray(command)) return command;
  const [code, id, payload] = command as [unknown, unknown, unknown];
  switch (code) {
    case 0:
      return [0, id, translateValues(ids, relation, payload)];
    case 1:
      return [1, mapIds(ids, relation, id), translateValues(ids, relation, payload)];
    case 2:
    case 3:
    case 4:
      return [code, mapIds(ids, relation, id), payload];
    case 6:
      return [6, id, mapIds(ids, relation, payload)];
    default:
      return command;
  }
}

/** Maps the recorded ids in a domain (leaves on `id` and relational fields) to the target's. */
export function translateDomain(ids: IdMap, model: string, domain: unknown): unknown {
  if (!Array.isArray(domain)) return domain;
  return domain.map((leaf) => {
    if (!Array.isArray(leaf) || leaf.length !== 3 || typeof leaf[0] !== 'string') return leaf;
    const [path, operator, value] = leaf as [string, unknown, unknown];
    let current: string | undefined = model;
    let valueModel: string | undefined;
    const segments = path.split('.');
    segments.forEach((segment, index) => {
      if (current === undefined) return;
      const last = index === segments.length - 1;
      if (segment === 'id') {
        if (last) valueModel = current;
        return;
      }
      const info = fieldInfo(current, segment);
      if (last) valueModel = isRelational(info) ? info.relation : undefined;
      else current = isRelational(info) ? info.relation : undefined;
    });
    return [path, operator, valueModel === undefined ? value : mapIds(ids, valueModel, value)];
  });
}

function translateOrmArgs(ids: IdMap, model: string, method: string, args: unknown): unknown {
  if (!Array.isArray(args)) return args;
  const out = [...args];
  switch (method) {
    case 'read':
    case 'unlink':
      out[0] = mapIds(ids, model, out[0]);
      break;
    case 'write':
      out[0] = mapIds(ids, model, out[0]);
      out[1] = translateValues(ids, model, out[1]);
      break;
    case 'create':
      out[0] = Array.isArray(out[0])
        ? out[0].map((v) => translateValues(ids, model, v))
        : translateValues(ids, model, out[0]);
      break;
    case 'search':
    case 'search_read':
    case 'search_count':
      out[0] = translateDomain(ids, model, out[0]);
      break;
    case 'load': {
      // `field/.id` columns hold database ids as strings.
      const [columns, rows] = out as [unknown, unknown];
      if (Array.isArray(columns) && Array.isArray(rows)) {
        out[1] = rows.map((row) =>
          Array.isArray(row)
            ? row.map((cell, index) => {
                const column = columns[index];
                if (
                  typeof column !== 'string' ||
                  !column.endsWith('/.id') ||
                  typeof cell !== 'string' ||
                  !/^\d+$/.test(cell)
                )
                  return cell;
                const info = fieldInfo(model, column.slice(0, -'/.id'.length));
                return isRelational(info) ? String(ids.toActual(info.relation, Number(cell))) : cell;
              })
            : row,
        );
      }
      break;
    }
    default:
      break;
  }
  return out;
}

function translateKwargs(ids: IdMap, model: string, kwargs: unknown): unknown {
  if (kwargs === null || typeof kwargs !== 'object' || Array.isArray(kwargs)) return kwargs;
  const out = { ...(kwargs as Record<string, unknown>) };
  if ('domain' in out) out['domain'] = translateDomain(ids, model, out['domain']);
  return out;
}

/** Builds the params to send to the target for a recorded exchange. */
export function translateParams(
  exchange: WireExchange,
  target: ReplayTarget,
  ids: IdMap,
  recorded: RecordedCredentials = RECORDED,
): Record<string, unknown> {
  const params = clone(exchange.params) as Record<string, unknown>;
  const sub = (value: unknown, recorded: string, actual: string): unknown => (value === recorded ? actual : value);
  if (exchange.route === '/web/session/authenticate') {
    params['db'] = sub(params['db'], recorded.db, target.db);
    params['login'] = sub(params['login'], recorded.login, target.login);
    params['password'] = sub(params['password'], recorded.password, target.password);
    return params;
  }
  if (exchange.route === '/web/dataset/call_kw') {
    const model = String(params['model']);
    params['args'] = translateOrmArgs(ids, model, String(params['method']), params['args']);
    params['kwargs'] = translateKwargs(ids, model, params['kwargs']);
    return params;
  }
  const args = params['args'];
  if (!Array.isArray(args)) return params;
  if (params['service'] === 'common' && (params['method'] === 'login' || params['method'] === 'authenticate')) {
    args[0] = sub(args[0], recorded.db, target.db);
    args[1] = sub(args[1], recorded.login, target.login);
    args[2] = sub(args[2], recorded.password, target.password);
  } else if (params['service'] === 'object') {
    args[0] = sub(args[0], recorded.db, target.db);
    args[1] = mapIds(ids, 'res.users', args[1]);
    args[2] = sub(args[2], recorded.password, target.password);
    const model = String(args[3]);
    const method = String(args[4]);
    if (args.length > 5) args[5] = translateOrmArgs(ids, model, method, args[5]);
    if (args.length > 6) args[6] = translateKwargs(ids, model, args[6]);
  }
  return params;
}

/** Substitutes mapped ids into an expected message: `res.partner(7,)`, `res.partner(7, 8)`, `User: 2`. */
export function translateText(ids: IdMap, text: string): string {
  return text
    .replace(
      /\b([a-z_]+(?:\.[a-z_]+)+)\(([\d, ]*)\)/g,
      (_all, model: string, list: string) =>
        `${model}(${list.replace(/\d+/g, (id) => String(ids.toActual(model, Number(id))))})`,
    )
    .replace(/\bUser: (\d+)/g, (_all, id: string) => `User: ${ids.toActual('res.users', Number(id))}`);
}

const DATETIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
const VOLATILE_FIELDS = new Set(['create_date', 'write_date', '__last_update']);

/** Compares one exchange's answer with the recorded one, learning ids on the way; returns the differences. */
export class ResponseComparer {
  readonly problems: string[] = [];

  constructor(
    readonly ids: IdMap,
    readonly target: ReplayTarget,
  ) {}

  #fail(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  #plain(path: string, recorded: unknown, actual: unknown): void {
    if (!isDeepStrictEqual(recorded, actual)) {
      this.#fail(path, `expected ${JSON.stringify(recorded)}, got ${JSON.stringify(actual)}`);
    }
  }

  #id(path: string, model: string | undefined, recorded: unknown, actual: unknown): void {
    if (typeof recorded !== 'number') return this.#plain(path, recorded, actual);
    if (typeof actual !== 'number')
      return this.#fail(path, `expected a ${model ?? 'record'} id, got ${JSON.stringify(actual)}`);
    if (model === undefined) return;
    const problem = this.ids.learn(model, recorded, actual);
    if (problem !== undefined) this.#fail(path, problem);
  }

  #idList(path: string, model: string, recorded: unknown, actual: unknown): void {
    if (!Array.isArray(recorded) || !Array.isArray(actual) || recorded.length !== actual.length) {
      return this.#fail(path, `expected ${JSON.stringify(recorded)}, got ${JSON.stringify(actual)}`);
    }
    recorded.forEach((id, i) => this.#id(`${path}[${i}]`, model, id, actual[i]));
  }

  #records(path: string, model: string, recorded: unknown, actual: unknown): void {
    if (!Array.isArray(recorded) || !Array.isArray(actual)) return this.#plain(path, recorded, actual);
    if (recorded.length !== actual.length) {
      return this.#fail(
        path,
        `expected ${recorded.length} records ${JSON.stringify(recorded)}, got ${actual.length}: ${JSON.stringify(actual)}`,
      );
    }
    recorded.forEach((row, i) => this.#record(`${path}[${i}]`, model, row, actual[i]));
  }

  #record(path: string, model: string, recorded: unknown, actual: unknown): void {
    if (recorded === null || typeof recorded !== 'object' || actual === null || typeof actual !== 'object') {
      return this.#plain(path, recorded, actual);
    }
    const rec = recorded as Record<string, unknown>;
    const act = actual as Record<string, unknown>;
    this.#plain(`${path} keys`, Object.keys(rec).sort(), Object.keys(act).sort());
    for (const [key, value] of Object.entries(rec)) {
      const got = act[key];
      const at = `${path}.${key}`;
      const info = fieldInfo(model, key);
      if (key === 'id') this.#id(at, model, value, got);
      else if (VOLATILE_FIELDS.has(key)) {
        if (typeof value === 'string' && !(typeof got === 'string' && DATETIME.test(got)))
          this.#fail(at, `expected a datetime, got ${JSON.stringify(got)}`);
      } else if (model === 'ir.model.data' && key === 'res_id') {
        const target =
          typeof rec['model'] === 'string'
            ? rec['model']
            : typeof value === 'number'
              ? this.ids.findModel(value)
              : undefined;
        this.#id(at, target, value, got);
      } else if (isRelational(info) && info.type === 'many2one' && Array.isArray(value)) {
        if (!Array.isArray(got) || got.length !== 2) this.#fail(at, `expected [id, name], got ${JSON.stringify(got)}`);
        else {
          this.#id(`${at}[0]`, info.relation, value[0], got[0]);
          this.#plain(`${at}[1]`, value[1], got[1]);
        }
      } else if (isRelational(info) && info.type === 'many2one') this.#id(at, info.relation, value, got);
      else if (isRelational(info)) this.#idList(at, info.relation, value, got);
      else this.#plain(at, value, got);
    }
  }

  #ormResult(path: string, model: string, method: string, recorded: unknown, actual: unknown): void {
    switch (method) {
      case 'create':
        return Array.isArray(recorded)
          ? this.#idList(path, model, recorded, actual)
          : this.#id(path, model, recorded, actual);
      case 'search':
        return this.#idList(path, model, recorded, actual);
      case 'read':
      case 'search_read':
        return this.#records(path, model, recorded, actual);
      case 'name_search':
        if (!Array.isArray(recorded) || !Array.isArray(actual) || recorded.length !== actual.length)
          return this.#plain(path, recorded, actual);
        return recorded.forEach((pair, i) => {
          const got = actual[i] as unknown[];
          this.#id(`${path}[${i}][0]`, model, (pair as unknown[])[0], got?.[0]);
          this.#plain(`${path}[${i}][1]`, (pair as unknown[])[1], got?.[1]);
        });
      case 'check_object_reference': {
        const [recModel, recId] = recorded as [string, number];
        const [gotModel, gotId] = (Array.isArray(actual) ? actual : []) as [unknown, unknown];
        this.#plain(`${path}[0]`, recModel, gotModel);
        return this.#id(`${path}[1]`, recModel, recId, gotId);
      }
      case 'load': {
        const rec = recorded as Record<string, unknown>;
        const act = (actual ?? {}) as Record<string, unknown>;
        this.#plain(`${path} keys`, Object.keys(rec).sort(), Object.keys(act).sort());
        if (Array.isArray(rec['ids'])) this.#idList(`${path}.ids`, model, rec['ids'], act['ids']);
        else this.#plain(`${path}.ids`, rec['ids'], act['ids']);
        this.#plain(`${path}.messages`, rec['messages'], act['messages']);
        return this.#plain(`${path}.nextrow`, rec['nextrow'], act['nextrow']);
      }
      default:
        return this.#plain(path, recorded, actual);
    }
  }

  #sessionInfo(path: string, recorded: Record<string, unknown>, actual: unknown): void {
    if (actual === null || typeof actual !== 'object')
      return this.#fail(path, `expected session info, got ${JSON.stringify(actual)}`);
    const act = actual as Record<string, unknown>;
    this.#id(`${path}.uid`, 'res.users', recorded['uid'], act['uid']);
    this.#plain(`${path}.db`, this.target.db, act['db']);
    this.#plain(`${path}.username`, this.target.login, act['username']);
    this.#plain(`${path}.server_version`, recorded['server_version'], act['server_version']);
    this.#plain(`${path}.server_version_info`, recorded['server_version_info'], act['server_version_info']);
    const context = (act['user_context'] ?? {}) as Record<string, unknown>;
    const recContext = (recorded['user_context'] ?? {}) as Record<string, unknown>;
    this.#plain(`${path}.user_context.lang`, recContext['lang'], context['lang']);
    this.#id(`${path}.user_context.uid`, 'res.users', recContext['uid'], context['uid']);
  }

  #error(recorded: Record<string, unknown>, actual: unknown): void {
    if (actual === null || typeof actual !== 'object')
      return this.#fail('error', `expected an error object, got ${JSON.stringify(actual)}`);
    const act = actual as Record<string, unknown>;
    this.#plain('error.code', recorded['code'], act['code']);
    this.#plain('error.message', recorded['message'], act['message']);
    const recData = (recorded['data'] ?? {}) as Record<string, unknown>;
    const data = (act['data'] ?? {}) as Record<string, unknown>;
    this.#plain('error.data keys', Object.keys(recData).sort(), Object.keys(data).sort());
    this.#plain('error.data.name', recData['name'], data['name']);
    const translate = (value: unknown): unknown => (typeof value === 'string' ? translateText(this.ids, value) : value);
    let expectedMessage = translate(recData['message']);
    let actualMessage = data['message'];
    if (this.target.isRealOdoo && recData['name'] === 'psycopg2.OperationalError') {
      // The text names the capture's PostgreSQL host and port; compare what follows them.
      const tail = (text: unknown): unknown => (typeof text === 'string' ? text.slice(text.indexOf('FATAL:')) : text);
      expectedMessage = tail(expectedMessage);
      actualMessage = tail(actualMessage);
    } else {
      this.#plain(
        'error.data.arguments',
        (recData['arguments'] as unknown[] | undefined)?.map(translate),
        data['arguments'],
      );
    }
    this.#plain('error.data.message', expectedMessage, actualMessage);
    this.#plain('error.data.context', recData['context'], data['context']);
    if (typeof data['debug'] !== 'string') this.#fail('error.data.debug', 'expected a traceback string');
  }

  /** Compares a whole response envelope. */
  compare(exchange: WireExchange, sent: Record<string, unknown>, actual: unknown): void {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return this.#fail('body', `expected a JSON-RPC envelope, got ${JSON.stringify(actual)}`);
    }
    const recorded = exchange.response;
    const act = actual as Record<string, unknown>;
    this.#plain('envelope keys', Object.keys(recorded).sort(), Object.keys(act).sort());
    this.#plain('jsonrpc', recorded['jsonrpc'], act['jsonrpc']);
    this.#plain('id', recorded['id'], act['id']);
    if ('error' in recorded) return this.#error(recorded['error'] as Record<string, unknown>, act['error']);
    if (!('result' in recorded)) return;
    const result = recorded['result'];
    const got = act['result'];
    if (exchange.route === '/web/session/authenticate')
      return this.#sessionInfo('result', result as Record<string, unknown>, got);
    if (exchange.route === '/web/dataset/call_kw') {
      return this.#ormResult('result', String(sent['model']), String(sent['method']), result, got);
    }
    const args = Array.isArray(sent['args']) ? (sent['args'] as unknown[]) : [];
    if (sent['service'] === 'common' && (sent['method'] === 'authenticate' || sent['method'] === 'login')) {
      return this.#id('result', 'res.users', result, got);
    }
    if (sent['service'] === 'object') return this.#ormResult('result', String(args[3]), String(args[4]), result, got);
    if (sent['service'] === 'db' && sent['method'] === 'list') {
      // The capture's database is named `zenoo`; a real server may also list other databases.
      if (!Array.isArray(got) || !got.includes(this.target.db))
        return this.#fail('result', `expected a list including ${this.target.db}, got ${JSON.stringify(got)}`);
      if (!this.target.isRealOdoo)
        this.#plain(
          'result',
          (result as unknown[]).map((db) => (db === RECORDED.db ? this.target.db : db)),
          got,
        );
      return;
    }
    return this.#plain('result', result, got);
  }
}

/** The outcome of replaying one exchange. */
export interface ReplayOutcome {
  readonly status: number;
  readonly contentType: string | null;
  readonly params: Record<string, unknown>;
  readonly body: unknown;
  readonly problems: readonly string[];
}

/** A replay session against one target: keeps the id map and the web session cookie. */
export class WireReplayer {
  readonly ids = new IdMap();
  #cookie: string | undefined;

  /**
   * @param target the server replayed against
   * @param recorded database, login and password of the capture (substituted by the target's)
   */
  constructor(
    readonly target: ReplayTarget,
    readonly recorded: RecordedCredentials = RECORDED,
  ) {}

  /** Sends the exchange's request (translated) to the right route and compares the answer. */
  async replay(exchange: WireExchange, signal?: AbortSignal): Promise<ReplayOutcome> {
    const params = translateParams(exchange, this.target, this.ids, this.recorded);
    const route: WireRoute = exchange.route;
    // Recorded ids are echoed; when the capture shows `null` (answered before the body was read), any id will do.
    const id = exchange.response['id'] ?? exchange.line;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (route !== '/jsonrpc' && exchange.withSession && this.#cookie !== undefined) headers['Cookie'] = this.#cookie;
    const response = await fetch(`${this.target.url}${route}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params, id }),
      ...(signal === undefined ? {} : { signal }),
    });
    const text = await response.text();
    const setCookie = response.headers.get('set-cookie');
    const sessionCookie = setCookie === null ? undefined : /(?:^|,\s*)(session_id=[^;]+)/.exec(setCookie)?.[1];
    if (route === '/web/session/authenticate' && sessionCookie !== undefined) this.#cookie = sessionCookie;
    const comparer = new ResponseComparer(this.ids, this.target);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      comparer.problems.push(`body is not JSON: ${text.slice(0, 200)}`);
    }
    if (response.status !== 200) comparer.problems.push(`HTTP status ${response.status}, expected 200`);
    const contentType = response.headers.get('content-type');
    if (contentType !== 'application/json; charset=utf-8')
      comparer.problems.push(`Content-Type ${String(contentType)}`);
    if (body !== undefined) comparer.compare(exchange, params, body);
    return { status: response.status, contentType, params, body, problems: comparer.problems };
  }
}
