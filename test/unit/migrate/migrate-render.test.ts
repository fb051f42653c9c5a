import { stripVTControlCharacters } from 'node:util';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import {
  migrationStatusJson,
  renderMigrateResult,
  renderMigrationStatus,
} from '../../../src/cli/commands/migrate-render.js';
import type { LedgerEntry } from '../../../src/migrate/ledger.js';
import { computeMigrationStatus } from '../../../src/migrate/migration-status.js';
import type { MigrationReport } from '../../../src/migrate/migrator-options.js';

const plain = new Chalk({ level: 0 });
const colours = new Chalk({ level: 1 });
const target = { url: 'http://odoo:8069', db: 'prod' };

const entry = (version: string, name: string, checksum: string, kind: LedgerEntry['kind'] = 'apply'): LedgerEntry => ({
  version,
  name,
  checksum,
  appliedAt: '2026-11-29T08:00:00.000Z',
  durationMs: 10,
  zenooVersion: '0.1.0',
  appliedBy: 'alice@h1 (odoo: admin)',
  kind,
});

function report(): MigrationReport {
  const entries = [
    entry('0001', 'tags', 'a'.repeat(64), 'baseline'),
    entry('0002', 'companies', 'b'.repeat(64)),
    entry('0004', 'gone', 'd'.repeat(64)),
  ];
  const files = [
    { version: '0001', name: 'tags', file: 'plans/migrations/0001-tags.yaml', checksum: 'a'.repeat(64) },
    { version: '0002', name: 'companies', file: 'plans/migrations/0002-companies.yaml', checksum: 'c'.repeat(64) },
    { version: '0003', name: 'late', file: 'plans/migrations/0003-late.yaml', checksum: 'e'.repeat(64) },
    { version: '0005', name: 'next', file: 'plans/migrations/0005-next.yaml', checksum: 'f'.repeat(64) },
  ];
  return {
    dir: '/repo/plans/migrations',
    ledger: 'ir.config_parameter zenoo.migration.*',
    migrations: [],
    ignored: [
      { fileName: 'README.md', reason: 'not-yaml' },
      { fileName: 'data', reason: 'directory' },
    ],
    entries,
    status: computeMigrationStatus(files, entries),
  };
}

describe('migrate status rendering', () => {
  it('renders the table, the notes and the summary', () => {
    expect(renderMigrationStatus(report(), target, plain)).toBe(
      [
        'Migrations in /repo/plans/migrations on http://odoo:8069 (database prod):',
        'VERSION  NAME       STATE               APPLIED AT                BY',
        '0001     tags       applied (baseline)  2026-11-29T08:00:00.000Z  alice@h1 (odoo: admin)',
        '0002     companies  changed             2026-11-29T08:00:00.000Z  alice@h1 (odoo: admin)',
        '0003     late       out-of-order',
        '0004     gone       missing             2026-11-29T08:00:00.000Z  alice@h1 (odoo: admin)',
        '0005     next       pending',
        '',
        `  plans/migrations/0002-companies.yaml: the plan changed: recorded checksum ${'b'.repeat(64)}, current checksum ${'c'.repeat(64)}`,
        '  plans/migrations/0003-late.yaml: older than the last applied migration; `migrate up` needs --allow-out-of-order',
        '  0004 gone: recorded as applied, but no file of that version exists',
        '',
        'Ignored (not migrations): README.md (not a YAML plan)',
        '',
        '1 applied, 1 changed, 1 missing, 1 pending, 1 out-of-order.',
        '',
      ].join('\n'),
    );
  });

  it('colours only the state column, keeping the table aligned', () => {
    const lines = renderMigrationStatus(report(), target, colours).split('\n');
    expect(lines[3]).toContain('\u001b[31mchanged');
    expect(lines.map((line) => stripVTControlCharacters(line))).toEqual(
      renderMigrationStatus(report(), target, plain).split('\n'),
    );
  });

  it('gives a versioned JSON document', () => {
    const json = migrationStatusJson(report(), target);
    expect(json).toMatchObject({ formatVersion: 1, target, lastApplied: '0004', counts: { changed: 1 } });
    expect(json.migrations[3]).toEqual({
      version: '0004',
      name: 'gone',
      state: 'missing',
      file: null,
      checksum: null,
      recorded: entry('0004', 'gone', 'd'.repeat(64)),
      differences: [],
      problem: null,
    });
    expect(json.ignored).toEqual([
      { file: 'README.md', reason: 'not-yaml' },
      { file: 'data', reason: 'directory' },
    ]);
  });

  it('summarises a run that stopped', () => {
    const text = renderMigrateResult(
      {
        status: 'failed',
        durationMs: 1500,
        missing: [],
        migrations: [
          { version: '0001', name: 'a', file: 'f1', status: 'applied', durationMs: 1200 },
          {
            version: '0002',
            name: 'b',
            file: 'f2',
            status: 'failed',
            durationMs: 300,
            error: { code: 'E', message: 'boom' },
          },
          { version: '0003', name: 'c', file: 'f3', status: 'not-executed', durationMs: 0 },
        ],
      },
      plain,
    );
    expect(text).toBe(
      [
        '✓ 0001 a: applied in 1.2 s',
        '✗ 0002 b: failed (boom)',
        '- 0003 c: not run',
        'Migration stopped (failed): 1 applied and recorded before it. Fix the cause and run `zenoo migrate up` again: the unfinished migration resumes from its journal.',
        '',
      ].join('\n'),
    );
  });
});
