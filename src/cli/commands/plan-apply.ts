/**
 * `zenoo plan apply FILE`: applies a plan (or a diff saved with `zenoo plan diff --out`) to the target, in chunks on
 * the Batch API, with a checkpoint journal under `.zenoo/`: after a failure or Ctrl-C, the same command resumes where
 * it stopped. Asks for confirmation on a terminal unless `--yes`, and refuses to run unattended without `--yes`.
 *
 * Exit codes: 0 applied (or nothing to do), 1 error, rejected records, or interrupted (resumable);
 * with `--dry-run`, those of `zenoo plan diff`.
 *
 * @packageDocumentation
 */
import { projectStateDir } from '../project-state-dir.js';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import type { OnErrorPolicy } from '../../batch/batch-options.js';
import { ConfigurationError } from '../../errors.js';
import { applyDiff, applyPlan } from '../../plan/apply/apply.js';
import type { ApplyOptions } from '../../plan/apply/apply-options.js';
import type { ApplyResult } from '../../plan/apply/apply-events.js';
import { computeDiff } from '../../plan/diff/diff-plan.js';
import { hasChanges } from '../../plan/model/diff-types.js';
import type { Diff } from '../../plan/model/diff-types.js';
import { readDiffFile } from '../../plan/render/render-json.js';
import { DEFAULT_TEXT_MAX_ITEMS, renderDiffText } from '../../plan/render/render-text.js';
import { addConnectionOptions } from '../connection.js';
import { chalkFor, diffStyle } from '../output/colors.js';
import { createReporter, reporterMode } from '../output/progress.js';
import { renderSummary } from '../output/summary.js';
import { addDiffOutputOptions, diffFormat, renderDiff, runDiff } from './plan-diff.js';
import type { DiffFlags } from './plan-diff.js';
import {
  canPrompt,
  prepareRemote,
  confirm,
  interruptOnSignals,
  loadPlanFile,
  processIo,
  reportError,
  withTarget,
} from './plan-target.js';
import type { PlanCommandIo } from './plan-target.js';
import { planCommand } from './plan.js';

/** Flags of `plan apply`. */
export interface ApplyFlags extends DiffFlags {
  readonly yes?: boolean;
  readonly dryRun?: boolean;
  readonly restart?: boolean;
  readonly json?: boolean;
  readonly onError?: OnErrorPolicy;
  readonly rejects?: string;
  readonly concurrency?: number | 'auto';
  readonly chunkSize?: number | 'auto';
}

function parseConcurrency(value: string): number | 'auto' {
  if (value === 'auto') return value;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1 || number > 32)
    throw new InvalidArgumentError('Expected an integer from 1 to 32, or auto.');
  return number;
}

function parseChunkSize(value: string): number | 'auto' {
  if (value === 'auto') return value;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1 || number > 10000)
    throw new InvalidArgumentError('Expected an integer from 1 to 10000, or auto.');
  return number;
}

/** Whether FILE is a saved diff rather than a plan. */
function isSavedDiff(file: string): boolean {
  return /\.json$/i.test(file);
}

function outcomeMessage(result: ApplyResult): string | undefined {
  switch (result.status) {
    case 'succeeded':
      return undefined;
    case 'interrupted':
      return `Interrupted: the chunks in flight finished and were recorded. Run the same command again to resume (journal ${result.journal}).`;
    case 'failed':
      return (
        `Apply failed${result.error ? `: ${result.error.message}` : ' (some records were rejected)'}.\n` +
        `Fix the cause and run the same command again: it resumes where it stopped (journal ${result.journal}); --restart starts over.`
      );
    default:
      return result.status satisfies never;
  }
}

/** Applies a plan or a saved diff; resolves to the exit code. */
export async function runApply(file: string, flags: ApplyFlags, io: PlanCommandIo): Promise<number> {
  if (flags.dryRun) {
    // A dry run prints a diff: --json and --format mean there what they mean for `plan diff`.
    const format = diffFormat(flags);
    if (isSavedDiff(file)) {
      const diff = await readDiffFile(file);
      io.stdout.write(renderDiff(diff, format, io, flags.limit ?? DEFAULT_TEXT_MAX_ITEMS));
      return flags.detailedExitcode === true && hasChanges(diff) ? 2 : 0;
    }
    return runDiff(file, flags, io);
  }
  // An apply prints events: --format json asks for them as JSON, like --json; there is no markdown of a run.
  if (flags.format === 'markdown') {
    throw new ConfigurationError(
      '--format markdown shows a dry run: add --dry-run, or use --json for the events of the apply.',
    );
  }
  const json = flags.json === true || flags.format === 'json';
  // Refused before connecting: an unattended run without --yes must not even start a sandbox or log in.
  if (flags.yes !== true && !canPrompt(io)) {
    throw new ConfigurationError(
      'Refusing to apply without --yes: no terminal to confirm on. Review the changes with `zenoo plan diff`, then apply with --yes.',
    );
  }
  const saved = isSavedDiff(file) ? await readDiffFile(file) : undefined;
  const plan = saved === undefined ? await loadPlanFile(file) : undefined;

  const interruption = interruptOnSignals(io, 'the next apply');
  try {
    return await withTarget(
      { ...flags, stateDir: projectStateDir(file) },
      io,
      async (open, target, _connection, info) => {
        if (saved !== undefined && (saved.target.url !== target.url || saved.target.db !== target.db)) {
          throw new ConfigurationError(
            `${file} was made against ${saved.target.url} (database ${saved.target.db}), not ${target.url} (database ${target.db}). ` +
              'Make a diff against this target with zenoo plan diff.',
          );
        }
        // The one preparation of the run (fields, checks, references): the preview and the apply take it as it is.
        const prepared = plan !== undefined ? await prepareRemote(plan, open, io, interruption.signal) : undefined;
        // At the prompt, the diff shown is the diff applied: records changed between the two are refused, by name.
        let confirmed: Diff | undefined;
        if (flags.yes !== true) {
          const preview: Diff =
            saved ?? (await computeDiff(plan!, open.client, { target, signal: interruption.signal, prepared }));
          io.stderr.write(
            renderDiffText(preview, {
              style: diffStyle(chalkFor(io.stderr, io.env)),
              maxItems: flags.limit ?? DEFAULT_TEXT_MAX_ITEMS,
            }),
          );
          if (!hasChanges(preview)) return 0;
          if (!(await confirm(`Apply these changes to ${target.url} (database ${target.db})?`, io))) {
            io.stderr.write('Not applied: nothing was written.\n');
            return 1;
          }
          confirmed = preview;
        }
        const stream = json ? io.stdout : io.stderr;
        const chalk = chalkFor(stream, io.env);
        const reporter = createReporter(reporterMode(json, stream), stream, chalk, info);
        interruption.attach(reporter);
        const options: ApplyOptions = {
          target,
          // The journal lives with the project, whatever directory the command runs in.
          stateDir: projectStateDir(file),
          restart: flags.restart === true,
          onError: flags.onError,
          concurrency: flags.concurrency,
          chunkSize: flags.chunkSize,
          rejectsFile: flags.rejects,
          onEvent: reporter.onEvent,
          signal: interruption.signal,
          ...(prepared !== undefined ? { prepared } : {}),
        };
        let result: ApplyResult;
        try {
          result =
            saved !== undefined
              ? await applyDiff(saved, open.client, options)
              : confirmed !== undefined
                ? await applyDiff(confirmed, open.client, options)
                : await applyPlan(plan!, open.client, options);
        } finally {
          reporter.stop();
          interruption.attach(undefined);
        }
        if (!json) {
          io.stdout.write(renderSummary(result));
          const message = outcomeMessage(result);
          if (message !== undefined) io.stderr.write(`${chalk.red(message)}\n`);
        }
        return result.status === 'succeeded' ? 0 : 1;
      },
    );
  } finally {
    interruption.dispose();
  }
}

/** Registers `plan apply` on `program` (under the `plan` command group). */
export function registerPlanApplyCommand(program: Command, io: PlanCommandIo = processIo()): void {
  const command = planCommand(program)
    .command('apply')
    .description('Apply a plan (or a diff saved with `plan diff --out`) to the target; resumes an interrupted apply.')
    .argument('<file>', 'the plan file, or a saved diff (.json)')
    .option('-y, --yes', 'apply without asking (required when not on a terminal)')
    .option('--dry-run', 'only show what would change (like zenoo plan diff)')
    .option('--restart', 'forget the journal of an unfinished apply and start over')
    .addOption(
      new Option('--on-error <policy>', 'when a chunk fails: stop, continue, or isolate the bad records').choices([
        'stop',
        'continue',
        'isolate',
      ]),
    )
    .option('--rejects <file>', 'write rejected rows (JSON lines: the row plus _error, _code, _step, _row) to FILE')
    .option(
      '--concurrency <n>',
      "write calls in flight at once, or auto to find it as the run goes (default: the plan's concurrency)",
      parseConcurrency,
    )
    .option(
      '--chunk-size <n>',
      "records per write call of every step, or auto to find it as each step goes (default: each step's chunk_size)",
      parseChunkSize,
    );
  addDiffOutputOptions(
    command,
    'an NDJSON event stream on stdout instead of the progress bar and summary (with --dry-run: the diff as JSON)',
  );
  addConnectionOptions(command);
  command.addHelpText(
    'after',
    '\nExit codes: 0 applied or nothing to do, 1 error / rejected records / interrupted (run again to resume),\n' +
      '2 changes pending (--dry-run --detailed-exitcode).',
  );
  command.action(async (file: string, flags: ApplyFlags) => {
    try {
      process.exitCode = await runApply(file, flags, io);
    } catch (error) {
      process.exitCode = reportError(io, error);
    }
  });
}
