/**
 * The start and the end of a run: open (or resume) the journal, take the plan lock, decide whether this is a resume;
 * then close the journal and release the lock whatever happened, and build the result.
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import { PlanChangedError } from '../../errors.js';
import type { JournalState, RunStatus } from '../checkpoint/journal.js';
import { DEFAULT_STATE_DIR, JournalWriter, journalPath, readJournal, removeJournal } from '../checkpoint/journal.js';
import type { HeldLock } from '../lock/lock.js';
import { acquireLock } from '../lock/lock.js';
import type { StepAction } from '../model/plan-types.js';
import type { ApplyResult } from './apply-events.js';
import type { ApplyClient, ApplyOptions } from './apply-options.js';
import { validateOptions } from './apply-options.js';
import { ApplyRun, EMPTY_COUNTS } from './apply-run.js';
import { errorView } from '../../util/error-view.js';
import { refuseDuringMigrations } from './migrations-guard.js';

/** A signal aborted when any of `signals` is (`AbortSignal.any` needs Node 20.3; this works on every Node 20). */
export function anySignal(signals: readonly AbortSignal[]): AbortSignal {
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

/** Opens the journal, checks it against `fingerprint`, and takes the lock. */
export async function beginRun(
  client: ApplyClient,
  planName: string,
  fingerprint: string,
  options: ApplyOptions,
): Promise<{
  journalState: JournalState;
  journal: JournalWriter;
  lock: HeldLock | undefined;
  resumed: boolean;
  options: ApplyOptions;
  lost: AbortSignal;
}> {
  validateOptions(options);
  // A lock lost while running (released with `plan unlock`, taken over after expiry) stops the run like Ctrl-C.
  const lostController = new AbortController();
  const signals = [options.signal, lostController.signal].filter(
    (signal): signal is AbortSignal => signal !== undefined,
  );
  const effective: ApplyOptions = { ...options, signal: anySignal(signals) };
  const file = journalPath(planName, options.target.url, options.target.db, options.stateDir ?? DEFAULT_STATE_DIR);
  // The lock comes first: two applies must not both read, restart or append to the journal of the same target.
  const lock =
    options.lock === false
      ? undefined
      : await acquireLock(client, planName, {
          ...options.lock,
          signal: options.signal,
          onLost: (error) => lostController.abort(error),
        });
  try {
    // Checked after our own lock is taken, as `zenoo migrate` checks for apply locks after taking its own: of an apply
    // and a migration starting at the same moment, at least one sees the other's lock and refuses.
    if (options.migration !== true) await refuseDuringMigrations(client, options);
    if (options.restart) await removeJournal(file, options.journalStore);
    const journalState = await readJournal(file, options.journalStore);
    const resumed = journalState.exists && !journalState.complete;
    if (resumed && journalState.fingerprint !== fingerprint) {
      throw new PlanChangedError(
        `The plan "${planName}" changed since its unfinished apply of ${journalState.runs[0]?.startedAt ?? 'an earlier run'} ` +
          `(journal ${file}). Resuming would mix two versions of the plan. Apply the previous version to the end, or start ` +
          'over with --restart (records already written are matched again by key or external id, not duplicated).',
        { journal: journalState.fingerprint ?? '', plan: fingerprint },
      );
    }
    const journal = await JournalWriter.open(file, randomUUID(), options.journalStore);
    return { journalState, journal, lock, resumed, options: effective, lost: lostController.signal };
  } catch (error) {
    await lock?.release().catch(() => undefined);
    throw error;
  }
}

/** Ends a run: journals how it ended, closes the journal, releases the lock and emits the result. */
export async function finishRun(
  run: ApplyRun,
  lock: HeldLock | undefined,
  resumed: boolean,
  order: readonly { id: string; model: string; action: StepAction }[],
  setupError: unknown,
): Promise<ApplyResult> {
  const byId = new Map(run.results.map((result) => [result.step, result]));
  const steps = order.map(
    (step) =>
      byId.get(step.id) ?? {
        step: step.id,
        model: step.model,
        action: step.action,
        status: 'not-executed' as const,
        counts: EMPTY_COUNTS,
        durationMs: 0,
      },
  );
  const interrupted = run.options.signal?.aborted === true;
  const failed =
    setupError !== undefined ||
    steps.some((step) => step.status === 'failed') ||
    run.rejects.count > 0 ||
    steps.some((step) => step.counts.rejected > 0);
  const status: RunStatus = interrupted ? 'interrupted' : failed ? 'failed' : 'succeeded';
  const durationMs = performance.now() - run.startedAt;
  const written = steps.reduce((sum, step) => sum + step.counts.created + step.counts.updated + step.counts.deleted, 0);
  const firstError = setupError !== undefined ? errorView(setupError) : steps.find((step) => step.error)?.error;
  try {
    if (setupError !== undefined) await run.journal.append({ type: 'error', ...errorView(setupError) });
    await run.journal.append({ type: 'run-finished', status, durationMs: Math.round(durationMs) });
  } finally {
    await run.journal.close();
    await lock?.release().catch(() => undefined);
  }
  const result: ApplyResult = {
    status,
    steps,
    durationMs,
    rate: durationMs > 0 ? (written * 1000) / durationMs : 0,
    resumed,
    journal: run.journal.file,
    ...(firstError ? { error: firstError } : {}),
  };
  run.emit({ type: 'run-done', result });
  return result;
}
