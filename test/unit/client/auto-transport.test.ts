/**
 * Mode `auto`: the version asked once before the login, then JSON-2 on Odoo 19 and later with an API key, `/jsonrpc`
 * before 19 or with a password (a notice on 19, a refusal from 20 on); and the option checks of mode `json2`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OdooClientOptions } from '../../../src/client/client-options.js';
import { OdooClient } from '../../../src/client/odoo-client.js';
import { ConfigurationError } from '../../../src/errors.js';
import { startScriptedOdoo } from './scripted-odoo-server.js';
import type { Reply, ScriptedOdoo, ScriptedRequest } from './scripted-odoo-server.js';

const KEY = '0123456789abcdef0123456789abcdef01234567';
const PASSWORD = 'pa55-canary';

let server: ScriptedOdoo | undefined;
let client: OdooClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

function versionOf(serie: string): Record<string, unknown> {
  const [major, minor] = serie.split('.').map(Number);
  return {
    server_version: serie,
    server_version_info: [major, minor, 0, 'final', 0, ''],
    server_serie: serie,
    protocol_version: 1,
  };
}

const json = (value: unknown): Reply => ({
  status: 200,
  body: JSON.stringify(value),
  headers: { 'content-type': 'application/json; charset=utf-8' },
});

/** A server of version `serie` with both APIs (JSON-2 from 19 on); `versionInfo: false` hides the web route. */
async function odoo(serie: string, versionInfo = true): Promise<ScriptedOdoo> {
  const major = Number(serie.split('.')[0]);
  server = await startScriptedOdoo((request: ScriptedRequest) => {
    if (request.path === '/web/webclient/version_info') {
      return versionInfo ? { result: versionOf(serie) } : { status: 404, body: '<html>not found</html>' };
    }
    if (request.path === '/jsonrpc') {
      const { service, method } = request.params as { service: string; method: string };
      if (service === 'common' && method === 'version') return { result: versionOf(serie) };
      if (service === 'common' && method === 'authenticate') return { result: 2 };
      return { result: 5 };
    }
    if (request.path.startsWith('/json/2/') && major >= 19) {
      return request.path.endsWith('/context_get') ? json({ lang: 'en_US', tz: false, uid: 2 }) : json(5);
    }
    return { status: 404, body: '<!DOCTYPE html><title>404 Not Found</title>' };
  });
  return server;
}

function open(options: Partial<OdooClientOptions>): OdooClient {
  client = new OdooClient({
    url: server!.url,
    db: 'zenoo',
    username: 'admin',
    mode: 'auto',
    ...options,
  } as OdooClientOptions);
  return client;
}

const paths = (): string[] => server!.requests.map((request) => request.path);

describe('mode auto', () => {
  it('Odoo 19 with an API key: JSON-2, the version asked once, no /jsonrpc at all', async () => {
    await odoo('19.0');
    const c = open({ apiKey: KEY });
    expect(c.activeMode).toBe('auto');
    await expect(c.searchCount('res.partner', [])).resolves.toBe(5);
    expect(c.activeMode).toBe('json2');
    await expect(c.version()).resolves.toMatchObject({ major: 19 });
    expect(paths()).toEqual([
      '/web/webclient/version_info',
      '/json/2/res.users/context_get',
      '/json/2/res.partner/search_count',
    ]);
  });

  it('Odoo 17 with an API key or a password: /jsonrpc', async () => {
    await odoo('17.0');
    const c = open({ apiKey: KEY });
    await expect(c.searchCount('res.partner', [])).resolves.toBe(5);
    expect(c.activeMode).toBe('jsonrpc');
    expect(paths()).toEqual(['/web/webclient/version_info', '/jsonrpc', '/jsonrpc']);
    c.close();
    const d = open({ password: PASSWORD });
    await d.authenticate();
    expect(d.activeMode).toBe('jsonrpc');
  });

  it('Odoo 19 with a password: /jsonrpc, with a notice saying that JSON-2 needs an API key and how to make one', async () => {
    await odoo('19.0');
    const c = open({ password: PASSWORD });
    const notices: string[] = [];
    c.on('notice', (event) => notices.push(event.message));
    await expect(c.searchCount('res.partner', [])).resolves.toBe(5);
    expect(c.activeMode).toBe('jsonrpc');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('JSON-2, takes an API key, not a password');
    expect(notices[0]).toContain('Preferences → Account Security → New API Key');
    expect(notices[0]).toContain('expiry');
    expect(notices[0]).not.toContain(PASSWORD);
  });

  it('Odoo 20 with a password: refused with the same advice, nothing sent after the version', async () => {
    await odoo('20.0');
    const c = open({ password: PASSWORD });
    const error = await c.authenticate().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/Odoo 20\.0 at .* takes an API key, not a password/);
    expect((error as Error).message).toContain('New API Key');
    expect(paths()).toEqual(['/web/webclient/version_info']);
  });

  it('falls back to common.version when a proxy hides /web/webclient/version_info', async () => {
    await odoo('19.0', false);
    const c = open({ apiKey: KEY });
    await c.authenticate();
    expect(c.activeMode).toBe('json2');
    expect(paths()).toEqual(['/web/webclient/version_info', '/jsonrpc', '/json/2/res.users/context_get']);
  });

  it('concurrent first calls share one version request and one login', async () => {
    await odoo('19.0');
    const c = open({ apiKey: KEY });
    await Promise.all([
      c.searchCount('res.partner', []),
      c.searchCount('res.partner', []),
      c.searchCount('res.partner', []),
    ]);
    expect(paths().filter((path) => path === '/web/webclient/version_info')).toHaveLength(1);
    expect(paths().filter((path) => path.endsWith('/context_get'))).toHaveLength(1);
  });
});

describe('mode json2', () => {
  it('refuses a password at construction, saying how to create an API key', () => {
    expect(
      () =>
        new OdooClient({ url: 'http://127.0.0.1:1', db: 'x', username: 'admin', password: PASSWORD, mode: 'json2' }),
    ).toThrow(/Mode `json2` \(Odoo 19 and later\) authenticates with an API key, not a password.*New API Key/s);
  });

  it('refuses an unknown mode, listing the modes', () => {
    expect(
      () =>
        new OdooClient({ url: 'http://127.0.0.1:1', db: 'x', username: 'admin', apiKey: KEY, mode: 'xmlrpc' as never }),
    ).toThrow('Expected `mode` to be one of jsonrpc, session, json2, auto, got xmlrpc');
  });

  it('names a server without JSON-2 (Odoo 17) in the error', async () => {
    await odoo('17.0');
    const c = open({ apiKey: KEY, mode: 'json2' });
    await expect(c.authenticate()).rejects.toThrow(/no JSON-2 API \(Odoo before 19: use transport "jsonrpc"/);
  });
});
