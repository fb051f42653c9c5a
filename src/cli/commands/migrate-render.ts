/**
 * How `zenoo migrate` shows a migration report: a table for people, a versioned JSON document for scripts.
 *
 * @packageDocumentation
 */
import type { ChalkInstance } from 'chalk';
import type { LedgerEntry } from '../../migrate/ledger.js';
import type { MigrationState, MigrationStatusItem } from '../../migrate/migration-status.js';
import { MIGRATION_STATES, describeChangedMigration } from '../../migrate/migration-status.js';
import type { MigratePreview, MigrateResult } from '../../migrate/migrate-events.js';
import type { MigrationReport } from '../../migrate/migrator-options.js';
import { renderDiffMarkdown } from '../../plan/render/render-markdown.js';
import { renderDiffText } from '../../plan/render/render-text.js';
import { diffStyle } from '../output/colors.js';
import { formatDuration } from '../output/summary.js';

/** Version of the `zenoo migrate status --json` document. */
export const MIGRATE_STATUS_FORMAT_VERSION = 1;

/** The target a report was read from (never with credentials). */
export interface ReportTarget {
  /** Server URL. */
  readonly url: string;
  /** Database. */
  readonly db: string;
}

/** One migration in the JSON document. */
export interface MigrationStatusJson {
  readonly version: string;
  readonly name: string;
  readonly state: MigrationState;
  /** Path of the file, or null when missing. */
  readonly file: string | null;
  /** Current checksum, or null when missing or when the plan does not load. */
  readonly checksum: string | null;
  /** The ledger entry, or null when not recorded. */
  readonly recorded: LedgerEntry | null;
  /** What differs, for `changed`. */
  readonly differences: readonly string[];
  /** Why the plan does not load, or null. */
  readonly problem: string | null;
}

/** The `zenoo migrate status --json` document. */
export interface MigrateStatusJson {
  readonly formatVersion: typeof MIGRATE_STATUS_FORMAT_VERSION;
  readonly target: ReportTarget;
  readonly dir: string;
  readonly ledger: string;
  readonly counts: Readonly<Record<MigrationState, number>>;
  readonly lastApplied: string | null;
  readonly migrations: readonly MigrationStatusJson[];
  readonly ignored: readonly { readonly file: string; readonly reason: string }[];
}

/** The JSON form of a report. */
export function migrationStatusJson(report: MigrationReport, target: ReportTarget): MigrateStatusJson {
  return {
    formatVersion: MIGRATE_STATUS_FORMAT_VERSION,
    target: { url: target.url, db: target.db },
    dir: report.dir,
    ledger: report.ledger,
    counts: report.status.counts,
    lastApplied: report.status.lastRecorded ?? null,
    migrations: report.status.items.map((item) => ({
      version: item.version,
      name: item.name,
      state: item.state,
      file: item.file ?? null,
      checksum: item.checksum ?? null,
      recorded: item.entry ?? null,
      differences: item.differences ?? [],
      problem: item.problem ?? null,
    })),
    ignored: report.ignored.map((entry) => ({ file: entry.fileName, reason: entry.reason })),
  };
}

function stateColor(state: MigrationState, chalk: ChalkInstance): (text: string) => string {
  switch (state) {
    case 'applied':
      return (text) => chalk.green(text);
    case 'pending':
      return (text) => chalk.cyan(text);
    case 'changed':
    case 'out-of-order':
      return (text) => chalk.red(text);
    case 'missing':
      return (text) => chalk.yellow(text);
    default:
      return state satisfies never;
  }
}

const IGNORED_REASONS: Readonly<Record<string, string>> = {
  'not-yaml': 'not a YAML plan',
  directory: 'directory (data files)',
  hidden: 'hidden',
};

/** One line per changed/problem item explaining it. */
export function describeItem(item: MigrationStatusItem): string | undefined {
  if (item.state === 'changed') {
    return describeChangedMigration(item);
  }
  if (item.state === 'missing') {
    return `${item.version} ${item.name}: recorded as applied, but no file of that version exists`;
  }
  if (item.state === 'out-of-order') {
    return `${item.file ?? item.version}: older than the last applied migration; \`migrate up\` needs --allow-out-of-order`;
  }
  if (item.problem !== undefined) {
    return `${item.file ?? item.version}: plan does not load: ${item.problem}`;
  }
  return undefined;
}

/** The status table, its notes and a summary line. Ends with a newline. */
export function renderMigrationStatus(report: MigrationReport, target: ReportTarget, chalk: ChalkInstance): string {
  const lines: string[] = [`Migrations in ${report.dir} on ${target.url} (database ${target.db}):`];
  const items = report.status.items;
  if (items.length === 0) {
    lines.push('  (no migrations, nothing recorded)');
  } else {
    const header = ['VERSION', 'NAME', 'STATE', 'APPLIED AT', 'BY'];
    const rows = items.map((item) => [
      item.version,
      item.name,
      item.state + (item.entry?.kind === 'baseline' ? ' (baseline)' : ''),
      item.entry?.appliedAt ?? '',
      item.entry?.appliedBy ?? '',
    ]);
    const widths = header.map((title, column) =>
      Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
    );
    const format = (cells: readonly string[]): string =>
      cells
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd();
    lines.push(chalk.bold(format(header)));
    rows.forEach((row, index) => {
      const item = items[index];
      const text = format(row);
      if (item === undefined) {
        return;
      }
      // Colour only the state column so that the table stays aligned.
      const start = (widths[0] ?? 0) + (widths[1] ?? 0) + 4;
      const stateWidth = widths[2] ?? 0;
      lines.push(
        text.slice(0, start) +
          stateColor(item.state, chalk)(text.slice(start, start + stateWidth)) +
          text.slice(start + stateWidth),
      );
    });
  }
  const notes = items.map(describeItem).filter((note): note is string => note !== undefined);
  if (notes.length > 0) {
    lines.push('', ...notes.map((note) => `  ${note}`));
  }
  const ignored = report.ignored.filter((entry) => entry.reason !== 'directory' && entry.reason !== 'hidden');
  if (ignored.length > 0) {
    lines.push(
      '',
      `Ignored (not migrations): ${ignored.map((entry) => `${entry.fileName} (${IGNORED_REASONS[entry.reason] ?? entry.reason})`).join(', ')}`,
    );
  }
  const counts = MIGRATION_STATES.filter((state) => report.status.counts[state] > 0).map(
    (state) => `${report.status.counts[state]} ${state}`,
  );
  lines.push('', counts.length === 0 ? 'Nothing to report.' : `${counts.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}

/** Version of the `zenoo migrate up --dry-run --format json` document. */
export const MIGRATE_PREVIEW_FORMAT_VERSION = 1;

/** The JSON form of a dry run. */
export function migratePreviewJson(preview: MigratePreview, target: ReportTarget): string {
  return `${JSON.stringify(
    {
      formatVersion: MIGRATE_PREVIEW_FORMAT_VERSION,
      target: { url: target.url, db: target.db },
      hasChanges: preview.hasChanges,
      migrations: preview.migrations.map((migration) => ({
        version: migration.version,
        name: migration.name,
        file: migration.file,
        diff: migration.diff ?? null,
        dependent: migration.dependent,
        blocked: migration.blocked ?? null,
        error: migration.error ?? null,
      })),
      missing: preview.missing.map((item) => ({ version: item.version, name: item.name })),
    },
    null,
    2,
  )}\n`;
}

/** The text of a dry run: per pending migration in order, its diff, its dependent steps, or why it has none. */
export function renderMigratePreview(
  preview: MigratePreview,
  target: ReportTarget,
  chalk: ChalkInstance,
  options: { readonly maxItems?: number } = {},
): string {
  const style = diffStyle(chalk);
  const out: string[] = [];
  for (const item of preview.missing) {
    out.push(
      chalk.yellow(
        `warning: migration ${item.version} (${item.name}) is recorded as applied but has no file any more.\n`,
      ),
    );
  }
  if (preview.migrations.length === 0) {
    out.push(`Nothing to migrate on ${target.url} (database ${target.db}): every migration is applied.\n`);
    return out.join('');
  }
  out.push(
    `${preview.migrations.length} pending migration${preview.migrations.length === 1 ? '' : 's'} on ${target.url} ` +
      `(database ${target.db}), in the order they would run:\n\n`,
  );
  for (const migration of preview.migrations) {
    out.push(chalk.bold(`== ${migration.version} ${migration.name}`) + chalk.dim(`  (${migration.file})`) + '\n');
    if (migration.error !== undefined) {
      out.push(`${chalk.red(`cannot run: ${migration.error.message}`)}\n\n`);
      continue;
    }
    if (migration.blocked !== undefined) {
      out.push(
        chalk.yellow(
          'Cannot be previewed before the earlier pending migrations have run; reading the target as it is now failed:\n',
        ) + `  ${migration.blocked.message.replace(/\n/g, '\n  ')}\n`,
      );
    } else if (migration.diff !== undefined && migration.diff.steps.length > 0) {
      out.push(
        renderDiffText(migration.diff, {
          style,
          ...(options.maxItems === undefined ? {} : { maxItems: options.maxItems }),
        }),
      );
    }
    if (migration.dependent.length > 0) {
      out.push(
        chalk.yellow(
          `${migration.dependent.length} step${migration.dependent.length === 1 ? ' depends' : 's depend'} on what earlier pending ` +
            'migrations write; what they will do is known only once those have run, so it is not guessed here:\n',
        ),
      );
      for (const step of migration.dependent) {
        out.push(`  ? ${chalk.bold(step.step)}  ${step.model}  ${step.action}  (after ${step.on.join(', ')})\n`);
        for (const reason of step.reasons) {
          out.push(chalk.dim(`      ${reason}\n`));
        }
      }
    }
    out.push('\n');
  }
  return out.join('');
}

/**
 * The markdown of a dry run, for a pull-request comment: per pending migration in order, its diff as `plan diff
 * --format markdown` shows it, its dependent steps, or why it has none. Ends with a newline.
 */
export function renderMigratePreviewMarkdown(preview: MigratePreview, target: ReportTarget): string {
  const out: string[] = [];
  for (const item of preview.missing) {
    out.push(
      `> **Warning**: migration ${item.version} (${item.name}) is recorded as applied but has no file any more.\n\n`,
    );
  }
  if (preview.migrations.length === 0) {
    out.push(`Nothing to migrate on \`${target.db}\`: every migration is applied.\n`);
    return out.join('');
  }
  out.push(
    `# zenoo migrate on \`${target.db}\`: ${preview.migrations.length} pending migration${preview.migrations.length === 1 ? '' : 's'}, ` +
      'in the order they would run\n\n',
  );
  for (const migration of preview.migrations) {
    out.push(`---\n\n**${migration.version} ${migration.name}** (\`${migration.file}\`)\n\n`);
    if (migration.error !== undefined) {
      out.push(`Cannot run: ${migration.error.message}\n\n`);
      continue;
    }
    if (migration.blocked !== undefined) {
      out.push(
        'Cannot be previewed before the earlier pending migrations have run; reading the target as it is now failed:\n\n' +
          `\`\`\`\n${migration.blocked.message}\n\`\`\`\n\n`,
      );
    } else if (migration.diff !== undefined && migration.diff.steps.length > 0) {
      out.push(`${renderDiffMarkdown(migration.diff)}\n`);
    }
    if (migration.dependent.length > 0) {
      out.push('Known only once the earlier pending migrations have run (not guessed here):\n\n');
      for (const step of migration.dependent) {
        out.push(`- \`${step.step}\` ${step.model} ${step.action} (after ${step.on.join(', ')})\n`);
      }
      out.push('\n');
    }
  }
  return out.join('');
}

/** The final lines of `migrate up`: one per migration and the outcome. Ends with a newline. */
export function renderMigrateResult(result: MigrateResult, chalk: ChalkInstance): string {
  const lines: string[] = [];
  if (result.migrations.length === 0) {
    lines.push('Nothing to migrate: every migration is applied.');
  }
  for (const migration of result.migrations) {
    switch (migration.status) {
      case 'applied':
        lines.push(
          `${chalk.green('✓')} ${migration.version} ${migration.name}: applied in ${formatDuration(migration.durationMs)}`,
        );
        break;
      case 'failed':
      case 'interrupted':
        lines.push(
          `${chalk.red('✗')} ${migration.version} ${migration.name}: ${migration.status}` +
            (migration.error ? ` (${migration.error.message})` : ''),
        );
        break;
      case 'not-executed':
        lines.push(chalk.dim(`- ${migration.version} ${migration.name}: not run`));
        break;
      default:
        migration.status satisfies never;
    }
  }
  for (const item of result.missing) {
    lines.push(
      chalk.yellow(
        `warning: migration ${item.version} (${item.name}) is recorded as applied but has no file any more.`,
      ),
    );
  }
  const applied = result.migrations.filter((migration) => migration.status === 'applied').length;
  if (result.status === 'succeeded') {
    if (result.migrations.length > 0) {
      lines.push(`${applied} migration${applied === 1 ? '' : 's'} applied in ${formatDuration(result.durationMs)}.`);
    }
  } else {
    lines.push(
      chalk.red(
        `Migration stopped (${result.status}): ${applied} applied and recorded before it. Fix the cause and run ` +
          '`zenoo migrate up` again: the unfinished migration resumes from its journal.',
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
