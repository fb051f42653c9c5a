/**
 * Replays captured JSON-2 exchanges (test/fixtures/odoo/wire-odoo-19.0-json2.txt) against a live target (a sandbox
 * posing as Odoo 19.0, or a real Odoo 19) and compares the answers: status, the headers that carry meaning
 * (Content-Type, Set-Cookie present or not, WWW-Authenticate, Accept, X-Content-Type-Options), and the body (HTML
 * byte for byte; JSON by value, with recorded ids mapped to the target's as in wire-replay.ts). Tracebacks (`debug`)
 * and timestamps are not compared.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Json2Exchange } from './json2-wire-file.js';
import { IdMap, translateDomain, translateText, translateValues } from './wire-replay.js';

/** The server the JSON-2 exchanges are replayed against. */
export interface Json2ReplayTarget {
  /** Base URL, without trailing slash. */
  readonly url: string;
  readonly db: string;
  readonly login: string;
  /** Password for the capture's `common.login` (an API key also works there). */
  readonly password: string;
  readonly apiKey: string;
}

/** Database, login, password and origin of the capture. */
const RECORDED = Object.freeze({ origin: 'http://127.0.0.1:8071', db: 'zenoo19', login: 'admin', password: 'admin' });

/** Headers compared by presence and value (values trimmed: `WWW-Authenticate: Bearer ` is sent with a space). */
const COMPARED_HEADERS = ['content-type', 'www-authenticate', 'accept'] as const;
/** Headers compared by presence only (the cookie's value is a fresh session id). */
const PRESENCE_HEADERS = ['set-cookie', 'x-content-type-options'] as const;

const DATETIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
const VOLATILE_FIELDS = new Set(['create_date', 'write_date']);

/** The outcome of one replayed exchange. */
export interface Json2ReplayOutcome {
  readonly status: number;
  readonly sent: string | undefined;
  readonly body: string;
  readonly problems: readonly string[];
}

function pathOf(url: string): { model: string; method: string } {
  const [model = '', method = ''] = new URL(url).pathname.replace(/^\/json\/2\//, '').split('/');
  return { model, method };
}

/** A replay session against one target: keeps the id map. */
export class Json2Replayer {
  readonly ids = new IdMap();
  #problems: string[] = [];

  constructor(readonly target: Json2ReplayTarget) {}

  #fail(path: string, message: string): void {
    this.#problems.push(`${path}: ${message}`);
  }

  #plain(path: string, recorded: unknown, actual: unknown): void {
    if (!isDeepStrictEqual(recorded, actual))
      this.#fail(path, `expected ${JSON.stringify(recorded)}, got ${JSON.stringify(actual)}`);
  }

  #id(path: string, model: string, recorded: unknown, actual: unknown): void {
    if (typeof recorded !== 'number' || typeof actual !== 'number') return this.#plain(path, recorded, actual);
    const problem = this.ids.learn(model, recorded, actual);
    if (problem !== undefined) this.#fail(path, problem);
  }

  #list(path: string, recorded: unknown, actual: unknown, each: (at: string, r: unknown, a: unknown) => void): void {
    if (!Array.isArray(recorded) || !Array.isArray(actual) || recorded.length !== actual.length)
      return this.#plain(path, recorded, actual);
    recorded.forEach((item, i) => each(`${path}[${i}]`, item, actual[i]));
  }

  #record(path: string, model: string, recorded: unknown, actual: unknown): void {
    if (recorded === null || typeof recorded !== 'object' || actual === null || typeof actual !== 'object')
      return this.#plain(path, recorded, actual);
    const rec = recorded as Record<string, unknown>;
    const act = actual as Record<string, unknown>;
    this.#plain(`${path} keys`, Object.keys(rec).sort(), Object.keys(act).sort());
    for (const [key, value] of Object.entries(rec)) {
      if (key === 'id') this.#id(`${path}.id`, model, value, act[key]);
      else if (VOLATILE_FIELDS.has(key)) {
        if (!(typeof act[key] === 'string' && DATETIME.test(act[key])))
          this.#fail(`${path}.${key}`, `expected a datetime, got ${JSON.stringify(act[key])}`);
      } else this.#plain(`${path}.${key}`, value, act[key]);
    }
  }

  #result(model: string, method: string, recorded: unknown, actual: unknown): void {
    switch (method) {
      case 'create':
      case 'search':
      case 'copy':
        return this.#list('result', recorded, actual, (at, r, a) => this.#id(at, model, r, a));
      case 'read':
      case 'search_read':
        return this.#list('result', recorded, actual, (at, r, a) => this.#record(at, model, r, a));
      case 'web_search_read': {
        const rec = recorded as { length?: unknown; records?: unknown };
        const act = (actual ?? {}) as { length?: unknown; records?: unknown };
        this.#plain('result keys', Object.keys(rec).sort(), Object.keys(act).sort());
        this.#plain('result.length', rec.length, act.length);
        return this.#list('result.records', rec.records, act.records, (at, r, a) => this.#record(at, model, r, a));
      }
      case 'name_search':
        return this.#list('result', recorded, actual, (at, r, a) =>
          this.#list(at, r, a, (at2, r2, a2) =>
            typeof r2 === 'number' ? this.#id(at2, model, r2, a2) : this.#plain(at2, r2, a2),
          ),
        );
      case 'context_get': {
        const { uid, ...rest } = recorded as Record<string, unknown>;
        const { uid: actualUid, ...actualRest } = (actual ?? {}) as Record<string, unknown>;
        this.#id('result.uid', 'res.users', uid, actualUid);
        return this.#plain('result', rest, actualRest);
      }
      default:
        return this.#plain('result', recorded, actual);
    }
  }

  #error(recorded: Record<string, unknown>, actual: unknown): void {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return this.#fail('body', `expected an error object, got ${JSON.stringify(actual)}`);
    const act = actual as Record<string, unknown>;
    this.#plain('error keys', Object.keys(recorded).sort(), Object.keys(act).sort());
    this.#plain('error.name', recorded['name'], act['name']);
    const translate = (value: unknown): unknown => (typeof value === 'string' ? translateText(this.ids, value) : value);
    this.#plain('error.message', translate(recorded['message']), act['message']);
    this.#plain('error.arguments', (recorded['arguments'] as unknown[]).map(translate), act['arguments']);
    this.#plain('error.context', recorded['context'], act['context']);
    if (typeof act['debug'] !== 'string') this.#fail('error.debug', 'expected a traceback string');
  }

  /** The request body to send: the capture's, with the database, credentials and ids of the target. */
  #translateBody(exchange: Json2Exchange): string | undefined {
    const { body, url } = exchange.request;
    if (body === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return body;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return body;
    const params = parsed as Record<string, unknown>;
    if (new URL(url).pathname === '/jsonrpc') {
      const inner = params['params'] as { args?: unknown[] } | undefined;
      const args = inner?.args;
      if (Array.isArray(args) && args.length === 3) {
        const sub = (value: unknown, recorded: string, actual: string): unknown =>
          value === recorded ? actual : value;
        inner!.args = [
          sub(args[0], RECORDED.db, this.target.db),
          sub(args[1], RECORDED.login, this.target.login),
          sub(args[2], RECORDED.password, this.target.password),
        ];
      }
      return JSON.stringify(params);
    }
    const { model, method } = pathOf(url);
    if (Array.isArray(params['ids']))
      params['ids'] = (params['ids'] as unknown[]).map((id) =>
        typeof id === 'number' ? this.ids.toActual(model, id) : id,
      );
    if ('domain' in params) params['domain'] = translateDomain(this.ids, model, params['domain']);
    if (method === 'create' && 'vals_list' in params) {
      const vals = params['vals_list'];
      params['vals_list'] = Array.isArray(vals)
        ? vals.map((v) => translateValues(this.ids, model, v))
        : translateValues(this.ids, model, vals);
    }
    if (method === 'write' && 'vals' in params) params['vals'] = translateValues(this.ids, model, params['vals']);
    return JSON.stringify(params);
  }

  /** Sends the exchange's request (translated) and compares the answer with the recorded one. */
  async replay(exchange: Json2Exchange): Promise<Json2ReplayOutcome> {
    this.#problems = [];
    const { request, response: recorded } = exchange;
    const url = `${this.target.url}${request.url.slice(RECORDED.origin.length)}`;
    const headers: Record<string, string> = {};
    for (const [name, value] of request.headers) {
      if (name.toLowerCase() === 'authorization') headers[name] = value.replace('$ZENOO_API_KEY', this.target.apiKey);
      else if (name.toLowerCase() === 'x-odoo-database') headers[name] = value === RECORDED.db ? this.target.db : value;
      else headers[name] = value;
    }
    const sent = this.#translateBody(exchange);
    // curl sends form data's content type when none is given; every capture with a body names one.
    const answer = await fetch(url, {
      method: request.method,
      headers,
      ...(sent === undefined ? {} : { body: sent }),
    });
    const text = await answer.text();
    this.#plain('status', recorded.status, answer.status);
    for (const name of COMPARED_HEADERS)
      this.#plain(`header ${name}`, recorded.headers.get(name), answer.headers.get(name)?.trim() ?? undefined);
    for (const name of PRESENCE_HEADERS)
      this.#plain(`header ${name} present`, recorded.headers.has(name), answer.headers.has(name));
    if (recorded.headers.get('content-type')?.startsWith('application/json') !== true) {
      this.#plain('body', recorded.body, text);
      return { status: answer.status, sent, body: text, problems: this.#problems };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      this.#fail('body', `not JSON: ${text.slice(0, 200)}`);
      return { status: answer.status, sent, body: text, problems: this.#problems };
    }
    const expected = JSON.parse(recorded.body) as unknown;
    const path = new URL(request.url).pathname;
    if (path.startsWith('/json/2/')) {
      const { model, method } = pathOf(request.url);
      if (recorded.status === 200) this.#result(model, method, expected, body);
      else this.#error(expected as Record<string, unknown>, body);
    } else {
      // The JSON-RPC exchanges of the capture: version_info, common.login, common.version.
      const rec = expected as Record<string, unknown>;
      const act = (body ?? {}) as Record<string, unknown>;
      this.#plain('envelope keys', Object.keys(rec).sort(), Object.keys(act).sort());
      if (typeof rec['result'] === 'number') this.#id('result', 'res.users', rec['result'], act['result']);
      else this.#plain('result', rec['result'], act['result']);
    }
    return { status: answer.status, sent, body: text, problems: this.#problems };
  }
}
