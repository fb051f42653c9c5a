/**
 * The client in mode `json2` against a scripted server that replays the answers of a real Odoo 19.0
 * (test/fixtures/odoo/wire-odoo-19.0-json2.txt): each request the client sends is compared with the captured one
 * (path, bearer key, database header, named body), each captured answer must come back as the captured result, and
 * each captured error class as its class of the zenoo hierarchy, retried (or not) as the policy says.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { OdooClientOptions } from '../../../src/client/client-options.js';
import { OdooClient } from '../../../src/client/odoo-client.js';
import { decideRetry, DEFAULT_RETRY_OPTIONS } from '../../../src/client/retry-policy.js';
import {
  AccessError,
  AuthenticationError,
  ConcurrencyError,
  HttpError,
  InvalidValueError,
  MissingError,
  OutcomeUnknownError,
  ProtocolError,
  RpcFault,
  UserError,
  ValidationError,
  ZenooError,
} from '../../../src/errors.js';
import { readJson2Capture, replyOf } from './json2-capture.js';
import type { Json2Exchange } from './json2-capture.js';
import { startScriptedOdoo } from './scripted-odoo-server.js';
import type { Reply, ScriptedOdoo, ScriptedRequest } from './scripted-odoo-server.js';

const CAPTURE = readJson2Capture();
/** A key of the captured shape (40 hex chars), standing for the capture's `$ZENOO_API_KEY`. */
const API_KEY = '5ec12e7a0c1d9e8f7b6a5c4d3e2f1a0b9c8d7e6f';

function exchange(number: number): Json2Exchange {
  const found = CAPTURE.get(number);
  if (!found) throw new Error(`no exchange ${number} in the capture`);
  return found;
}

let server: ScriptedOdoo | undefined;
const clients: OdooClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

/** A server answering the login (#17) and then the given exchanges in order; a client on it in mode json2. */
async function replay(
  numbers: readonly number[],
  options: Partial<OdooClientOptions> = {},
): Promise<{ client: OdooClient; requests: ScriptedRequest[] }> {
  const queue = [17, ...numbers].map((number) => replyOf(exchange(number)));
  return serve(() => queue.shift() ?? { status: 500, body: 'script exhausted' }, options);
}

async function serve(
  script: (request: ScriptedRequest) => Reply,
  options: Partial<OdooClientOptions> = {},
): Promise<{ client: OdooClient; requests: ScriptedRequest[] }> {
  server = await startScriptedOdoo(script);
  const client = new OdooClient({
    url: server.url,
    db: 'zenoo19',
    username: 'admin',
    apiKey: API_KEY,
    mode: 'json2',
    retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 1 },
    ...options,
  } as OdooClientOptions);
  clients.push(client);
  return { client, requests: server.requests };
}

/** The request as the capture shows it, for comparison with what the client sent. */
function expectSentAsCaptured(sent: ScriptedRequest | undefined, number: number): void {
  const captured = exchange(number).request;
  expect(sent?.path).toBe(captured.path);
  expect(sent?.headers['authorization']).toBe(`bearer ${API_KEY}`);
  expect(sent?.headers['x-odoo-database']).toBe('zenoo19');
  expect(sent?.headers['content-type']).toBe('application/json');
  expect(JSON.parse(sent?.body ?? 'null')).toEqual(captured.body === undefined ? {} : JSON.parse(captured.body));
}

function capturedResult(number: number): unknown {
  return JSON.parse(exchange(number).response.body);
}

describe('Json2Transport: calls as captured', () => {
  it('logs in with res.users.context_get and takes its uid (#17)', async () => {
    const { client, requests } = await replay([]);
    await expect(client.authenticate()).resolves.toBe(2);
    expect(client.uid).toBe(2);
    expect(client.activeMode).toBe('json2');
    expectSentAsCaptured(requests[0], 17);
    expect(requests).toHaveLength(1);
  });

  // Each case: the exchange, and the client call that must send exactly its request.
  const cases: [number, string, (client: OdooClient) => Promise<unknown>, unknown?][] = [
    [4, 'searchRead', (c) => c.searchRead('res.partner', [], { fields: ['name'], limit: 3 })],
    [5, 'create of a list', (c) => c.create('res.partner', [{ name: 'zenoo json2 x' }, { name: 'zenoo json2 y' }])],
    [6, 'create of one dict (resolves to the id)', (c) => c.create('res.partner', { name: 'zenoo json2 single' }), 8],
    [7, 'search with order', (c) => c.search('res.partner', [['name', 'like', 'zenoo json2']], { order: 'id desc' })],
    [8, 'searchCount', (c) => c.searchCount('res.partner', [['name', 'like', 'zenoo json2']])],
    [9, 'write', (c) => c.write('res.partner', [6], { name: 'zenoo json2 x renamed', email: 'x@example.com' })],
    [10, 'read', (c) => c.read('res.partner', [6, 7], ['name', 'email', 'write_date'])],
    [
      11,
      'searchRead with a context',
      (c) =>
        c.searchRead('res.partner', [['id', '=', 1]], {
          fields: ['name', 'active'],
          context: { lang: 'en_US', active_test: false },
        }),
    ],
    [
      12,
      'a method by keyword arguments',
      (c) =>
        c.executeKw('res.partner', 'web_search_read', [], {
          domain: [['id', '=', 6]],
          specification: { name: {}, country_id: { fields: { name: {} } } },
        }),
    ],
    [13, 'nameSearch', (c) => c.nameSearch('res.partner', 'zenoo', { limit: 5 })],
    [
      14,
      'fields_get with positional allfields',
      (c) =>
        c.executeKw('res.partner', 'fields_get', [['name', 'email', 'country_id']], {
          attributes: ['string', 'type', 'required', 'relation'],
        }),
    ],
    [15, 'unlink', (c) => c.unlink('res.partner', [7])],
    [16, 'a method on records (copy)', (c) => c.callMethod('res.partner', 'copy', [6])],
    [22, 'read of a missing id', (c) => c.read('res.partner', [999999], ['name'])],
    [45, 'searchCount answering 0', (c) => c.searchCount('res.partner', [['name', 'like', 'zenoo txn']])],
  ];
  for (const [number, label, run, expected] of cases) {
    it(`#${number} ${label}`, async () => {
      const { client, requests } = await replay([number]);
      await expect(run(client)).resolves.toEqual(expected ?? capturedResult(number));
      expectSentAsCaptured(requests[1], number);
      expect(requests).toHaveLength(2);
    });
  }

  it('sends no /jsonrpc request and no cookie, and reads the version from /web/webclient/version_info (#1)', async () => {
    const version = replyOf(exchange(1));
    const { client, requests } = await serve((request) =>
      request.path === '/web/webclient/version_info' ? version : replyOf(exchange(17)),
    );
    await expect(client.version()).resolves.toMatchObject({ major: 19, minor: 0 });
    await client.authenticate();
    expect(requests.map((request) => request.path)).toEqual([
      '/web/webclient/version_info',
      '/json/2/res.users/context_get',
    ]);
    expect(requests[1]?.headers['cookie']).toBeUndefined();
  });

  it('a method that returns nothing resolves to undefined', async () => {
    const { client } = await serve((request) =>
      request.path.endsWith('context_get')
        ? replyOf(exchange(17))
        : { status: 200, body: 'null', headers: { 'content-type': 'application/json; charset=utf-8' } },
    );
    await expect(client.callMethod('res.partner', 'action_archive', [6])).resolves.toBeUndefined();
  });
});

describe('Json2Transport: every captured error class', () => {
  const errors: [
    number,
    string,
    (client: OdooClient) => Promise<unknown>,
    new (...args: never[]) => ZenooError,
    string,
  ][] = [
    [
      18,
      'a missing required argument (422)',
      (c) => c.executeKw('res.partner', 'search_count', [], {}),
      RpcFault,
      "missing a required argument: 'domain'",
    ],
    [
      19,
      'an unknown field in fields (500 ValueError)',
      (c) => c.searchRead('res.partner', [], { fields: ['no_such_field'], limit: 1 }),
      InvalidValueError,
      "Invalid field 'no_such_field' on 'res.partner'",
    ],
    [
      20,
      'an unknown field in a domain (500 ValueError)',
      (c) => c.search('res.partner', [['no_such_field', '=', 1]]),
      InvalidValueError,
      'Invalid field res.partner.no_such_field',
    ],
    [
      21,
      'an unknown field in create values (500 ValueError)',
      (c) => c.create('res.partner', [{ name: 'x', no_such_field: 1 }]),
      InvalidValueError,
      "Invalid field 'no_such_field' in 'res.partner'",
    ],
    [
      23,
      'a write of a missing record (404 MissingError)',
      (c) => c.write('res.partner', [999999], { name: 'zz' }),
      MissingError,
      'Record does not exist or has been deleted.',
    ],
    [
      24,
      'an unlink of a missing record (404 MissingError)',
      (c) => c.executeKw('res.partner', 'unlink', [[999999]]),
      MissingError,
      'Record does not exist or has been deleted.',
    ],
    [
      30,
      'an unknown model (404)',
      (c) => c.search('no.such.model', []),
      RpcFault,
      "the model 'no.such.model' does not exist",
    ],
    [
      31,
      'an unknown method (404)',
      (c) => c.executeKw('res.partner', 'no_such_method', [], {}),
      RpcFault,
      "The method 'res.partner.no_such_method' does not exist",
    ],
    [
      32,
      'a private method (403 AccessError)',
      (c) => c.executeKw('res.partner', '_read_format', [], { fnames: ['name'] }),
      AccessError,
      'Private methods',
    ],
    [
      33,
      'an `args` keyword (422)',
      (c) => c.executeKw('res.partner', 'search', [], { args: [[]] }),
      RpcFault,
      "missing a required argument: 'domain'",
    ],
    [
      34,
      'an unexpected keyword (422)',
      (c) => c.executeKw('res.partner', 'search', [[]], { bogus: 1 }),
      RpcFault,
      "got an unexpected keyword argument 'bogus'",
    ],
    [
      35,
      'ids given to a model method (422)',
      (c) => c.callMethod('res.partner', 'search', [1], { args: [[]] }),
      RpcFault,
      'cannot call res.partner.search with ids',
    ],
    [
      36,
      'a ValidationError (422)',
      (c) => c.create('res.users', [{ name: 'dup', login: 'admin' }]),
      ValidationError,
      'two users with the same login',
    ],
    [
      37,
      'a UserError (422)',
      (c) => c.executeKw('res.users', 'unlink', [[2]]),
      UserError,
      'You cannot delete the admin user',
    ],
    [
      38,
      'a malformed domain (500 TypeError)',
      (c) => c.executeKw('res.partner', 'search', ['not a domain']),
      RpcFault,
      'Domain() invalid argument type',
    ],
    [
      44,
      'a failing create of two records (500, nothing created)',
      (c) => c.create('res.partner', [{ name: 'zenoo txn ok' }, { name: 'zenoo txn bad', no_such_field: 1 }]),
      InvalidValueError,
      "Invalid field 'no_such_field'",
    ],
  ];
  for (const [number, label, run, type, fragment] of errors) {
    it(`#${number} ${label}`, async () => {
      const { client, requests } = await replay([number, number, number]);
      const error = await run(client).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(type);
      expect((error as RpcFault).faultName).toBe(JSON.parse(exchange(number).response.body).name);
      expect((error as Error).message).toContain(fragment);
      expect((error as RpcFault).rpcCode).toBe(exchange(number).response.status);
      expectSentAsCaptured(requests[1], number);
      // A fault is the server's answer to the call itself: never resent, for reads and writes alike.
      expect(requests).toHaveLength(2);
    });
  }

  // Answers the client cannot provoke (it always sends a key, a database and JSON), replayed to a normal call.
  const answers: [number, string, new (...args: never[]) => ZenooError, string][] = [
    [25, 'a wrong API key (401)', AuthenticationError, 'Invalid apikey'],
    [26, 'no Authorization header (401)', AuthenticationError, 'User not authenticated'],
    [27, 'another scheme (401)', AuthenticationError, 'User not authenticated'],
    [29, 'a database the server does not serve (404 HTML)', ProtocolError, 'database "zenoo19"'],
    [39, 'a body that is not JSON (400)', RpcFault, 'could not parse the body as json'],
    [40, 'a body that is not an object (422)', RpcFault, "missing a required argument: 'domain'"],
    [41, 'a wrong Content-Type (415 HTML)', ProtocolError, '415 Unsupported Media Type'],
    [42, 'a wrong path (404)', RpcFault, 'Did you mean POST /json/2/<model>/<method>?'],
    [43, 'GET instead of POST (404)', RpcFault, 'Did you mean POST /json/2/<model>/<method>?'],
  ];
  for (const [number, label, type, fragment] of answers) {
    it(`#${number} ${label}`, async () => {
      const { client, requests } = await replay([number, number, number]);
      const error = await client.searchCount('res.partner', []).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toContain(fragment);
      expect(requests).toHaveLength(2);
    });
  }

  it('a refused key at login is an AuthenticationError naming url, db and login, never the key (#25)', async () => {
    const { client, requests } = await serve(() => replyOf(exchange(25)));
    const error = await client.authenticate().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toContain('refused the login "admin" on database "zenoo19"');
    expect((error as Error).message).toContain('JSON-2 takes an API key');
    expect((error as Error).message).not.toContain(API_KEY);
    expect(requests).toHaveLength(1);
  });

  it('the server of another Odoo (no /json/2 route: 404 HTML) is named as such', async () => {
    const { client } = await serve(() => ({ status: 404, body: '<!doctype html><title>404 Not Found</title>' }));
    await expect(client.authenticate()).rejects.toThrow(/no JSON-2 API \(Odoo before 19/);
  });
});

describe('Json2Transport: retries', () => {
  const lockBody = JSON.stringify({
    name: 'odoo.exceptions.LockError',
    message: 'Cannot lock the record: it is being changed by another transaction.',
    arguments: ['Cannot lock the record'],
    context: {},
    debug: 'Traceback',
  });

  it('a 409 LockError is a ConcurrencyError, resent for a write (nothing was committed)', async () => {
    let creates = 0;
    const { client } = await serve((request) => {
      if (request.path.endsWith('context_get')) return replyOf(exchange(17));
      creates += 1;
      return creates === 1
        ? { status: 409, body: lockBody, headers: { 'content-type': 'application/json; charset=utf-8' } }
        : replyOf(exchange(5));
    });
    await expect(client.create('res.partner', [{ name: 'zenoo json2 x' }, { name: 'zenoo json2 y' }])).resolves.toEqual(
      [6, 7],
    );
    expect(creates).toBe(2);
  });

  it('a gateway 503 is resent for a write; a lost answer to a write is OutcomeUnknownError, to a read resent', async () => {
    let calls = 0;
    const { client } = await serve((request) => {
      if (request.path.endsWith('context_get')) return replyOf(exchange(17));
      calls += 1;
      if (request.path.endsWith('/write'))
        return calls === 1 ? { status: 503, body: '<html>busy</html>' } : replyOf(exchange(9));
      if (request.path.endsWith('/create')) return { destroy: true };
      return calls % 2 === 1 ? { destroy: true } : replyOf(exchange(8));
    });
    await expect(
      client.write('res.partner', [6], { name: 'zenoo json2 x renamed', email: 'x@example.com' }),
    ).resolves.toBe(true);
    const lost = await client.create('res.partner', [{ name: 'a' }]).catch((caught: unknown) => caught);
    expect(lost).toBeInstanceOf(OutcomeUnknownError);
    expect((lost as OutcomeUnknownError).records).toEqual([{ name: 'a' }]);
    calls = 0;
    await expect(client.searchCount('res.partner', [['name', 'like', 'zenoo json2']])).resolves.toBe(3);
  });

  it('classifies every captured error class as the JSON-RPC ones: none resent, for reads or writes', async () => {
    const { client } = await replay([]);
    await client.authenticate();
    const numbers = [18, 19, 20, 21, 23, 24, 25, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44];
    for (const number of numbers) {
      await server?.close();
      const reply = replyOf(exchange(number));
      server = await startScriptedOdoo(() => reply);
      const probe = new OdooClient({
        url: server.url,
        db: 'zenoo19',
        username: 'admin',
        apiKey: API_KEY,
        mode: 'json2',
        retry: false,
      });
      clients.push(probe);
      const error = await probe.searchCount('res.partner', []).catch((caught: unknown) => caught);
      expect(error, `#${number}`).toBeInstanceOf(ZenooError);
      for (const kind of ['read', 'write'] as const) {
        const decision = decideRetry({ error, kind, attempt: 1, options: DEFAULT_RETRY_OPTIONS });
        expect(decision, `#${number} ${kind}`).toEqual({ action: 'fail', reason: 'not-retryable' });
      }
    }
    const lock = new ConcurrencyError({ code: 409, message: 'locked', data: { name: 'odoo.exceptions.LockError' } });
    expect(decideRetry({ error: lock, kind: 'write', attempt: 1, options: DEFAULT_RETRY_OPTIONS }).action).toBe(
      'retry',
    );
    const gateway = new HttpError('503', { status: 503, bodyExcerpt: '' });
    expect(decideRetry({ error: gateway, kind: 'write', attempt: 1, options: DEFAULT_RETRY_OPTIONS }).action).toBe(
      'retry',
    );
  });
});

describe('Json2Transport: secrets', () => {
  it('never shows the API key in errors, events, inspect or JSON, even when the server echoes it', async () => {
    const produced: unknown[] = [];
    const { client } = await serve(
      (request) => {
        if (request.path.endsWith('context_get')) return replyOf(exchange(17));
        const echo = `${request.headers['authorization'] ?? ''} ${request.body}`;
        if (request.path.endsWith('/echo'))
          return {
            status: 500,
            body: JSON.stringify({
              name: 'builtins.ValueError',
              message: `bad ${echo}`,
              arguments: [echo],
              context: {},
              debug: echo,
            }),
            headers: { 'content-type': 'application/json' },
          };
        if (request.path.endsWith('/html')) return { status: 502, body: `<pre>${echo}</pre>` };
        if (request.path.endsWith('/drop')) return { destroy: true };
        return replyOf(exchange(8));
      },
      { timeoutMs: 2000, retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 1 } },
    );
    client.on('request', (e) => produced.push(e));
    client.on('response', (e) => produced.push(e));
    client.on('retry', (e) => produced.push(e));
    for (const method of ['echo', 'html', 'drop', 'search_count']) {
      produced.push(await client.executeKw('res.partner', method, [], {}).catch((caught: unknown) => caught));
    }
    await server?.close();
    server = await startScriptedOdoo(() => replyOf(exchange(25)));
    const wrong = new OdooClient({ url: server.url, db: 'zenoo19', username: 'admin', apiKey: API_KEY, mode: 'json2' });
    clients.push(wrong);
    produced.push(await wrong.authenticate().catch((caught: unknown) => caught), wrong, client);

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
    expect(dump).not.toContain(API_KEY);
  });
});
