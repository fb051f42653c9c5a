import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../src/migrate/ledger.js';
import { computeMigrationStatus, describeChangedMigration } from '../../../src/migrate/migration-status.js';
import { parseLedgerEntry, serializeLedgerEntry } from '../../../src/migrate/ledger.js';
import type { MigrationCandidate } from '../../../src/migrate/migration-status.js';

const file = (
  version: string,
  checksum: string | undefined = `sum-${version}`,
  name = `m${version}`,
): MigrationCandidate => ({
  version,
  name,
  file: `plans/migrations/${version}-${name}.yaml`,
  checksum,
});

const recorded = (version: string, checksum = `sum-${version}`, name = `m${version}`): LedgerEntry => ({
  version,
  name,
  checksum,
  appliedAt: '2026-11-29T08:00:00.000Z',
  durationMs: 5,
  zenooVersion: '0.1.0',
  appliedBy: 'alice@h1',
  kind: 'apply',
});

describe('computeMigrationStatus', () => {
  it('marks everything pending on an empty ledger', () => {
    const status = computeMigrationStatus([file('0001'), file('0002')], []);
    expect(status.items.map((i) => i.state)).toEqual(['pending', 'pending']);
    expect(status.lastRecorded).toBeUndefined();
    expect(status.counts).toEqual({ applied: 0, changed: 0, missing: 0, pending: 2, 'out-of-order': 0 });
  });

  it('tells applied, changed, missing, pending and out of order apart', () => {
    const status = computeMigrationStatus(
      [file('0001'), file('0002', 'edited'), file('0003'), file('0005'), file('0006')],
      [recorded('0001'), recorded('0002'), recorded('0004'), recorded('0005')],
    );
    expect(status.items.map((i) => [i.version, i.state])).toEqual([
      ['0001', 'applied'],
      ['0002', 'changed'],
      ['0003', 'out-of-order'],
      ['0004', 'missing'],
      ['0005', 'applied'],
      ['0006', 'pending'],
    ]);
    expect(status.items[1]).toMatchObject({
      differences: ['checksum'],
      checksum: 'edited',
      entry: { checksum: 'sum-0002' },
    });
    expect(status.items[3]).not.toHaveProperty('file');
    expect(status.lastRecorded).toBe('0005');
    expect(status.counts).toEqual({ applied: 2, changed: 1, missing: 1, pending: 1, 'out-of-order': 1 });
  });

  it('counts a rename and an unloadable file as changes', () => {
    const status = computeMigrationStatus(
      [file('0001', 'sum-0001', 'renamed'), { ...file('0002'), checksum: undefined, problem: 'bad yaml' }],
      [recorded('0001'), recorded('0002')],
    );
    expect(status.items.map((i) => [i.state, i.differences])).toEqual([
      ['changed', ['name']],
      ['changed', ['checksum']],
    ]);
    expect(status.items[1]?.problem).toBe('bad yaml');
  });

  it('matches versions written with different padding', () => {
    const status = computeMigrationStatus([file('0002')], [recorded('2', 'sum-0002', 'm0002')]);
    expect(status.items.map((i) => i.state)).toEqual(['applied']);
  });

  it('orders dated versions and finds out-of-order ones', () => {
    const status = computeMigrationStatus(
      [file('2026-01-05-0930'), file('2026-02-01-0800'), file('2026-03-01-0000')],
      [recorded('2026-02-01-0800')],
    );
    expect(status.items.map((i) => i.state)).toEqual(['out-of-order', 'applied', 'pending']);
  });
});

describe('describeChangedMigration', () => {
  const changed = (current: Record<string, string> | undefined, before: Record<string, string> | undefined) => {
    const candidate: MigrationCandidate = {
      ...file('0002', 'sum-new'),
      ...(current === undefined ? {} : { dataFiles: current }),
    };
    const entry: LedgerEntry = {
      ...recorded('0002', 'sum-old'),
      ...(before === undefined ? {} : { dataFiles: before }),
    };
    const [item] = computeMigrationStatus([candidate], [entry]).items;
    return describeChangedMigration(item!);
  };

  it('names the data file that changed, or the plan when none did', () => {
    expect(changed({ 'data/a.csv': 'x2', 'data/b.csv': 'y' }, { 'data/a.csv': 'x1', 'data/b.csv': 'y' })).toBe(
      'plans/migrations/0002-m0002.yaml: data file data/a.csv changed: recorded checksum sum-old, current checksum sum-new',
    );
    expect(changed({ 'data/a.csv': 'x', 'data/c.csv': 'z' }, { 'data/a.csv': 'x', 'data/b.csv': 'y' })).toContain(
      'data files data/b.csv (no longer read), data/c.csv (added) changed',
    );
    expect(changed({ 'data/a.csv': 'x' }, { 'data/a.csv': 'x' })).toContain(
      '0002-m0002.yaml: the plan itself changed (its data files did not)',
    );
    // An entry written before the ledger kept data-file checksums can only list the candidates.
    expect(changed({ 'data/a.csv': 'x' }, undefined)).toContain(
      'the plan or one of its data files (data/a.csv) changed; this ledger entry predates per-file checksums',
    );
  });

  it('keeps the data-file checksums through the ledger format', () => {
    const entry: LedgerEntry = { ...recorded('0002'), dataFiles: { 'data/a.csv': 'x' } };
    expect(parseLedgerEntry(JSON.parse(serializeLedgerEntry(entry)) as unknown, 'zenoo.migration.0002')).toEqual(entry);
  });
});
