/**
 * The sandbox's HTTP server: Odoo 17's JSON-RPC routes over `node:http` with keep-alive, plus fault injection.
 *
 * Request pipeline, in Odoo's order: route match (unknown → HTML 404) → content type (not JSON → HTML 400) →
 * session for `auth='user'` routes (none → `SessionExpired`, code 100, `id: null`) → body parsing (plain-text 400
 * `Invalid JSON data` / `Invalid JSON-RPC data`) → fault plan (latency, transient failure, drop, slow) → dispatch.
 *
 * Like a real server, the sandbox does not notice a client that gives up: a call delayed by latency or a `slow` fault
 * still runs (and commits) when its delay is over, even if the client timed out meanwhile. Only {@link
 * SandboxServer.close} cancels delayed calls.
 *
 * @packageDocumentation
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { FaultInjector, type CallPlan } from './fault-injector.js';
import { WorkerPool, recordsOfCall } from './server-capacity.js';
import type { WorkerTicket } from './server-capacity.js';
import {
  HTML_CONTENT_TYPE,
  INVALID_JSON_BODY,
  INVALID_JSON_RPC_BODY,
  JSON_CONTENT_TYPE,
  jsonRpcBody,
  NOT_FOUND_PAGE,
  SERVICE_UNAVAILABLE_PAGE,
  sessionExpiredError,
  toJsonRpcError,
  TOO_LARGE_PAGE,
  wrongContentTypePage,
} from './json-rpc-response.js';
import { runJson2Call } from './json2/json2-call.js';
import { json2ErrorResponse, werkzeugError } from './json2/json2-error.js';
import { JSON2_UNSUPPORTED_MEDIA_TYPE_PAGE, NO_DATABASE_PAGE } from './json2/json2-pages.js';
import { matchJson2Route, type Json2Route } from './json2/json2-route.js';
import { pythonJsonDumps } from './json2/python-json.js';
import { pythonJsonError } from './json2/python-json-error.js';
import { toOdoo19Error } from './json2/odoo-19-errors.js';
import { OdooServerError } from './odoo-server-error.js';
import { SANDBOX_ODOO_19_VERSION, SANDBOX_ODOO_VERSION, type OdooVersionInfo } from './odoo-version.js';
import { accessDeniedError, checkPythonKeywords, pythonTypeName, unknownDatabaseError } from './python-errors.js';
import {
  describeJsonRpcCall,
  dispatchJsonRpc,
  executeOrm,
  type RpcOutcome,
  type RpcServiceContext,
} from './rpc-services.js';
import type { SandboxBackend } from './sandbox-backend.js';
import type { ResolvedSandboxFaults } from './sandbox-faults.js';
import type { ResolvedSandboxOptions } from './sandbox-options.js';
import { SandboxStatsRecorder, type SandboxStats } from './sandbox-stats.js';
import { sessionCookie, sessionIdFromCookie, SessionStore, type SandboxSession } from './session-store.js';

/** Odoo 17 refuses bodies over 128 MiB. */
const MAX_BODY_BYTES = 128 * 1024 * 1024;

/** Content types Odoo accepts on `type='json'` routes. */
const JSON_MIMETYPES = new Set(['application/json', 'application/json-rpc']);

// Idle keep-alive connections are kept well beyond a client's pause between calls, so that a reused socket is not
// closed by the server at the very moment the client sends on it (the classic keep-alive race).
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

type RouteName = 'jsonrpc' | 'authenticate' | 'get_session_info' | 'check' | 'destroy' | 'call_kw' | 'version_info';

interface Route {
  readonly name: RouteName;
  /** The route as declared in Odoo (used in the wrong-content-type message). */
  readonly path: string;
  /** `user` routes need a web session. */
  readonly auth: 'none' | 'user';
}

const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['/jsonrpc', { name: 'jsonrpc', path: '/jsonrpc', auth: 'none' }],
  ['/web/session/authenticate', { name: 'authenticate', path: '/web/session/authenticate', auth: 'none' }],
  ['/web/session/get_session_info', { name: 'get_session_info', path: '/web/session/get_session_info', auth: 'user' }],
  ['/web/session/check', { name: 'check', path: '/web/session/check', auth: 'user' }],
  ['/web/session/destroy', { name: 'destroy', path: '/web/session/destroy', auth: 'user' }],
  ['/web/dataset/call_kw', { name: 'call_kw', path: '/web/dataset/call_kw', auth: 'user' }],
  ['/web/webclient/version_info', { name: 'version_info', path: '/web/webclient/version_info', auth: 'none' }],
]);

function matchRoute(pathname: string): Route | undefined {
  const exact = ROUTES.get(pathname);
  if (exact !== undefined) return exact;
  // `/web/dataset/call_kw/<path:path>`: the suffix only makes logs readable; Odoo ignores it.
  if (pathname.startsWith('/web/dataset/call_kw/') && pathname.length > '/web/dataset/call_kw/'.length) {
    return ROUTES.get('/web/dataset/call_kw');
  }
  return undefined;
}

function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const mimetype = header.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return JSON_MIMETYPES.has(mimetype);
}

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLargeError('body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The positional and named arguments of the ORM call of a JSON-RPC request (`execute_kw`'s args and kwargs, or
 * `call_kw`'s), for the cost of the call; empty for anything else.
 */
function ormArguments(
  route: string,
  params: Record<string, unknown>,
): { readonly positional: readonly unknown[]; readonly named: Readonly<Record<string, unknown>> } {
  const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
  const dict = (value: unknown): Readonly<Record<string, unknown>> =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  if (route === 'call_kw') return { positional: list(params['args']), named: dict(params['kwargs']) };
  const args = list(params['args']);
  return { positional: list(args[5]), named: dict(args[6]) };
}

/**
 * The HTTP server of a sandbox. As Odoo 19.0 (`odooVersion: '19.0'`) it also serves the JSON-2 API under `/json/2`
 * (`POST /json/2/<model>/<method>`), in Odoo 19.0's order: database selection (`X-Odoo-Database`; unknown → HTML 404)
 * → route (anything else under `/json/2` → JSON 404) → content type (not JSON → HTML 415) → bearer API key (→ 401
 * with `WWW-Authenticate`) → body (not JSON → 400) → fault plan → the call, in one transaction. Use {@link startSandbox} rather than this class: it opens the database and wires
 * everything together.
 */
export class SandboxServer {
  readonly #options: ResolvedSandboxOptions;
  readonly #context: RpcServiceContext;
  readonly #version: OdooVersionInfo;
  readonly #backend: SandboxBackend;
  readonly #server: Server;
  readonly #stats = new SandboxStatsRecorder();
  readonly #sessions = new SessionStore();
  readonly #injector: FaultInjector;
  /** The workers of a sandbox with a capacity (benchmarks); `undefined`: no limit, no cost. */
  readonly #workers: WorkerPool | undefined;
  readonly #sleepers = new Set<{ timer: NodeJS.Timeout; resolve: (completed: boolean) => void }>();
  #closing: Promise<void> | undefined;
  #url = '';

  /**
   * @param options - resolved sandbox options.
   * @param backend - the database; the server owns it from now on and closes it in {@link close}.
   */
  constructor(options: ResolvedSandboxOptions, backend: SandboxBackend) {
    this.#options = options;
    this.#backend = backend;
    this.#version = options.odooVersion === '19.0' ? SANDBOX_ODOO_19_VERSION : SANDBOX_ODOO_VERSION;
    this.#context = { backend, db: options.db, version: this.#version };
    this.#injector = new FaultInjector(options.latency, options.faults, options.seed);
    this.#workers = options.capacity === undefined ? undefined : new WorkerPool(options.capacity);
    this.#server = createServer({ keepAlive: true, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, (req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        // Only reachable on a bug in the pipeline itself: answer like Odoo's last-resort handler.
        if (!res.headersSent && !res.destroyed) {
          this.#send(
            res,
            500,
            HTML_CONTENT_TYPE,
            `Internal Server Error: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      });
    });
    this.#server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    this.#server.on('connection', (_socket: Socket) => this.#stats.connection());
  }

  /** Live counters. */
  get stats(): SandboxStats {
    return this.#stats.view;
  }

  /** Base URL, e.g. `http://127.0.0.1:8069` (empty until {@link listen} resolved). */
  get url(): string {
    return this.#url;
  }

  /** Current fault settings. */
  get faults(): ResolvedSandboxFaults {
    return this.#injector.faults;
  }

  /** Replaces the fault settings; the fault sequence restarts from its seed. */
  setFaults(faults: ResolvedSandboxFaults): void {
    this.#injector.setFaults(faults);
  }

  /** Sets every counter back to zero. */
  resetStats(): void {
    this.#stats.reset();
  }

  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.#server.once('error', onError);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', onError);
        const address = this.#server.address() as AddressInfo;
        // A wildcard address is not something a client can connect to: advertise loopback instead.
        const wildcard = address.address === '0.0.0.0' || address.address === '::';
        const host = wildcard ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
        this.#url = `http://${host}:${address.port}`;
        resolve(this.#url);
      });
    });
  }

  /**
   * Stops the server: stops accepting connections, cancels delayed calls (they are not executed), closes every
   * connection, then closes the database. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const sleeper of this.#sleepers) {
        clearTimeout(sleeper.timer);
        sleeper.resolve(false);
      }
      this.#sleepers.clear();
      if (this.#server.listening) {
        await new Promise<void>((resolve) => {
          this.#server.close(() => resolve());
          this.#server.closeAllConnections();
        });
      }
      this.#backend.close();
    })();
    return this.#closing;
  }

  /** Waits `ms`; resolves `false` when the server closed meanwhile. */
  #sleep(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(this.#closing === undefined);
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.#sleepers.delete(sleeper);
          resolve(this.#closing === undefined);
        }, ms),
        resolve,
      };
      this.#sleepers.add(sleeper);
    });
  }

  #send(
    res: ServerResponse,
    status: number,
    contentType: string,
    body: string,
    headers: Record<string, string> = {},
    nosniff = true,
  ): void {
    if (res.destroyed || res.headersSent) return;
    const bytes = Buffer.from(body, 'utf8');
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': String(bytes.length),
      ...(nosniff ? { 'X-Content-Type-Options': 'nosniff' } : {}),
      ...headers,
    });
    res.end(bytes);
  }

  #sendJson(
    res: ServerResponse,
    id: unknown,
    outcome: { result?: unknown; error?: unknown },
    headers: Record<string, string> = {},
  ): void {
    const body =
      'error' in outcome && outcome.error !== undefined
        ? jsonRpcBody(id, { error: toJsonRpcError(outcome.error) })
        : jsonRpcBody(id, { result: outcome.result });
    this.#send(res, 200, JSON_CONTENT_TYPE, body, headers);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.#stats.request();
    const pathname = (req.url ?? '/').split('?', 1)[0] ?? '/';
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        this.#send(res, 413, HTML_CONTENT_TYPE, TOO_LARGE_PAGE, { Connection: 'close' });
      return;
    }
    const json2 = this.#options.odooVersion === '19.0' ? matchJson2Route(req.method, pathname) : undefined;
    if (json2 !== undefined) {
      await this.#handleJson2(req, res, json2, body);
      return;
    }
    const route = matchRoute(pathname);
    if (route === undefined) {
      this.#send(res, 404, HTML_CONTENT_TYPE, NOT_FOUND_PAGE);
      return;
    }
    if (!isJsonContentType(req.headers['content-type'])) {
      this.#send(res, 400, HTML_CONTENT_TYPE, wrongContentTypePage(route.path));
      return;
    }
    const sid = sessionIdFromCookie(req.headers.cookie);
    let session: SandboxSession | undefined;
    if (route.auth === 'user') {
      session = this.#sessions.get(sid);
      // Odoo authenticates before reading the body, so the answer cannot echo the request id.
      if (session === undefined) {
        this.#sendJson(res, null, { error: sessionExpiredError() });
        return;
      }
    }
    let request: unknown;
    try {
      request = JSON.parse(body.toString('utf8'));
    } catch {
      this.#send(res, 400, HTML_CONTENT_TYPE, INVALID_JSON_BODY);
      return;
    }
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      this.#send(res, 400, HTML_CONTENT_TYPE, INVALID_JSON_RPC_BODY);
      return;
    }
    const id = (request as Record<string, unknown>)['id'] ?? null;
    const rawParams = (request as Record<string, unknown>)['params'] ?? {};
    if (rawParams === null || typeof rawParams !== 'object' || Array.isArray(rawParams)) {
      this.#sendJson(res, id, {
        error: new OdooServerError('builtins.TypeError', `'${pythonTypeName(rawParams)}' object is not a mapping`),
      });
      return;
    }
    const params = rawParams as Record<string, unknown>;
    const { key, isObjectCall } = this.#describe(route, params);
    this.#stats.call(key, route.path);

    const plan = this.#injector.plan(isObjectCall);
    const serializationFailure = (): void =>
      this.#sendJson(res, id, {
        error: new OdooServerError(
          'psycopg2.errors.SerializationFailure',
          'could not serialize access due to concurrent update\n',
        ),
      });
    if (!(await this.#applyFault(plan, req, res, serializationFailure))) return;
    const ticket = await this.#takeWorker(isObjectCall, key, ormArguments(route.name, params));
    if (ticket?.cut === true) {
      await this.#cut(ticket, res);
      return;
    }
    const dispatchedAt = performance.now();

    let outcome: RpcOutcome | undefined;
    let failure: unknown;
    let headers: Record<string, string> = {};
    try {
      const routed = this.#dispatch(route, params, session, sid);
      outcome = routed.outcome;
      headers = routed.headers;
    } catch (error) {
      failure = error;
    }
    if (ticket !== undefined) await this.#hold(ticket, performance.now() - dispatchedAt);
    if (outcome !== undefined) this.#stats.commit(outcome.writes);
    if (plan.fault === 'drop') {
      // The ambiguous outcome: the transaction committed, but the client never hears about it.
      this.#stats.fault('drop');
      res.socket?.destroy();
      return;
    }
    if (failure !== undefined) {
      const ormMethod = key.slice(key.lastIndexOf('.') + 1);
      this.#sendJson(res, id, {
        error: this.#version === SANDBOX_ODOO_19_VERSION ? toOdoo19Error(failure, ormMethod) : failure,
      });
    } else this.#sendJson(res, id, { result: outcome?.result }, headers);
  }

  /**
   * Waits the plan's delay, then injects its transient fault (503, reset, serialization failure, answered with
   * `serializationFailure`). Resolves `true` when the call must run (no fault, or a `drop` or `slow` one).
   */
  async #applyFault(
    plan: CallPlan,
    req: IncomingMessage,
    res: ServerResponse,
    serializationFailure: () => void,
  ): Promise<boolean> {
    if (plan.fault === 'slow') this.#stats.fault('slow');
    if (!(await this.#sleep(plan.delayMs))) return false;
    switch (plan.fault) {
      case 'http-503':
        this.#stats.fault('http-503');
        this.#send(
          res,
          503,
          HTML_CONTENT_TYPE,
          SERVICE_UNAVAILABLE_PAGE,
          plan.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(plan.retryAfterSeconds) },
        );
        return false;
      case 'reset':
        this.#stats.fault('reset');
        req.socket.resetAndDestroy();
        return false;
      case 'serialization':
        // What Odoo answers once its own retries on a PostgreSQL serialization failure ran out: rolled back.
        this.#stats.fault('serialization');
        serializationFailure();
        return false;
      default:
        return true;
    }
  }

  /**
   * With a capacity, waits for a worker for an ORM call (`key` is `model.method`) and says how long to hold it;
   * other calls (login, version) and sandboxes without a capacity take none.
   */
  async #takeWorker(
    isObjectCall: boolean,
    key: string,
    args: { readonly positional: readonly unknown[]; readonly named: Readonly<Record<string, unknown>> },
  ): Promise<WorkerTicket | undefined> {
    if (this.#workers === undefined || !isObjectCall) return undefined;
    const method = key.slice(key.lastIndexOf('.') + 1);
    return this.#workers.acquire(recordsOfCall(method, args.positional, args.named));
  }

  /**
   * Holds the worker for what is left of the call's cost once the call itself took `spentMs` (the sandbox's own work
   * counts as the worker's), then gives it back (also when the sandbox closes meanwhile).
   */
  async #hold(ticket: WorkerTicket, spentMs = 0): Promise<void> {
    try {
      await this.#sleep(ticket.holdMs - spentMs);
    } finally {
      ticket.release();
    }
  }

  /** A request past the time limit: the worker is killed when the limit passes, nothing is written, no answer. */
  async #cut(ticket: WorkerTicket, res: ServerResponse): Promise<void> {
    await this.#hold(ticket);
    this.#stats.fault('time-limit');
    res.socket?.destroy();
  }

  #sendJson2Error(res: ServerResponse, error: unknown): void {
    const { status, body, headers } = json2ErrorResponse(error);
    this.#send(res, status, JSON_CONTENT_TYPE, body, headers, false);
  }

  /** Serves `/json/2/...` (Odoo 19.0 only); the pipeline is described on the class. */
  async #handleJson2(req: IncomingMessage, res: ServerResponse, route: Json2Route, body: Buffer): Promise<void> {
    const database = req.headers['x-odoo-database'];
    // Without the header, the one database is used ("monodb"), as a single-database Odoo does.
    if (database !== undefined && database !== this.#options.db) {
      this.#send(res, 404, HTML_CONTENT_TYPE, NO_DATABASE_PAGE, {}, false);
      return;
    }
    if (route.kind === 'catch-all') {
      this.#sendJson2Error(res, werkzeugError(404, 'Did you mean POST /json/2/<model>/<method>?'));
      return;
    }
    const mimetype = req.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
    if (body.length > 0 && mimetype !== 'application/json') {
      this.#send(res, 415, HTML_CONTENT_TYPE, JSON2_UNSUPPORTED_MEDIA_TYPE_PAGE, { Accept: 'application/json' }, false);
      return;
    }
    const bearer = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const session = this.#sessions.get(sessionIdFromCookie(req.headers.cookie));
    let uid: number | false = false;
    if (bearer === null) {
      // A web session replaces the key only for a browser's top-level navigation, which the sandbox does not model.
      this.#sendJson2Error(
        res,
        werkzeugError(
          401,
          session === undefined
            ? 'User not authenticated, use an API Key with a Bearer Authorization header.'
            : 'Missing "Authorization" or Sec-headers for interactive usage.',
        ),
      );
      return;
    }
    uid = this.#backend.authenticateApiKey((bearer[1] ?? '').trim());
    if (uid === false) {
      this.#sendJson2Error(res, werkzeugError(401, 'Invalid apikey'));
      return;
    }
    if (session !== undefined && session.uid !== uid) {
      this.#sendJson2Error(
        res,
        new OdooServerError('odoo.exceptions.AccessDenied', 'Session user does not match the used apikey.'),
      );
      return;
    }
    let params: Record<string, unknown> = {};
    if (body.length > 0) {
      const text = body.toString('utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Python also reads NaN and Infinity, which JSON.parse refuses: the sandbox refuses them too.
        const reason = pythonJsonError(text) ?? 'NaN and Infinity are not supported by the sandbox';
        this.#sendJson2Error(res, werkzeugError(400, `could not parse the body as json: ${reason}`));
        return;
      }
      // A JSON value that is not an object is ignored: only the path parameters remain.
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
        params = parsed as Record<string, unknown>;
    }
    this.#stats.call(`${route.model}.${route.method}`, '/json/2');
    const plan = this.#injector.plan(true);
    const serializationFailure = (): void =>
      this.#sendJson2Error(
        res,
        new OdooServerError(
          'psycopg2.errors.SerializationFailure',
          'could not serialize access due to concurrent update\n',
        ),
      );
    if (!(await this.#applyFault(plan, req, res, serializationFailure))) return;
    const ticket = await this.#takeWorker(true, `${route.model}.${route.method}`, { positional: [], named: params });
    if (ticket?.cut === true) {
      await this.#cut(ticket, res);
      return;
    }
    const dispatchedAt = performance.now();
    let outcome: RpcOutcome | undefined;
    let failure: unknown;
    try {
      outcome = runJson2Call(this.#context, uid, route.model, route.method, params);
    } catch (error) {
      failure = error;
    }
    if (ticket !== undefined) await this.#hold(ticket, performance.now() - dispatchedAt);
    if (outcome !== undefined) this.#stats.commit(outcome.writes);
    if (plan.fault === 'drop') {
      this.#stats.fault('drop');
      res.socket?.destroy();
      return;
    }
    if (outcome === undefined) this.#sendJson2Error(res, failure);
    else this.#send(res, 200, JSON_CONTENT_TYPE, pythonJsonDumps(outcome.result));
  }

  #describe(route: Route, params: Record<string, unknown>): { key: string; isObjectCall: boolean } {
    switch (route.name) {
      case 'jsonrpc':
        return describeJsonRpcCall(params['service'], params['method'], params['args']);
      case 'call_kw':
        return { key: `${String(params['model'])}.${String(params['method'])}`, isObjectCall: true };
      case 'version_info':
        return { key: 'webclient.version_info', isObjectCall: false };
      default:
        return { key: `session.${route.name}`, isObjectCall: false };
    }
  }

  #dispatch(
    route: Route,
    params: Record<string, unknown>,
    session: SandboxSession | undefined,
    sid: string | undefined,
  ): { outcome: RpcOutcome; headers: Record<string, string> } {
    const noHeaders = {};
    switch (route.name) {
      case 'jsonrpc':
        checkPythonKeywords('RPC.jsonrpc', params, ['service', 'method', 'args']);
        return {
          outcome: dispatchJsonRpc(this.#context, params['service'], params['method'], params['args']),
          headers: noHeaders,
        };
      case 'version_info':
        // Odoo 19.0 answers with a new (anonymous, never authenticated) session cookie, as captured.
        return {
          outcome: { result: this.#version, writes: [] },
          headers:
            this.#version === SANDBOX_ODOO_19_VERSION
              ? { 'Set-Cookie': sessionCookie(randomBytes(30).toString('base64url')) }
              : noHeaders,
        };
      case 'authenticate': {
        checkPythonKeywords('Session.authenticate', params, ['db', 'login', 'password']);
        const { db, login, password } = params;
        if (db !== this.#options.db) throw unknownDatabaseError(db);
        // Interactive login: Odoo refuses API keys here.
        const uid =
          typeof login === 'string' && typeof password === 'string' && login !== '' && password !== ''
            ? this.#backend.authenticate(login, password, { allowApiKey: false })
            : false;
        if (uid === false) throw accessDeniedError();
        const created = this.#sessions.create(uid, login as string);
        return {
          outcome: { result: this.#sessionInfo(created), writes: [] },
          headers: { 'Set-Cookie': sessionCookie(created.sid) },
        };
      }
      case 'get_session_info':
        return { outcome: { result: this.#sessionInfo(session as SandboxSession), writes: [] }, headers: noHeaders };
      case 'check':
        return { outcome: { result: null, writes: [] }, headers: noHeaders };
      case 'destroy':
        if (sid !== undefined) this.#sessions.destroy(sid);
        return { outcome: { result: null, writes: [] }, headers: noHeaders };
      case 'call_kw': {
        checkPythonKeywords('DataSet.call_kw', params, ['model', 'method', 'args', 'kwargs']);
        const user = session as SandboxSession;
        try {
          return {
            outcome: executeOrm(
              this.#context,
              user.uid,
              params['model'],
              params['method'],
              params['args'],
              params['kwargs'],
            ),
            headers: noHeaders,
          };
        } catch (error) {
          // call_kw looks the model up in the registry first: an unknown model is a KeyError there, where /jsonrpc
          // reports a UserError.
          if (
            error instanceof OdooServerError &&
            error.odooName === 'odoo.exceptions.UserError' &&
            error.message === `Object ${String(params['model'])} doesn't exist`
          ) {
            throw new OdooServerError('builtins.KeyError', String(params['model']), [params['model']]);
          }
          throw error;
        }
      }
    }
  }

  /** The subset of Odoo's `session_info` that does not depend on web-client assets. */
  #sessionInfo(session: SandboxSession): Record<string, unknown> {
    let name: unknown = session.login;
    let partner: unknown = false;
    try {
      const { result } = this.#backend.execute({
        uid: session.uid,
        model: 'res.users',
        method: 'read',
        args: [[session.uid], ['name', 'partner_id']],
        kwargs: {},
      });
      const row = Array.isArray(result) ? (result[0] as Record<string, unknown> | undefined) : undefined;
      if (row !== undefined) {
        name = row['name'] ?? name;
        partner = row['partner_id'] ?? false;
      }
    } catch {
      // A user the ORM cannot read (should not happen): keep the login as name.
    }
    const partnerId = Array.isArray(partner) ? partner[0] : partner;
    const partnerName = Array.isArray(partner) ? partner[1] : name;
    const isAdmin = session.uid === 1 || session.uid === 2;
    return {
      uid: session.uid,
      is_system: isAdmin,
      is_admin: isAdmin,
      is_public: false,
      is_internal_user: true,
      user_context: { lang: 'en_US', tz: false, uid: session.uid },
      db: this.#options.db,
      server_version: this.#version.server_version,
      server_version_info: this.#version.server_version_info,
      support_url: 'https://www.odoo.com/buy',
      name,
      username: session.login,
      partner_display_name: partnerName,
      partner_id: partnerId,
      'web.base.url': this.#url,
      active_ids_limit: 20000,
      max_file_upload_size: MAX_BODY_BYTES,
      home_action_id: false,
      bundle_params: { lang: 'en_US' },
      show_effect: true,
      display_switch_company_menu: false,
      user_id: [session.uid],
      web_tours: [],
      tour_disable: false,
    };
  }
}
