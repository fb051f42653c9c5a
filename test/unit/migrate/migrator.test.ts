import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationError } from '../../../src/errors.js';
import type { LedgerEntry } from '../../../src/migrate/ledger.js';
import { memoryLedgerStore } from '../../../src/migrate/memory-ledger-store.js';
import { Migrator } from '../../../src/migrate/migrator.js';
import type { LoadMigrationPlan } from '../../../src/migrate/migrator-options.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'zenoo-migrator-'));
  await mkdir(join(root, 'plans/migrations'), { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Test loader: the plan name is the first line's `name:`, the fingerprint the sha256 of the bytes; "broken" fails. */
const loadPlan: LoadMigrationPlan = async (file) => {
  const text = await readFile(file, 'utf8');
  if (text.includes('broken')) {
    throw new Error(`${file}:1:1  steps  must be a list`);
  }
  return { name: /name: (\S+)/.exec(text)?.[1] ?? 'x', fingerprint: createHash('sha256').update(text).digest('hex') };
};

async function migration(fileName: string, body = `name: ${fileName.replace(/\.yaml$/, '')}\n`): Promise<string> {
  await writeFile(join(root, 'plans/migrations', fileName), body);
  return createHash('sha256').update(body).digest('hex');
}

function make(entries: readonly LedgerEntry[] = [], extra: { lockLog?: string[] } = {}) {
  const store = memoryLedgerStore(entries);
  const migrator = new Migrator({
    store,
    loadPlan,
    lock: extra.lockLog
      ? async () => {
          extra.lockLog?.push('acquire');
          return { release: async () => void extra.lockLog?.push('release') };
        }
      : false,
    cwd: root,
    appliedBy: 'alice@h1 (odoo: admin)',
    zenooVersion: '9.9.9',
    now: () => Date.parse('2026-11-29T12:00:00Z'),
  });
  return { store, migrator };
}

describe('Migrator', () => {
  it('reports status with checksums from the plan loader', async () => {
    const sum1 = await migration('0001-one.yaml');
    await migration('0002-two.yaml', 'broken\n');
    const { migrator } = make();
    const report = await migrator.status();
    expect(report.dir).toBe(join(root, 'plans/migrations'));
    expect(report.migrations[0]).toMatchObject({ version: '0001', checksum: sum1, planName: '0001-one' });
    expect(report.migrations[1]?.problem).toMatch(/must be a list/);
    expect(report.status.items.map((i) => i.state)).toEqual(['pending', 'pending']);
  });

  it('validate fails on an edited applied migration, naming file and both checksums', async () => {
    const old = await migration('0001-one.yaml');
    const now = await migration('0001-one.yaml', 'name: 0001-one\n# edited\n');
    const { migrator } = make();
    await migrator.baseline('0001');
    expect((await migrator.validate()).ok).toBe(true);
    await migration('0001-one.yaml', 'name: 0001-one\n# edited again\n');
    const validation = await migrator.validate();
    expect(validation.ok).toBe(false);
    expect(validation.changed).toHaveLength(1);
    expect(validation.changed[0]).toMatchObject({
      file: join('plans/migrations', '0001-one.yaml'),
      entry: { checksum: now },
    });
    expect(old).not.toBe(now);
  });

  it('validate fails on a pending migration whose plan does not load', async () => {
    await migration('0001-one.yaml', 'broken\n');
    const validation = await make().migrator.validate();
    expect(validation.ok).toBe(false);
    expect(validation.invalid.map((i) => i.version)).toEqual(['0001']);
  });

  it('baseline marks migrations up to the version as applied, under the lock, once', async () => {
    const sum1 = await migration('0001-one.yaml');
    const sum2 = await migration('0002-two.yaml');
    await migration('0003-three.yaml');
    const lockLog: string[] = [];
    const { migrator, store } = make([], { lockLog });
    const written = await migrator.baseline('2');
    expect(written.map((e) => e.version)).toEqual(['0001', '0002']);
    expect(store.snapshot()).toEqual([
      {
        version: '0001',
        name: 'one',
        checksum: sum1,
        appliedAt: '2026-11-29T12:00:00.000Z',
        durationMs: 0,
        zenooVersion: '9.9.9',
        appliedBy: 'alice@h1 (odoo: admin)',
        kind: 'baseline',
      },
      expect.objectContaining({ version: '0002', checksum: sum2, kind: 'baseline' }),
    ]);
    expect(lockLog).toEqual(['acquire', 'release']);
    expect((await migrator.status()).status.items.map((i) => i.state)).toEqual(['applied', 'applied', 'pending']);
    await expect(migrator.baseline('0003')).rejects.toThrow(/already has a migration ledger/);
    expect(lockLog).toEqual(['acquire', 'release', 'acquire', 'release']);
    expect(store.snapshot()).toHaveLength(2);
  });

  it('baseline refuses an unknown version, listing the known ones', async () => {
    await migration('0001-one.yaml');
    const error = await make()
      .migrator.baseline('0007')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).code).toBe('ERR_MIGRATION_VERSION');
    expect((error as Error).message).toContain('the versions are 0001');
  });

  it('repair re-records the checksum and name of changed migrations only', async () => {
    await migration('0001-one.yaml');
    await migration('0002-two.yaml');
    const { migrator, store } = make();
    await migrator.baseline('0002');
    const edited = await migration('0002-two.yaml', 'name: 0002-two\n# a comment\n');
    const repaired = await migrator.repair();
    expect(repaired.map((e) => [e.version, e.checksum, e.repairedAt])).toEqual([
      ['0002', edited, '2026-11-29T12:00:00.000Z'],
    ]);
    expect(store.snapshot()[1]).toMatchObject({
      checksum: edited,
      kind: 'baseline',
      appliedAt: '2026-11-29T12:00:00.000Z',
    });
    expect((await migrator.validate()).ok).toBe(true);
    await expect(migrator.repair({ versions: ['0001'] })).rejects.toThrow(/Nothing to repair for version 0001/);
  });

  describe('select (what up runs)', () => {
    it('selects pending migrations in order, up to --to', async () => {
      await migration('0001-one.yaml');
      await migration('0002-two.yaml');
      await migration('0003-three.yaml');
      const { migrator } = make();
      expect((await migrator.select()).selected.map((m) => [m.version, m.planName])).toEqual([
        ['0001', '0001-one'],
        ['0002', '0002-two'],
        ['0003', '0003-three'],
      ]);
      const upTo = await migrator.select({ to: '0002' });
      expect(upTo.selected.map((m) => m.version)).toEqual(['0001', '0002']);
      expect(upTo.selected[0]?.path).toBe(join(root, 'plans/migrations/0001-one.yaml'));
      await expect(migrator.select({ to: '0009' })).rejects.toThrow(/--to 0009: there is no migration/);
    });

    it('refuses when an applied migration changed', async () => {
      await migration('0001-one.yaml');
      await migration('0002-two.yaml');
      const { migrator } = make();
      await migrator.baseline('0001');
      await migration('0001-one.yaml', 'name: 0001-one\nchanged: true\n');
      const error = await migrator.select().catch((e: unknown) => e);
      expect((error as MigrationError).code).toBe('ERR_MIGRATION_CHANGED');
      expect((error as Error).message).toMatch(
        /0001-one\.yaml: the plan changed: recorded checksum [0-9a-f]{64}, current checksum [0-9a-f]{64}/,
      );
    });

    it('refuses out-of-order migrations unless allowed', async () => {
      await migration('0001-one.yaml');
      await migration('0003-three.yaml');
      const { migrator } = make();
      await migrator.baseline('0003');
      await migration('0002-two.yaml');
      await migration('0004-four.yaml');
      const error = await migrator.select().catch((e: unknown) => e);
      expect((error as MigrationError).code).toBe('ERR_MIGRATION_OUT_OF_ORDER');
      expect((error as Error).message).toContain('0002-two.yaml');
      expect((await migrator.select({ allowOutOfOrder: true })).selected.map((m) => m.version)).toEqual([
        '0002',
        '0004',
      ]);
    });

    it('refuses pending migrations whose plan does not load, or that share a plan name', async () => {
      await migration('0001-one.yaml', 'broken\n');
      const { migrator } = make();
      await expect(migrator.select()).rejects.toThrow(/do not load:\n.*must be a list/);
      await migration('0001-one.yaml', 'name: same\n');
      await migration('0002-two.yaml', 'name: same\n');
      await expect(migrator.select()).rejects.toThrow(/distinct plan names[\s\S]*name "same"/);
    });

    it('warns about missing migrations without refusing', async () => {
      await migration('0001-one.yaml');
      await migration('0002-two.yaml');
      const { migrator } = make();
      await migrator.baseline('0001');
      await rm(join(root, 'plans/migrations/0001-one.yaml'));
      const selection = await migrator.select();
      expect(selection.missing.map((m) => m.version)).toEqual(['0001']);
      expect(selection.selected.map((m) => m.version)).toEqual(['0002']);
    });
  });

  it('validates its options', () => {
    expect(() => new Migrator({ store: {} as never, loadPlan, lock: false })).toThrow(/`list` method/);
    expect(() => new Migrator({ store: memoryLedgerStore(), loadPlan, lock: 'yes' as never })).toThrow(/`lock`/);
  });
});
