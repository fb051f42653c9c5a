import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockHeldError, MigrationError } from '../../../src/errors.js';
import { ConfigParameterLedgerStore, ledgerKey } from '../../../src/migrate/config-parameter-ledger-store.js';
import { acquireLock } from '../../../src/plan/lock/lock.js';
import { MIGRATIONS_LOCK_NAME } from '../../../src/plan/lock/lock.js';
import { Migrator } from '../../../src/migrate/migrator.js';
import { targetMigrationLock } from '../../../src/migrate/migration-lock.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

const odoo = withSandbox();
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'zenoo-ledger-'));
  await mkdir(join(root, 'plans/migrations'), { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
  // Every test starts from an empty ledger.
  const ids = await odoo.client.executeKw<number[]>('ir.config_parameter', 'search', [[['key', '=like', 'zenoo.%']]]);
  if (ids.length > 0) await odoo.client.executeKw('ir.config_parameter', 'unlink', [ids]);
});

async function plan(fileName: string, body: string): Promise<void> {
  await writeFile(join(root, 'plans/migrations', fileName), body);
}

const tags = (name: string, extra = '') => `version: 1
name: ${name}
steps:
  - id: tags
    model: res.partner.category
    action: upsert
    key: [name]
    records: [{ name: "${name}-tag" }]${extra}
`;

async function stored(): Promise<Record<string, unknown>> {
  const rows = await odoo.client.searchRead('ir.config_parameter', [['key', '=like', 'zenoo.migration.%']], {
    fields: ['key', 'value'],
  });
  return Object.fromEntries(rows.map((row) => [row['key'] as string, JSON.parse(row['value'] as string)]));
}

function migrator() {
  return new Migrator({
    store: new ConfigParameterLedgerStore(odoo.client),
    lock: targetMigrationLock(odoo.client),
    cwd: root,
    appliedBy: 'ci@runner (odoo: admin)',
  });
}

describe('ledger in ir.config_parameter on the sandbox', () => {
  it('baselines into one key per migration and reads it back as status', async () => {
    await plan('0001-tags.yaml', tags('one'));
    await plan('0002-more.yaml', tags('two'));
    await plan('0003-later.yaml', tags('three'));
    const written = await migrator().baseline('0002');
    expect(written.map((entry) => entry.version)).toEqual(['0001', '0002']);
    const values = await stored();
    expect(Object.keys(values).sort()).toEqual([ledgerKey('0001'), ledgerKey('0002')]);
    expect(values[ledgerKey('0001')]).toMatchObject({
      format: 1,
      version: '0001',
      name: 'tags',
      kind: 'baseline',
      appliedBy: 'ci@runner (odoo: admin)',
      durationMs: 0,
    });
    expect((values[ledgerKey('0001')] as { checksum: string }).checksum).toMatch(/^[0-9a-f]{64}$/);
    // The lock was released.
    expect(
      await odoo.client.searchRead('ir.config_parameter', [['key', '=like', 'zenoo.lock.%']], { fields: ['key'] }),
    ).toEqual([]);
    const report = await migrator().status();
    expect(report.status.items.map((item) => [item.version, item.state])).toEqual([
      ['0001', 'applied'],
      ['0002', 'applied'],
      ['0003', 'pending'],
    ]);
    // Nothing was applied by a baseline.
    expect(
      await odoo.client.searchRead('res.partner.category', [['name', 'like', '-tag']], { fields: ['name'] }),
    ).toEqual([]);
  });

  it('detects an edit of the plan or of a data file, and repair re-records it', async () => {
    await mkdir(join(root, 'plans/migrations/data'));
    await writeFile(join(root, 'plans/migrations/data/tags.csv'), 'name\nA\nB\n');
    await plan(
      '0001-tags.yaml',
      'version: 1\nname: csv-tags\nsteps:\n  - id: t\n    model: res.partner.category\n    action: upsert\n    key: [name]\n    records: { file: data/tags.csv }\n',
    );
    await migrator().baseline('0001');
    expect((await migrator().validate()).ok).toBe(true);
    // Formatting and comments do not count as a change.
    await plan(
      '0001-tags.yaml',
      '# tags\nversion: 1\nname: csv-tags\nsteps:\n  - { id: t, model: res.partner.category, action: upsert, key: [name], records: { file: data/tags.csv } }\n',
    );
    expect((await migrator().validate()).ok).toBe(true);
    await writeFile(join(root, 'plans/migrations/data/tags.csv'), 'name\nA\nB\nC\n');
    const validation = await migrator().validate();
    expect(validation.ok).toBe(false);
    expect(validation.changed[0]?.file).toBe(join('plans', 'migrations', '0001-tags.yaml'));
    const before = (await stored())[ledgerKey('0001')] as { checksum: string };
    const [repaired] = await migrator().repair();
    expect(repaired?.checksum).not.toBe(before.checksum);
    expect((await stored())[ledgerKey('0001')]).toMatchObject({ checksum: repaired?.checksum, kind: 'baseline' });
    expect((await migrator().validate()).ok).toBe(true);
  });

  it('gives the same checksum whatever the values of the environment variables a migration uses', async () => {
    await plan('0001-env.yaml', tags('env', '\n    values: { comment: "${env.ZENOO_TEST_MIGRATION_COLOR}" }'));
    delete process.env['ZENOO_TEST_MIGRATION_COLOR'];
    const first = await migrator().status();
    process.env['ZENOO_TEST_MIGRATION_COLOR'] = 'blue';
    const second = await migrator().status();
    delete process.env['ZENOO_TEST_MIGRATION_COLOR'];
    expect(first.migrations[0]?.problem).toBeUndefined();
    expect(first.migrations[0]?.checksum).toBe(second.migrations[0]?.checksum);
  });

  it('refuses to record a version twice, and waits for nobody: a held migrations lock is reported', async () => {
    await plan('0001-tags.yaml', tags('one'));
    const store = new ConfigParameterLedgerStore(odoo.client);
    await migrator().baseline('0001');
    const [entry] = await store.list();
    await expect(store.insert({ ...entry!, checksum: 'x' })).rejects.toBeInstanceOf(MigrationError);
    expect(Object.keys(await stored())).toEqual([ledgerKey('0001')]);

    const held = await acquireLock(odoo.client, MIGRATIONS_LOCK_NAME);
    try {
      await expect(migrator().repair()).rejects.toBeInstanceOf(LockHeldError);
    } finally {
      await held.release();
    }
  });
});
