/**
 * `zenoo migrate baseline`, and the refusals of `zenoo migrate` that must happen before anything is written
 * (duplicate versions, misnamed files, a missing directory, an invalid plan, a running apply).
 *
 * Run after `npm run build` (`npm test` builds first).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OdooClient } from '../../../src/client/odoo-client.js';
import { acquireLock } from '../../../src/plan/lock/lock.js';
import { MIGRATIONS_LOCK_NAME } from '../../../src/plan/lock/lock.js';
import { ARCHIVE, COMPANIES, TAGS, start } from './migrate-fixtures.js';
import type { Target } from './migrate-fixtures.js';
import { ledger, names, project, watch, zenoo } from './migrate-helpers.js';

// Nothing any run printed (refusals and errors included) and nothing written in a project holds the canaries.
afterAll(async () => {
  expect(await watch.finish()).toEqual([]);
});

describe('zenoo migrate baseline', () => {
  it('marks migrations up to the version as applied on an existing database; up then runs only the later ones', async () => {
    const target = await start('api-key');
    const { sandbox, client, flags } = target;
    const dir = await project({
      'plans/migrations/0001-tags.yaml': TAGS,
      'plans/migrations/data/tags.csv': 'name\nGold\nSilver\n',
      'plans/migrations/0002-companies.yaml': COMPANIES,
      'plans/migrations/0003-archive.yaml': ARCHIVE,
    });
    try {
      // The database already holds what 0001 would create, made by hand long ago.
      await client.create('res.partner.category', [{ name: 'Gold' }]);
      const writes = JSON.stringify(sandbox.stats.writes);
      const none = await zenoo(dir, ['migrate', 'baseline', ...flags]);
      expect(none.code).toBe(1);
      expect(none.stderr).toContain('migrate baseline needs --to VERSION');
      const baseline = await zenoo(dir, ['migrate', 'baseline', '--to', '0001', ...flags]);
      expect(baseline.stderr).toBe('');
      expect(baseline.code).toBe(0);
      expect(baseline.stdout).toContain('1 migration marked as applied without running');
      // Only the ledger (and the lock) were written, no data.
      const after = sandbox.stats.writes;
      expect(Object.keys(after).filter((model) => model !== 'ir.config_parameter')).toEqual(
        Object.keys(JSON.parse(writes) as object).filter((model) => model !== 'ir.config_parameter'),
      );
      expect(await names(client, 'res.partner.category', [['name', '=', 'Silver']])).toEqual([]);
      expect((await ledger(client))['zenoo.migration.0001']).toMatchObject({ kind: 'baseline', durationMs: 0 });
      const status = await zenoo(dir, ['migrate', 'status', ...flags]);
      expect(status.stdout).toMatch(/0001\s+tags\s+applied \(baseline\)/);
      expect(status.stdout).toMatch(/0002\s+companies\s+pending/);

      // The old spelling still works, with a note naming the new one.
      const again = await zenoo(dir, ['migrate', 'baseline', '--version', '0002', ...flags]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('warning: --version is deprecated here, use --to (the same meaning).');
      expect(again.stderr).toContain('already has a migration ledger');
      const unknown = await zenoo(dir, ['migrate', 'baseline', '--to', '0009', ...flags]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no migration with version 0009');

      const up = await zenoo(dir, ['migrate', 'up', '--yes', ...flags]);
      expect(up.code).toBe(0);
      expect(up.stdout).not.toContain('0001');
      expect(await names(client, 'res.partner.category', [['name', '=', 'Silver']])).toEqual([]);
      expect(await names(client, 'res.partner', [['ref', 'in', ['M1', 'M2', 'M3']]])).toEqual([
        'Mig One',
        'Mig Three',
        'Mig Two',
      ]);
      expect(Object.keys(await ledger(client)).sort()).toEqual([
        'zenoo.migration.0001',
        'zenoo.migration.0002',
        'zenoo.migration.0003',
      ]);
    } finally {
      await target.stop();
    }
  });
});

describe('zenoo migrate: refusals before anything is written', () => {
  let client: OdooClient;
  let flags: string[];
  let target: Target;
  beforeAll(async () => {
    target = await start('password');
    ({ client, flags } = target);
  });
  afterAll(async () => {
    await target.stop();
  });

  it('duplicate versions: an error naming both files', async () => {
    const dir = await project({
      'plans/migrations/0001-tags.yaml': TAGS,
      'plans/migrations/1-other.yaml': ARCHIVE,
    });
    const run = await zenoo(dir, ['migrate', 'status', ...flags]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Duplicate migration version');
    expect(run.stderr).toContain('0001-tags.yaml');
    expect(run.stderr).toContain('1-other.yaml');
  });

  it('a misnamed plan in the directory is named, with the expected form', async () => {
    const dir = await project({ 'plans/migrations/seed-tags.yaml': TAGS });
    const run = await zenoo(dir, ['migrate', 'up', '--yes', ...flags]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('seed-tags.yaml');
    expect(run.stderr).toContain('VERSION-NAME.yaml');
  });

  it('--dir, and a missing directory says what to do', async () => {
    const dir = await project({ 'db/migrations/0001-archive.yaml': ARCHIVE });
    const missing = await zenoo(dir, ['migrate', 'status', ...flags]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('The migrations directory plans/migrations does not exist');
    const found = await zenoo(dir, ['migrate', 'status', '--dir', 'db/migrations', ...flags]);
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(/0001\s+archive\s+pending/);
  });

  it('an invalid pending plan stops up before the first write; validate reports it', async () => {
    const dir = await project({
      'plans/migrations/0001-tags.yaml': TAGS,
      'plans/migrations/data/tags.csv': 'name\nFirst\n',
      'plans/migrations/0002-bad.yaml': ARCHIVE.replace('active: false', 'no_such_field: 1'),
    });
    const up = await zenoo(dir, ['migrate', 'up', '--yes', ...flags]);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('no_such_field');
    expect(await names(client, 'res.partner.category', [['name', '=', 'First']])).toEqual([]);
    expect(await ledger(client)).toEqual({});
  });

  it('a running apply holds its lock: migrate up waits for nobody and writes nothing', async () => {
    const dir = await project({
      'plans/migrations/0001-tags.yaml': TAGS,
      'plans/migrations/data/tags.csv': 'name\nLocked\n',
    });
    const held = await acquireLock(client, 'some-other-plan');
    try {
      const run = await zenoo(dir, ['migrate', 'up', '--yes', ...flags]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        'A plan apply is running on this target: the lock zenoo.lock.some-other-plan is held by',
      );
      expect(await names(client, 'res.partner.category', [['name', '=', 'Locked']])).toEqual([]);
      // Its own lock was released again.
      const locks = await client.searchRead('ir.config_parameter', [['key', '=like', 'zenoo.lock.%']], {
        fields: ['key'],
      });
      expect(locks.map((row) => row['key'])).toEqual(['zenoo.lock.some-other-plan']);
    } finally {
      await held.release();
    }
  });

  it('another migrate run holds the lock: refused; migrate unlock releases it after confirmation', async () => {
    const dir = await project({
      'plans/migrations/0001-tags.yaml': TAGS,
      'plans/migrations/data/tags.csv': 'name\nUnlocked\n',
    });
    // A run on another host: neither stale by process nor expired.
    const held = await acquireLock(client, MIGRATIONS_LOCK_NAME, {
      identity: { host: 'ci-07', pid: 4242, user: 'ci' },
    });
    try {
      const refused = await zenoo(dir, ['migrate', 'up', '--yes', ...flags]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        'Another `zenoo migrate` run holds the lock zenoo.lock._migrations on this target: ci@ci-07 (pid 4242)',
      );
      expect(refused.stderr).toContain('zenoo migrate unlock');
      expect(await names(client, 'res.partner.category', [['name', '=', 'Unlocked']])).toEqual([]);

      const unconfirmed = await zenoo(dir, ['migrate', 'unlock', ...flags]);
      expect(unconfirmed.code).toBe(1);
      expect(unconfirmed.stderr).toContain('Refusing to release it without --yes');
      const unlock = await zenoo(dir, ['migrate', 'unlock', '--yes', ...flags]);
      expect(unlock.code).toBe(0);
      expect(unlock.stdout).toContain('Released the lock zenoo.lock._migrations held by ci@ci-07 (pid 4242)');

      const up = await zenoo(dir, ['migrate', 'up', '--yes', ...flags]);
      expect(up.code).toBe(0);
      expect(await names(client, 'res.partner.category', [['name', '=', 'Unlocked']])).toEqual(['Unlocked']);
    } finally {
      await held.release();
    }
  });
});
