/**
 * A `zenoo migrate up` killed (SIGKILL) in the middle of its second migration, then run again: the first migration
 * stays recorded, the second is not recorded until the rerun finishes it from its journal, and the target ends with
 * exactly the records of a clean run (none lost, none duplicated).
 *
 * Run after `npm run build` (`npm test` builds first).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OdooClient } from '../../../src/client/odoo-client.js';
import type { Sandbox } from '../../../src/sandbox/start-sandbox.js';
import { start } from './migrate-fixtures.js';
import type { Target } from './migrate-fixtures.js';
import { ledger, project, spawnZenoo, watch, zenoo } from './migrate-helpers.js';

const COMPANIES = 240;

let target: Target;
let sandbox: Sandbox;
let client: OdooClient;
let flags: string[];
let dir: string;

beforeAll(async () => {
  // Latency on every call makes the second migration last long enough to be killed in its middle. The CLI is given
  // the canary API key (the other migrate files give the password).
  target = await start('api-key', { latencyMs: 10 });
  ({ sandbox, client, flags } = target);
  const rows = ['ref,name'];
  for (let i = 1; i <= COMPANIES; i += 1) rows.push(`K${String(i).padStart(4, '0')},Killed Co ${i}`);
  dir = await project({
    'plans/migrations/0001-tags.yaml': `version: 1
name: crash-tags
steps:
  - id: tags
    model: res.partner.category
    action: upsert
    key: [name]
    records: [{ name: Crash }]
`,
    'plans/migrations/0002-companies.yaml': `version: 1
name: crash-companies
defaults: { chunk_size: 4, concurrency: 2 }
steps:
  - id: companies
    model: res.partner
    action: create
    key: [ref]
    records: { file: data/companies.csv }
    values:
      is_company: true
      category_id: { set: [{ lookup: { model: res.partner.category, where: [[name, "=", Crash]] } }] }
`,
    'plans/migrations/data/companies.csv': `${rows.join('\n')}\n`,
  });
});
afterAll(async () => {
  await target.stop();
  // Neither the outputs (the killed run's included) nor the journal the rerun resumed from hold the canaries.
  expect(await watch.finish()).toEqual([]);
});

const created = (): number => sandbox.stats.writes['res.partner']?.['create'] ?? 0;

it('resumes the second migration after a SIGKILL in its middle, with no record lost or duplicated', async () => {
  const child = spawnZenoo(dir, ['migrate', 'up', '--yes', ...flags]);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, signal) => done(signal)));

  // Kill once the second migration has created part of its records.
  const deadline = Date.now() + 20_000;
  while (created() < 40 && Date.now() < deadline) {
    await new Promise((wait) => setTimeout(wait, 5));
  }
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  watch.output({ stdout: output, stderr: '' }, 'killed migrate up');
  const atKill = created();
  expect(atKill, output).toBeGreaterThanOrEqual(40);
  expect(atKill, 'the migration finished before the kill: make it longer').toBeLessThan(COMPANIES);

  // The first migration is recorded, the second is not.
  expect(Object.keys(await ledger(client))).toEqual(['zenoo.migration.0001']);
  const status = await zenoo(dir, ['migrate', 'status', ...flags]);
  expect(status.stdout).toMatch(/0001\s+tags\s+applied/);
  expect(status.stdout).toMatch(/0002\s+companies\s+pending/);

  const rerun = await zenoo(dir, ['migrate', 'up', '--yes', ...flags]);
  expect(rerun.code, rerun.stderr).toBe(0);
  // The dead run's locks were taken over, and the plan resumed from its journal.
  expect(rerun.stderr).toContain('Took over the stale lock zenoo.lock._migrations');
  expect(rerun.stderr).toContain('Resuming plan crash-companies');
  expect(rerun.stdout).toMatch(/✓ 0002 companies: applied/);
  expect(rerun.stdout).not.toContain('0001');

  const companies = await client.searchRead('res.partner', [['ref', '=like', 'K%']], {
    fields: ['ref', 'category_id'],
  });
  const refs = companies.map((company) => company['ref'] as string);
  expect(refs).toHaveLength(COMPANIES);
  expect(new Set(refs).size).toBe(COMPANIES);
  const [tag] = await client.searchRead('res.partner.category', [['name', '=', 'Crash']], { fields: ['id'] });
  expect(companies.every((company) => JSON.stringify(company['category_id']) === JSON.stringify([tag?.['id']]))).toBe(
    true,
  );
  // Each record was created once over both runs.
  expect(created()).toBe(COMPANIES);

  const stored = await ledger(client);
  expect(Object.keys(stored).sort()).toEqual(['zenoo.migration.0001', 'zenoo.migration.0002']);
  expect(stored['zenoo.migration.0002']).toMatchObject({ version: '0002', name: 'companies', kind: 'apply' });
  const locks = await client.searchRead('ir.config_parameter', [['key', '=like', 'zenoo.lock.%']], { fields: ['key'] });
  expect(locks).toEqual([]);
  expect((await zenoo(dir, ['migrate', 'validate', ...flags])).code).toBe(0);
});
