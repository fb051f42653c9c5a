/**
 * `zenoo plan status FILE`: what the checkpoint journal of a plan says about the target: the last run and how it
 * ended, the steps done, the chunks in doubt (sent, outcome unknown: the next apply reconciles them), the last error,
 * and whether the plan changed since. Reads only the local journal (it does not connect), unless `--remote` asks it to
 * read the plan's lock on the target too.
 *
 * @packageDocumentation
 */
import type { Command } from 'commander';
import { journalPath, readJournal } from '../../plan/checkpoint/journal.js';
import { projectStateDir } from '../project-state-dir.js';
import type { JournalState } from '../../plan/checkpoint/journal.js';
import { readDiffFile } from '../../plan/render/render-json.js';
import { addConnectionOptions, resolveConnection } from '../connection.js';
import type { ConnectionFlags } from '../connection.js';
import { describeHolder, lockKey, readLock } from '../../plan/lock/lock.js';
import { loadPlanFile, processIo, reportError, targetIdentity, withTarget } from './plan-target.js';
import type { PlanCommandIo } from './plan-target.js';
import { planCommand } from './plan.js';

/** Flags of `plan status`. */
export interface StatusFlags extends ConnectionFlags {
  readonly json?: boolean;
  /** Also read the plan's lock on the target (connects; without it, status reads only the local journal). */
  readonly remote?: boolean;
}

/** The plan's lock as `plan status --remote` read it from the target. */
export interface LockView {
  /** The `ir.config_parameter` key. */
  readonly key: string;
  /** Whether a lock record exists. */
  readonly held: boolean;
  /** Who holds it (`user@host (pid N) since T`), when held and known. */
  readonly holder: string | null;
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
  const connection = await resolveConnection(flags, { env: io.env, stateDir: projectStateDir(file) });
  const target = targetIdentity(connection);
  const state = await readJournal(journalPath(name, target.url, target.db, projectStateDir(file)));
  const lock =
    flags.remote === true ? await readPlanLock(name, { ...flags, stateDir: projectStateDir(file) }, io) : undefined;
  const view = statusView(state, fingerprint, stepIds);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(lock === undefined ? view : { ...view, lock }, null, 2)}\n`);
    return 0;
  }
  const lines = [`Plan ${name} on ${target.url} (database ${target.db})`, `Journal: ${state.file}`];
  const lockLines = (): string[] => {
    if (lock !== undefined) {
      return [
        lock.held
          ? `Lock: ${lock.key} is held by ${lock.holder ?? 'an unknown holder'}; if that apply is not running, \`zenoo plan unlock ${file}\` releases it.`
          : `Lock: not held (${lock.key}).`,
      ];
    }
    // Without --remote the lock is not read: say when it matters, rather than stay silent about it.
    return state.lastStatus === 'running'
      ? [
          `Lock: the unfinished run may still hold ${lockKey(name)} on the target: --remote reads it; ` +
            `\`zenoo plan unlock ${file}\` releases it (the next apply also takes over a stale lock).`,
        ]
      : [];
  };
  if (!state.exists) {
    lines.push('No apply recorded for this plan and target.', ...lockLines());
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  }
  const last = state.runs.at(-1);
  const described =
    state.lastStatus === 'running'
      ? 'no end recorded (the process was killed, or is still running)'
      : String(state.lastStatus);
  // The journal keeps the runs since the last success, that success included: count only the unsuccessful ones.
  const unsuccessful = state.complete ? 0 : state.runs.length;
  lines.push(
    `Last run: ${described}, started ${last?.startedAt ?? '?'}` +
      (unsuccessful === 0 ? '' : ` (${unsuccessful} unsuccessful run${unsuccessful === 1 ? '' : 's'} in a row)`),
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
  lines.push(...lockLines());
  if (state.complete) lines.push('Complete: the next apply starts a new run.');
  else lines.push('Resumable: run zenoo plan apply with the same plan and target to continue.');
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** Reads the plan's lock on the target. */
async function readPlanLock(
  name: string,
  flags: StatusFlags & { readonly stateDir: string },
  io: PlanCommandIo,
): Promise<LockView> {
  const key = lockKey(name);
  const lock = await withTarget(flags, io, (open) => readLock(open.client, key));
  return {
    key,
    held: lock !== undefined,
    holder: lock?.holder === undefined ? null : describeHolder(lock.holder),
  };
}

/** Registers `plan status` on `program` (under the `plan` command group). */
export function registerPlanStatusCommand(program: Command, io: PlanCommandIo = processIo()): void {
  const command = planCommand(program)
    .command('status')
    .description('Show the checkpoint journal of a plan on a target: steps done, chunks in doubt, last error.')
    .argument('<file>', 'the plan file (or a saved diff)')
    .option('--json', 'print the status as JSON')
    .option('--remote', "also read the plan's lock on the target (connects; otherwise only the local journal is read)");
  addConnectionOptions(command).addHelpText(
    'after',
    '\nExit codes: 0 the status was shown (also when nothing was applied yet), 1 error (the plan or journal cannot be read).',
  );
  command.action(async (file: string, flags: StatusFlags) => {
    try {
      process.exitCode = await runStatus(file, flags, io);
    } catch (error) {
      process.exitCode = reportError(io, error);
    }
  });
}
