// The HTTP layer over a fake backend: routes, envelopes, 400/404 bodies, sessions, API key rules, faults and stats.
import { Agent } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveFaults } from '../../../src/sandbox/sandbox-faults.js';
import { resolveSandboxOptions, type SandboxOptions } from '../../../src/sandbox/sandbox-options.js';
import { SandboxServer } from '../../../src/sandbox/sandbox-server.js';
import { createFakeBackend, type FakeBackend } from './fake-backend.js';
import { rpc, send, settle } from './http-helper.js';

let server: SandboxServer | undefined;
let backend: FakeBackend;
const agents: Agent[] = [];

async function start(options: SandboxOptions = {}): Promise<string> {
  backend = createFakeBackend();
  server = new SandboxServer(resolveSandboxOptions({ port: 0, ...options }), backend);
  return server.listen();
}

function keepAliveAgent(): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  return agent;
}

afterEach(async () => {
  for (const agent of agents.splice(0)) agent.destroy();
  await server?.close();
  server = undefined;
});

const createPartner = (url: string, name: string, options = {}) =>
  rpc(url, 'object', 'execute_kw', ['sandbox', 2, 'admin', 'res.partner', 'create', [{ name }]], options);

describe('SandboxServer routes and envelopes', () => {
  it('answers common.version with the Odoo 17.0 body, echoing the id, as application/json; charset=utf-8', async () => {
    const url = await start();
    const res = await rpc(url, 'common', 'version', [], { id: 'abc' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toEqual({
      jsonrpc: '2.0',
      id: 'abc',
      result: {
        server_version: '17.0',
        server_version_info: [17, 0, 0, 'final', 0, ''],
        server_serie: '17.0',
        protocol_version: 1,
      },
    });
    // Member order is Odoo's: jsonrpc, id, result.
    expect(res.body.startsWith('{"jsonrpc":"2.0","id":"abc","result":')).toBe(true);
  });

  it('echoes a missing id as null', async () => {
    const url = await start();
    const res = await send(url, '/jsonrpc', { jsonrpc: '2.0', params: { service: 'db', method: 'list', args: [] } });
    expect(JSON.parse(res.body)).toEqual({ jsonrpc: '2.0', id: null, result: ['sandbox'] });
  });

  it('keeps UTF-8 unescaped', async () => {
    const url = await start();
    await createPartner(url, 'Zoë Ærø 日本');
    const res = await rpc(url, 'object', 'execute_kw', ['sandbox', 2, 'admin', 'no.such', 'x', []]);
    expect(res.body).toContain("Object no.such doesn't exist");
    expect(backend.partners[0]?.name).toBe('Zoë Ærø 日本');
  });

  it('returns HTTP 400 plain bodies for malformed JSON and non-object JSON, and HTML for a wrong content type', async () => {
    const url = await start();
    const malformed = await send(url, '/jsonrpc', '{"jsonrpc": ', { headers: { 'Content-Type': 'application/json' } });
    expect([malformed.status, malformed.body]).toEqual([400, 'Invalid JSON data']);
    for (const body of ['[1,2]', '"text"', 'null', '42']) {
      const res = await send(url, '/jsonrpc', body, { headers: { 'Content-Type': 'application/json' } });
      expect([res.status, res.body]).toEqual([400, 'Invalid JSON-RPC data']);
    }
    const wrongType = await send(url, '/jsonrpc', '{}', { headers: { 'Content-Type': 'text/plain' } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(wrongType.body).toContain('<title>400 Bad Request</title>');
    expect(wrongType.body).toContain(
      'Request inferred type is compatible with [&#39;http&#39;] but &#39;/jsonrpc&#39; is type=&#39;json&#39;.',
    );
    // application/json-rpc is accepted like application/json.
    const jsonRpcType = await send(
      url,
      '/jsonrpc',
      JSON.stringify({ params: { service: 'db', method: 'list', args: [] } }),
      {
        headers: { 'Content-Type': 'application/json-rpc; charset=utf-8' },
      },
    );
    expect(JSON.parse(jsonRpcType.body).result).toEqual(['sandbox']);
    expect(backend.calls).toHaveLength(0);
  });

  it('answers unknown routes with an HTML 404', async () => {
    const url = await start();
    const res = await send(url, '/web/nothing/here', {});
    expect(res.status).toBe(404);
    expect(res.body).toContain('<title>404 Not Found</title>');
  });

  it('raises the captured errors: unknown service, unknown db, unknown common method, missing args', async () => {
    const url = await start();
    const error = async (service: string, method: string, args: unknown[]) =>
      JSON.parse((await rpc(url, service, method, args)).body).error;
    expect(await error('nosuchservice', 'x', [])).toMatchObject({
      code: 200,
      message: 'Odoo Server Error',
      data: { name: 'builtins.KeyError', message: 'nosuchservice', arguments: ['nosuchservice'], context: {} },
    });
    expect((await error('common', 'authenticate', ['nodb', 'admin', 'admin', {}])).data).toMatchObject({
      name: 'psycopg2.OperationalError',
      message: 'connection to server at "127.0.0.1", port 5433 failed: FATAL:  database "nodb" does not exist\n',
    });
    expect((await error('common', 'nope', [])).data).toMatchObject({
      name: 'builtins.Exception',
      message: 'Method not found: nope',
    });
    expect((await error('common', 'authenticate', ['sandbox', 'admin', 'admin'])).data).toMatchObject({
      name: 'builtins.TypeError',
      message: "exp_authenticate() missing 1 required positional argument: 'user_agent_env'",
    });
    expect((await error('db', 'drop', ['x', 'sandbox'])).data).toMatchObject({ name: 'odoo.exceptions.AccessDenied' });
    const missing = JSON.parse((await send(url, '/jsonrpc', { params: { service: 'db', method: 'list' } })).body).error;
    expect(missing.data.message).toBe("RPC.jsonrpc() missing 1 required positional argument: 'args'");
  });

  it('checks object credentials like Odoo: wrong password, unknown uid, API key in the password slot', async () => {
    const url = await start();
    const call = async (uid: unknown, password: string) =>
      JSON.parse(
        (await rpc(url, 'object', 'execute_kw', ['sandbox', uid, password, 'res.partner', 'search_count', [[]]])).body,
      );
    expect((await call(2, 'wrong')).error.data).toMatchObject({
      name: 'odoo.exceptions.AccessDenied',
      message: 'Access Denied',
    });
    expect((await call(2, '')).error.data.name).toBe('odoo.exceptions.AccessDenied');
    expect((await call(false, 'admin')).error.data.name).toBe('odoo.exceptions.AccessDenied');
    expect((await call(999, 'admin')).error.data).toMatchObject({
      name: 'odoo.exceptions.MissingError',
      message: 'Record does not exist or has been deleted.\n(Record: res.users(999,), User: 999)',
    });
    expect((await call(2, backend.apiKey)).result).toBe(0);
    expect((await call('2', 'admin')).result).toBe(0);
    const auth = JSON.parse((await rpc(url, 'common', 'authenticate', ['sandbox', 'admin', backend.apiKey, {}])).body);
    expect(auth.result).toBe(2);
    const wrong = JSON.parse((await rpc(url, 'common', 'login', ['sandbox', 'admin', 'nope'])).body);
    expect(wrong.result).toBe(false);
  });
});

describe('SandboxServer sessions', () => {
  const callKw = (url: string, cookie?: string, model = 'res.partner', path = '/web/dataset/call_kw') =>
    send(
      url,
      path,
      { jsonrpc: '2.0', method: 'call', id: 5, params: { model, method: 'search_count', args: [[]], kwargs: {} } },
      cookie === undefined ? {} : { headers: { Cookie: cookie } },
    );

  it('refuses call_kw without a session with code 100 and id null', async () => {
    const url = await start();
    const body = JSON.parse((await callKw(url)).body);
    expect(body).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: 100,
        message: 'Odoo Session Expired',
        data: { name: 'odoo.http.SessionExpiredException', message: 'Session expired' },
      },
    });
    expect(JSON.parse((await callKw(url, 'session_id=forged')).body).error.code).toBe(100);
    expect(backend.calls).toHaveLength(0);
  });

  it('logs in with a password, sets the session cookie, and serves call_kw and get_session_info with it', async () => {
    const url = await start();
    const login = await send(url, '/web/session/authenticate', {
      id: 1,
      params: { db: 'sandbox', login: 'admin', password: 'admin' },
    });
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^session_id=[\w-]+; Expires=.+; Max-Age=604800; HttpOnly; Path=\/$/);
    const info = JSON.parse(login.body).result;
    expect(info).toMatchObject({
      uid: 2,
      db: 'sandbox',
      username: 'admin',
      name: 'Administrator',
      partner_id: 3,
      server_version: '17.0',
    });
    expect(info.user_context).toEqual({ lang: 'en_US', tz: false, uid: 2 });
    const cookie = setCookie.split(';')[0] ?? '';
    const res = JSON.parse(
      (await callKw(url, cookie, 'res.partner', '/web/dataset/call_kw/res.partner/search_count')).body,
    );
    expect(res).toEqual({ jsonrpc: '2.0', id: 5, result: 0 });
    expect(backend.calls.at(-1)).toMatchObject({ uid: 2, model: 'res.partner', method: 'search_count' });
    // Unknown model: KeyError on call_kw, where /jsonrpc says UserError.
    const unknown = JSON.parse((await callKw(url, cookie, 'no.such.model')).body).error.data;
    expect(unknown).toMatchObject({ name: 'builtins.KeyError', message: 'no.such.model' });
    const sessionInfo = JSON.parse(
      (await send(url, '/web/session/get_session_info', { id: 9, params: {} }, { headers: { Cookie: cookie } })).body,
    );
    expect(sessionInfo.result.uid).toBe(2);
    // check answers None: no result member at all.
    const check = await send(url, '/web/session/check', { id: 3, params: {} }, { headers: { Cookie: cookie } });
    expect(JSON.parse(check.body)).toEqual({ jsonrpc: '2.0', id: 3 });
    await send(url, '/web/session/destroy', { id: 4, params: {} }, { headers: { Cookie: cookie } });
    expect(JSON.parse((await callKw(url, cookie)).body).error.code).toBe(100);
  });

  it('refuses a wrong password and an API key on the interactive login', async () => {
    const url = await start();
    for (const password of ['wrong', backend.apiKey]) {
      const res = await send(url, '/web/session/authenticate', {
        id: 1,
        params: { db: 'sandbox', login: 'admin', password },
      });
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(JSON.parse(res.body).error.data).toMatchObject({
        name: 'odoo.exceptions.AccessDenied',
        message: 'Access Denied',
      });
    }
  });
});

describe('SandboxServer stats', () => {
  it('counts one connection for keep-alive reuse and one per request without it', async () => {
    const url = await start();
    const agent = keepAliveAgent();
    for (let i = 0; i < 5; i += 1) await rpc(url, 'common', 'version', [], { agent });
    expect(server?.stats.connections).toBe(1);
    expect(server?.stats.requests).toBe(5);
    server?.resetStats();
    for (let i = 0; i < 3; i += 1) await rpc(url, 'common', 'version', [], { agent: false });
    expect(server?.stats.connections).toBe(3);
  });

  it('counts calls by method, commits and writes, and resets them', async () => {
    const url = await start();
    await rpc(url, 'common', 'authenticate', ['sandbox', 'admin', 'admin', {}]);
    await rpc(url, 'object', 'execute_kw', [
      'sandbox',
      2,
      'admin',
      'res.partner',
      'create',
      [[{ name: 'a' }, { name: 'b' }]],
    ]);
    await createPartner(url, 'c');
    await rpc(url, 'object', 'execute_kw', ['sandbox', 2, 'admin', 'res.partner', 'search_count', [[]]]);
    await send(url, '/jsonrpc', 'garbage', { headers: { 'Content-Type': 'application/json' } });
    const stats = server!.stats;
    expect(stats.requests).toBe(5);
    expect(stats.calls).toBe(4);
    expect(stats.commits).toBe(2);
    expect(stats.callsByMethod).toEqual({
      'common.authenticate': 1,
      'res.partner.create': 2,
      'res.partner.search_count': 1,
    });
    expect(stats.writes).toEqual({ 'res.partner': { create: 3 } });
    expect(Object.isFrozen(stats.writes['res.partner'])).toBe(true);
    server!.resetStats();
    expect([stats.requests, stats.calls, stats.commits, stats.writes, stats.callsByMethod]).toEqual([0, 0, 0, {}, {}]);
  });
});

describe('SandboxServer faults', () => {
  it('http-503: answers 503 before processing, nothing executed', async () => {
    const url = await start({ faults: 'transient=1,kinds=503' });
    const res = await createPartner(url, 'x');
    expect(res.status).toBe(503);
    expect(res.body).toContain('503 Service Unavailable');
    expect(backend.partners).toHaveLength(0);
    expect(server?.stats.faults).toEqual({ 'http-503': 1 });
    // Authentication stays clean under the default scope.
    expect(JSON.parse((await rpc(url, 'common', 'authenticate', ['sandbox', 'admin', 'admin', {}])).body).result).toBe(
      2,
    );
  });

  it('reset: the connection is reset before processing', async () => {
    const url = await start({ faults: 'transient=1,kinds=reset' });
    const outcome = await settle(createPartner(url, 'x'));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.code).toBe('ECONNRESET');
    expect(backend.partners).toHaveLength(0);
    expect(server?.stats.faults).toEqual({ reset: 1 });
  });

  it('serialization: a psycopg2 SerializationFailure fault, nothing committed', async () => {
    const url = await start({ faults: 'transient=1,kinds=serialization' });
    const body = JSON.parse((await createPartner(url, 'x', { id: 77 })).body);
    expect(body).toMatchObject({
      id: 77,
      error: {
        code: 200,
        data: {
          name: 'psycopg2.errors.SerializationFailure',
          message: 'could not serialize access due to concurrent update\n',
        },
      },
    });
    expect(backend.partners).toHaveLength(0);
    expect(server?.stats.commits).toBe(0);
  });

  it('drop: commits, then closes the socket without answering', async () => {
    const url = await start({ faults: 'drop=1' });
    const outcome = await settle(createPartner(url, 'dropped'));
    expect(outcome.ok).toBe(false);
    expect(backend.partners.map((p) => p.name)).toEqual(['dropped']);
    expect(server?.stats.commits).toBe(1);
    expect(server?.stats.faults).toEqual({ drop: 1 });
  });

  it('slow: answers after slowMs, and the call commits', async () => {
    const url = await start({ faults: 'slow=1:150' });
    const started = performance.now();
    const res = await createPartner(url, 'slow');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(JSON.parse(res.body).result).toBe(1);
    expect(server?.stats.faults).toEqual({ slow: 1 });
  });

  it('latency applies to every call, including authentication', async () => {
    const url = await start({ latencyMs: { fixed: 60, jitter: 20 } });
    const started = performance.now();
    await rpc(url, 'common', 'version', []);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(55);
    expect(elapsed).toBeLessThan(1000);
  });

  it('same seed → same outcome sequence over HTTP; setFaults switches faults on at run time', async () => {
    const outcomes = async (): Promise<string[]> => {
      const url = await start({ seed: 42 });
      for (let i = 0; i < 3; i += 1) await createPartner(url, `seed-${i}`);
      server!.setFaults(resolveFaults('transient=0.3,drop=0.2'));
      const result: string[] = [];
      for (let i = 0; i < 30; i += 1) {
        const outcome = await settle(createPartner(url, `p${i}`));
        if (!outcome.ok) result.push('connection-lost');
        else if (outcome.value.status !== 200) result.push(`http-${outcome.value.status}`);
        else result.push(JSON.parse(outcome.value.body).error?.data?.name ?? 'ok');
      }
      await server!.close();
      return result;
    };
    const first = await outcomes();
    const second = await outcomes();
    expect(second).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(2);
    expect(first).toContain('ok');
    // The partners that exist are exactly the calls that committed: answered ones and dropped ones.
    expect(backend.partners.length).toBeGreaterThan(3);
  });

  it('close() cancels delayed calls without executing them and closes the backend', async () => {
    const url = await start({ latencyMs: 5000 });
    const pending = settle(createPartner(url, 'never'));
    // The call has arrived and waits out its latency.
    await vi.waitFor(() => expect(server!.stats.calls).toBe(1));
    await server!.close();
    expect((await pending).ok).toBe(false);
    expect(backend.partners).toHaveLength(0);
    expect(backend.closed).toBe(true);
  });
});
