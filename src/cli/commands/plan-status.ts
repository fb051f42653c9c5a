/**
 * `zenoo plan status FILE`: what the checkpoint journal of a plan says about the target: the last run and how it
 * ended, the steps done, the chunks in doubt (sent, outcome unknown: the next apply reconciles them), the last error,
 * and whether the plan changed since. Reads only the local journal: it does not connect.
 *
 * @packageDocumentation
 */
import type { Command } from 'commander';
import { DEFAULT_STATE_DIR, journalPath, readJournal } from '../../plan/checkpoint/journal.js';
import type { JournalState } from '../../plan/checkpoint/journal.js';
import { readDiffFile } from '../../plan/render/render-json.js';
import { addConnectionOptions, resolveConnection } from '../connection.js';
import type { ConnectionFlags } from '../connection.js';
import { loadPlanFile, processIo, reportError, targetIdentity } from './plan-target.js';
import type { PlanCommandIo } from './plan-target.js';
import { planCommand } from './plan.js';

/** Flags of `plan status`. */
export interface StatusFlags extends ConnectionFlags {
  readonly json?: boolean;
}

/** A JSON-safe view of a journal state. */
export function statusView(state: JournalState, planFingerprint: string, stepIds: readonly string[]) {
  return {
    journal: state.file,
    exists: state.exists,
    lastStatus: state.lastStatus ?? null,
    runs: state.runs,
    planChanged: state.exists && !state.complete && state.fingerprint !== planFingerprint,
    steps: stepIds.map((step) => ({
      step,
      done: state.stepsDone.has(step),
      counts: state.stepsDone.get(step) ?? null,
    })),
    chunksInDoubt: state.chunksInDoubt.map((chunk) => ({
      step: chunk.step,
      action: chunk.action,
      chunk: chunk.chunk,
      rows: chunk.rows,
    })),
    lastError: state.lastError
      ? { step: state.lastError.step ?? null, code: state.lastError.code, message: state.lastError.message }
      : null,
  };
}

function rowsText(rows: readonly number[]): string {
  if (rows.length === 0) return 'no rows';
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  return rows.length === 1 ? `row ${first}` : `rows ${first}–${last}`;
}

/** Prints the status; resolves to the exit code (0, also when there is no journal). */
export async function runStatus(file: string, flags: StatusFlags, io: PlanCommandIo): Promise<number> {
  const isDiff = /\.json$/i.test(file);
  const source = isDiff ? await readDiffFile(file) : await loadPlanFile(file);
  const name = isDiff
    ? (source as Awaited<ReturnType<typeof readDiffFile>>).plan.name
    : (source as Awaited<ReturnType<typeof loadPlanFile>>).name;
  const fingerprint = isDiff
    ? `diff:${(source as Awaited<ReturnType<typeof readDiffFile>>).stateFingerprint}`
    : (source as Awaited<ReturnType<typeof loadPlanFile>>).fingerprint;
  const stepIds = isDiff
    ? (source as Awaited<ReturnType<typeof readDiffFile>>).steps.map((step) => step.step)
    : (source as Awaited<ReturnType<typeof loadPlanFile>>).steps.map((step) => step.id);
  const connection = await resolveConnection(flags, { env: io.env });
  const target = targetIdentity(connection);
  const state = await readJournal(journalPath(name, target.url, target.db, DEFAULT_STATE_DIR));
  const view = statusView(state, fingerprint, stepIds);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return 0;
  }
  const lines = [`Plan ${name} on ${target.url} (database ${target.db})`, `Journal: ${state.file}`];
  if (!state.exists) {
    lines.push('No apply recorded for this plan and target.');
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  }
  const last = state.runs.at(-1);
  const described =
    state.lastStatus === 'running'
      ? 'no end recorded (the process was killed, or is still running)'
      : String(state.lastStatus);
  lines.push(
    `Last run: ${described}, started ${last?.startedAt ?? '?'} (${state.runs.length} run${state.runs.length === 1 ? '' : 's'} since the last success)`,
  );
  const done = view.steps.filter((step) => step.done).map((step) => step.step);
  lines.push(`Steps done: ${done.length === 0 ? 'none' : done.join(', ')} (${done.length} of ${stepIds.length})`);
  if (state.chunksInDoubt.length > 0) {
    lines.push(
      `Chunks in doubt: ${state.chunksInDoubt.length} (sent, outcome unknown; the next apply reconciles them)`,
    );
    for (const chunk of state.chunksInDoubt.slice(0, 10))
      lines.push(`  ${chunk.step} ${chunk.action} chunk ${chunk.chunk}: ${rowsText(chunk.rows)}`);
  } else {
    lines.push('Chunks in doubt: none');
  }
  if (state.lastError)
    lines.push(
      `Last error${state.lastError.step ? ` (step ${state.lastError.step})` : ''}: ${state.lastError.message}`,
    );
  if (view.planChanged)
    lines.push('The plan changed since this journal was written: apply refuses to resume it (use --restart).');
  if (state.complete) lines.push('Complete: the next apply starts a new run.');
  else lines.push('Resumable: run zenoo plan apply with the same plan and target to continue.');
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** Registers `plan status` on `program` (under the `plan` command group). */
export function registerPlanStatusCommand(program: Command, io: PlanCommandIo = processIo()): void {
  const command = planCommand(program)
    .command('status')
    .description('Show the checkpoint journal of a plan on a target: steps done, chunks in doubt, last error.')
    .argument('<file>', 'the plan file (or a saved diff)')
    .option('--json', 'print the status as JSON');
  addConnectionOptions(command);
  command.action(async (file: string, flags: StatusFlags) => {
    try {
      process.exitCode = await runStatus(file, flags, io);
    } catch (error) {
      process.exitCode = reportError(io, error);
    }
  });
}
