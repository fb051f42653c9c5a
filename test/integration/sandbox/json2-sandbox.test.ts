// The 19.0 sandbox's JSON-2 API beyond the captured exchanges (replayed in test/conformance/wire-replay-json2.test.ts):
// options, statistics per endpoint, faults, and the 17.0 default left untouched.
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';

let sandbox: Sandbox | undefined;

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function json2(
  target: Sandbox,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${target.url}/json/2/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `bearer ${target.apiKey}`, ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as unknown, headers: response.headers };
}

async function jsonRpc(target: Sandbox, service: string, method: string, args: unknown[]): Promise<unknown> {
  const response = await fetch(`${target.url}/jsonrpc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { service, method, args } }),
  });
  return (await response.json()) as unknown;
}

describe('startSandbox odooVersion', () => {
  it('defaults to 17.0, which serves no /json/2', async () => {
    sandbox = await startSandbox();
    expect(sandbox.odooVersion).toBe('17.0');
    const response = await fetch(`${sandbox.url}/json/2/res.partner/search_count`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `bearer ${sandbox.apiKey}` },
      body: '{"domain": []}',
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    await response.text();
    expect(await jsonRpc(sandbox, 'common', 'version', [])).toMatchObject({ result: { server_version: '17.0' } });
    expect(sandbox.stats.callsByEndpoint).toEqual({ '/jsonrpc': 1 });
  });

  it('refuses an unknown version', async () => {
    await expect(startSandbox({ odooVersion: '18.0' as '19.0' })).rejects.toThrow(
      "Expected `odooVersion` to be one of '17.0', '19.0', got \"18.0\"",
    );
  });

  it('19.0 reports its version on /jsonrpc and counts calls per endpoint', async () => {
    sandbox = await startSandbox({ odooVersion: '19.0' });
    expect(sandbox.odooVersion).toBe('19.0');
    expect(await jsonRpc(sandbox, 'common', 'version', [])).toMatchObject({
      result: { server_version: '19.0', server_version_info: [19, 0, 0, 'final', 0, ''], server_serie: '19.0' },
    });
    expect(await jsonRpc(sandbox, 'db', 'server_version', [])).toMatchObject({ result: '19.0' });
    const created = await json2(sandbox, 'res.partner/create', { vals_list: [{ name: 'A' }, { name: 'B' }] });
    expect(created.status).toBe(200);
    expect(created.headers.get('set-cookie')).toBeNull();
    expect(await json2(sandbox, 'res.partner/search_count', { domain: [['name', 'in', ['A', 'B']]] })).toMatchObject({
      status: 200,
      body: 2,
    });
    // Refused before dispatch: not a call.
    await json2(sandbox, 'res.partner/search_count', { domain: [] }, { Authorization: 'bearer nope' });
    expect(sandbox.stats.callsByEndpoint).toEqual({ '/jsonrpc': 2, '/json/2': 2 });
    expect(sandbox.stats.callsByMethod).toMatchObject({ 'res.partner.create': 1, 'res.partner.search_count': 1 });
    expect(sandbox.stats.writes['res.partner']?.['create']).toBe(2);
  });

  it('19.0 also speaks Odoo 19 on /jsonrpc: its error texts and the API key as password', async () => {
    sandbox = await startSandbox({ odooVersion: '19.0' });
    const answer = await jsonRpc(sandbox, 'object', 'execute_kw', [
      sandbox.db,
      2,
      sandbox.apiKey,
      'res.partner',
      'create',
      [[{ name: 'x', nope: 1 }]],
    ]);
    expect(answer).toMatchObject({
      error: { data: { name: 'builtins.ValueError', message: "Invalid field 'nope' in 'res.partner'" } },
    });
  });

  it('19.0 binds name_search and default_get by their Odoo 19 parameter names and runs record methods on ids', async () => {
    sandbox = await startSandbox({ odooVersion: '19.0' });
    const { body: ids } = await json2(sandbox, 'res.partner/create', {
      vals_list: [{ name: 'Zen one', city: 'Ghent' }, { name: 'Zen two' }],
    });
    expect(
      await json2(sandbox, 'res.partner/name_search', { name: 'Zen', domain: [['city', '=', 'Ghent']] }),
    ).toMatchObject({ status: 200, body: [[(ids as number[])[0], 'Zen one']] });
    expect(await json2(sandbox, 'res.partner/name_search', { name: 'Zen', args: [] })).toMatchObject({
      status: 422,
      body: { message: "got an unexpected keyword argument 'args'" },
    });
    // default_get(fields) in 19.0 (fields_list in 17.0).
    expect(await json2(sandbox, 'res.partner/default_get', { fields: ['active', 'name'] })).toMatchObject({
      status: 200,
      body: { active: true },
    });
    expect(await json2(sandbox, 'res.partner/default_get', { fields_list: ['active'] })).toMatchObject({
      status: 422,
      body: { message: "missing a required argument: 'fields'" },
    });
    const copied = await json2(sandbox, 'res.partner/copy', { ids: [(ids as number[])[0]] });
    expect(copied.status).toBe(200);
    expect(await json2(sandbox, 'res.partner/read', { ids: copied.body, fields: ['name', 'city'] })).toMatchObject({
      body: [{ name: 'Zen one (copy)', city: 'Ghent' }],
    });
  });

  it('19.0 injects faults on JSON-2 calls: a serialization failure is a 500 that commits nothing', async () => {
    sandbox = await startSandbox({ odooVersion: '19.0', faults: 'transient=1,kinds=serialization' });
    const answer = await json2(sandbox, 'res.partner/create', { vals_list: [{ name: 'F' }] });
    expect(answer).toMatchObject({ status: 500, body: { name: 'psycopg2.errors.SerializationFailure' } });
    expect(sandbox.stats.faults).toEqual({ serialization: 1 });
    sandbox.setFaults('');
    expect(await json2(sandbox, 'res.partner/search_count', { domain: [['name', '=', 'F']] })).toMatchObject({
      body: 0,
    });
  });
});
