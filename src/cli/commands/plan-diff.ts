/**
 * `zenoo plan diff FILE`: the dry run. Validates the plan (also against the target's fields), reads the live state in
 * chunks, and prints what applying it would change as coloured text, markdown (`--format markdown`, for a pull-request
 * comment) or versioned JSON (`--format json`, or `--json` as on every command). `--out FILE` saves the diff for
 * `zenoo plan apply FILE`.
 *
 * Exit codes: 0 (no error; with `--detailed-exitcode`: no changes), 1 error, 2 changes pending (`--detailed-exitcode`).
 *
 * @packageDocumentation
 */
import { projectStateDir } from '../project-state-dir.js';
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { ConfigurationError } from '../../errors.js';
import { computeDiff } from '../../plan/diff/diff-plan.js';
import { hasChanges } from '../../plan/model/diff-types.js';
import type { Diff } from '../../plan/model/diff-types.js';
import { renderDiffJson } from '../../plan/render/render-json.js';
import { renderDiffMarkdown } from '../../plan/render/render-markdown.js';
import { DEFAULT_TEXT_MAX_ITEMS, renderDiffText } from '../../plan/render/render-text.js';
import { addConnectionOptions } from '../connection.js';
import type { ConnectionFlags } from '../connection.js';
import { chalkFor, diffStyle } from '../output/colors.js';
import { describeConnectionInfo } from '../output/progress.js';
import { prepareRemote, loadPlanFile, processIo, reportError, withTarget } from './plan-target.js';
import type { PlanCommandIo } from './plan-target.js';
import { planCommand } from './plan.js';

/** Exit code of a dry run that found changes, with `--detailed-exitcode`. */
export const EXIT_CHANGES_PENDING = 2;

/** Output formats of a diff. */
export type DiffFormat = 'text' | 'markdown' | 'json';

/** Flags of `plan diff` (and of `plan apply --dry-run`). */
export interface DiffFlags extends ConnectionFlags {
  /** Output format. @default 'text' */
  readonly format?: DiffFormat;
  /** The same as `--format json` (every command that prints a document takes `--json`). */
  readonly json?: boolean;
  /** Also save the diff as JSON to this file. */
  readonly out?: string;
  /** Exit with 2 when changes are pending. @default false */
  readonly detailedExitcode?: boolean;
  /** Items per step and kind in text output (0: all). @default DEFAULT_TEXT_MAX_ITEMS */
  readonly limit?: number;
}

/** Parses `--limit`. */
export function parseLimit(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('Expected a number of items (0 shows all).');
  return Number(value);
}

/**
 * The format a dry run prints in: `--json` is `--format json`, as on every other command. Asking for JSON and
 * markdown at once is refused rather than silently picking one.
 */
export function diffFormat(flags: Pick<DiffFlags, 'format' | 'json'>): DiffFormat {
  if (flags.json === true) {
    if (flags.format === 'markdown') {
      throw new ConfigurationError('--json and --format markdown ask for two formats: give only one of them.');
    }
    return 'json';
  }
  return flags.format ?? 'text';
}

/** The diff in the asked format. */
export function renderDiff(diff: Diff, format: DiffFormat, io: PlanCommandIo, limit: number, server?: string): string {
  switch (format) {
    case 'json':
      return renderDiffJson(diff);
    case 'markdown':
      return renderDiffMarkdown(diff);
    case 'text':
      return renderDiffText(diff, { style: diffStyle(chalkFor(io.stdout, io.env)), maxItems: limit, server });
    default:
      return format satisfies never;
  }
}

/**
 * Adds the output options of a dry run to `command`. `jsonHelp` describes `--json` where it means more than the diff
 * as JSON (`plan apply`: the event stream of a run).
 */
export function addDiffOutputOptions(command: Command, jsonHelp = 'the same as --format json'): Command {
  return command
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .option('--json', jsonHelp)
    .option('--out <file>', 'also save the diff as JSON, to apply it later exactly as reviewed (zenoo plan apply FILE)')
    .option('--detailed-exitcode', 'exit with 2 when changes are pending (0: none, 1: error)')
    .option(
      '--limit <n>',
      'items listed per step and kind in text output, 0 for all',
      parseLimit,
      DEFAULT_TEXT_MAX_ITEMS,
    );
}

/** Runs a dry run and prints it; resolves to the exit code. */
export async function runDiff(file: string, flags: DiffFlags, io: PlanCommandIo): Promise<number> {
  const format = diffFormat(flags);
  const plan = await loadPlanFile(file);
  const { diff, info } = await withTarget(
    { ...flags, stateDir: projectStateDir(file) },
    io,
    async (open, target, _connection, info) => {
      const prepared = await prepareRemote(plan, open, io);
      return { diff: await computeDiff(plan, open.client, { target, prepared }), info };
    },
  );
  if (flags.out !== undefined) await writeFile(flags.out, renderDiffJson(diff));
  // The text header names the server and the transport; markdown and JSON stay exactly the diff (comments, files).
  io.stdout.write(renderDiff(diff, format, io, flags.limit ?? DEFAULT_TEXT_MAX_ITEMS, describeConnectionInfo(info)));
  return flags.detailedExitcode === true && hasChanges(diff) ? EXIT_CHANGES_PENDING : 0;
}

/** Registers `plan diff` on `program` (under the `plan` command group). */
export function registerPlanDiffCommand(program: Command, io: PlanCommandIo = processIo()): void {
  const command = planCommand(program)
    .command('diff')
    .description('Show what applying a plan would change (dry run): creates, per-field updates, deletes.')
    .argument('<file>', 'the plan file');
  addDiffOutputOptions(command);
  addConnectionOptions(command);
  command.addHelpText(
    'after',
    '\nExit codes: 0 no error (no changes with --detailed-exitcode), 1 error, 2 changes pending (--detailed-exitcode).',
  );
  command.action(async (file: string, flags: DiffFlags) => {
    try {
      process.exitCode = await runDiff(file, flags, io);
    } catch (error) {
      process.exitCode = reportError(io, error);
    }
  });
}
