/** Starts a sandbox on port 0 and a client for one integration test file. */
import { afterAll, beforeAll } from 'vitest';
import { OdooClient } from '../../../src/client/odoo-client.js';
import { startSandbox } from '../../../src/sandbox/index.js';
import type { Sandbox, SandboxOptions } from '../../../src/sandbox/index.js';

export interface BatchFixture {
  sandbox: Sandbox;
  client: OdooClient;
  /** Reads partners by id, in the order given. */
  partners(ids: readonly number[], fields?: string[]): Promise<Record<string, unknown>[]>;
  /** Counts partners whose name starts with `prefix` (archived included). */
  countNamed(prefix: string): Promise<number>;
}

export function useBatchSandbox(options: SandboxOptions = {}): BatchFixture {
  const fixture = {} as BatchFixture;
  beforeAll(async () => {
    fixture.sandbox = await startSandbox({ port: 0, ...options });
    fixture.client = new OdooClient({
      url: fixture.sandbox.url,
      db: fixture.sandbox.db,
      username: fixture.sandbox.login,
      password: fixture.sandbox.password,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    fixture.partners = async (ids, fields = ['name', 'email', 'is_company', 'active']) => {
      const rows = await fixture.client.executeKw<Record<string, unknown>[]>(
        'res.partner',
        'read',
        [ids, fields],
        {},
        { context: { active_test: false } },
      );
      const byId = new Map(rows.map((row) => [row['id'] as number, row]));
      return ids.map((id) => byId.get(id)!);
    };
    fixture.countNamed = (prefix) =>
      fixture.client.executeKw<number>(
        'res.partner',
        'search_count',
        [[['name', '=like', `${prefix}%`]]],
        {},
        { context: { active_test: false } },
      );
  });
  afterAll(async () => {
    fixture.client?.close();
    await fixture.sandbox?.close();
  });
  return fixture;
}
