/**
 * The client against a scripted server: exact wire shapes, and the failure cases that need byte-level control
 * (reset after the body was read, 503 with Retry-After, an HTML page, a slow answer, a dropped session).
 * The same behaviours are checked against the sandbox in test/integration/client/.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { OdooClient } from '../../../src/client/odoo-client.js';
import type { OdooClientOptions } from '../../../src/client/client-options.js';
import {
  AbortError,
  AuthenticationError,
  HttpError,
  NetworkError,
  OutcomeUnknownError,
  ProtocolError,
  TimeoutError,
  ZenooError,
} from '../../../src/errors.js';
import { fault, startScriptedOdoo } from './scripted-odoo-server.js';
import type { Reply, ScriptedOdoo, ScriptedRequest } from './scripted-odoo-server.js';

const SECRET = 'canary-5ecret-7f3a';
const VERSION = {
  server_version: '17.0',
  server_version_info: [17, 0, 0, 'final', 0, ''],
  server_serie: '17.0',
  protocol_version: 1,
};

let server: ScriptedOdoo | undefined;
let client: OdooClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

/** An Odoo-like script: version, authenticate (SECRET → uid 2), and ORM calls answered by `orm`. */
function odoo(
  orm: (
    model: string,
    method: string,
    args: unknown[],
    kwargs: Record<string, unknown>,
    request: ScriptedRequest,
  ) => Reply,
) {
  return (request: ScriptedRequest): Reply => {
    const { service, method, args } = request.params as { service: string; method: string; args: unknown[] };
    if (service === 'common' && method === 'version') return { result: VERSION };
    if (service === 'common' && method === 'authenticate') return { result: args[2] === SECRET ? 2 : false };
    if (service === 'object' && method === 'execute_kw') {
      if (args[2] !== SECRET) return fault('odoo.exceptions.AccessDenied', 'Access Denied');
      return orm(
        args[3] as string,
        args[4] as string,
        args[5] as unknown[],
        (args[6] ?? {}) as Record<string, unknown>,
        request,
      );
    }
    return fault('builtins.KeyError', String(service));
  };
}

async function setup(
  script: (request: ScriptedRequest) => Reply | Promise<Reply>,
  options: Partial<OdooClientOptions> = {},
): Promise<{ server: ScriptedOdoo; client: OdooClient }> {
  server = await startScriptedOdoo(script);
  client = new OdooClient({
    url: server.url,
    db: 'zenoo',
    username: 'admin',
    password: SECRET,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
  return { server, client };
}

const ormCalls = (s: ScriptedOdoo) => s.requests.filter((r) => r.params['service'] === 'object');

describe('OdooClient on the wire', () => {
  it('authenticates once, lazily, and sends execute_kw with the context inside kwargs', async () => {
    const { server, client } = await setup(
      odoo(() => ({ result: [7, 8] })),
      { context: { lang: 'en_US', tz: 'UTC' } },
    );
    const ids = await Promise.all([
      client.create('res.partner', [{ name: 'A' }, { name: 'B' }], {
        context: { tracking_disable: true, tz: 'Europe/Brussels' },
      }),
      client.create('res.partner', [{ name: 'C' }]),
    ]);
    expect(ids).toEqual([
      [7, 8],
      [7, 8],
    ]);
    expect(client.uid).toBe(2);
    const auth = server.requests.filter((r) => r.params['method'] === 'authenticate');
    expect(auth).toHaveLength(1);
    expect(auth[0]?.params['args']).toEqual(['zenoo', 'admin', SECRET, {}]);
    expect(ormCalls(server)[0]?.params).toEqual({
      service: 'object',
      method: 'execute_kw',
      args: [
        'zenoo',
        2,
        SECRET,
        'res.partner',
        'create',
        [[{ name: 'A' }, { name: 'B' }]],
        { context: { lang: 'en_US', tz: 'Europe/Brussels', tracking_disable: true } },
      ],
    });
    // No top-level context: Odoo 17 drops it silently.
    expect(ormCalls(server)[0]?.params).not.toHaveProperty('context');
  });

  it("builds the typed helpers' arguments as Odoo expects them", async () => {
    const { server, client } = await setup(
      odoo((model, method) => {
        if (model === 'ir.model.data' && method === 'search_read') return { result: [{ id: 1, res_id: 20 }] };
        if (method === 'check_object_reference') return { result: ['res.country', 20] };
        return { result: method === 'search_count' ? 3 : [] };
      }),
    );
    await client.read('res.partner', [1, 2], ['name']);
    await client.search('res.partner', [['is_company', '=', true]], { limit: 3, order: 'id' });
    await client.searchRead('res.partner', [], { fields: ['name'], offset: 2 });
    expect(await client.searchCount('res.partner', [])).toBe(3);
    await client.fieldsGet('res.partner', { attributes: ['type'] });
    await client.nameSearch('res.partner', 'Cap', { limit: 5, domain: [['is_company', '=', true]] });
    await client.load('res.partner', ['id', 'name'], [['x.a', 'A']]);
    await client.write('res.partner', [7], { email: 'e' });
    expect(await client.checkObjectReference('base', 'be')).toEqual(['res.country', 20]);
    expect(await client.resolveXmlId('base.be')).toBe(20);
    await client.model('res.country').call('default_get', [['code']]);
    const sent = ormCalls(server).map((r) => (r.params['args'] as unknown[]).slice(3));
    expect(sent).toEqual([
      ['res.partner', 'read', [[1, 2], ['name']], { context: {} }],
      ['res.partner', 'search', [[['is_company', '=', true]]], { limit: 3, order: 'id', context: {} }],
      ['res.partner', 'search_read', [[]], { fields: ['name'], offset: 2, context: {} }],
      ['res.partner', 'search_count', [[]], { context: {} }],
      ['res.partner', 'fields_get', [], { attributes: ['type'], context: {} }],
      ['res.partner', 'name_search', [], { name: 'Cap', limit: 5, args: [['is_company', '=', true]], context: {} }],
      ['res.partner', 'load', [['id', 'name'], [['x.a', 'A']]], { context: {} }],
      ['res.partner', 'write', [[7], { email: 'e' }], { context: {} }],
      ['ir.model.data', 'check_object_reference', ['base', 'be'], { context: {} }],
      [
        'ir.model.data',
        'search_read',
        [
          [
            ['module', '=', 'base'],
            ['name', '=', 'be'],
          ],
        ],
        { fields: ['res_id'], limit: 1, context: {} },
      ],
      ['res.country', 'default_get', [['code']], { context: {} }],
    ]);
  });

  it('rejects bad arguments before sending anything', async () => {
    const { server, client } = await setup(odoo(() => ({ result: true })));
    await expect(client.write('res.partner', [0], {})).rejects.toThrow(/positive integers/);
    await expect(client.search('res.partner', 'name = x' as never)).rejects.toThrow(/domain/);
    await expect(client.resolveXmlId('nodot')).rejects.toThrow(/module\.name/);
    await expect(client.executeKw('', 'read')).rejects.toThrow(/model/);
    expect(server.requests).toHaveLength(0);
  });

  it('turns authenticate → false into AuthenticationError naming url, db and login only', async () => {
    const { client } = await setup(
      odoo(() => ({ result: true })),
      { password: 'wrong-canary-pw' },
    );
    const error = await client.searchCount('res.partner', []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    const message = (error as AuthenticationError).message;
    expect(message).toContain(client.url);
    expect(message).toContain('"zenoo"');
    expect(message).toContain('"admin"');
    expect(message).not.toContain('wrong-canary-pw');
    expect((error as AuthenticationError).code).toBe('ERR_AUTHENTICATION');
  });

  it('parses the version', async () => {
    const { client } = await setup(odoo(() => ({ result: true })));
    expect(await client.version()).toMatchObject({ serverVersion: '17.0', major: 17, minor: 0 });
  });

  it('treats MissingError on unlink as already deleted, and deletes what still exists', async () => {
    const { server, client } = await setup(
      odoo((_model, method, args) => {
        if (method === 'unlink')
          return (args[0] as number[]).includes(8)
            ? fault('odoo.exceptions.MissingError', 'Record does not exist or has been deleted.')
            : { result: true };
        if (method === 'search') return { result: [7] };
        return { result: true };
      }),
    );
    expect(await client.unlink('res.partner', [7, 8])).toBe(true);
    const calls = ormCalls(server).map((r) => (r.params['args'] as unknown[]).slice(4, 6));
    expect(calls).toEqual([
      ['unlink', [[7, 8]]],
      ['search', [[['id', 'in', [7, 8]]]]],
      ['unlink', [[7]]],
    ]);
    expect(((ormCalls(server)[1]?.params['args'] as unknown[])[6] as { context: unknown }).context).toEqual({
      active_test: false,
    });
  });
});

describe('keep-alive', () => {
  it('reuses one connection for sequential calls and at most maxSockets for concurrent ones', async () => {
    const { server, client } = await setup(
      odoo(() => ({ delayMs: 5, then: { result: [] } })),
      { maxSockets: 5 },
    );
    for (let i = 0; i < 20; i++) await client.search('res.partner', []);
    expect(server.connections()).toBe(1);
    await Promise.all(Array.from({ length: 40 }, () => client!.search('res.partner', [])));
    expect(server.connections()).toBeLessThanOrEqual(5);
    expect(server.connections()).toBeGreaterThan(1);
    expect(ormCalls(server)).toHaveLength(60);
  });
});

describe('retries', () => {
  it('retries a write answered 503 before processing, honouring Retry-After, and emits retry events', async () => {
    let creates = 0;
    let first = true;
    const { client } = await setup(async (request) => {
      if (request.params['method'] === 'execute_kw' && first) {
        first = false;
        return { status: 503, body: '<h1>Service Unavailable</h1>', headers: { 'retry-after': '0' } };
      }
      return odoo(() => ({ result: [++creates] }))(request);
    });
    const events: string[] = [];
    client.on('request', (e) => events.push(`request ${e.model ?? ''}.${e.method} #${e.attempt}`));
    client.on('retry', (e) => events.push(`retry ${e.method} after ${e.error.code} in ${e.delayMs}`));
    expect(await client.create('res.partner', [{ name: 'A' }])).toEqual([1]);
    expect(creates).toBe(1);
    expect(events).toEqual([
      'request .authenticate #1',
      'request res.partner.create #1',
      expect.stringMatching(/^retry create after ERR_HTTP in \d+$/),
      'request res.partner.create #2',
    ]);
  });

  it('retries a ConcurrencyError for writes and gives up after `limit` retries', async () => {
    const { server, client } = await setup(
      odoo(() => fault('psycopg2.errors.SerializationFailure', 'could not serialize access due to concurrent update')),
      {
        retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 2 },
      },
    );
    await expect(client.write('res.partner', [1], { name: 'x' })).rejects.toMatchObject({
      code: 'ERR_ODOO_CONCURRENCY',
      model: 'res.partner',
      method: 'write',
    });
    expect(ormCalls(server)).toHaveLength(3);
  });

  it('never resends a write whose connection dropped after sending: OutcomeUnknownError with the records', async () => {
    const { server, client } = await setup(odoo(() => ({ destroy: true })));
    const values = [{ name: 'A' }, { name: 'B' }];
    const error = await client
      .create('res.partner', values, { errorContext: { chunk: 4, step: 'contacts' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    const unknown = error as OutcomeUnknownError;
    expect(unknown.records).toEqual(values);
    expect(unknown.context).toMatchObject({
      model: 'res.partner',
      method: 'create',
      chunk: 4,
      step: 'contacts',
      url: client.url,
    });
    expect(unknown.cause).toBeInstanceOf(NetworkError);
    expect((unknown.cause as NetworkError).phase).toBe('sent');
    expect(ormCalls(server)).toHaveLength(1);
  });

  it('retries a read whose connection dropped, and succeeds', async () => {
    let drops = 2;
    const { server, client } = await setup(odoo(() => (drops-- > 0 ? { destroy: true } : { result: [1, 2] })));
    expect(await client.search('res.partner', [])).toEqual([1, 2]);
    expect(ormCalls(server)).toHaveLength(3);
  });

  it('retries a write when the connection is refused (nothing was sent)', async () => {
    // Find a free port, then close it so that connections are refused.
    const probe = await startScriptedOdoo(() => ({ result: true }));
    const url = probe.url;
    await probe.close();
    client = new OdooClient({
      url,
      db: 'zenoo',
      username: 'admin',
      password: SECRET,
      retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const retries: number[] = [];
    client.on('retry', (e) => retries.push(e.attempt));
    const error = await client.authenticate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).phase).toBe('not-sent');
    expect((error as NetworkError).syscallCode).toBe('ECONNREFUSED');
    expect((error as NetworkError).message).toMatch(/Could not reach POST http:\/\/127\.0\.0\.1:\d+\/jsonrpc/);
    expect(retries).toEqual([1, 2]);
  });

  it('does not retry when the call says retry: false', async () => {
    const { server, client } = await setup(odoo(() => ({ status: 503, body: 'busy' })));
    await expect(client.search('res.partner', [], { retry: false })).rejects.toBeInstanceOf(HttpError);
    expect(ormCalls(server)).toHaveLength(1);
  });

  it('a per-call retry limit overrides the client limit', async () => {
    const { server, client } = await setup(odoo(() => ({ status: 503, body: 'busy' })));
    await expect(client.search('res.partner', [], { retry: { limit: 1 } })).rejects.toBeInstanceOf(HttpError);
    expect(ormCalls(server)).toHaveLength(2);
  });
});

describe('timeouts and abort', () => {
  it('a timed-out read is retried then rejects with TimeoutError; a timed-out write is OutcomeUnknownError', async () => {
    const { server, client } = await setup(
      odoo(() => ({ delayMs: 300, then: { result: [] } })),
      {
        timeoutMs: 50,
        retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 1 },
      },
    );
    const read = await client.search('res.partner', []).catch((e: unknown) => e);
    expect(read).toBeInstanceOf(TimeoutError);
    expect((read as TimeoutError).timeoutMs).toBe(50);
    expect((read as TimeoutError).message).toMatch(/within 50 ms/);
    expect(ormCalls(server)).toHaveLength(2);
    const write = await client.write('res.partner', [3], { name: 'x' }).catch((e: unknown) => e);
    expect(write).toBeInstanceOf(OutcomeUnknownError);
    expect((write as OutcomeUnknownError).records).toEqual([3]);
    expect((write as OutcomeUnknownError).cause).toBeInstanceOf(TimeoutError);
    expect(ormCalls(server)).toHaveLength(3);
  });

  it('the per-call timeout overrides the client one', async () => {
    const { client } = await setup(
      odoo(() => ({ delayMs: 200, then: { result: [] } })),
      { timeoutMs: 20 },
    );
    await expect(client.search('res.partner', [], { timeoutMs: 2000 })).resolves.toEqual([]);
  });

  it('an aborted call rejects with AbortError and is not retried', async () => {
    const { server, client } = await setup(odoo(() => ({ delayMs: 500, then: { result: [] } })));
    await client.authenticate();
    const controller = new AbortController();
    const pending = client.search('res.partner', [], { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).code).toBe('ERR_ABORTED');
    expect((error as AbortError).phase).toBe('sent');
    // A read changes nothing: its interruption is no unknown outcome, and the message does not suggest one.
    expect((error as AbortError).message).not.toContain('may or may not');
    expect(ormCalls(server)).toHaveLength(1);
  });

  it('an aborted write that was sent says the server may have processed it', async () => {
    const { client } = await setup(
      odoo(() => ({ delayMs: 500, then: { result: 1 } })),
      { retry: { limit: 0 } },
    );
    await client.authenticate();
    const controller = new AbortController();
    const pending = client.create('res.partner', { name: 'x' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const error = await pending.catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain('the server may or may not have processed it');
  });

  it('a caller aborting the shared first login does not fail the other callers', async () => {
    const { server, client } = await setup(async (request) => {
      if (request.params['method'] === 'authenticate')
        return { delayMs: 80, then: odoo(() => ({ result: [] }))(request) };
      return odoo(() => ({ result: [1] }))(request);
    });
    const controller = new AbortController();
    const first = client.search('res.partner', [], { signal: controller.signal });
    const second = client.search('res.partner', []);
    setTimeout(() => controller.abort(), 20);
    await expect(first).rejects.toBeInstanceOf(AbortError);
    await expect(second).resolves.toEqual([1]);
    expect(server.requests.filter((r) => r.params['method'] === 'authenticate')).toHaveLength(2);
  });

  it('an already aborted signal sends nothing', async () => {
    const { server, client } = await setup(odoo(() => ({ result: [] })));
    const error = await client.search('res.partner', [], { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).phase).toBe('not-sent');
    expect(server.requests).toHaveLength(0);
  });

  it('abort during the retry wait rejects with AbortError', async () => {
    const { client } = await setup(odoo(() => ({ status: 503, body: 'busy', headers: { 'retry-after': '5' } })));
    await client.authenticate();
    const controller = new AbortController();
    client.on('retry', () => controller.abort());
    await expect(client.search('res.partner', [], { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  });
});

describe('answers that are not Odoo', () => {
  it('an HTML login page is a ProtocolError', async () => {
    const { client } = await setup(() => ({
      status: 200,
      body: '<!DOCTYPE html><html><body>Please log in</body></html>',
    }));
    const error = await client.version().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).message).toMatch(/an HTML page instead of Odoo JSON-RPC/);
  });

  it('HTTP 400 Invalid JSON data is an HttpError with the body excerpt', async () => {
    const { client } = await setup(() => ({ status: 400, body: 'Invalid JSON data' }));
    const error = await client.version().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, bodyExcerpt: 'Invalid JSON data', code: 'ERR_HTTP' });
  });
});

describe('session mode', () => {
  function sessionOdoo(state: { valid: Set<string>; logins: number; next: number }) {
    return (request: ScriptedRequest): Reply => {
      if (request.path === '/web/session/authenticate') {
        state.logins += 1;
        if (request.params['password'] !== SECRET) return fault('odoo.exceptions.AccessDenied', 'Access Denied');
        const sid = `sid-${state.next++}-canary-session`;
        state.valid.add(sid);
        return {
          result: { uid: 2, db: 'zenoo', server_version: '17.0' },
          setCookie: `session_id=${sid}; HttpOnly; Max-Age=604800; Path=/`,
        };
      }
      if (request.path === '/web/webclient/version_info') return { result: VERSION };
      if (request.path.startsWith('/web/dataset/call_kw/')) {
        const sid = /session_id=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
        if (!sid || !state.valid.has(sid)) return fault('odoo.http.SessionExpiredException', 'Session expired', 100);
        return { result: [{ id: 3, name: request.params['method'] }] };
      }
      return { status: 404, body: 'not found' };
    };
  }

  it('logs in once, sends the cookie, and logs in again once when the session is dropped', async () => {
    const state = { valid: new Set<string>(), logins: 0, next: 1 };
    const { server, client } = await setup(sessionOdoo(state), { mode: 'session' });
    expect(await client.searchRead('res.partner', [], { fields: ['name'] })).toEqual([{ id: 3, name: 'search_read' }]);
    await client.read('res.partner', [3]);
    expect(state.logins).toBe(1);
    const call = server.requests.find((r) => r.path === '/web/dataset/call_kw/res.partner/search_read');
    expect(call?.params).toEqual({
      model: 'res.partner',
      method: 'search_read',
      args: [[]],
      kwargs: { fields: ['name'], context: {} },
    });
    expect(call?.headers.cookie).toBe('session_id=sid-1-canary-session');

    state.valid.clear(); // the server forgets every session
    const retries: unknown[] = [];
    client.on('retry', (e) => retries.push(e));
    await Promise.all([client.create('res.partner', [{ name: 'X' }]), client.create('res.partner', [{ name: 'Y' }])]);
    expect(state.logins).toBe(2);
    expect(retries).toEqual([]);
    expect(server.requests.filter((r) => r.path.endsWith('/create')).map((r) => r.headers.cookie)).toEqual([
      'session_id=sid-1-canary-session',
      'session_id=sid-1-canary-session',
      'session_id=sid-2-canary-session',
      'session_id=sid-2-canary-session',
    ]);
    expect(await client.version()).toMatchObject({ major: 17 });
  });

  it('a refused session login is an AuthenticationError', async () => {
    const state = { valid: new Set<string>(), logins: 0, next: 1 };
    const { client } = await setup(sessionOdoo(state), { mode: 'session', password: 'bad-canary-pw' });
    const error = await client.search('res.partner', []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).not.toContain('bad-canary-pw');
    expect(state.logins).toBe(1);
  });
});

describe('secrets', () => {
  it('never shows the password or session id in errors, events, inspect or JSON', async () => {
    const produced: unknown[] = [];
    const { client } = await setup(
      odoo((_model, method, _args, _kwargs, request) => {
        if (method === 'echo') return fault('builtins.ValueError', `bad request ${request.body}`);
        if (method === 'html') return { status: 500, body: `<pre>${request.body}</pre>` };
        if (method === 'drop') return { destroy: true };
        return { result: true };
      }),
      { timeoutMs: 2000, retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 1 } },
    );
    client.on('request', (e) => produced.push(e));
    client.on('response', (e) => produced.push(e));
    client.on('retry', (e) => produced.push(e));
    for (const method of ['echo', 'html', 'drop', 'search']) {
      const error = await client.executeKw('res.partner', method, [[]]).catch((e: unknown) => e);
      produced.push(error);
    }
    const wrong = new OdooClient({ url: client.url, db: 'zenoo', username: 'admin', password: `${SECRET}-wrong` });
    produced.push(await wrong.authenticate().catch((e: unknown) => e), wrong);
    wrong.close();
    produced.push(client);

    const dump = produced
      .map((item) => {
        const parts = [inspect(item, { depth: 10, showHidden: true }), JSON.stringify(item) ?? ''];
        if (item instanceof Error)
          parts.push(item.message, item.stack ?? '', inspect(item.cause, { depth: 10, showHidden: true }));
        if (item instanceof ZenooError) parts.push(JSON.stringify(item.toJSON()));
        return parts.join('\n');
      })
      .join('\n');
    expect(dump).toContain('ERR_ODOO_INVALID_VALUE');
    expect(dump).toContain('ERR_HTTP');
    expect(dump).toContain('ERR_OUTCOME_UNKNOWN');
    expect(dump).toContain('ERR_AUTHENTICATION');
    expect(dump).toContain('[redacted]');
    expect(dump).not.toContain(SECRET);
  });
});
