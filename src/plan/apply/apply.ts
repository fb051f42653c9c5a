/**
 * The apply engine: runs a plan's steps in graph order on the Batch API, with a checkpoint journal, resume after any
 * failure or interrupt, and the plan lock in the target.
 *
 * - Every write goes through `BatchExecutor` (chunking, the one concurrency limit, retries, failure policies and
 *   the reconciliation of unknown outcomes live there, not here).
 * - A step is diffed chunk by chunk and its creates, updates and deletes stream into the executor as they are found:
 *   creates get deterministic external ids (idempotent), updates write only the fields that differ.
 * - Before a chunk is sent its in-doubt line is fsynced in the journal; when its outcome is known, its done line.
 *   A later apply of the same plan resumes: in-doubt chunks are reconciled by external id, steps already done are not
 *   written again, and the rest is diffed against the live state (so nothing is created twice or lost).
 * - `signal` stops feeding new records; chunks already handed to the executor settle, the journal is closed, and the
 *   result says `interrupted`.
 *
 * @packageDocumentation
 */
import { StaleDiffError } from '../../errors.js';
import { ZENOO_VERSION } from '../../version.js';
import { checkApplyReferences } from '../check/apply-reference-check.js';
import { JOURNAL_FORMAT_VERSION } from '../checkpoint/journal.js';
import type { JournalState } from '../checkpoint/journal.js';
import { evaluateWhere } from '../evaluate/evaluate-record.js';
import type { PlanGraph } from '../graph/plan-graph.js';
import { compilePlan } from '../graph/plan-graph.js';
import type { Diff } from '../model/diff-types.js';
import type { Plan } from '../model/plan-types.js';
import { PlanResolver } from '../references/plan-resolver.js';
import { StateReader } from '../references/state-reader.js';
import type { ApplyResult } from './apply-events.js';
import type { ApplyClient, ApplyOptions } from './apply-options.js';
import { DEFAULT_DIFF_CONCURRENCY, validateOptions } from './apply-options.js';
import { ApplyRun } from './apply-run.js';
import { prepareSavedDiff } from './apply-saved-diff.js';
import { beginRun, finishRun } from './begin-run.js';
import { reconcileInDoubt } from './in-doubt-reconciler.js';
import { runSteps } from './step-scheduler.js';
import { diffStepSpec, pendingDependencies, planStepSpec } from './step-spec.js';

/** The run's concurrency the plan asks for: its `defaults.concurrency`, or `auto`. */
function runConcurrency(plan: Plan): number | 'auto' {
  return plan.defaults.autoConcurrency ? 'auto' : plan.defaults.concurrency;
}

/**
 * Applies a plan to the target: resumes an unfinished journal of the same plan (reconciling its in-doubt chunks),
 * or starts a new run. Never throws for failures of records, chunks or steps (see {@link ApplyResult}); throws for
 * setup problems: the lock is held (`LockHeldError`), the plan changed since its unfinished journal
 * (`PlanChangedError`), the journal is damaged ({@link JournalError}).
 *
 * @example
 * ```ts
 * const result = await applyPlan(plan, client, { target: { url, db }, onEvent: (event) => console.log(event.type) });
 * if (result.status !== 'succeeded') process.exitCode = 1;
 * ```
 */
export async function applyPlan(plan: Plan, client: ApplyClient, applyOptions: ApplyOptions): Promise<ApplyResult> {
  validateOptions(applyOptions);
  const { prepared } = applyOptions;
  if (prepared !== undefined && prepared.plan !== plan) {
    throw new TypeError('Expected `prepared` to be the preparation of this plan');
  }
  const graph: PlanGraph = prepared?.graph ?? compilePlan(plan);
  const reader = prepared?.reader ?? new StateReader(client);
  // Everything that can be checked is checked before the lock is taken and before the first write (unless the caller
  // did, or prepared the plan); the run's resolver reuses the external ids and lookups the check resolved.
  const resolver =
    prepared !== undefined
      ? new PlanResolver(reader, prepared.references, { graph })
      : await checkApplyReferences(plan, client, reader, applyOptions);
  const { journalState, journal, lock, resumed, options, lost } = await beginRun(
    client,
    plan.name,
    plan.fingerprint,
    applyOptions,
  );
  const run = new ApplyRun(client, journal, journalState, options, resolver, runConcurrency(plan));
  const steps = graph.order.map((id) => graph.byId[id]!.step);
  let setupError: unknown;
  try {
    await journal.append({
      type: 'run-started',
      format: JOURNAL_FORMAT_VERSION,
      plan: plan.name,
      fingerprint: plan.fingerprint,
      zenooVersion: options.zenooVersion ?? ZENOO_VERSION,
      url: options.target.url,
      db: options.target.db,
    });
    if (lock?.tookOverFrom) run.emit({ type: 'lock-taken-over', key: lock.key, holder: lock.tookOverFrom });
    run.emit({
      type: 'run-start',
      plan: plan.name,
      url: options.target.url,
      db: options.target.db,
      resumed,
      steps: steps.map((step) => ({ step: step.id, model: step.model, action: step.action })),
    });
    const settled = resumed
      ? await reconcileInDoubt(
          run,
          (id) => (graph.byId[id]?.step.key.length ? graph.byId[id]!.step.key : undefined),
          async (id) => {
            const step = graph.byId[id]?.step;
            return step?.where === undefined ? undefined : evaluateWhere(step, resolver, { signal: options.signal });
          },
        )
      : undefined;
    const specs = graph.order.map((id) =>
      planStepSpec(plan, graph.byId[id]!, run, reader, options, settled && calledIds(journalState, settled, id)),
    );
    await runSteps(run, specs, (stepId, origin, id) => {
      if (origin.key !== undefined && graph.byId[stepId]?.executable.referenced === true)
        resolver.register(stepId, origin.key, id);
    });
  } catch (error) {
    setupError = error;
  }
  return finishRun(run, lock, resumed, steps, setupError ?? (lost.aborted ? lost.reason : undefined));
}

/** The ids a call step must not call again: called (or of unknown outcome) in this round, as journaled or just settled. */
function calledIds(
  journalState: JournalState,
  settled: ReadonlyMap<string, ReadonlySet<number>>,
  step: string,
): ReadonlySet<number> {
  return new Set([...(journalState.calledIds.get(step) ?? []), ...(settled.get(step) ?? [])]);
}

/**
 * Applies a saved diff exactly as reviewed: refuses ({@link StaleDiffError}, naming the records) if any record it
 * read changed since (write_date) or is gone, or if a record it would create now exists. Resumable like
 * {@link applyPlan}: after an interrupted apply of the same diff, what the journal shows as written is not stale,
 * and records already created are not created again.
 */
export async function applyDiff(diff: Diff, client: ApplyClient, applyOptions: ApplyOptions): Promise<ApplyResult> {
  validateOptions(applyOptions);
  const { prepared } = applyOptions;
  if (prepared !== undefined && prepared.plan.fingerprint !== diff.plan.fingerprint) {
    throw new TypeError('Expected `prepared` to be the preparation of the plan the diff was computed from');
  }
  // A diff confirmed at the prompt is a run of its plan (a later apply of the plan resumes it); a saved diff is a run
  // of its own, resumed only by applying the same diff again.
  const fingerprint = prepared !== undefined ? prepared.plan.fingerprint : `diff:${diff.stateFingerprint}`;
  const { journalState, journal, lock, resumed, options, lost } = await beginRun(
    client,
    diff.plan.name,
    fingerprint,
    applyOptions,
  );
  const reader = prepared?.reader ?? new StateReader(client);
  const resolver = new PlanResolver(reader, undefined, { graph: prepared?.graph });
  const concurrency = prepared === undefined ? DEFAULT_DIFF_CONCURRENCY : runConcurrency(prepared.plan);
  const run = new ApplyRun(client, journal, journalState, options, resolver, concurrency);
  const order = diff.steps.map((step) => ({ id: step.step, model: step.model, action: step.action }));
  let setupError: unknown;
  try {
    // A saved diff applied to the end is done: applying it again would overwrite whatever changed since with values
    // reviewed against an older state. (A diff confirmed at the prompt was computed just now: nothing to refuse.)
    if (prepared === undefined && journalState.complete && journalState.fingerprint === fingerprint) {
      const finished = journalState.runs.at(-1)?.startedAt ?? 'an earlier run';
      throw new StaleDiffError(
        `This diff was already applied (the run started ${finished} succeeded); nothing was written. ` +
          'Compute a new diff (zenoo plan diff PLAN --out FILE) to see what differs now, and apply that one.',
        [],
      );
    }
    // Checked before anything is written, under the lock: nobody changes the target through zenoo meanwhile. Only the
    // unfinished run of this same diff may have written the records it sent: those are done, not stale. Records an
    // earlier, finished run (of this diff or of the plan) wrote are checked like any other.
    const touched = new Map<string, Set<number>>();
    const sentKeys = new Map<string, Set<string>>();
    for (const chunk of resumed ? journalState.chunksSent : []) {
      const ids = touched.get(chunk.step) ?? new Set<number>();
      for (const id of chunk.ids ?? []) ids.add(id);
      touched.set(chunk.step, ids);
      const keys = sentKeys.get(chunk.step) ?? new Set<string>();
      for (const key of chunk.keys ?? []) keys.add(key);
      sentKeys.set(chunk.step, keys);
    }
    const todo = await prepareSavedDiff(diff, reader, { resumed, touched, sentKeys, signal: options.signal });
    await journal.append({
      type: 'run-started',
      format: JOURNAL_FORMAT_VERSION,
      plan: diff.plan.name,
      fingerprint,
      zenooVersion: options.zenooVersion ?? ZENOO_VERSION,
      url: options.target.url,
      db: options.target.db,
    });
    if (lock?.tookOverFrom) run.emit({ type: 'lock-taken-over', key: lock.key, holder: lock.tookOverFrom });
    run.emit({
      type: 'run-start',
      plan: diff.plan.name,
      url: options.target.url,
      db: options.target.db,
      resumed,
      steps: order.map((step) => ({ step: step.id, model: step.model, action: step.action })),
    });
    for (const [step, keys] of todo.existing) for (const [key, id] of keys) resolver.register(step, key, id);
    const settled = resumed
      ? await reconcileInDoubt(
          run,
          (id) => diff.steps.find((step) => step.step === id)?.keyFields,
          (id) => Promise.resolve(diff.steps.find((step) => step.step === id)?.calls?.where),
        )
      : undefined;
    const specs = todo.steps.map((step, index) =>
      diffStepSpec(
        diff.plan.name,
        step,
        resolver,
        options,
        // A selection made again when the step runs waits for every step before it (one of them creates its records).
        step.calls?.pendingSelection === true
          ? todo.steps.slice(0, index).map((earlier) => earlier.step)
          : pendingDependencies(step),
        prepared?.graph.byId[step.step]?.executable,
        { reader, called: settled && calledIds(journalState, settled, step.step) },
      ),
    );
    await runSteps(run, specs, (stepId, origin, id) => {
      if (origin.key !== undefined) resolver.register(stepId, origin.key, id);
    });
  } catch (error) {
    if (error instanceof StaleDiffError) {
      await journal.close().catch(() => undefined);
      await lock?.release().catch(() => undefined);
      throw error;
    }
    setupError = error;
  }
  return finishRun(run, lock, resumed, order, setupError ?? (lost.aborted ? lost.reason : undefined));
}
