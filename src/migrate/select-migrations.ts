/**
 * Which migrations a run applies: the pending ones up to `--to`, refused when an applied migration changed or one is
 * missing, in version order.
 *
 * @packageDocumentation
 */
import { MigrationError } from '../errors.js';
import type { MigrationStatusItem } from './migration-status.js';
import { describeChangedMigration } from './migration-status.js';
import { canonicalMigrationVersion, compareMigrationVersions } from './migration-version.js';
import type { LoadedMigration, MigrationReport, MigratorCallOptions } from './migrator-options.js';

/** Options of `Migrator.select` and everything built on it. */
export interface SelectOptions extends MigratorCallOptions {
  /** Run pending migrations up to and including this version. @default all pending */
  readonly to?: string;
  /** Also run pending migrations older than the last applied one. @default false */
  readonly allowOutOfOrder?: boolean;
}

/** A migration `up` will run. */
export interface SelectedMigration extends MigrationStatusItem {
  /** Absolute path of its plan file. */
  readonly path: string;
  /** Its plan's name. */
  readonly planName: string;
  /** Its checksum (plan fingerprint). */
  readonly checksum: string;
}

/** The migrations `up` would run, in order, and what it would skip. */
export interface MigrationSelection {
  /** The report the selection was made from. */
  readonly report: MigrationReport;
  /** Migrations to run, in version order. */
  readonly selected: readonly SelectedMigration[];
  /** Recorded migrations with no file any more (a warning: they are not run again, nor removed). */
  readonly missing: readonly MigrationStatusItem[];
}

/** The selection rules of `Migrator.select`, as a pure function of a report. */
export function selectMigrations(
  report: MigrationReport,
  options: Omit<SelectOptions, 'signal'> = {},
): MigrationSelection {
  const items = report.status.items;
  const changed = items.filter((item) => item.state === 'changed');
  if (changed.length > 0) {
    throw new MigrationError(
      `${changed.length === 1 ? 'An applied migration has' : `${changed.length} applied migrations have`} changed since ` +
        `${changed.length === 1 ? 'it was' : 'they were'} applied:\n${changed.map((item) => `  ${describeChangedMigration(item)}`).join('\n')}\n` +
        'Applied migrations must not be edited: revert the edit and add a new migration instead, or, if the edit is ' +
        'intended (a comment, a fix that changes nothing already applied), record it with `zenoo migrate repair`.',
      'ERR_MIGRATION_CHANGED',
      {
        versions: changed.map((item) => item.version),
        files: changed.flatMap((item) => (item.file ? [item.file] : [])),
      },
    );
  }
  let to: string | undefined;
  if (options.to !== undefined) {
    const wanted = canonicalMigrationVersion(options.to);
    const found = items.find((item) => item.file !== undefined && canonicalMigrationVersion(item.version) === wanted);
    if (found === undefined) {
      throw new MigrationError(
        `--to ${options.to}: there is no migration with that version in ${report.dir}` +
          (report.migrations.length === 0
            ? '.'
            : `; the versions are ${report.migrations.map((m) => m.version).join(', ')}.`),
        'ERR_MIGRATION_VERSION',
        { versions: [options.to] },
      );
    }
    to = found.version;
  }
  const inRange = (version: string): boolean => to === undefined || compareMigrationVersions(version, to) <= 0;
  const outOfOrder = items.filter((item) => item.state === 'out-of-order' && inRange(item.version));
  if (outOfOrder.length > 0 && options.allowOutOfOrder !== true) {
    throw new MigrationError(
      `${outOfOrder.length === 1 ? 'A pending migration is' : `${outOfOrder.length} pending migrations are`} older than ` +
        `the last applied one (${report.status.lastRecorded}):\n` +
        outOfOrder.map((item) => `  ${item.file ?? item.version}`).join('\n') +
        '\nThey were probably merged after a later migration ran here. Check that they do not depend on the order, ' +
        'then run again with --allow-out-of-order; or renumber them after the last applied version.',
      'ERR_MIGRATION_OUT_OF_ORDER',
      {
        versions: outOfOrder.map((item) => item.version),
        files: outOfOrder.flatMap((item) => (item.file ? [item.file] : [])),
      },
    );
  }
  const toRun = items.filter(
    (item) => (item.state === 'pending' || item.state === 'out-of-order') && inRange(item.version),
  );
  const byVersion = new Map(report.migrations.map((m) => [canonicalMigrationVersion(m.version), m]));
  const broken = toRun.filter((item) => item.checksum === undefined);
  if (broken.length > 0) {
    throw new MigrationError(
      `Nothing was applied: the plans of these pending migrations do not load:\n` +
        broken.map((item) => `  ${item.problem ?? `${item.file}: unknown problem`}`).join('\n'),
      'ERR_MIGRATION_NAME',
      { versions: broken.map((item) => item.version), files: broken.flatMap((item) => (item.file ? [item.file] : [])) },
    );
  }
  // Journals and apply locks are per plan name: two migrations sharing one would resume each other's journal.
  const byPlanName = new Map<string, LoadedMigration[]>();
  for (const migration of report.migrations) {
    if (migration.planName !== undefined) {
      byPlanName.set(migration.planName, [...(byPlanName.get(migration.planName) ?? []), migration]);
    }
  }
  const shared = [...byPlanName.entries()].filter(
    ([, group]) =>
      group.length > 1 &&
      group.some((m) =>
        toRun.some((item) => canonicalMigrationVersion(item.version) === canonicalMigrationVersion(m.version)),
      ),
  );
  if (shared.length > 0) {
    throw new MigrationError(
      `Nothing was applied: migrations must have distinct plan names (the name keys the apply lock and journal):\n` +
        shared.map(([name, group]) => `  name "${name}": ${group.map((m) => m.displayPath).join(', ')}`).join('\n') +
        '\nGive each plan its own `name:`.',
      'ERR_MIGRATION_NAME',
      { files: shared.flatMap(([, group]) => group.map((m) => m.displayPath)) },
    );
  }
  return {
    report,
    selected: toRun.map((item) => {
      const migration = byVersion.get(canonicalMigrationVersion(item.version));
      return {
        ...item,
        path: migration?.file ?? '',
        planName: migration?.planName ?? '',
        checksum: item.checksum ?? '',
      };
    }),
    missing: items.filter((item) => item.state === 'missing'),
  };
}
