// Client-level conformance: the same assertions against the sandbox, or against a real Odoo when ZENOO_TEST_URL,
// ZENOO_TEST_DB, ZENOO_TEST_USER and ZENOO_TEST_PASSWORD are set (any database with base installed; the records this
// suite creates carry a unique suffix and are deleted again). Fault injection exists only in the sandbox: those cases
// are skipped against a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OdooClient } from '../../src/client/odoo-client.js';
import type { OdooClientOptions } from '../../src/client/client-options.js';
import {
  AccessError,
  AuthenticationError,
  ConcurrencyError,
  HttpError,
  InvalidValueError,
  MissingError,
  OutcomeUnknownError,
  RpcFault,
  UserError,
  ValidationError,
} from '../../src/errors.js';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';

const env = process.env;
const realOdoo = env['ZENOO_TEST_URL'] ? env['ZENOO_TEST_URL'] : undefined;
const suffix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

let sandbox: Sandbox | undefined;
let target: Pick<OdooClientOptions, 'url' | 'db' | 'username' | 'password'>;
let client: OdooClient;
const created: number[] = [];

beforeAll(async () => {
  if (realOdoo) {
    target = {
      url: realOdoo,
      db: env['ZENOO_TEST_DB'] ?? '',
      username: env['ZENOO_TEST_USER'] ?? '',
      password: env['ZENOO_TEST_PASSWORD'] ?? '',
    };
  } else {
    sandbox = await startSandbox({ port: 0 });
    target = { url: sandbox.url, db: sandbox.db, username: sandbox.login, password: sandbox.password };
  }
  client = new OdooClient({ ...target, retry: { limit: 0 } });
});

afterAll(async () => {
  if (created.length > 0) await client.unlink('res.partner', created).catch(() => undefined);
  client.close();
  await sandbox?.close();
});

describe(`client conformance against ${realOdoo ?? 'the sandbox'}`, () => {
  it('authenticates and reads the version', async () => {
    expect(await client.authenticate()).toBeGreaterThan(0);
    const version = await client.version();
    expect(version.major).toBeGreaterThanOrEqual(14);
    expect(typeof version.serverVersion).toBe('string');
  });

  it('refuses a wrong password with AuthenticationError', async () => {
    const wrong = new OdooClient({ ...target, password: `wrong-${suffix}` });
    try {
      const error = await wrong.authenticate().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).not.toContain(`wrong-${suffix}`);
    } finally {
      wrong.close();
    }
  });

  it('create / read / write / unlink round trip', async () => {
    const ids = await client.create('res.partner', [
      { name: `Conf A ${suffix}` },
      { name: `Conf B ${suffix}`, email: 'b@conf.test' },
    ]);
    created.push(...ids);
    expect(ids).toHaveLength(2);
    const single = await client.create('res.partner', { name: `Conf C ${suffix}` });
    created.push(single);
    expect(typeof single).toBe('number');

    expect(await client.read('res.partner', ids, ['name', 'email'])).toEqual([
      { id: ids[0], name: `Conf A ${suffix}`, email: false },
      { id: ids[1], name: `Conf B ${suffix}`, email: 'b@conf.test' },
    ]);
    expect(await client.write('res.partner', ids, { email: 'w@conf.test' })).toBe(true);
    expect(
      await client.searchRead(
        'res.partner',
        [
          ['name', '=like', `Conf % ${suffix}`],
          ['email', '=', 'w@conf.test'],
        ],
        { fields: ['name'], order: 'id' },
      ),
    ).toEqual([
      { id: ids[0], name: `Conf A ${suffix}` },
      { id: ids[1], name: `Conf B ${suffix}` },
    ]);
    expect(await client.unlink('res.partner', [...ids, single])).toBe(true);
    expect(
      await client.searchCount('res.partner', [['name', '=like', `Conf % ${suffix}`]], {
        context: { active_test: false },
      }),
    ).toBe(0);
    expect(await client.read('res.partner', ids, ['name'])).toEqual([]);
  });

  it.each([
    [
      'write on a deleted record',
      'res.partner',
      'write',
      () => [[2147480000], { email: 'x@example.com' }],
      MissingError,
    ],
    ['unknown field', 'res.partner', 'create', () => [[{ name: `X ${suffix}`, no_such_field: 1 }]], InvalidValueError],
    ['missing required name', 'res.partner.category', 'create', () => [[{ color: 1 }]], ValidationError],
    ['unknown model', 'no.such.model', 'search', () => [[]], UserError],
    ['private method', 'res.partner', '_compute_display_name', () => [[]], AccessError],
    ['unknown method', 'res.partner', 'no_such_method', () => [[]], RpcFault],
  ] as const)('maps "%s" to %s', async (_name, model, method, args, expectedClass) => {
    const error = await client.executeKw(model, method, args() as unknown[]).catch((e: unknown) => e);
    expect((error as object).constructor).toBe(expectedClass);
  });

  describe.skipIf(realOdoo !== undefined)('sandbox-only faults', () => {
    const faulty = (faults: Parameters<Sandbox['setFaults']>[0]) => {
      sandbox!.setFaults(faults);
      return { restore: () => sandbox!.setFaults({}) };
    };

    it.each([
      ['HTTP 503', { transient: 1, transientKinds: ['http-503'] }, HttpError],
      ['serialization failure', { transient: 1, transientKinds: ['serialization'] }, ConcurrencyError],
      ['connection reset', { transient: 1, transientKinds: ['reset'] }, OutcomeUnknownError],
      ['response dropped after commit', { drop: 1 }, OutcomeUnknownError],
    ] as const)('%s on a write → %s', async (_name, faults, expectedClass) => {
      await client.authenticate();
      const { restore } = faulty(faults as Parameters<Sandbox['setFaults']>[0]);
      try {
        const error = await client.create('res.partner', [{ name: `Fault ${suffix}` }]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(expectedClass);
      } finally {
        restore();
      }
    });
  });
});
