// Session mode against the sandbox: web login, call_kw with the cookie, and one re-login when the session is gone
// (the sandbox keeps sessions in memory, so a restart on the same port and data file drops them).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OdooClient } from '../../../src/client/odoo-client.js';
import { AuthenticationError } from '../../../src/errors.js';
import { startSandbox } from '../../../src/sandbox/index.js';
import type { Sandbox } from '../../../src/sandbox/index.js';

let directory: string;
let sandbox: Sandbox;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'zenoo-client-session-'));
  sandbox = await startSandbox({ port: 0, file: join(directory, 'sandbox.sqlite') });
});
afterAll(async () => {
  await sandbox.close();
  rmSync(directory, { recursive: true, force: true });
});

function sessionClient(password: string = sandbox.password): OdooClient {
  return new OdooClient({
    url: sandbox.url,
    db: sandbox.db,
    username: sandbox.login,
    password,
    mode: 'session',
    retry: { limit: 0 },
  });
}

describe('session mode', () => {
  it('logs in through /web/session/authenticate and calls /web/dataset/call_kw only', async () => {
    const client = sessionClient();
    try {
      sandbox.resetStats();
      const ids = await client.create('res.partner', [{ name: 'Session A' }, { name: 'Session B' }]);
      expect(client.uid).toBe(2);
      expect(await client.read('res.partner', ids, ['name'])).toEqual([
        { id: ids[0], name: 'Session A' },
        { id: ids[1], name: 'Session B' },
      ]);
      expect(await client.version()).toMatchObject({ major: 17 });
      expect(sandbox.stats.callsByMethod['session.authenticate']).toBe(1);
      expect(sandbox.stats.callsByMethod['common.authenticate']).toBeUndefined();
      expect(sandbox.stats.writes['res.partner']?.['create']).toBe(2);
      expect(Object.keys(sandbox.stats.callsByMethod).some((method) => method.startsWith('object.'))).toBe(false);
    } finally {
      client.close();
    }
  });

  it('logs in again once when the server dropped the session, and the write happens once', async () => {
    const client = sessionClient();
    try {
      await client.searchCount('res.partner', []);
      // Restart on the same port and data: every session is gone.
      const port = new URL(sandbox.url).port;
      await sandbox.close();
      sandbox = await startSandbox({ port: Number(port), file: join(directory, 'sandbox.sqlite') });
      // A real restart takes longer than this: give the client's agent time to see its idle socket closed. (A write
      // sent on a socket the server is closing at that very moment has an unknown outcome, and is reported so.)
      await new Promise((resolve) => setTimeout(resolve, 50));
      const retries: unknown[] = [];
      client.on('retry', (event) => retries.push(event));

      const id = await client.create('res.partner', { name: 'After restart' });
      expect(sandbox.stats.callsByMethod['session.authenticate']).toBe(1);
      // Three requests: the call refused with "session expired" (not dispatched), the login, the call again.
      expect(sandbox.stats.requests).toBe(3);
      expect(sandbox.stats.callsByMethod['res.partner.create']).toBe(1);
      expect(sandbox.stats.writes['res.partner']?.['create']).toBe(1);
      expect(retries).toEqual([]);
      expect(await client.searchCount('res.partner', [['name', '=', 'After restart']])).toBe(1);
      expect(await client.read('res.partner', [id], ['name'])).toEqual([{ id, name: 'After restart' }]);
    } finally {
      client.close();
    }
  });

  it('a refused web login is an AuthenticationError without the password', async () => {
    const client = sessionClient('wrong-session-canary');
    try {
      const error = await client.searchCount('res.partner', []).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).cause).toMatchObject({ faultName: 'odoo.exceptions.AccessDenied' });
      expect(JSON.stringify((error as AuthenticationError).toJSON()) + (error as Error).stack).not.toContain(
        'wrong-session-canary',
      );
    } finally {
      client.close();
    }
  });

  it('refuses an API key in session mode before sending anything', () => {
    expect(
      () =>
        new OdooClient({
          url: sandbox.url,
          db: sandbox.db,
          username: 'admin',
          apiKey: sandbox.apiKey,
          mode: 'session',
        }),
    ).toThrow(/passwords only/);
  });
});
