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
import { FaultInjector } from './fault-injector.js';
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
import { OdooServerError } from './odoo-server-error.js';
import { SANDBOX_ODOO_VERSION } from './odoo-version.js';
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
 * The HTTP server of a sandbox. Use {@link startSandbox} rather than this class: it opens the database and wires
 * everything together.
 */
export class SandboxServer {
  readonly #options: ResolvedSandboxOptions;
  readonly #context: RpcServiceContext;
  readonly #backend: SandboxBackend;
  readonly #server: Server;
  readonly #stats = new SandboxStatsRecorder();
  readonly #sessions = new SessionStore();
  readonly #injector: FaultInjector;
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
    this.#context = { backend, db: options.db };
    this.#injector = new FaultInjector(options.latency, options.faults, options.seed);
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
  ): void {
    if (res.destroyed || res.headersSent) return;
    const bytes = Buffer.from(body, 'utf8');
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': String(bytes.length),
      'X-Content-Type-Options': 'nosniff',
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
    this.#stats.call(key);

    const plan = this.#injector.plan(isObjectCall);
    if (plan.fault === 'slow') this.#stats.fault('slow');
    if (!(await this.#sleep(plan.delayMs))) return;
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
        return;
      case 'reset':
        this.#stats.fault('reset');
        req.socket.resetAndDestroy();
        return;
      case 'serialization':
        // What Odoo answers once its own retries on a PostgreSQL serialization failure ran out: rolled back.
        this.#stats.fault('serialization');
        this.#sendJson(res, id, {
          error: new OdooServerError(
            'psycopg2.errors.SerializationFailure',
            'could not serialize access due to concurrent update\n',
          ),
        });
        return;
      default:
        break;
    }

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
    if (outcome !== undefined) this.#stats.commit(outcome.writes);
    if (plan.fault === 'drop') {
      // The ambiguous outcome: the transaction committed, but the client never hears about it.
      this.#stats.fault('drop');
      res.socket?.destroy();
      return;
    }
    if (failure !== undefined) this.#sendJson(res, id, { error: failure });
    else this.#sendJson(res, id, { result: outcome?.result }, headers);
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
        return { outcome: { result: SANDBOX_ODOO_VERSION, writes: [] }, headers: noHeaders };
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
      server_version: SANDBOX_ODOO_VERSION.server_version,
      server_version_info: SANDBOX_ODOO_VERSION.server_version_info,
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
