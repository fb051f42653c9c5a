/**
 * `zenoo migrate`: versioned data migrations. The plans of a migrations directory (default `plans/migrations/`,
 * `--dir`), named `VERSION-NAME.yaml`, run in version order, each once per target; the target's ledger
 * (`ir.config_parameter` keys `zenoo.migration.<version>`) records each one with its checksum.
 *
 * - `migrate status [--json]`: applied, changed, missing, pending and out-of-order migrations;
 * - `migrate validate`: exit 1 when an applied migration's file changed (or a plan does not load);
 * - `migrate up [--to V] [--dry-run] [--yes] [--allow-out-of-order]`: applies pending migrations through the plan
 *   engine (journaled, resumable), recording each only once fully done;
 * - `migrate baseline --to V`: marks migrations up to V as applied on an existing database;
 * - `migrate repair [--only V...] [--yes]`: re-records the checksums of intentionally edited migrations;
 * - `migrate unlock [--yes]`: releases the migrations lock of a run that died on another host.
 *
 * Exit codes: 0 success / nothing to do, 1 error (or validation failed, or a migration failed), 2 pending changes
 * (`up --dry-run --detailed-exitcode`).
 *
 * `--version` belongs to the program (`zenoo --version`): `baseline` and `repair` name their versions `--to` and
 * `--only`, and still take their old `--version` with a deprecation note so that existing scripts keep working.
 *
 * @packageDocumentation
 */
import { stateDirFrom } from '../project-state-dir.js';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import type { OnErrorPolicy } from '../../batch/batch-options.js';
import { ConfigurationError } from '../../errors.js';
import { ConfigParameterLedgerStore } from '../../migrate/config-parameter-ledger-store.js';
import { DEFAULT_MIGRATIONS_DIR } from '../../migrate/discover-migrations.js';
import type { MigrateEvent } from '../../migrate/migrate-events.js';
import { planMigrationEngine } from '../../migrate/migration-engine.js';
import { MIGRATIONS_LOCK_NAME, describeHolder, lockKey } from '../../plan/lock/lock.js';
import { isMigrationVersion } from '../../migrate/migration-version.js';
import { Migrator } from '../../migrate/migrator.js';
import { describeApplier } from '../../migrate/migrator-options.js';
import { targetMigrationLock } from '../../migrate/migration-lock.js';
import { DEFAULT_TEXT_MAX_ITEMS } from '../../plan/render/render-text.js';
import { addConnectionOptions } from '../connection.js';
import type { ConnectionFlags, OpenConnection } from '../connection.js';
import { chalkFor } from '../output/colors.js';
import { createReporter, reporterMode } from '../output/progress.js';
import type { Reporter } from '../output/progress.js';
import {
  describeItem,
  migratePreviewJson,
  migrationStatusJson,
  renderMigratePreview,
  renderMigratePreviewMarkdown,
  renderMigrateResult,
  renderMigrationStatus,
} from './migrate-render.js';
import { EXIT_CHANGES_PENDING, parseLimit } from './plan-diff.js';
import { canPrompt, confirm, interruptOnSignals, processIo, reportError, withTarget } from './plan-target.js';
import type { PlanCommandIo } from './plan-target.js';
import { releaseLockAfterConfirmation } from './plan-unlock.js';

/** Flags every `migrate` subcommand takes. */
export interface MigrateFlags extends ConnectionFlags {
  /** The migrations directory. */
  readonly dir: string;
}

/** Flags of `migrate up`. */
export interface MigrateUpFlags extends MigrateFlags {
  readonly to?: string;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly allowOutOfOrder?: boolean;
  readonly json?: boolean;
  readonly format: 'text' | 'markdown' | 'json';
  readonly detailedExitcode?: boolean;
  readonly limit: number;
  readonly onError?: OnErrorPolicy;
  readonly concurrency?: number;
}

function parseVersion(value: string): string {
  if (!isMigrationVersion(value)) {
    throw new InvalidArgumentError(
      'Expected a migration version, e.g. 0003 or 2026-11-29-1200 (the prefix of its file name).',
    );
  }
  return value;
}

function versionList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), parseVersion(value)];
}

function parseConcurrency(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1) throw new InvalidArgumentError('Expected an integer from 1 and up.');
  return number;
}

/** The migrator of a CLI run: ledger, migrations lock and plan engine on the open target. */
function cliMigrator(
  open: OpenConnection,
  target: { url: string; db: string },
  flags: MigrateFlags & { readonly onError?: OnErrorPolicy; readonly concurrency?: number },
): Migrator {
  return new Migrator({
    store: new ConfigParameterLedgerStore(open.client),
    lock: targetMigrationLock(open.client),
    engine: planMigrationEngine(open.client, {
      target,
      apply: {
        // Journals of the migrations' applies live with the project that holds the migrations directory.
        stateDir: stateDirFrom(flags.dir),
        ...(flags.onError === undefined ? {} : { onError: flags.onError }),
        ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
      },
    }),
    dir: flags.dir,
    appliedBy: describeApplier(open.client.username),
  });
}

/** `migrate status`: resolves to the exit code. */
export async function runMigrateStatus(
  flags: MigrateFlags & { readonly json?: boolean },
  io: PlanCommandIo,
): Promise<number> {
  return withTarget(flags, io, async (open, target) => {
    const report = await cliMigrator(open, target, flags).status();
    io.stdout.write(
      flags.json === true
        ? `${JSON.stringify(migrationStatusJson(report, target), null, 2)}\n`
        : renderMigrationStatus(report, target, chalkFor(io.stdout, io.env)),
    );
    return 0;
  });
}

/** `migrate validate`: 0 when every applied migration is unchanged and every plan loads, else 1. */
export async function runMigrateValidate(flags: MigrateFlags, io: PlanCommandIo): Promise<number> {
  return withTarget(flags, io, async (open, target) => {
    const validation = await cliMigrator(open, target, flags).validate();
    const chalk = chalkFor(io.stdout, io.env);
    const total = validation.report.migrations.length;
    if (validation.ok) {
      const applied = validation.report.status.counts.applied;
      io.stdout.write(
        `${chalk.green('OK')}: ${total} migration${total === 1 ? '' : 's'} checked, ${applied} applied and unchanged.\n`,
      );
      return 0;
    }
    const lines: string[] = [];
    if (validation.changed.length > 0) {
      lines.push(
        `${validation.changed.length} applied migration${validation.changed.length === 1 ? '' : 's'} changed since applied:`,
      );
      lines.push(...validation.changed.map((item) => `  ${describeItem(item) ?? item.version}`));
      lines.push(
        'Revert the edit and add a new migration instead; if the edit is intended, record it with `zenoo migrate repair`.',
      );
    }
    if (validation.invalid.length > 0) {
      lines.push(
        `${validation.invalid.length} pending migration${validation.invalid.length === 1 ? '' : 's'} do not load:`,
      );
      lines.push(...validation.invalid.map((item) => `  ${describeItem(item) ?? item.version}`));
    }
    io.stderr.write(`${chalkFor(io.stderr, io.env).red(lines.join('\n'))}\n`);
    return 1;
  });
}

/**
 * The value of a renamed option: the new spelling, else the old one with a deprecation note on stderr (scripts keep
 * working and learn the new name). Both at once is refused: they could disagree.
 */
function renamedOption<T>(
  io: PlanCommandIo,
  current: { readonly name: string; readonly value: T | undefined },
  deprecated: { readonly name: string; readonly value: T | undefined },
): T | undefined {
  if (deprecated.value === undefined) return current.value;
  if (current.value !== undefined) {
    throw new ConfigurationError(`${deprecated.name} is the old name of ${current.name}: give only ${current.name}.`);
  }
  io.stderr.write(`warning: ${deprecated.name} is deprecated here, use ${current.name} (the same meaning).\n`);
  return deprecated.value;
}

/** `migrate baseline --to V` (`--version V` is its deprecated spelling). */
export async function runMigrateBaseline(
  flags: MigrateFlags & { readonly to?: string; readonly version?: string },
  io: PlanCommandIo,
): Promise<number> {
  const version = renamedOption(io, { name: '--to', value: flags.to }, { name: '--version', value: flags.version });
  if (version === undefined) {
    throw new ConfigurationError(
      'migrate baseline needs --to VERSION: the last migration the database already reflects.',
    );
  }
  return withTarget(flags, io, async (open, target) => {
    const written = await cliMigrator(open, target, flags).baseline(version);
    io.stdout.write(
      `Baselined ${target.url} (database ${target.db}) at ${version}: ${written.length} migration${written.length === 1 ? '' : 's'} ` +
        `marked as applied without running:\n${written.map((entry) => `  ${entry.version} ${entry.name}`).join('\n')}\n`,
    );
    return 0;
  });
}

/** `migrate repair`: shows what it would re-record, confirms (unless `--yes`), re-records. */
export async function runMigrateRepair(
  flags: MigrateFlags & {
    readonly yes?: boolean;
    readonly only?: readonly string[];
    /** The deprecated spelling of `only`. */
    readonly version?: readonly string[];
  },
  io: PlanCommandIo,
): Promise<number> {
  const wanted = renamedOption(io, { name: '--only', value: flags.only }, { name: '--version', value: flags.version });
  return withTarget(flags, io, async (open, target) => {
    const migrator = cliMigrator(open, target, flags);
    const report = await migrator.status();
    const changed = report.status.items.filter(
      (item) => item.state === 'changed' && (wanted === undefined || wanted.includes(item.version)),
    );
    if (changed.length === 0 && wanted === undefined) {
      io.stdout.write('Nothing to repair: no applied migration changed.\n');
      return 0;
    }
    if (flags.yes !== true) {
      if (!canPrompt(io)) {
        throw new ConfigurationError(
          'Refusing to repair without --yes: no terminal to confirm on. Check `zenoo migrate status`, then run with --yes.',
        );
      }
      io.stderr.write(`The ledger of ${target.url} (database ${target.db}) will record the current checksums of:\n`);
      io.stderr.write(changed.map((item) => `  ${describeItem(item) ?? item.version}\n`).join(''));
      io.stderr.write('Only do this when the edits are intended: the migrations will NOT be run again.\n');
      if (!(await confirm('Re-record these checksums?', io))) {
        io.stderr.write('Not repaired: nothing was written.\n');
        return 1;
      }
    }
    const repaired = await migrator.repair(wanted === undefined ? {} : { versions: wanted });
    io.stdout.write(
      `Repaired ${repaired.length} ledger entr${repaired.length === 1 ? 'y' : 'ies'}:\n` +
        repaired.map((entry) => `  ${entry.version} ${entry.name}: checksum ${entry.checksum}\n`).join(''),
    );
    return 0;
  });
}

/** `migrate up`: the dry run, or the confirmed run. Resolves to the exit code. */
export async function runMigrateUp(flags: MigrateUpFlags, io: PlanCommandIo): Promise<number> {
  // One grammar with `plan apply`: a dry run prints a preview, where --json is --format json; a run prints events,
  // where --format json is --json. Markdown is a document for review: only a dry run has one.
  if (flags.json === true && flags.format === 'markdown') {
    throw new ConfigurationError('--json and --format markdown ask for two formats: give only one of them.');
  }
  if (flags.dryRun !== true && flags.format === 'markdown') {
    throw new ConfigurationError(
      '--format markdown shows a dry run: add --dry-run, or use --json for the events of the run.',
    );
  }
  const json = flags.json === true || flags.format === 'json';
  let selectOptions: { readonly to?: string; readonly allowOutOfOrder: boolean } = {
    ...(flags.to === undefined ? {} : { to: flags.to }),
    allowOutOfOrder: flags.allowOutOfOrder === true,
  };
  const interruption = interruptOnSignals(io, 'the next `zenoo migrate up`');
  try {
    return await withTarget(flags, io, async (open, target) => {
      const migrator = cliMigrator(open, target, flags);
      if (flags.dryRun === true || flags.yes !== true) {
        if (flags.dryRun !== true && !canPrompt(io)) {
          throw new ConfigurationError(
            'Refusing to migrate without --yes: no terminal to confirm on. Review with `zenoo migrate up --dry-run`, then run with --yes.',
          );
        }
        const preview = await migrator.preview({ ...selectOptions, signal: interruption.signal });
        const stream = flags.dryRun === true ? io.stdout : io.stderr;
        stream.write(
          flags.dryRun !== true
            ? renderMigratePreview(preview, target, chalkFor(stream, io.env), { maxItems: flags.limit })
            : json
              ? migratePreviewJson(preview, target)
              : flags.format === 'markdown'
                ? renderMigratePreviewMarkdown(preview, target)
                : renderMigratePreview(preview, target, chalkFor(stream, io.env), { maxItems: flags.limit }),
        );
        if (flags.dryRun === true) {
          if (preview.hasErrors) return 1;
          return flags.detailedExitcode === true && preview.hasChanges ? EXIT_CHANGES_PENDING : 0;
        }
        if (preview.hasErrors) {
          io.stderr.write('Not migrated: fix the migrations above first; nothing was written.\n');
          return 1;
        }
        if (preview.migrations.length === 0) return 0;
        if (
          !(await confirm(
            `Apply ${preview.migrations.length} migration(s) to ${target.url} (database ${target.db})?`,
            io,
          ))
        ) {
          io.stderr.write('Not migrated: nothing was written.\n');
          return 1;
        }
        // Run no further than what was reviewed, even if a migration file appears before the run starts.
        const last = preview.migrations.at(-1);
        if (last !== undefined) selectOptions = { ...selectOptions, to: last.version };
      }
      const stream = json ? io.stdout : io.stderr;
      const chalk = chalkFor(stream, io.env);
      let reporter: Reporter | undefined;
      const onEvent = (event: MigrateEvent): void => {
        if (json) {
          stream.write(`${JSON.stringify({ ts: new Date().toISOString(), ...event })}\n`);
          return;
        }
        switch (event.type) {
          case 'lock-taken-over':
            stream.write(
              chalk.yellow(`Took over the stale lock ${event.key} held by ${describeHolder(event.holder)}.\n`),
            );
            return;
          case 'migration-start':
            stream.write(chalk.bold(`== ${event.version} ${event.name} (${event.index + 1}/${event.total})\n`));
            // One reporter per migration: its progress bars belong to one plan run.
            reporter = createReporter(reporterMode(false, stream), stream, chalk);
            interruption.attach(reporter);
            return;
          case 'apply':
            reporter?.onEvent(event.event);
            return;
          case 'migration-done':
            reporter?.stop();
            reporter = undefined;
            interruption.attach(undefined);
            return;
          default:
            return;
        }
      };
      try {
        const result = await migrator.up({ ...selectOptions, signal: interruption.signal, onEvent });
        if (!json) io.stdout.write(renderMigrateResult(result, chalkFor(io.stdout, io.env)));
        return result.status === 'succeeded' ? 0 : 1;
      } finally {
        reporter?.stop();
        interruption.attach(undefined);
      }
    });
  } finally {
    interruption.dispose();
  }
}

/** `migrate unlock`: releases the migrations lock left by a run that died on another host (after confirmation). */
export async function runMigrateUnlock(
  flags: ConnectionFlags & { readonly yes?: boolean },
  io: PlanCommandIo,
): Promise<number> {
  return withTarget(flags, io, (open, target) =>
    releaseLockAfterConfirmation(open.client, MIGRATIONS_LOCK_NAME, flags, io, {
      noLock: `no migration run holds ${lockKey(MIGRATIONS_LOCK_NAME)} on ${target.url} (database ${target.db})`,
      holderKind: 'run',
    }),
  );
}

function addDirOption(command: Command): Command {
  return command.option('--dir <dir>', 'the migrations directory', DEFAULT_MIGRATIONS_DIR);
}

/** The exit-code epilogue of a `migrate` subcommand (every command's help ends with its exit codes). */
function exitCodes(command: Command, text: string): Command {
  return command.addHelpText('after', `\nExit codes: ${text}`);
}

/** Registers the `zenoo migrate` command group on `program`. */
export function registerMigrateCommand(program: Command, io: PlanCommandIo = processIo()): void {
  const migrate = program
    .command('migrate')
    .description(
      `Versioned data migrations: the plans of ${DEFAULT_MIGRATIONS_DIR}/ (VERSION-NAME.yaml) run in order, once per target, recorded in its ledger.`,
    );
  const action =
    <F>(run: (flags: F, io: PlanCommandIo) => Promise<number>) =>
    async (flags: F): Promise<void> => {
      try {
        process.exitCode = await run(flags, io);
      } catch (error) {
        process.exitCode = reportError(io, error);
      }
    };

  const status = migrate
    .command('status')
    .description('Show each migration: applied, changed, missing, pending or out of order.')
    .option('--json', 'print a JSON document instead of the table');
  exitCodes(addConnectionOptions(addDirOption(status)), '0 the status was shown, 1 error.').action(
    action(runMigrateStatus),
  );

  const validate = migrate
    .command('validate')
    .description("Exit 1 when an applied migration's file changed (naming file, recorded and current checksum).");
  exitCodes(
    addConnectionOptions(addDirOption(validate)),
    '0 every applied migration is unchanged and every plan loads, 1 one changed or does not load (or error).',
  ).action(action(runMigrateValidate));

  const up = migrate
    .command('up')
    .description('Apply the pending migrations in order through the plan engine; each is recorded once fully done.')
    .option('--to <version>', 'stop after this version', parseVersion)
    .option('--dry-run', 'show what each pending migration would do, in order; write nothing')
    .option('-y, --yes', 'apply without asking (required when not on a terminal)')
    .option('--allow-out-of-order', 'also apply pending migrations older than the last applied one')
    .option(
      '--json',
      'write an NDJSON event stream to stdout instead of progress and summary (with --dry-run: the preview as JSON)',
    )
    .addOption(
      new Option('--format <format>', 'output format (markdown: --dry-run only)')
        .choices(['text', 'markdown', 'json'])
        .default('text'),
    )
    .option('--detailed-exitcode', 'with --dry-run: exit with 2 when changes are pending')
    .option(
      '--limit <n>',
      'items listed per step and kind in the dry run, 0 for all',
      parseLimit,
      DEFAULT_TEXT_MAX_ITEMS,
    )
    .addOption(
      new Option('--on-error <policy>', 'when a chunk fails: stop, continue, or isolate the bad records').choices([
        'stop',
        'continue',
        'isolate',
      ]),
    )
    .option('--concurrency <n>', "write calls in flight at once (default: each plan's concurrency)", parseConcurrency);
  exitCodes(
    addConnectionOptions(addDirOption(up)),
    '0 applied or nothing to do, 1 error / a migration failed / interrupted (run again to resume),\n' +
      '2 changes pending (--dry-run --detailed-exitcode).',
  ).action(action(runMigrateUp));

  const baseline = migrate
    .command('baseline')
    .description(
      'Mark every migration up to VERSION as applied without running it (an existing database without ledger).',
    )
    .option('--to <version>', 'the last migration the database already reflects (required)', parseVersion)
    .addOption(new Option('--version <version>', 'deprecated: use --to').argParser(parseVersion).hideHelp());
  exitCodes(addConnectionOptions(addDirOption(baseline)), '0 baselined, 1 error (nothing was recorded).').action(
    action(runMigrateBaseline),
  );

  const repair = migrate
    .command('repair')
    .description('Re-record the checksums of applied migrations whose files were edited on purpose (asks first).')
    .option('-y, --yes', 'repair without asking (required when not on a terminal)')
    .option('--only <version...>', 'only these versions', versionList)
    .addOption(new Option('--version <version...>', 'deprecated: use --only').argParser(versionList).hideHelp());
  exitCodes(
    addConnectionOptions(addDirOption(repair)),
    '0 repaired or nothing to repair, 1 error, declined, or refused without --yes.',
  ).action(action(runMigrateRepair));

  const unlock = migrate
    .command('unlock')
    .description('Release the migrations lock of the target (a run that died on another host), after confirmation.')
    .option('-y, --yes', 'release without asking (required when not on a terminal)');
  exitCodes(
    addConnectionOptions(unlock),
    '0 released (or no lock), 1 error, declined, or refused without --yes.',
  ).action(action(runMigrateUnlock));

  migrate.addHelpText(
    'after',
    '\nExit codes: 0 success or nothing to do; 1 error, validation failed or a migration failed (run `migrate up` again to\n' +
      'resume it); 2 changes pending (`up --dry-run --detailed-exitcode`).',
  );
}
