/**
 * The apply engine: runs a plan's steps in graph order on the Batch API, with a checkpoint journal, resume after any
 * failure or interrupt, and the plan lock in the target.
 *
 * - Every write goes through {@link BatchExecutor} (chunking, the one concurrency limit, retries, failure policies and
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
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { BatchExecutor } from '../../batch/batch-executor.js';
import type { BatchExecutorOptions } from '../../batch/batch-executor.js';
import type { BatchClient } from '../../batch/batch-client.js';
import type { BatchEvent } from '../../batch/batch-events.js';
import type { BatchOperation, RecordValues } from '../../batch/batch-operation.js';
import type { OnErrorPolicy } from '../../batch/batch-options.js';
import { SharedLimiter } from '../../batch/shared-limiter.js';
import { CreateOperation } from '../../batch/create-operation.js';
import { DeleteOperation } from '../../batch/delete-operation.js';
import { UpdateOperation } from '../../batch/update-operation.js';
import type { RecordUpdate } from '../../batch/update-operation.js';
import { LockHeldError, PlanChangedError, StaleDiffError, ZenooError } from '../../errors.js';
import type { ApplyEvent, ApplyListener, ApplyResult, StepResult } from './apply-events.js';
import { KeyedCreateSender } from './apply-key-sender.js';
import { checkApplyReferences } from '../check/apply-reference-check.js';
import { planModule } from '../evaluate/plan-xmlid.js';
import { AsyncQueue } from './apply-queue.js';
import { PlanResolver } from '../references/plan-resolver.js';
import { compilePlan } from '../graph/plan-graph.js';
import type { PlanGraph } from '../graph/plan-graph.js';
import { isPendingRef } from '../model/diff-types.js';
import type { Diff, StepAction, StepDiff } from '../model/diff-types.js';
import type { ChunkDiff } from '../diff/diff-step.js';
import { diffStepChunks } from '../diff/diff-step.js';
import { keyString } from '../model/record-key.js';
import {
  DEFAULT_STATE_DIR,
  JOURNAL_FORMAT_VERSION,
  JournalWriter,
  journalPath,
  readJournal,
  removeJournal,
} from '../checkpoint/journal.js';
import type { ChunkAction, JournalState, RunStatus, StepCounts } from '../checkpoint/journal.js';
import {
  MIGRATIONS_LOCK_NAME,
  acquireLock,
  describeHolder,
  lockKey,
  processExists,
  readLock,
  staleReason,
} from '../lock/lock.js';
import type { HeldLock, LockClient, LockOptions } from '../lock/lock.js';
import { DEFAULT_PLAN_CHUNK_SIZE, DEFAULT_PLAN_CONCURRENCY } from '../model/plan-types.js';
import type { Plan, PlanStep } from '../model/plan-types.js';
import type { ReferenceCache } from '../references/reference-cache.js';
import { prepareSavedDiff } from './apply-saved-diff.js';
import { StateReader } from '../references/state-reader.js';
import { keyPart } from '../model/record-key.js';
import type { StateClient } from '../references/state-reader.js';

/** The client an apply needs: reads, `execute_kw` for the Batch API and the lock. `OdooClient` satisfies it. */
export type ApplyClient = StateClient & BatchClient & LockClient;

/** The zenoo version recorded in journals. */
export const ZENOO_VERSION: string = (() => {
  try {
    // src/plan/apply.ts and dist/plan/apply.js are both two levels below the package root.
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
})();

/** Chunks in flight when applying a saved diff (the plan's own setting is not part of the diff). */
export const DEFAULT_DIFF_CONCURRENCY = DEFAULT_PLAN_CONCURRENCY;

/** Options of {@link applyPlan} and {@link applyDiff}. */
export interface ApplyOptions {
  /** The target as recorded in the journal (never with credentials). */
  readonly target: { readonly url: string; readonly db: string };
  /** Directory of journals. @default DEFAULT_STATE_DIR ('.zenoo') */
  readonly stateDir?: string;
  /** Forget an unfinished journal and start over. @default false */
  readonly restart?: boolean;
  /** Failure policy of every step (overrides the plan's `on_error`). @default the plan's */
  readonly onError?: OnErrorPolicy | undefined;
  /** Chunks in flight at once, for the whole run. @default the plan's `defaults.concurrency` */
  readonly concurrency?: number | undefined;
  /** Receives progress events. */
  readonly onEvent?: ApplyListener | undefined;
  /** Writes rejected rows (JSON lines: the row's columns plus `_error`, `_step`, `_row`) to this file. */
  readonly rejectsFile?: string | undefined;
  /** Lock options, or `false` to run without the lock (tests of the engine only). @default {} */
  readonly lock?: Omit<LockOptions, 'signal' | 'onLost'> | false;
  /** Extra Batch API options (e.g. an injected sender, a timeout). */
  readonly batch?: Omit<BatchExecutorOptions, 'onEvent' | 'maxConcurrency' | 'onError'>;
  /** zenoo version written to the journal. @default ZENOO_VERSION */
  readonly zenooVersion?: string;
  /**
   * This apply runs a migration for `zenoo migrate`, which holds the target's migrations lock itself. Any other apply
   * refuses to start ({@link LockHeldError}) while a live migrations lock exists, so that migrate and apply never
   * write to one target at once.
   * @default false
   */
  readonly migration?: boolean;
  /**
   * {@link applyPlan}: the caller already ran the pre-write reference check of this plan against this target
   * (`validatePlanRemote` or `checkPlanReferences`, with `targetState` on) and it found no problem, so the apply does
   * not run it again. Leave it off otherwise: the apply then checks every reference before the lock and the first
   * write, and throws `PlanValidationError` with every problem.
   * @default false
   */
  readonly referencesChecked?: boolean;
  /**
   * {@link applyPlan}: the cache the caller's reference check filled (`referenceCache` of that check): the run takes
   * the external ids and lookups it resolved from there instead of reading them again.
   * @default a cache filled by the apply's own check
   */
  readonly referenceCache?: ReferenceCache | undefined;
  /** Stops feeding new records: running chunks settle, the journal records an interrupted run. */
  readonly signal?: AbortSignal | undefined;
}

/** What the engine needs to know about one step to run it, whether it comes from a plan or from a saved diff. */
interface StepSpec {
  readonly id: string;
  readonly model: string;
  readonly action: StepAction;
  readonly chunkSize: number;
  readonly context: Readonly<Record<string, unknown>>;
  readonly onError: OnErrorPolicy;
  /** Steps whose records this one references (it cannot run if one of them failed). */
  readonly dependsOn: readonly string[];
  /** Among steps ready at the same time, higher first (its chunks also go first for the global limit's slots). */
  readonly priority: number;
  /** This step's own cap of chunks in flight, within the run's global limit (`undefined`: the global limit only). */
  readonly concurrency: number | undefined;
  /** Streams the step's changes. */
  readonly chunks: () => AsyncGenerator<ChunkDiff>;
  /** Total rows, for progress, if known. */
  readonly total: number | undefined;
  /** The plan's name (external ids of its records live under `zenoo_<name>`). */
  readonly planName: string;
  /** Key fields: creates are then idempotent by key (plain `create`, reconciled by key), not by external id. */
  readonly keyFields: readonly string[] | undefined;
}

/** Per input index of an operation: where the record came from (for the journal and the rejects file). */
interface RecordOrigin {
  readonly row: number;
  readonly key?: string | undefined;
  readonly xmlid?: string | undefined;
  readonly id?: number | undefined;
  readonly source?: Readonly<Record<string, unknown>> | undefined;
}

const EMPTY_COUNTS: StepCounts = Object.freeze({ created: 0, updated: 0, deleted: 0, unchanged: 0, rejected: 0 });

function errorView(error: unknown): { code: string; message: string } {
  if (error instanceof ZenooError) return { code: error.code, message: error.message };
  return { code: 'ERR_ZENOO', message: error instanceof Error ? error.message : String(error) };
}

function validateOptions(options: ApplyOptions): void {
  if (options.concurrency !== undefined && (!Number.isInteger(options.concurrency) || options.concurrency < 1)) {
    throw new TypeError('Expected `concurrency` to be an integer from 1 and up');
  }
  if (options.onError !== undefined && !['stop', 'continue', 'isolate'].includes(options.onError)) {
    throw new TypeError("Expected `onError` to be 'stop', 'continue' or 'isolate'");
  }
  if (typeof options.target?.url !== 'string' || typeof options.target.db !== 'string') {
    throw new TypeError('Expected `target` to be { url, db }');
  }
  if (options.migration !== undefined && typeof options.migration !== 'boolean') {
    throw new TypeError('Expected `migration` to be a boolean');
  }
}

/**
 * Throws {@link LockHeldError} when `zenoo migrate` holds the target's migrations lock (and it is live: stale locks,
 * expired or of a dead process of this host, do not count, by the same rules as a lock takeover).
 */
async function refuseDuringMigrations(client: ApplyClient, options: ApplyOptions): Promise<void> {
  const key = lockKey(MIGRATIONS_LOCK_NAME);
  const existing = await readLock(client, key, options.signal ? { signal: options.signal } : {});
  if (existing === undefined) return;
  const holder = existing.holder;
  const lock = options.lock === false ? {} : (options.lock ?? {});
  if (
    holder !== undefined &&
    staleReason(holder, {
      now: (lock.now ?? Date.now)(),
      host: lock.identity?.host ?? hostname(),
      isAlive: lock.isAlive ?? processExists,
    }) !== undefined
  ) {
    return;
  }
  throw new LockHeldError(
    `A \`zenoo migrate\` run is in progress on this target: the lock ${key} is held` +
      (holder === undefined ? '' : ` by ${describeHolder(holder)} (expires ${holder.expiresAt})`) +
      '. Plans are not applied while migrations run: wait for it to finish, or release a stuck lock with ' +
      '`zenoo migrate unlock`.',
    key,
    holder,
  );
}

/** Appends rejected rows to the rejects file as JSON lines. */
class RejectsWriter {
  #ready: Promise<void> | undefined;
  count = 0;

  constructor(private readonly file: string | undefined) {}

  async write(step: string, origin: RecordOrigin | undefined, error: { code: string; message: string }): Promise<void> {
    if (this.file === undefined) return;
    this.#ready ??= mkdir(dirname(this.file), { recursive: true }).then(() => undefined);
    await this.#ready;
    const line = {
      ...(origin?.source ?? {}),
      _error: error.message,
      _code: error.code,
      _step: step,
      _row: origin?.row ?? null,
    };
    this.count += 1;
    await appendFile(this.file, `${JSON.stringify(line)}\n`);
  }
}

/** Shared state of one run. */
class ApplyRun {
  readonly results: StepResult[] = [];
  readonly failed = new Set<string>();
  readonly startedAt = performance.now();
  /** The one global limit: every chunk of every step takes one of its slots. */
  readonly limiter: SharedLimiter;
  readonly #stop = new AbortController();

  /** Writes the rejects file, if the options name one. */
  readonly rejects: RejectsWriter;
  /** Chunks in flight at once for the whole run. */
  readonly concurrency: number;

  /** @param defaultConcurrency - chunks in flight when `options.concurrency` does not say. */
  constructor(
    readonly client: ApplyClient,
    readonly journal: JournalWriter,
    readonly journalState: JournalState,
    readonly options: ApplyOptions,
    readonly resolver: PlanResolver,
    defaultConcurrency: number,
  ) {
    this.rejects = new RejectsWriter(options.rejectsFile);
    this.concurrency = options.concurrency ?? defaultConcurrency;
    this.limiter = new SharedLimiter({ concurrency: this.concurrency });
  }

  /** Whether a `stop` failure ended the run: no new step, no new chunk. */
  get stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  /** Aborted on a `stop` failure: running steps stop feeding records and sending new chunks (sent ones settle). */
  get stopSignal(): AbortSignal {
    return this.#stop.signal;
  }

  /** Stops the run after a `stop` failure. */
  stop(): void {
    this.#stop.abort();
  }

  emit(event: ApplyEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A listener's failure must not break the run (the journal is the record that matters).
    }
  }
}

/** Runs one step: streams its diff into the Batch API, journaling every chunk. */
async function runStep(
  run: ApplyRun,
  spec: StepSpec,
  register: (origin: RecordOrigin, id: number) => void,
): Promise<StepResult> {
  const started = performance.now();
  const { options } = run;
  run.emit({
    type: 'step-start',
    step: spec.id,
    model: spec.model,
    action: spec.action,
    total: spec.total ?? 0,
    unchanged: 0,
  });
  const capacity = Math.max(spec.chunkSize * 2, 2);
  const queues = {
    create: new AsyncQueue<RecordValues>(capacity),
    update: new AsyncQueue<RecordUpdate>(capacity),
    delete: new AsyncQueue<number>(capacity),
  };
  const origins: Record<ChunkAction, RecordOrigin[]> = { create: [], update: [], delete: [] };
  const common = { context: spec.context, chunkSize: spec.chunkSize, onError: spec.onError };
  const operations: BatchOperation[] = [];
  const actionOf = new Map<string, ChunkAction>();
  const add = (action: ChunkAction, operation: BatchOperation): void => {
    operations.push(operation);
    actionOf.set(operation.operationId, action);
  };
  if (spec.action === 'create' || spec.action === 'upsert') {
    add(
      'create',
      new CreateOperation(spec.model, queues.create, {
        ...common,
        operationId: `${spec.id}:create`,
        // Records without key are created under deterministic external ids (idempotent, reconciled by external id);
        // keyed ones get none: they are reconciled by key (KeyedCreateSender).
        ...(spec.keyFields === undefined
          ? {
              xmlid: (_record: RecordValues, index: number) => {
                const origin = origins.create[index]!;
                return (
                  origin.xmlid ??
                  `${planModule(spec.planName)}.${spec.id.replace(/[^A-Za-z0-9_-]+/g, '_')}_input_${index}`
                );
              },
            }
          : {}),
      }),
    );
  }
  if (spec.action === 'upsert' || spec.action === 'update') {
    add('update', new UpdateOperation(spec.model, queues.update, { ...common, operationId: `${spec.id}:update` }));
  }
  if (spec.action === 'delete') {
    add('delete', new DeleteOperation(spec.model, queues.delete, { ...common, operationId: `${spec.id}:delete` }));
  }

  let unchanged = 0;
  let pumpError: unknown;
  // Source rows are kept only for the rejects file: holding every row of a large file would grow memory for nothing.
  const sourceOf = (chunk: ChunkDiff, row: number | undefined): Readonly<Record<string, unknown>> | undefined =>
    options.rejectsFile === undefined || row === undefined ? undefined : chunk.sources?.get(row);
  // Feeds the operations from the diff; stops feeding (and drops what is buffered) on a stop or an abort.
  const pump = (async () => {
    try {
      for await (const chunk of spec.chunks()) {
        if (run.stopped || options.signal?.aborted) break;
        unchanged += chunk.unchanged;
        if (chunk.unchanged > 0) run.emit({ type: 'rows-unchanged', step: spec.id, rows: chunk.unchanged });
        // Each action's records of the chunk are handed over at once (an await per chunk, not per record).
        if (chunk.creates.length > 0) {
          const records: RecordValues[] = [];
          for (const create of chunk.creates) {
            origins.create.push({
              row: create.row,
              key: create.key,
              xmlid: create.xmlid,
              source: sourceOf(chunk, create.row),
            });
            records.push(create.values);
          }
          await queues.create.pushAll(records);
        }
        if (chunk.updates.length > 0) {
          const updates: RecordUpdate[] = [];
          for (const update of chunk.updates) {
            origins.update.push({
              row: update.row ?? 0,
              key: update.key,
              id: update.id,
              source: sourceOf(chunk, update.row),
            });
            const values: Record<string, unknown> = {};
            for (const change of update.changes) values[change.field] = change.after;
            updates.push({ id: update.id, ...values });
          }
          await queues.update.pushAll(updates);
        }
        if (chunk.deletes.length > 0) {
          for (const remove of chunk.deletes) origins.delete.push({ row: 0, id: remove.id });
          await queues.delete.pushAll(chunk.deletes.map((remove) => remove.id));
        }
      }
    } catch (error) {
      pumpError = error;
    } finally {
      for (const queue of Object.values(queues)) {
        if (run.stopped || options.signal?.aborted) queue.drop();
        else queue.close();
      }
    }
  })();
  const onAbort = (): void => {
    for (const queue of Object.values(queues)) queue.drop();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // Another step failed under `stop`: what this one has not handed to the executor yet is not sent.
  run.stopSignal.addEventListener('abort', onAbort, { once: true });

  const counts = { created: 0, updated: 0, deleted: 0, unchanged: 0, rejected: 0 };
  const unknownChunks = new Set<string>();
  const chunkErrors = new Map<string, unknown>();
  let firstError: unknown;
  /** In-doubt lines appended for chunks not sent yet, by chunk id. */
  const inDoubtLines = new Map<string, Promise<void>>();
  const doneLines = new Set<Promise<void>>();
  let journalError: unknown;
  const settleDoneLine = (append: Promise<void>): void => {
    const settled: Promise<void> = append.then(
      (): void => {
        doneLines.delete(settled);
      },
      (error: unknown): void => {
        journalError ??= error;
        doneLines.delete(settled);
      },
    );
    doneLines.add(settled);
  };
  const onBatchEvent = async (event: BatchEvent): Promise<void> => {
    if (!('operationId' in event) || !('chunkIndex' in event)) return;
    const action = actionOf.get(event.operationId);
    if (action === undefined) return;
    const origin = (index: number): RecordOrigin | undefined => origins[action][index];
    const chunkId = `${event.operationId}#${event.chunkIndex}`;
    switch (event.type) {
      case 'chunk-planned': {
        // The in-doubt line must be durable BEFORE the chunk is sent: after a crash, it says what may have been
        // written. It is appended when the chunk is formed and awaited when the chunk is about to be sent
        // (`chunk-started`): the lines of the chunks waiting for a slot are synced together, off the path of the
        // calls. A chunk that never gets sent (a stop, a crash) is reconciled on resume like a sent one.
        const line = run.journal.append({
          type: 'chunk-in-doubt',
          step: spec.id,
          chunk: event.chunkIndex,
          action,
          model: spec.model,
          rows: event.inputIndexes.map((index) => origin(index)?.row ?? 0),
          ...(event.xmlids ? { xmlids: event.xmlids } : {}),
          ...(action === 'create' && event.inputIndexes.some((index) => origin(index)?.key !== undefined)
            ? { keys: event.inputIndexes.map((index) => origin(index)?.key ?? '') }
            : {}),
          ...(event.ids ? { ids: event.ids } : {}),
        });
        // Awaited at `chunk-started`; a chunk dropped before it is sent must not leave an unhandled rejection.
        line.catch(() => undefined);
        inDoubtLines.set(chunkId, line);
        return;
      }
      case 'chunk-started': {
        const line = inDoubtLines.get(chunkId);
        inDoubtLines.delete(chunkId);
        await line;
        return;
      }
      case 'chunk-outcome-unknown':
        unknownChunks.add(chunkId);
        firstError ??= event.error;
        if (spec.onError === 'stop') run.stop();
        await run.journal.append({ type: 'error', step: spec.id, chunk: event.chunkIndex, ...errorView(event.error) });
        return;
      case 'chunk-failed':
        firstError ??= event.error;
        chunkErrors.set(chunkId, event.error);
        // Under `stop`, the other running steps stop sending now, not when this step has drained.
        if (spec.onError === 'stop') run.stop();
        await run.journal.append({ type: 'error', step: spec.id, chunk: event.chunkIndex, ...errorView(event.error) });
        return;
      case 'chunk-finished': {
        const applied = event.ids.filter((id) => id !== undefined).length;
        const rejectedIndexes = new Set(event.rejected.map((rejection) => rejection.index));
        const notApplied = event.inputIndexes.filter(
          (index, position) => event.ids[position] === undefined && !rejectedIndexes.has(index),
        );
        counts[action === 'create' ? 'created' : action === 'update' ? 'updated' : 'deleted'] += applied;
        counts.rejected += event.rejected.length;
        for (const rejection of event.rejected)
          await run.rejects.write(spec.id, origin(rejection.index), errorView(rejection.error));
        if (!unknownChunks.has(chunkId)) {
          counts.rejected += notApplied.length;
          if (notApplied.length > 0) {
            const failure = errorView(
              chunkErrors.get(chunkId) ?? firstError ?? new ZenooError('The chunk failed.', 'ERR_BATCH_EXECUTION'),
            );
            for (const index of notApplied) await run.rejects.write(spec.id, origin(index), failure);
          }
          // Not awaited here, and written with the next in-doubt line rather than synced on its own: a done line lost
          // in a crash leaves the chunk in doubt, and the resume reconciles it. The step flushes and awaits every such
          // line before it is recorded as done.
          settleDoneLine(
            run.journal.append(
              {
                type: 'chunk-done',
                step: spec.id,
                chunk: event.chunkIndex,
                action,
                rows: event.inputIndexes.map((index) => origin(index)?.row ?? 0),
                ids: event.ids.map((id) => id ?? null),
                ...(event.rejected.length > 0
                  ? {
                      rejected: event.rejected.map((rejection) => ({
                        row: origin(rejection.index)?.row ?? 0,
                        ...errorView(rejection.error),
                      })),
                    }
                  : {}),
              },
              { defer: true },
            ),
          );
        }
        if (action === 'create') {
          event.inputIndexes.forEach((index, position) => {
            const id = event.ids[position];
            const from = origin(index);
            if (id !== undefined && from !== undefined) register(from, id);
          });
        }
        run.emit({
          type: 'chunk-done',
          step: spec.id,
          chunk: event.chunkIndex,
          action,
          records: applied,
          rejected: event.inputIndexes.length - applied,
        });
        return;
      }
      default:
        return;
    }
  };

  const executor = new BatchExecutor(run.client, {
    ...(spec.keyFields !== undefined && spec.keyFields.length > 0
      ? { sender: new KeyedCreateSender(run.client, spec.keyFields) }
      : {}),
    ...options.batch,
    // The step's own cap, within the global limit that every step's chunks share (run.limiter).
    maxConcurrency: Math.min(spec.concurrency ?? run.concurrency, run.concurrency),
    maxChunkSize: spec.chunkSize,
  });
  let executionError: unknown;
  let cutShort = false;
  try {
    const execution = await executor.execute(operations, {
      onEvent: onBatchEvent,
      limiter: run.limiter.limiter(spec.priority),
      stopSignal: run.stopSignal,
    });
    executionError = execution.error;
    cutShort = execution.results.some((result) => result.status === 'cancelled');
    for (const result of execution.results) {
      if (result.unknown.length > 0)
        executionError ??= new ZenooError(
          `${result.unknown.length} record(s) of step ${spec.id} have an unknown outcome.`,
          'ERR_OUTCOME_UNKNOWN',
        );
    }
  } catch (error) {
    executionError = error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    run.stopSignal.removeEventListener('abort', onAbort);
  }
  await pump;
  await run.journal.flush();
  await Promise.all(doneLines);
  // Stopped by another step's failure before all of its records were sent: not done (a later apply resumes it).
  cutShort ||= run.stopped && Object.values(queues).some((queue) => queue.dropped);
  counts.unchanged = unchanged;
  // A bad row found by the diff (or a failed read) fails the step; so does a write whose outcome stayed unknown,
  // whatever the policy (the run must not be recorded as succeeded while a chunk is in doubt); other chunk failures
  // fail it under `stop` only (under continue/isolate they are counted as rejected).
  const unknownError = unknownChunks.size > 0 ? (executionError ?? firstError) : undefined;
  const error =
    journalError ?? pumpError ?? unknownError ?? (spec.onError === 'stop' ? (firstError ?? executionError) : undefined);
  const interrupted = options.signal?.aborted === true || cutShort;
  const status: StepResult['status'] = error !== undefined ? 'failed' : interrupted ? 'interrupted' : 'done';
  const result: StepResult = {
    step: spec.id,
    model: spec.model,
    action: spec.action,
    status,
    counts,
    durationMs: performance.now() - started,
    ...(error !== undefined ? { error: errorView(error) } : {}),
  };
  if (error !== undefined) {
    await run.journal.append({ type: 'error', step: spec.id, ...errorView(error) });
  } else if (!interrupted && unknownChunks.size === 0) {
    await run.journal.append({ type: 'step-done', step: spec.id, counts });
  }
  return result;
}

/** Reconciles the in-doubt chunks of an unfinished journal: which of their records exist now. */
async function reconcileInDoubt(
  run: ApplyRun,
  reader: StateReader,
  keyFieldsOf: (step: string) => readonly string[] | undefined,
): Promise<void> {
  for (const chunk of run.journalState.chunksInDoubt) {
    let ids: (number | null)[] = chunk.rows.map(() => null);
    const keyFields = keyFieldsOf(chunk.step);
    if (chunk.action === 'create' && chunk.xmlids !== undefined) {
      const names = chunk.xmlids.map((xmlid) => xmlid.slice(xmlid.indexOf('.') + 1));
      const module = chunk.xmlids[0]!.slice(0, chunk.xmlids[0]!.indexOf('.'));
      const found = await reader.readByXmlids(chunk.model, module, names, [], { signal: run.options.signal });
      ids = names.map((name) => found.get(name)?.id ?? null);
    } else if (chunk.action === 'create' && chunk.keys !== undefined && keyFields !== undefined) {
      const keys = chunk.keys.map((key) => JSON.parse(key) as unknown[]);
      const found = await reader.readByKeys(chunk.model, keyFields, keys, [], { signal: run.options.signal });
      const byKey = new Map(
        found.map((record) => [keyString(keyFields.map((field) => keyPart(record[field]))), record.id]),
      );
      ids = chunk.keys.map((key) => byKey.get(key) ?? null);
    } else if (chunk.ids !== undefined && chunk.action === 'delete') {
      const still = await reader.searchRead(chunk.model, [['id', 'in', [...chunk.ids]]], ['id'], {
        context: { active_test: false },
        signal: run.options.signal,
      });
      const remaining = new Set(still.map((record) => record.id));
      ids = chunk.ids.map((id) => (remaining.has(id) ? null : id));
    }
    const found = ids.filter((id) => id !== null).length;
    await run.journal.append({
      type: 'chunk-done',
      step: chunk.step,
      chunk: chunk.chunk,
      action: chunk.action,
      rows: chunk.rows,
      ids,
      reconciled: true,
      ofRun: chunk.run,
    });
    run.emit({ type: 'reconciled', step: chunk.step, chunk: chunk.chunk, found, missing: ids.length - found });
  }
}

/** A signal aborted when any of `signals` is (`AbortSignal.any` needs Node 20.3; this works on every Node 20). */
function anySignal(signals: readonly AbortSignal[]): AbortSignal {
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
async function begin(
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
    if (options.restart) await removeJournal(file);
    const journalState = await readJournal(file);
    const resumed = journalState.exists && !journalState.complete;
    if (resumed && journalState.fingerprint !== fingerprint) {
      throw new PlanChangedError(
        `The plan "${planName}" changed since its unfinished apply of ${journalState.runs[0]?.startedAt ?? 'an earlier run'} ` +
          `(journal ${file}). Resuming would mix two versions of the plan. Apply the previous version to the end, or start ` +
          'over with --restart (records already written are matched again by key or external id, not duplicated).',
        { journal: journalState.fingerprint ?? '', plan: fingerprint },
      );
    }
    const journal = await JournalWriter.open(file, randomUUID());
    return { journalState, journal, lock, resumed, options: effective, lost: lostController.signal };
  } catch (error) {
    await lock?.release().catch(() => undefined);
    throw error;
  }
}

async function finish(
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

/**
 * Runs `specs` as a graph: a step starts as soon as every step it depends on is done, several at once, all of their
 * chunks sharing the run's one global limit; among steps ready together the higher `priority` starts first (then the
 * order of `specs`). A failed step's dependents are not run; a `stop` failure or an abort starts nothing more.
 *
 * Steps on the same model never overlap: they run one at a time in the order of `specs` (the graph order), as they
 * would one after the other. A step's diff reads the live state its writes are based on, so an `update`/`delete`
 * by domain or a keyed create racing another step's writes on that model could miss or duplicate records.
 */
async function runSteps(
  run: ApplyRun,
  specs: readonly StepSpec[],
  register: (step: string, origin: RecordOrigin, id: number) => void,
): Promise<void> {
  const known = new Set(specs.map((spec) => spec.id));
  const position = new Map(specs.map((spec, index) => [spec.id, index]));
  // Whether a step on the same model comes earlier in the graph order and has not finished yet.
  const modelBusy = (spec: StepSpec): boolean =>
    specs.some(
      (other) =>
        other.model === spec.model && position.get(other.id)! < position.get(spec.id)! && !finished.has(other.id),
    );
  const finished = new Set<string>();
  // Stable sort: priority first, then the given (graph) order.
  const waiting = [...specs].sort((a, b) => b.priority - a.priority);
  const running = new Set<Promise<void>>();
  let thrown: { error: unknown } | undefined;

  const complete = (spec: StepSpec, result: StepResult): void => {
    run.results.push(result);
    finished.add(spec.id);
    if (result.status === 'failed' || result.counts.rejected > 0 || result.status === 'not-executed') {
      // Its dependents cannot run (their references may point at the missing records); with `stop`, nothing else runs.
      run.failed.add(spec.id);
      if (spec.onError === 'stop' && result.status !== 'not-executed') run.stop();
    }
  };

  const start = (spec: StepSpec): void => {
    const blocked = spec.dependsOn.find((id) => run.failed.has(id));
    if (blocked !== undefined) {
      complete(spec, {
        step: spec.id,
        model: spec.model,
        action: spec.action,
        status: 'not-executed',
        counts: EMPTY_COUNTS,
        durationMs: 0,
        error: { code: 'ERR_DEPENDENCY_FAILED', message: `not run: step ${blocked}, which it depends on, failed` },
      });
      return;
    }
    const task: Promise<void> = runStep(run, spec, (origin, id) => register(spec.id, origin, id))
      .then((result) => {
        complete(spec, result);
        run.emit({ type: 'step-done', result });
      })
      .catch((error: unknown) => {
        // A setup failure inside a step (the journal cannot be written): start nothing more, report it once all
        // running steps have settled.
        thrown ??= { error };
        finished.add(spec.id);
        run.stop();
      })
      .finally(() => running.delete(task));
    running.add(task);
  };

  const schedule = (): void => {
    // Loops because a step skipped as blocked finishes at once and may make its own dependents ready (to be skipped).
    for (let progressed = true; progressed;) {
      progressed = false;
      if (run.stopped || run.options.signal?.aborted) return;
      for (let index = 0; index < waiting.length;) {
        const spec = waiting[index]!;
        if (!spec.dependsOn.every((id) => !known.has(id) || finished.has(id)) || modelBusy(spec)) {
          index += 1;
          continue;
        }
        waiting.splice(index, 1);
        start(spec);
        progressed = true;
      }
    }
  };

  schedule();
  while (running.size > 0) {
    await Promise.race(running);
    schedule();
  }
  if (thrown !== undefined) throw thrown.error;
}

/**
 * Applies a plan to the target: resumes an unfinished journal of the same plan (reconciling its in-doubt chunks),
 * or starts a new run. Never throws for failures of records, chunks or steps (see {@link ApplyResult}); throws for
 * setup problems: the lock is held ({@link LockHeldError}), the plan changed since its unfinished journal
 * ({@link PlanChangedError}), the journal is damaged ({@link JournalError}).
 *
 * @example
 * ```ts
 * const result = await applyPlan(plan, client, { target: { url, db }, onEvent: (event) => console.log(event.type) });
 * if (result.status !== 'succeeded') process.exitCode = 1;
 * ```
 */
export async function applyPlan(plan: Plan, client: ApplyClient, applyOptions: ApplyOptions): Promise<ApplyResult> {
  const graph: PlanGraph = compilePlan(plan);
  validateOptions(applyOptions);
  const reader = new StateReader(client);
  // Everything that can be checked is checked before the lock is taken and before the first write (unless the caller
  // did); the run's resolver reuses the external ids and lookups the check resolved.
  const resolver = await checkApplyReferences(plan, client, reader, applyOptions);
  const { journalState, journal, lock, resumed, options, lost } = await begin(
    client,
    plan.name,
    plan.fingerprint,
    applyOptions,
  );
  const run = new ApplyRun(client, journal, journalState, options, resolver, plan.defaults.concurrency);
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
    if (resumed)
      await reconcileInDoubt(run, reader, (id) =>
        graph.byId[id]?.step.key.length ? graph.byId[id]!.step.key : undefined,
      );
    const specs = steps.map((step) => planStepSpec(plan, step, graph, run, reader, options));
    await runSteps(run, specs, (stepId, origin, id) => {
      if (origin.key !== undefined && isReferenced(graph, stepId)) resolver.register(stepId, origin.key, id);
    });
  } catch (error) {
    setupError = error;
  }
  return finish(run, lock, resumed, steps, setupError ?? (lost.aborted ? lost.reason : undefined));
}

/** Whether a later step may refer to `stepId`'s records (only then are its keys kept, for `{ ref }` resolution). */
function isReferenced(graph: PlanGraph, stepId: string): boolean {
  return (graph.byId[stepId]?.dependents.length ?? 1) > 0;
}

function planStepSpec(
  plan: Plan,
  step: PlanStep,
  graph: PlanGraph,
  run: ApplyRun,
  reader: StateReader,
  options: ApplyOptions,
): StepSpec {
  return {
    id: step.id,
    model: step.model,
    action: step.action,
    chunkSize: step.chunkSize,
    context: step.context,
    onError: options.onError ?? step.onError,
    dependsOn: graph.byId[step.id]?.dependsOn ?? [],
    priority: step.priority,
    concurrency: step.concurrency,
    total: step.records?.rowCount,
    planName: plan.name,
    keyFields: step.key.length > 0 ? step.key : undefined,
    chunks: () =>
      diffStepChunks({
        plan,
        step,
        reader,
        resolver: run.resolver,
        pendingCreates: false,
        registerKeys: isReferenced(graph, step.id),
        signal: options.signal,
      }),
  };
}

/** Replaces pending references (records created earlier in this apply) by their ids, deeply. */
function resolvePendingValues(value: unknown, resolver: PlanResolver): unknown {
  if (isPendingRef(value)) return resolver.resolvePending(value);
  if (Array.isArray(value)) return value.map((item) => resolvePendingValues(item, resolver));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolvePendingValues(item, resolver)]));
  }
  return value;
}

/** A saved diff's step as chunks (creates with pending references resolved as they are reached). */
function diffStepSpec(
  planName: string,
  step: StepDiff,
  resolver: PlanResolver,
  options: ApplyOptions,
  dependsOn: readonly string[],
): StepSpec {
  const chunkSize = step.chunkSize ?? DEFAULT_PLAN_CHUNK_SIZE;
  return {
    id: step.step,
    model: step.model,
    action: step.action,
    chunkSize,
    context: step.context ?? {},
    onError: options.onError ?? 'stop',
    dependsOn,
    // A saved diff keeps neither: its steps are in the plan's order, and they share the run's limit.
    priority: 0,
    concurrency: undefined,
    total: step.creates.length + step.updates.length + step.deletes.length,
    planName,
    keyFields: step.keyFields,
    chunks: async function* () {
      const todo = step;
      yield {
        creates: todo.creates.map((create) => ({
          ...create,
          values: resolvePendingValues(create.values, resolver) as Record<string, unknown>,
        })),
        updates: todo.updates.map((update) => ({
          ...update,
          changes: update.changes.map((change) => ({ ...change, after: resolvePendingValues(change.after, resolver) })),
        })),
        deletes: [...todo.deletes],
        unchanged: 0,
        size: todo.creates.length + todo.updates.length + todo.deletes.length,
      };
    },
  };
}

/** Steps a saved diff's pending references point at, per step. */
function pendingDependencies(step: StepDiff): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (isPendingRef(value)) found.add(value.$pending.step);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  step.creates.forEach((create) => visit(create.values));
  step.updates.forEach((update) => update.changes.forEach((change) => visit(change.after)));
  return [...found];
}

/**
 * Applies a saved diff exactly as reviewed: refuses ({@link StaleDiffError}, naming the records) if any record it
 * read changed since (write_date) or is gone, or if a record it would create now exists. Resumable like
 * {@link applyPlan}: after an interrupted apply of the same diff, what the journal shows as written is not stale,
 * and records already created are not created again.
 */
export async function applyDiff(diff: Diff, client: ApplyClient, applyOptions: ApplyOptions): Promise<ApplyResult> {
  const fingerprint = `diff:${diff.stateFingerprint}`;
  const { journalState, journal, lock, resumed, options, lost } = await begin(
    client,
    diff.plan.name,
    fingerprint,
    applyOptions,
  );
  const reader = new StateReader(client);
  const resolver = new PlanResolver(reader);
  const run = new ApplyRun(client, journal, journalState, options, resolver, DEFAULT_DIFF_CONCURRENCY);
  const order = diff.steps.map((step) => ({ id: step.step, model: step.model, action: step.action }));
  let setupError: unknown;
  try {
    // Checked before anything is written, under the lock: nobody changes the target through zenoo meanwhile.
    const touched = new Map<string, Set<number>>();
    const sentKeys = new Map<string, Set<string>>();
    for (const chunk of journalState.chunksSent) {
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
    if (resumed) await reconcileInDoubt(run, reader, (id) => diff.steps.find((step) => step.step === id)?.keyFields);
    const specs = todo.steps.map((step) =>
      diffStepSpec(diff.plan.name, step, resolver, options, pendingDependencies(step)),
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
  return finish(run, lock, resumed, order, setupError ?? (lost.aborted ? lost.reason : undefined));
}
