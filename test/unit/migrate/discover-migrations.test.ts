import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, MigrationError } from '../../../src/errors.js';
import { discoverMigrations } from '../../../src/migrate/discover-migrations.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'zenoo-discover-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function files(names: readonly string[]): Promise<string> {
  const dir = join(root, 'migrations');
  await mkdir(join(dir, 'data'), { recursive: true });
  for (const name of names) {
    await writeFile(join(dir, name), 'version: 1\n');
  }
  return dir;
}

describe('discoverMigrations', () => {
  it('lists migrations in version order and reports what it ignored', async () => {
    await files(['0010-ten.yaml', '0002-two.yml', '0001-one.yaml', 'README.md', '.hidden.yaml']);
    const set = await discoverMigrations('migrations', { cwd: root });
    expect(set.migrations.map((m) => [m.version, m.name, m.displayPath])).toEqual([
      ['0001', 'one', join('migrations', '0001-one.yaml')],
      ['0002', 'two', join('migrations', '0002-two.yml')],
      ['0010', 'ten', join('migrations', '0010-ten.yaml')],
    ]);
    expect(set.migrations[0]?.file).toBe(join(root, 'migrations', '0001-one.yaml'));
    expect(set.ignored).toEqual([
      { fileName: '.hidden.yaml', reason: 'hidden' },
      { fileName: 'README.md', reason: 'not-yaml' },
      { fileName: 'data', reason: 'directory' },
    ]);
    expect(set.style).toBe('numbered');
  });

  it('orders dated versions', async () => {
    await files(['2026-11-29-1200-b.yaml', '2026-02-01-0800-a.yaml']);
    const set = await discoverMigrations(join(root, 'migrations'));
    expect(set.migrations.map((m) => m.name)).toEqual(['a', 'b']);
    expect(set.style).toBe('dated');
  });

  it('refuses duplicate versions, naming both files', async () => {
    await files(['0001-one.yaml', '0002-two.yaml', '2-deux.yaml']);
    const error = await discoverMigrations('migrations', { cwd: root }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).code).toBe('ERR_MIGRATION_DUPLICATE');
    expect((error as MigrationError).message).toContain('0002-two.yaml');
    expect((error as MigrationError).message).toContain('2-deux.yaml');
    expect((error as MigrationError).files).toHaveLength(2);
  });

  it('refuses YAML files without a version, naming each of them', async () => {
    await files(['0001-one.yaml', 'seed.yaml', 'v2-thing.yml']);
    const error = await discoverMigrations('migrations', { cwd: root }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).code).toBe('ERR_MIGRATION_NAME');
    expect((error as MigrationError).message).toMatch(/seed\.yaml[\s\S]*v2-thing\.yml/);
    expect((error as MigrationError).message).toContain('0001-seed-tags.yaml');
  });

  it('refuses a directory mixing numbered and dated versions', async () => {
    await files(['0001-one.yaml', '2026-11-29-1200-b.yaml']);
    await expect(discoverMigrations('migrations', { cwd: root })).rejects.toThrow(/mixes numbered versions/);
  });

  it('says what to do when the directory does not exist', async () => {
    const error = await discoverMigrations('nope', { cwd: root }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/nope does not exist.*--dir/);
  });

  it('gives an empty set for an empty directory', async () => {
    await files([]);
    const set = await discoverMigrations('migrations', { cwd: root });
    expect(set.migrations).toEqual([]);
    expect(set.style).toBeUndefined();
  });
});
