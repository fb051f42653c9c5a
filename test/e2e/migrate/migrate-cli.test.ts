/**
 * `zenoo migrate` end to end: the built CLI against a sandbox, through the life of a project (pending, applied,
 * changed, repaired, out of order, missing), with the server state checked after each; over JSON-RPC (the sandbox as
 * Odoo 17) and over JSON-2 (as Odoo 19).
 *
 * Run after `npm run build` (`npm test` builds first).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OdooClient } from '../../../src/client/odoo-client.js';
import type { Sandbox } from '../../../src/sandbox/start-sandbox.js';
import { ARCHIVE, COMPANIES, TAGS, start } from './migrate-fixtures.js';
import type { Target } from './migrate-fixtures.js';
import { ledger, names, project, watch, writeFiles, zenoo } from './migrate-helpers.js';
import { TRANSPORTS, transportSandbox } from '../../chaos/chaos-core.mjs';

describe.each(TRANSPORTS)('zenoo migrate: a project through its life over %s', (transport) => {
  let sandbox: Sandbox;
  let client: OdooClient;
  let flags: string[];
  let dir: string;
  let target: Target;

  beforeAll(async () => {
    target = await start('password', transportSandbox(transport));
    ({ sandbox, client, flags } = target);
    dir = await project({
      'plans/migrations/0001-tags.yaml': TAGS,
      'plans/migrations/data/tags.csv': 'name\nGold\nSilver\n',
      'plans/migrations/0002-companies.yaml': COMPANIES,
      'plans/migrations/README.md': 'Migrations of this project.\n',
    });
  });
  afterAll(async () => {
    await target.stop();
    // Nothing printed and nothing written in the project (journals under .zenoo included) holds the canaries.
    expect(await watch.finish()).toEqual([]);
  });

  it('status: everything pending on a fresh target, as a table and as JSON', async () => {
    const table = await zenoo(dir, ['migrate', 'status', ...flags]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/0001\s+tags\s+pending/);
    expect(table.stdout).toMatch(/0002\s+companies\s+pending/);
    expect(table.stdout).toContain('Ignored (not migrations): README.md');
    expect(table.stdout).toContain('2 pending.');
    const json = await zenoo(dir, ['migrate', 'status', '--json', ...flags]);
    expect(json.code).toBe(0);
    const document = JSON.parse(json.stdout);
    expect(document).toMatchObject({
      formatVersion: 1,
      target: { url: sandbox.url, db: sandbox.db },
      ledger: 'ir.config_parameter zenoo.migration.*',
      counts: { applied: 0, pending: 2, changed: 0, missing: 0, 'out-of-order': 0 },
      lastApplied: null,
    });
    expect(document.migrations.map((m: { version: string; state: string }) => [m.version, m.state])).toEqual([
      ['0001', 'pending'],
      ['0002', 'pending'],
    ]);
    expect(document.migrations[0].checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('up --dry-run: shows each pending migration in order, says which step depends on an earlier one, writes nothing', async () => {
    const run = await zenoo(dir, ['migrate', 'up', '--dry-run', '--detailed-exitcode', ...flags]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(2);
    const first = run.stdout.indexOf('== 0001 tags');
    const second = run.stdout.indexOf('== 0002 companies');
    expect(first).toBeGreaterThanOrEqual(0);
    expect(second).toBeGreaterThan(first);
    expect(run.stdout.slice(first, second)).toMatch(/\+ row 2, key "Gold"/);
    const later = run.stdout.slice(second);
    // The lookup of "Gold" cannot succeed before 0001 ran: said so, not guessed and not reported as an error.
    expect(later).toContain('Cannot be previewed before the earlier pending migrations have run');
    expect(later).toMatch(/\? companies\s+res\.partner\s+upsert\s+\(after 0001\)/);
    expect(later).toContain(
      'looks up res.partner.category records, and pending migration 0001 (tags) creates 2 of them',
    );
    expect(await names(client, 'res.partner.category', [['name', 'in', ['Gold', 'Silver']]])).toEqual([]);
    expect(await ledger(client)).toEqual({});

    const json = await zenoo(dir, ['migrate', 'up', '--dry-run', '--format', 'json', ...flags]);
    expect(json.code).toBe(0);
    const preview = JSON.parse(json.stdout);
    expect(preview.migrations[0]).toMatchObject({ version: '0001', blocked: null, error: null, dependent: [] });
    expect(preview.migrations[0].diff.summary).toEqual({ create: 2, update: 0, delete: 0, unchanged: 0 });
    expect(preview.migrations[1]).toMatchObject({
      version: '0002',
      diff: null,
      dependent: [{ step: 'companies', on: ['0001'] }],
    });
    // --json is --format json for a dry run, as for `plan apply --dry-run`.
    const byJson = await zenoo(dir, ['migrate', 'up', '--dry-run', '--json', ...flags]);
    expect(byJson.code).toBe(0);
    expect(JSON.parse(byJson.stdout)).toMatchObject({ migrations: [{ version: '0001' }, { version: '0002' }] });

    const markdown = await zenoo(dir, ['migrate', 'up', '--dry-run', '--format', 'markdown', ...flags]);
    expect(markdown.stderr).toBe('');
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toMatch(
      /^# zenoo migrate on `[^`]+`: \d+ pending migrations?, in the order they would run$/m,
    );
    expect(markdown.stdout).toContain('**0001 tags**');
    expect(markdown.stdout).toContain('| tags | `res.partner.category` | upsert | 2 | 0 | 0 | 0 |');
    expect(markdown.stdout).toContain('- `companies` res.partner upsert (after 0001)');
  });

  it('up without --yes and without a terminal refuses and writes nothing', async () => {
    const run = await zenoo(dir, ['migrate', 'up', ...flags]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Refusing to migrate without --yes');
    expect(await ledger(client)).toEqual({});
  });

  it('up --to applies only up to that version and records it', async () => {
    const run = await zenoo(dir, ['migrate', 'up', '--to', '0001', '--yes', ...flags]);
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✓ 0001 tags: applied/);
    expect(run.stdout).not.toContain('0002');
    expect(await names(client, 'res.partner.category', [['name', 'in', ['Gold', 'Silver']]])).toEqual([
      'Gold',
      'Silver',
    ]);
    expect(await names(client, 'res.partner', [['ref', '=like', 'M%']])).toEqual([]);
    const stored = await ledger(client);
    expect(Object.keys(stored)).toEqual(['zenoo.migration.0001']);
    expect(stored['zenoo.migration.0001']).toMatchObject({
      version: '0001',
      name: 'tags',
      kind: 'apply',
      zenooVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
      appliedBy: expect.stringMatching(/@.+ \(odoo: admin\)$/),
      checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(stored['zenoo.migration.0001']?.['durationMs']).toBeGreaterThan(0);
    expect(Date.parse(stored['zenoo.migration.0001']?.['appliedAt'] as string)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('up applies the rest; a second up has nothing to do and writes nothing', async () => {
    const run = await zenoo(dir, ['migrate', 'up', '--yes', ...flags]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('== 0002 companies (1/1)');
    expect(run.stdout).toMatch(/✓ 0002 companies: applied/);
    const companies = await client.searchRead('res.partner', [['ref', 'in', ['M1', 'M2', 'M3']]], {
      fields: ['name', 'category_id'],
    });
    expect(companies).toHaveLength(3);
    const [gold] = await client.searchRead('res.partner.category', [['name', '=', 'Gold']], { fields: ['id'] });
    for (const company of companies) expect(company['category_id']).toEqual([gold?.['id']]);
    expect(Object.keys(await ledger(client)).sort()).toEqual(['zenoo.migration.0001', 'zenoo.migration.0002']);

    // Data writes only: the run takes and releases its lock (ir.config_parameter) even when there is nothing to do.
    const dataWrites = (): string =>
      JSON.stringify(Object.entries(sandbox.stats.writes).filter(([model]) => model !== 'ir.config_parameter'));
    const writes = dataWrites();
    const again = await zenoo(dir, ['migrate', 'up', '--yes', ...flags]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to migrate: every migration is applied.');
    expect(dataWrites()).toBe(writes);
    const status = await zenoo(dir, ['migrate', 'status', ...flags]);
    expect(status.stdout).toMatch(/0001\s+tags\s+applied\s+\d{4}-/);
    expect(status.stdout).toContain('2 applied.');
  });

  it('an edited migration (its data file): validate fails naming file and checksums, up refuses, repair re-records', async () => {
    const before = (await ledger(client))['zenoo.migration.0001']?.['checksum'] as string;
    await writeFiles(dir, { 'plans/migrations/data/tags.csv': 'name\nGold\nSilver\nBronze\n' });
    const validate = await zenoo(dir, ['migrate', 'validate', ...flags]);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain(join('plans', 'migrations', '0001-tags.yaml'));
    // The ledger keeps each data file's checksum: the message names the file that changed, not only the plan.
    expect(validate.stderr).toContain('0001-tags.yaml: data file data/tags.csv changed: recorded checksum');
    expect(validate.stderr).toMatch(
      new RegExp(`recorded checksum ${before}, current checksum (?!${before})[0-9a-f]{64}`),
    );
    const status = await zenoo(dir, ['migrate', 'status', '--json', ...flags]);
    expect(JSON.parse(status.stdout).migrations[0]).toMatchObject({ state: 'changed', differences: ['checksum'] });

    const up = await zenoo(dir, ['migrate', 'up', '--yes', ...flags]);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('changed since it was applied');
    expect(await names(client, 'res.partner.category', [['name', '=', 'Bronze']])).toEqual([]);

    const refused = await zenoo(dir, ['migrate', 'repair', ...flags]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Refusing to repair without --yes');
    expect((await ledger(client))['zenoo.migration.0001']?.['checksum']).toBe(before);

    const repair = await zenoo(dir, ['migrate', 'repair', '--yes', ...flags]);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toContain('Repaired 1 ledger entry');
    const after = (await ledger(client))['zenoo.migration.0001'];
    expect(after?.['checksum']).not.toBe(before);
    expect(after?.['repairedAt']).toEqual(expect.any(String));
    expect((await zenoo(dir, ['migrate', 'validate', ...flags])).code).toBe(0);
    // A repair records, it does not run the migration again.
    expect(await names(client, 'res.partner.category', [['name', '=', 'Bronze']])).toEqual([]);
  });

  it('out of order: an older migration merged late is refused unless --allow-out-of-order', async () => {
    await writeFiles(dir, { 'plans/migrations/0004-archive.yaml': ARCHIVE });
    expect((await zenoo(dir, ['migrate', 'up', '--yes', ...flags])).code).toBe(0);
    await writeFiles(dir, {
      'plans/migrations/0003-late.yaml': TAGS.replace('mig-tags', 'mig-late').replace('data/tags.csv', 'data/late.csv'),
      'plans/migrations/data/late.csv': 'name\nLate\n',
    });
    const status = await zenoo(dir, ['migrate', 'status', ...flags]);
    expect(status.stdout).toMatch(/0003\s+late\s+out-of-order/);
    const refused = await zenoo(dir, ['migrate', 'up', '--yes', ...flags]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('older than the last applied one (0004)');
    expect(refused.stderr).toContain('0003-late.yaml');
    expect(await names(client, 'res.partner.category', [['name', '=', 'Late']])).toEqual([]);
    const allowed = await zenoo(dir, ['migrate', 'up', '--yes', '--allow-out-of-order', ...flags]);
    expect(allowed.code).toBe(0);
    expect(await names(client, 'res.partner.category', [['name', '=', 'Late']])).toEqual(['Late']);
    expect(
      (
        await client.searchRead(
          'res.partner',
          [
            ['ref', '=', 'M3'],
            ['active', '=', false],
          ],
          { fields: ['id'] },
        )
      ).length,
    ).toBe(1);
  });

  it('missing: a recorded migration whose file is gone is reported, and does not block up', async () => {
    await rm(join(dir, 'plans/migrations/0004-archive.yaml'));
    const status = await zenoo(dir, ['migrate', 'status', ...flags]);
    expect(status.stdout).toMatch(/0004\s+archive\s+missing/);
    expect(status.stdout).toContain('recorded as applied, but no file of that version exists');
    const up = await zenoo(dir, ['migrate', 'up', '--yes', ...flags]);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('warning: migration 0004 (archive) is recorded as applied but has no file any more.');
  });
});
