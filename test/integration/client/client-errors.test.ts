// The client against the sandbox: every error class of the captured exchanges, the round trip of the typed helpers
// (checked on the server), keep-alive connection reuse, and the secret canary.
import { inspect } from 'node:util';
import pLimit from 'p-limit';
import { beforeAll, describe, expect, it } from 'vitest';
import { OdooClient } from '../../../src/client/odoo-client.js';
import {
  AccessDeniedError,
  AccessError,
  AuthenticationError,
  InvalidValueError,
  MissingError,
  RpcFault,
  UserError,
  ValidationError,
  ZenooError,
} from '../../../src/errors.js';
import { withSandbox, type SandboxClientOverrides } from '../../helpers/with-sandbox.js';

const odoo = withSandbox();
let client: OdooClient;

/** A client for the sandbox's admin, with the API key as secret (a random string: a good canary). */
function newClient(overrides: SandboxClientOverrides = {}): OdooClient {
  return odoo.newClient({ apiKey: odoo.sandbox.apiKey, ...overrides });
}

beforeAll(() => {
  client = newClient();
});

async function rejection(promise: Promise<unknown>): Promise<ZenooError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ZenooError);
  return error as ZenooError;
}

describe('round trip', () => {
  it('authenticates with the API key and reads the version', async () => {
    expect(await client.authenticate()).toBe(2);
    expect(await client.version()).toMatchObject({ major: 17, minor: 0 });
  });

  it('create / read / write / search / unlink, checked on the server', async () => {
    const partners = client.model<{ id: number; name: string; email: string | false }>('res.partner');
    const ids = await partners.create([{ name: 'Round A', email: 'a@round.test' }, { name: 'Round B' }], {
      context: { tracking_disable: true },
    });
    const single = await partners.create({ name: 'Round C' });
    expect(ids).toHaveLength(2);
    expect(typeof single).toBe('number');
    expect(odoo.sandbox.stats.writes['res.partner']?.['create']).toBe(3);

    expect(await partners.read(ids, ['name', 'email'])).toEqual([
      { id: ids[0], name: 'Round A', email: 'a@round.test' },
      { id: ids[1], name: 'Round B', email: false },
    ]);
    expect(await partners.write(ids, { email: 'changed@round.test' })).toBe(true);
    expect(
      await partners.searchRead([['email', '=', 'changed@round.test']], { fields: ['name'], order: 'id' }),
    ).toEqual([
      { id: ids[0], name: 'Round A' },
      { id: ids[1], name: 'Round B' },
    ]);
    expect(await partners.searchCount([['name', '=like', 'Round %']])).toBe(3);
    expect(await partners.nameSearch('Round', { limit: 10 })).toHaveLength(3);
    expect((await partners.fieldsGet({ attributes: ['type'] }))['name']).toEqual({ type: 'char' });

    expect(await partners.unlink([...ids, single])).toBe(true);
    expect(await partners.search([['id', 'in', [...ids, single]]])).toEqual([]);
    // Deleting again is idempotent.
    expect(await partners.unlink(ids)).toBe(true);
  });

  it('load by external id, then resolve it', async () => {
    const result = await client.load(
      'res.partner',
      ['id', 'name', 'country_id/id'],
      [['zenoo_client.l1', 'Loaded', 'base.be']],
    );
    expect(result.messages).toEqual([]);
    expect(result.ids).toHaveLength(1);
    const [id] = result.ids as number[];
    expect(await client.resolveXmlId('zenoo_client.l1')).toBe(id);
    expect(await client.resolveXmlId('zenoo_client.nope')).toBeUndefined();
    expect(await client.checkObjectReference('zenoo_client', 'l1')).toEqual(['res.partner', id]);
    const belgium = await client.resolveXmlId('base.be');
    expect((await client.read('res.partner', [id!], ['country_id']))[0]).toMatchObject({
      country_id: [belgium, 'Belgium'],
    });
  });
});

describe('errors from the captured exchanges', () => {
  it('MissingError: write on deleted ids', async () => {
    const id = await client.create('res.partner', { name: 'Doomed' });
    await client.unlink('res.partner', [id]);
    const error = await rejection(
      client.write('res.partner', [id], { email: 'x@example.com' }, { errorContext: { chunk: 2 } }),
    );
    expect(error).toBeInstanceOf(MissingError);
    expect(error.context).toMatchObject({
      url: odoo.url,
      db: odoo.db,
      model: 'res.partner',
      method: 'write',
      chunk: 2,
    });
    expect((error as MissingError).faultMessage).toMatch(/^Record does not exist or has been deleted/);
  });

  it.each([
    [
      'unknown field',
      'res.partner',
      'create',
      [[{ name: 'X', no_such_field: 1 }]],
      InvalidValueError,
      "Invalid field 'no_such_field' on model 'res.partner'",
    ],
    [
      'bad selection value',
      'res.partner',
      'create',
      [[{ name: 'bad sel', type: 'nope' }]],
      InvalidValueError,
      "Wrong value for res.partner.type: 'nope'",
    ],
    [
      'unknown field in a domain',
      'res.partner',
      'search_read',
      [[['nope', '=', 1]]],
      InvalidValueError,
      "Invalid field res.partner.nope in leaf ('nope', '=', 1)",
    ],
    [
      'missing required name',
      'res.partner.category',
      'create',
      [[{ color: 1 }]],
      ValidationError,
      'The operation cannot be completed:',
    ],
    [
      'duplicate country code',
      'res.country',
      'create',
      [[{ name: 'Dup', code: 'FR' }]],
      ValidationError,
      'The code of the country must be unique!',
    ],
    [
      'dangling many2one',
      'res.partner',
      'create',
      [[{ name: 'bad m2o', country_id: 999999 }]],
      ValidationError,
      'res_partner_country_id_fkey',
    ],
    ['unknown model', 'no.such.model', 'search', [[]], UserError, "Object no.such.model doesn't exist"],
    ['private method', 'res.partner', '_compute_display_name', [[]], AccessError, 'Private methods'],
    [
      'unknown method',
      'res.partner',
      'no_such_method',
      [[]],
      RpcFault,
      "The method 'res.partner.no_such_method' does not exist",
    ],
    [
      'load with an unknown column',
      'res.partner',
      'load',
      [['name', 'no_such_field'], [['A', 'b']]],
      RpcFault,
      'no_such_field',
    ],
  ] as const)('%s → %s', async (_name, model, method, args, expectedClass, message) => {
    const error = await rejection(client.executeKw(model, method, args as unknown as unknown[]));
    expect(error.constructor).toBe(expectedClass);
    expect((error as RpcFault).faultMessage).toContain(message);
    expect(error.message).toContain(`${model}.${method}: `);
  });

  it('AuthenticationError: wrong password (common.authenticate → false)', async () => {
    const error = await rejection(
      newClient({ apiKey: undefined, password: 'wrong-password-canary' }).searchCount('res.partner', []),
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toContain(odoo.url);
    expect(error.message).toContain(`"${odoo.db}"`);
    expect(error.message).toContain('"admin"');
    expect(error.message).not.toContain('wrong-password-canary');
  });

  it('RpcFault psycopg2.OperationalError: a database that does not exist', async () => {
    const error = await rejection(newClient({ db: 'nodb' }).authenticate());
    expect(error.constructor).toBe(RpcFault);
    expect((error as RpcFault).faultName).toBe('psycopg2.OperationalError');
    expect(error.message).toContain('"nodb" does not exist');
  });

  it('AccessError for a user without rights, AccessDeniedError once its password changed', async () => {
    const [userId] = await client.create('res.users', [
      { name: 'Probe User', login: 'probe_user', password: 'probe-pw-canary' },
    ]);
    const probe = newClient({ username: 'probe_user', apiKey: undefined, password: 'probe-pw-canary' });
    const denied = await rejection(probe.create('res.country', [{ name: 'Nowhere', code: 'QQ' }]));
    expect(denied).toBeInstanceOf(AccessError);
    expect((denied as AccessError).faultMessage).toMatch(
      /You are not allowed to create 'Country' \(res.country\) records/,
    );
    expect(await client.searchCount('res.country', [['code', '=', 'QQ']])).toBe(0);

    await client.write('res.users', [userId!], { password: 'another-pw' });
    const error = await rejection(probe.searchCount('res.partner', []));
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as AccessDeniedError).faultMessage).toBe('Access Denied');
    expect(inspect(error)).not.toContain('probe-pw-canary');
  });
});

describe('keep-alive', () => {
  it('N sequential calls use one connection; concurrency 5 uses at most 5', async () => {
    odoo.sandbox.resetStats();
    const fresh = newClient();
    for (let i = 0; i < 30; i++) await fresh.searchCount('res.partner', []);
    expect(odoo.sandbox.stats.calls).toBe(31); // authenticate + 30
    expect(odoo.sandbox.stats.connections).toBe(1);

    odoo.sandbox.resetStats();
    const concurrent = newClient();
    const limit = pLimit(5);
    const results = await Promise.all(
      Array.from({ length: 100 }, () => limit(() => concurrent.search('res.partner', [], { limit: 5 }))),
    );
    expect(results).toHaveLength(100);
    expect(odoo.sandbox.stats.callsByMethod['res.partner.search']).toBe(100);
    expect(odoo.sandbox.stats.connections).toBeGreaterThan(1);
    expect(odoo.sandbox.stats.connections).toBeLessThanOrEqual(5);
  });

  it('close() destroys the connections; later calls reject', async () => {
    const closing = newClient();
    await closing.authenticate();
    closing.close();
    await expect(closing.searchCount('res.partner', [])).rejects.toMatchObject({ code: 'ERR_CLIENT_CLOSED' });
  });
});

describe('secrets', () => {
  it('the API key appears in no error, event, inspect or JSON output', async () => {
    const canary = odoo.sandbox.apiKey;
    expect(canary.length).toBeGreaterThan(10);
    const watched = newClient({ retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const produced: unknown[] = [watched];
    watched.on('request', (e) => produced.push(e));
    watched.on('response', (e) => produced.push(e));
    watched.on('retry', (e) => produced.push(e));
    await watched.authenticate();
    produced.push(await watched.read('res.partner', [3], ['name']));
    for (const failing of [
      () => watched.executeKw('res.partner', 'create', [[{ no_such_field: canary }]]),
      () => watched.executeKw('no.such.model', 'search', [[]]),
      () => watched.executeKw('res.partner', 'no_such_method', [[canary]]),
      () => newClient({ apiKey: `${canary}x` }).authenticate(),
    ]) {
      produced.push(await failing().catch((e: unknown) => e));
    }
    odoo.sandbox.setFaults({ transient: 1, transientKinds: ['http-503'] });
    produced.push(await watched.searchCount('res.partner', []).catch((e: unknown) => e));
    odoo.sandbox.setFaults({ drop: 1 });
    produced.push(await watched.create('res.partner', [{ name: 'dropped' }]).catch((e: unknown) => e));
    odoo.sandbox.setFaults({});

    const dump = produced
      .map((item) => {
        const parts = [inspect(item, { depth: 10, showHidden: true }), JSON.stringify(item) ?? ''];
        if (item instanceof Error) parts.push(item.stack ?? '', inspect(item.cause, { depth: 10, showHidden: true }));
        return parts.join('\n');
      })
      .join('\n');
    for (const code of [
      'ERR_ODOO_INVALID_VALUE',
      'ERR_ODOO_USER',
      'ERR_ODOO_FAULT',
      'ERR_AUTHENTICATION',
      'ERR_HTTP',
      'ERR_OUTCOME_UNKNOWN',
    ]) {
      expect(dump).toContain(code);
    }
    expect(dump).not.toContain(canary);
  });
});
