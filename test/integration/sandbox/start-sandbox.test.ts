// startSandbox over real HTTP with the real ORM: options, API key rules, stats against server state, faults with real
// writes, and --data persistence across a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AbortError } from '../../../src/errors.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { call, executeKw, post, settle } from './json-rpc.js';

describe('startSandbox', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('listens on a free loopback port with the documented credentials', async () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(sandbox.url).port)).toBeGreaterThan(0);
    expect([sandbox.db, sandbox.login, sandbox.password]).toEqual(['sandbox', 'admin', 'admin']);
    expect(sandbox.apiKey).toMatch(/\S{16,}/);
    const { envelope } = await post(sandbox.url, '/web/webclient/version_info', {});
    expect(envelope.result).toMatchObject({ server_version: '17.0', server_version_info: [17, 0, 0, 'final', 0, ''] });
  });

  it('accepts the API key on /jsonrpc (authenticate and execute_kw) but not on /web/session/authenticate', async () => {
    const auth = await post(sandbox.url, '/jsonrpc', {
      service: 'common',
      method: 'authenticate',
      args: [sandbox.db, 'admin', sandbox.apiKey, {}],
    });
    expect(auth.envelope.result).toBe(2);
    const created = await executeKw(sandbox, 'res.partner', 'create', [{ name: 'Via API key' }], {}, sandbox.apiKey);
    expect(typeof created.result).toBe('number');
    expect(await call(sandbox, 'res.partner', 'search_count', [[['name', '=', 'Via API key']]])).toBe(1);
    const web = await post(sandbox.url, '/web/session/authenticate', {
      db: sandbox.db,
      login: 'admin',
      password: sandbox.apiKey,
    });
    expect(web.envelope.error?.data).toMatchObject({ name: 'odoo.exceptions.AccessDenied', message: 'Access Denied' });
    expect(web.response.headers.get('set-cookie')).toBeNull();
    const wrong = await executeKw(sandbox, 'res.partner', 'search_count', [[]], {}, 'not-the-key');
    expect(wrong.error?.data.name).toBe('odoo.exceptions.AccessDenied');
  });

  it('serves call_kw with the session cookie of a password login', async () => {
    const login = await post(sandbox.url, '/web/session/authenticate', {
      db: sandbox.db,
      login: 'admin',
      password: 'admin',
    });
    expect(login.envelope.result).toMatchObject({ uid: 2, db: sandbox.db });
    const cookie = (login.response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const created = await post(
      sandbox.url,
      '/web/dataset/call_kw/res.partner/create',
      { model: 'res.partner', method: 'create', args: [{ name: 'Via session' }], kwargs: {} },
      { Cookie: cookie },
    );
    expect(typeof created.envelope.result).toBe('number');
    expect(await call(sandbox, 'res.partner', 'read', [[created.envelope.result], ['name']])).toEqual([
      { id: created.envelope.result, name: 'Via session' },
    ]);
  });

  it('counts writes and commits that match the records on the server', async () => {
    sandbox.resetStats();
    await call(sandbox, 'res.partner', 'create', [[{ name: 'S1' }, { name: 'S2' }, { name: 'S3' }]]);
    const ids = (await call(sandbox, 'res.partner', 'search', [[['name', 'in', ['S1', 'S2', 'S3']]]])) as number[];
    expect(ids).toHaveLength(3);
    await call(sandbox, 'res.partner', 'write', [ids.slice(0, 2), { email: 's@example.com' }]);
    await call(sandbox, 'res.partner', 'unlink', [[ids[2]]]);
    expect(sandbox.stats.writes['res.partner']).toMatchObject({ create: 3, write: 2, unlink: 1 });
    expect(sandbox.stats.commits).toBe(3);
    expect(sandbox.stats.callsByMethod).toMatchObject({
      'res.partner.create': 1,
      'res.partner.search': 1,
      'res.partner.write': 1,
    });
    expect(await call(sandbox, 'res.partner', 'search_count', [[['email', '=', 's@example.com']]])).toBe(2);
  });

  it('rejects invalid options with a precise TypeError', async () => {
    await expect(startSandbox({ port: 70000 })).rejects.toThrow(
      'Expected `port` to be an integer from 0 to 65535, got 70000',
    );
    await expect(startSandbox({ faults: 'drop=2' })).rejects.toThrow(/drop must be a rate between 0 and 1/);
    await expect(startSandbox({ latencyMs: -1 })).rejects.toThrow(TypeError);
    await expect(startSandbox({ db: 'bad name' })).rejects.toThrow(/Expected `db` to be a database name/);
    await expect(startSandbox({ colour: 'red' } as never)).rejects.toThrow('Unknown sandbox option `colour`');
    expect(() => sandbox.setFaults('transient=nope')).toThrow(TypeError);
    expect(sandbox.faults.transient).toBe(0);
  });

  it('honours an AbortSignal: aborted before start rejects, aborted later closes', async () => {
    await expect(startSandbox({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    const controller = new AbortController();
    const other = await startSandbox({ signal: controller.signal });
    expect((await post(other.url, '/web/webclient/version_info', {})).envelope.result).toBeDefined();
    controller.abort();
    await other.close();
    expect((await settle(post(other.url, '/web/webclient/version_info', {}))).ok).toBe(false);
  });
});

describe('startSandbox faults with real writes', () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  const createNamed = (s: Sandbox, name: string) => executeKw(s, 'res.partner', 'create', [{ name }]);
  const countNamed = (s: Sandbox, name: string) => call(s, 'res.partner', 'search_count', [[['name', '=', name]]]);

  it('transient faults commit nothing; drop commits without answering', async () => {
    sandbox = await startSandbox({ seed: 3 });
    // Seed data cleanly, then switch faults on at run time.
    await call(sandbox, 'res.partner', 'create', [{ name: 'Seeded' }]);
    sandbox.setFaults({ transient: 1, transientKinds: ['http-503'] });
    const unavailable = await fetch(`${sandbox.url}/jsonrpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        params: {
          service: 'object',
          method: 'execute_kw',
          args: [sandbox.db, 2, 'admin', 'res.partner', 'create', [{ name: 'T503' }]],
        },
      }),
    });
    expect(unavailable.status).toBe(503);
    sandbox.setFaults('transient=1,kinds=serialization');
    const serialization = await createNamed(sandbox, 'TSER');
    expect(serialization.error?.data.name).toBe('psycopg2.errors.SerializationFailure');
    sandbox.setFaults('transient=1,kinds=reset');
    expect((await settle(createNamed(sandbox, 'TRESET'))).ok).toBe(false);
    sandbox.setFaults('drop=1');
    expect((await settle(createNamed(sandbox, 'TDROP'))).ok).toBe(false);
    sandbox.setFaults('none');
    expect(await countNamed(sandbox, 'T503')).toBe(0);
    expect(await countNamed(sandbox, 'TSER')).toBe(0);
    expect(await countNamed(sandbox, 'TRESET')).toBe(0);
    expect(await countNamed(sandbox, 'TDROP')).toBe(1);
    expect(await countNamed(sandbox, 'Seeded')).toBe(1);
    expect(sandbox.stats.faults).toEqual({ 'http-503': 1, serialization: 1, reset: 1, drop: 1 });
  });

  it('the same seed gives the same faults and the same committed records', async () => {
    const run = async (): Promise<{ outcomes: string[]; names: unknown }> => {
      const s = await startSandbox({ seed: 9, faults: 'transient=0.3,drop=0.2' });
      const outcomes: string[] = [];
      for (let i = 0; i < 25; i += 1) {
        const outcome = await settle(createNamed(s, `R${i}`));
        outcomes.push(outcome.ok ? (outcome.value.error?.data.name ?? 'ok') : 'lost');
      }
      s.setFaults('none');
      const rows = (await call(s, 'res.partner', 'search_read', [[['name', '=like', 'R%']]], {
        fields: ['name'],
        order: 'id',
      })) as { name: string }[];
      await s.close();
      return { outcomes, names: rows.map((r) => r.name) };
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first.outcomes).toContain('ok');
    expect(first.outcomes).toContain('lost');
  });

  it('keeps authentication clean under faults with the default scope', async () => {
    sandbox = await startSandbox({ faults: 'transient=1' });
    for (let i = 0; i < 5; i += 1) {
      const { envelope } = await post(sandbox.url, '/jsonrpc', {
        service: 'common',
        method: 'authenticate',
        args: [sandbox.db, 'admin', 'admin', {}],
      });
      expect(envelope.result).toBe(2);
    }
    expect(sandbox.stats.faults).toEqual({});
  });
});

describe('startSandbox with a data file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zenoo-sandbox-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps records and external ids across a restart on the same file', async () => {
    const file = join(dir, 'data.sqlite');
    const first = await startSandbox({ file });
    const loaded = (await call(first, 'res.partner', 'load', [
      ['id', 'name', 'email'],
      [['persist.p1', 'Persisted', 'p@example.com']],
    ])) as {
      ids: number[];
    };
    expect(loaded.ids).toHaveLength(1);
    const plainId = await call(first, 'res.partner', 'create', [{ name: 'Persisted plain' }]);
    await first.close();

    const second = await startSandbox({ file });
    try {
      expect(second.apiKey).toBe(first.apiKey);
      expect(await call(second, 'ir.model.data', 'check_object_reference', ['persist', 'p1'])).toEqual([
        'res.partner',
        loaded.ids[0],
      ]);
      expect(
        await call(second, 'res.partner', 'read', [
          [loaded.ids[0], plainId],
          ['name', 'email'],
        ]),
      ).toEqual([
        { id: loaded.ids[0], name: 'Persisted', email: 'p@example.com' },
        { id: plainId, name: 'Persisted plain', email: false },
      ]);
      // New ids continue after the persisted ones.
      const next = (await call(second, 'res.partner', 'create', [{ name: 'After restart' }])) as number;
      expect(next).toBeGreaterThan(plainId as number);
    } finally {
      await second.close();
    }
  });
});

describe('startSandbox with a capacity (benchmarks)', () => {
  it('cuts a call past the time limit: no answer, nothing written, counted as a time-limit fault', async () => {
    const sandbox = await startSandbox({ capacity: { workers: 1, recordCostMs: 1, timeLimitMs: 30 } });
    try {
      const rows = Array.from({ length: 100 }, (_, i) => ({ name: `Cut ${i}` }));
      await expect(executeKw(sandbox, 'res.partner', 'create', [rows])).rejects.toThrow();
      expect(sandbox.stats.faults['time-limit']).toBe(1);
      expect(await call(sandbox, 'res.partner', 'search_count', [[['name', '=like', 'Cut %']]])).toBe(0);
      // A call within the limit is served as usual.
      const small = await executeKw(sandbox, 'res.partner', 'create', [rows.slice(0, 10)]);
      expect(small.result).toHaveLength(10);
    } finally {
      await sandbox.close();
    }
  });
});
