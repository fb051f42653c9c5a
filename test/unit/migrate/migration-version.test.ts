import { describe, expect, it } from 'vitest';
import {
  canonicalMigrationVersion,
  compareMigrationVersions,
  isMigrationVersion,
  parseMigrationFileName,
} from '../../../src/migrate/migration-version.js';

describe('migration file names', () => {
  it('parses numbered and dated names', () => {
    expect(parseMigrationFileName('0001-seed-tags.yaml')).toEqual({
      version: '0001',
      name: 'seed-tags',
      style: 'numbered',
    });
    expect(parseMigrationFileName('12-x.yml')).toEqual({ version: '12', name: 'x', style: 'numbered' });
    expect(parseMigrationFileName('2026-11-29-1200-seed-tags.yaml')).toEqual({
      version: '2026-11-29-1200',
      name: 'seed-tags',
      style: 'dated',
    });
    // A name may start with digits when it is not a whole date.
    expect(parseMigrationFileName('0003-2fa.yaml')).toEqual({ version: '0003', name: '2fa', style: 'numbered' });
  });

  it('refuses names without a version, without a name, or with an impossible date', () => {
    expect(parseMigrationFileName('seed-tags.yaml')).toBeUndefined();
    expect(parseMigrationFileName('0001.yaml')).toBeUndefined();
    expect(parseMigrationFileName('0001-.yaml')).toBeUndefined();
    expect(parseMigrationFileName('0001-seed tags.yaml')).toBeUndefined();
    expect(parseMigrationFileName('0001-seed.json')).toBeUndefined();
    expect(parseMigrationFileName('2026-13-29-1200-x.yaml')).toBeUndefined();
    expect(parseMigrationFileName('2026-11-29-2460-x.yaml')).toBeUndefined();
  });

  it('orders versions numerically part by part', () => {
    const versions = ['0010', '9', '0002', '100000000000000000000001', '1'];
    expect([...versions].sort(compareMigrationVersions)).toEqual([
      '1',
      '0002',
      '9',
      '0010',
      '100000000000000000000001',
    ]);
    expect(compareMigrationVersions('2026-01-05-0930', '2026-01-05-1000')).toBeLessThan(0);
    expect(compareMigrationVersions('2026-12-01-0000', '2026-02-01-0000')).toBeGreaterThan(0);
    expect(compareMigrationVersions('0002', '2')).toBe(0);
    expect(canonicalMigrationVersion('0002')).toBe(canonicalMigrationVersion('2'));
  });

  it('recognises versions', () => {
    expect(isMigrationVersion('0001')).toBe(true);
    expect(isMigrationVersion('2026-11-29-1200')).toBe(true);
    expect(isMigrationVersion('v1')).toBe(false);
    expect(isMigrationVersion('')).toBe(false);
  });
});
