/**
 * The manager tree of the employees whose work email ends in `@domain`, as written on the target: work email →
 * the manager's work email ('' for a root). Shared by the hierarchy tests of the engine and of the CLI.
 */
import type { OdooClient } from '../../src/client/odoo-client.js';

/** Reads the employees of `domain` and maps each one's work email to its manager's. */
export async function employeeManagers(client: OdooClient, domain: string): Promise<Map<string, string>> {
  const records = await client.searchRead<{ id: number; work_email: string; parent_id: [number, string] | false }>(
    'hr.employee',
    [['work_email', '=like', `%@${domain}`]],
    { fields: ['work_email', 'parent_id'] },
  );
  const emailOf = new Map(records.map((record) => [record.id, record.work_email]));
  return new Map(
    records.map((record) => [
      record.work_email,
      record.parent_id === false ? '' : (emailOf.get(record.parent_id[0]) ?? `#${record.parent_id[0]}`),
    ]),
  );
}
