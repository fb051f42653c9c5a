/** A sandbox on port 0 and a client with a fast retry policy for one batch integration test file. */
import type { OdooClient } from '../../../src/client/odoo-client.js';
import type { Sandbox, SandboxOptions } from '../../../src/sandbox/index.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

export interface BatchFixture {
  readonly sandbox: Sandbox;
  readonly client: OdooClient;
  /** Reads partners by id, in the order given. */
  partners(ids: readonly number[], fields?: string[]): Promise<Record<string, unknown>[]>;
  /** Counts partners whose name starts with `prefix` (archived included). */
  countNamed(prefix: string): Promise<number>;
}

export function useBatchSandbox(options: SandboxOptions = {}): BatchFixture {
  const odoo = withSandbox(options, { retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  return {
    get sandbox() {
      return odoo.sandbox;
    },
    get client() {
      return odoo.client;
    },
    async partners(ids, fields = ['name', 'email', 'is_company', 'active']) {
      const rows = await odoo.client.executeKw<Record<string, unknown>[]>(
        'res.partner',
        'read',
        [ids, fields],
        {},
        { context: { active_test: false } },
      );
      const byId = new Map(rows.map((row) => [row['id'] as number, row]));
      return ids.map((id) => byId.get(id)!);
    },
    countNamed(prefix) {
      return odoo.client.executeKw<number>(
        'res.partner',
        'search_count',
        [[['name', '=like', `${prefix}%`]]],
        {},
        { context: { active_test: false } },
      );
    },
  };
}
