// Each retry rule of the client against the sandbox's injected faults, checked on the server: what was retried,
// what was committed, and that no write was ever sent twice when its outcome was unknown.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OdooClient } from '../../../src/client/odoo-client.js';
import type { OdooRetryEvent } from '../../../src/client/client-events.js';
import {
  AbortError,
  ConcurrencyError,
  HttpError,
  NetworkError,
  OutcomeUnknownError,
  TimeoutError,
  ZenooError,
} from '../../../src/errors.js';
import { startSandbox } from '../../../src/sandbox/index.js';
import type { SandboxFaults } from '../../../src/sandbox/index.js';
import { withSandbox, type SandboxClientOverrides } from '../../helpers/with-sandbox.js';

const odoo = withSandbox({ seed: 7 });
let client: OdooClient;
let retries: OdooRetryEvent[];

afterEach(() => {
  client?.close();
  odoo.sandbox.setFaults({});
});

async function withFaults(faults: SandboxFaults, options: SandboxClientOverrides = {}): Promise<void> {
  client = odoo.newClient({ retry: { limit: 10, baseDelayMs: 1, maxDelayMs: 4 }, ...options });
  retries = [];
  client.on('retry', (event) => retries.push(event));
  await client.authenticate();
  odoo.sandbox.resetStats();
  odoo.sandbox.setFaults(faults);
}

/** Creates `count` partners one by one, named `${prefix} n`; returns each outcome. */
async function createEach(prefix: string, count: number): Promise<(number | ZenooError)[]> {
  const outcomes: (number | ZenooError)[] = [];
  for (let i = 0; i < count; i++) {
    outcomes.push(
      await client.create('res.partner', { name: `${prefix} ${i}` }).catch((e: unknown) => e as ZenooError),
    );
  }
  return outcomes;
}

/** How many partners of each name exist on the server (read without faults). */
async function namesOnServer(prefix: string): Promise<Map<string, number>> {
  odoo.sandbox.setFaults({});
  const rows = await client.searchRead<{ name: string }>('res.partner', [['name', '=like', `${prefix} %`]], {
    fields: ['name'],
  });
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.name, (counts.get(row.name) ?? 0) + 1);
  return counts;
}

describe('writes are retried only when nothing was committed', () => {
  it('HTTP 503 before processing: retried (Retry-After honoured), every record created exactly once', async () => {
    await withFaults({ transient: 0.4, transientKinds: ['http-503'], seed: 3 });
    // Few calls: half of the sandbox's 503s ask for `Retry-After: 1`, and the client really waits.
    const outcomes = await createEach('R503', 10);
    expect(outcomes.every((o) => typeof o === 'number')).toBe(true);
    const injected = odoo.sandbox.stats.faults['http-503'] ?? 0;
    expect(injected).toBeGreaterThan(2);
    expect(retries).toHaveLength(injected);
    expect(retries.every((r) => r.error instanceof HttpError && r.method === 'create' && r.kind === 'write')).toBe(
      true,
    );
    // The sandbox sends `Retry-After: 1` on some 503s: those retries waited at least a second.
    expect(retries.some((r) => r.delayMs >= 1000)).toBe(true);
    expect(odoo.sandbox.stats.writes['res.partner']?.['create']).toBe(10);
    const names = await namesOnServer('R503');
    expect(names.size).toBe(10);
    expect([...names.values()].every((n) => n === 1)).toBe(true);
  });

  it('serialization failure (rolled back): retried, every record created exactly once', async () => {
    await withFaults({ transient: 0.5, transientKinds: ['serialization'] });
    const outcomes = await createEach('RSER', 30);
    expect(outcomes.every((o) => typeof o === 'number')).toBe(true);
    expect(odoo.sandbox.stats.faults.serialization).toBeGreaterThan(5);
    expect(retries.every((r) => r.error instanceof ConcurrencyError)).toBe(true);
    expect(retries).toHaveLength(odoo.sandbox.stats.faults.serialization ?? -1);
    expect(odoo.sandbox.stats.writes['res.partner']?.['create']).toBe(30);
  });

  it('gives up after the retry limit with the last error', async () => {
    await withFaults(
      { transient: 1, transientKinds: ['serialization'] },
      { retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 1 } },
    );
    const error = await client.create('res.partner', { name: 'never' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect((error as ConcurrencyError).faultName).toBe('psycopg2.errors.SerializationFailure');
    expect(odoo.sandbox.stats.callsByMethod['res.partner.create']).toBe(3);
    expect(odoo.sandbox.stats.writes['res.partner']).toBeUndefined();
  });

  it('connection reset: a write is never resent (OutcomeUnknownError), a read is retried', async () => {
    await withFaults({ transient: 0.4, transientKinds: ['reset'] });
    const outcomes = await createEach('RRESET', 30);
    const unknown = outcomes.filter((o): o is OutcomeUnknownError => o instanceof OutcomeUnknownError);
    expect(unknown.length).toBe(odoo.sandbox.stats.faults.reset);
    expect(unknown.length).toBeGreaterThan(3);
    expect(outcomes.filter((o) => typeof o === 'number')).toHaveLength(30 - unknown.length);
    expect(odoo.sandbox.stats.callsByMethod['res.partner.create']).toBe(30);
    expect(retries).toEqual([]);
    for (const error of unknown) {
      expect(error.cause).toBeInstanceOf(NetworkError);
      expect(error.context).toMatchObject({ model: 'res.partner', method: 'create' });
      expect(error.records).toEqual([{ name: expect.stringMatching(/^RRESET \d+$/) }]);
    }

    odoo.sandbox.resetStats();
    odoo.sandbox.setFaults({ transient: 0.4, transientKinds: ['reset'] });
    retries = [];
    for (let i = 0; i < 20; i++)
      expect(await client.searchCount('res.partner', [['name', '=like', 'RRESET %']])).toBe(30 - unknown.length);
    expect(retries.length).toBe(odoo.sandbox.stats.faults.reset);
    expect(retries.length).toBeGreaterThan(2);
  });

  it('response dropped after commit: OutcomeUnknownError, and the record exists exactly once', async () => {
    await withFaults({ drop: 0.4 });
    const outcomes = await createEach('RDROP', 30);
    const unknown = outcomes.filter((o) => o instanceof OutcomeUnknownError);
    expect(unknown.length).toBe(odoo.sandbox.stats.faults.drop);
    expect(unknown.length).toBeGreaterThan(3);
    expect(odoo.sandbox.stats.callsByMethod['res.partner.create']).toBe(30);
    // Dropped calls committed: all 30 exist, none twice.
    const names = await namesOnServer('RDROP');
    expect(names.size).toBe(30);
    expect([...names.values()].every((n) => n === 1)).toBe(true);
  });

  it('connection refused: nothing was sent, so even writes are retried', async () => {
    const gone = await startSandbox({ port: 0 });
    const url = gone.url;
    await gone.close();
    client = new OdooClient({
      url,
      db: 'sandbox',
      username: 'admin',
      password: 'admin',
      retry: { limit: 3, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const events: OdooRetryEvent[] = [];
    client.on('retry', (e) => events.push(e));
    const error = await client.executeKw('res.partner', 'create', [{ name: 'x' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).phase).toBe('not-sent');
    expect(events.map((e) => e.attempt)).toEqual([1, 2, 3]);
  });
});

describe('timeouts and abort', () => {
  it('a slow write times out into OutcomeUnknownError (it committed); a slow read is retried then TimeoutError', async () => {
    await withFaults({ slow: 1, slowMs: 400 }, { timeoutMs: 100, retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const error = await client.create('res.partner', [{ name: 'RSLOW 1' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect((error as OutcomeUnknownError).cause).toBeInstanceOf(TimeoutError);
    expect((error as OutcomeUnknownError).records).toEqual([{ name: 'RSLOW 1' }]);

    const read = await client.searchCount('res.partner', []).catch((e: unknown) => e);
    expect(read).toBeInstanceOf(TimeoutError);
    expect((read as TimeoutError).phase).toBe('sent');
    expect(odoo.sandbox.stats.callsByMethod['res.partner.search_count']).toBe(2);

    // The server runs the slow create to its end although the client gave up.
    await vi.waitFor(() => expect(odoo.sandbox.stats.writes['res.partner']?.['create']).toBe(1), { timeout: 5_000 });
    expect((await namesOnServer('RSLOW')).get('RSLOW 1')).toBe(1);
    expect(odoo.sandbox.stats.callsByMethod['res.partner.create']).toBe(1);
  });

  it('an aborted call rejects with AbortError and is not retried', async () => {
    await withFaults({ slow: 1, slowMs: 400 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await client.searchCount('res.partner', [], { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).context).toMatchObject({ model: 'res.partner', method: 'search_count' });
    expect(odoo.sandbox.stats.callsByMethod['res.partner.search_count']).toBe(1);
    expect(retries).toEqual([]);
  });

  it('AbortSignal.timeout() on the call rejects with TimeoutError', async () => {
    await withFaults({ slow: 1, slowMs: 400 });
    const error = await client
      .searchCount('res.partner', [], { signal: AbortSignal.timeout(50), retry: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
  });
});
