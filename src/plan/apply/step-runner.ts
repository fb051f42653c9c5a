/**
 * Runs one step: streams its diff into the Batch API, journals every chunk (in doubt before it is sent, done when it
 * settled) and keeps the keys later steps reference.
 *
 * @packageDocumentation
 */
import type { CheckpointChunk, ChunkCheckpoint } from '../../batch/chunk-checkpoint.js';
import { BatchExecutor } from '../../batch/batch-executor.js';
import type { BatchOperation, RecordValues } from '../../batch/operations/batch-operation.js';
import type { OperationType } from '../../batch/operations/operation-result.js';
import { CreateOperation } from '../../batch/operations/create-operation.js';
import { DeleteOperation } from '../../batch/operations/delete-operation.js';
import { CallOperation } from '../../batch/operations/call-operation.js';
import type { MethodCall } from '../../batch/operations/method-call.js';
import { callChunkErrorView } from './call-chunk-error.js';
import type { RecordUpdate } from '../../batch/operations/update-operation.js';
import { UpdateOperation } from '../../batch/operations/update-operation.js';
import { AbortError, BatchExecutionError, OutcomeUnknownError } from '../../errors.js';
import type { ChunkDiff } from '../diff/diff-step.js';
import { planModule } from '../evaluate/plan-xmlid.js';
import { AUTO_INITIAL_CHUNK_SIZE, stepWrites } from '../model/plan-types.js';
import { lineCommands } from '../model/line-commands.js';
import { adaptiveTuning } from '../../batch/tuning/adaptive-tuning.js';
import { ChunkSizeTuner, DEFAULT_MAX_TUNED_CHUNK_SIZE } from '../../batch/tuning/chunk-size-tuner.js';
import type { StepCounts } from '../checkpoint/journal.js';
import type { StepResult } from './apply-events.js';
import { KeyedCreateSender } from './apply-key-sender.js';
import { AsyncQueue } from './apply-queue.js';
import { ApplyRun } from './apply-run.js';
import { errorView } from '../../util/error-view.js';
import type { RecordOrigin } from './rejects-writer.js';
import type { StepSpec } from './step-spec.js';

/** The count each write action adds to (a record type, so that a new write action cannot be left out). */
const COUNTED: Readonly<Record<OperationType, keyof Omit<StepCounts, 'unchanged' | 'rejected'>>> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  call: 'called',
};

/** Runs one step: streams its diff into the Batch API, journaling every chunk. */
export async function runStep(
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
  // `--chunk-size` overrides every step's; `auto` (there or on the step) tunes it while the step runs.
  const autoChunkSize = options.chunkSize === 'auto' || (options.chunkSize === undefined && spec.autoChunkSize);
  const chunkSize =
    typeof options.chunkSize === 'number'
      ? options.chunkSize
      : autoChunkSize && !spec.autoChunkSize
        ? AUTO_INITIAL_CHUNK_SIZE
        : spec.chunkSize;
  const sizeTuner = autoChunkSize ? new ChunkSizeTuner({ initial: chunkSize }) : undefined;
  const capacity = Math.max((sizeTuner === undefined ? chunkSize : DEFAULT_MAX_TUNED_CHUNK_SIZE) * 2, 2);
  const queues = {
    create: new AsyncQueue<RecordValues>(capacity),
    update: new AsyncQueue<RecordUpdate>(capacity),
    delete: new AsyncQueue<number>(capacity),
    call: new AsyncQueue<number>(capacity),
  };
  // Where each record handed to the executor came from, by its input index, until its chunk settled: a window of the
  // chunks in flight and queued, not one entry per row of the step (a million-row step would keep them all).
  const origins: Record<OperationType, Map<number, RecordOrigin>> = {
    create: new Map(),
    update: new Map(),
    delete: new Map(),
    call: new Map(),
  };
  const handed: Record<OperationType, number> = { create: 0, update: 0, delete: 0, call: 0 };
  const keep = (action: OperationType, origin: RecordOrigin): void => {
    origins[action].set(handed[action], origin);
    handed[action] += 1;
  };
  const common = { context: spec.context, chunkSize, onError: spec.onError };
  const operations: BatchOperation[] = [];
  const actionOf = new Map<string, OperationType>();
  const add = (action: OperationType, operation: BatchOperation): void => {
    operations.push(operation);
    actionOf.set(operation.operationId, action);
  };
  const writes = stepWrites(spec.action);
  // A call step's method and guard are made before its records are selected; if that fails, the pump reports it.
  let call: MethodCall | undefined;
  let callError: unknown;
  if (spec.call !== undefined) {
    try {
      call = await spec.call();
    } catch (error) {
      callError = error;
    }
  }
  if (writes.create) {
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
                const origin = origins.create.get(index)!;
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
  if (writes.update) {
    add('update', new UpdateOperation(spec.model, queues.update, { ...common, operationId: `${spec.id}:update` }));
  }
  if (writes.delete) {
    add('delete', new DeleteOperation(spec.model, queues.delete, { ...common, operationId: `${spec.id}:delete` }));
  }
  if (writes.call && call !== undefined) {
    add('call', new CallOperation(spec.model, queues.call, { ...common, operationId: `${spec.id}:call`, call }));
  }

  let unchanged = 0;
  let pumpError: unknown;
  // Source rows are kept only for the rejects file: holding every row of a large file would grow memory for nothing.
  const sourceOf = (chunk: ChunkDiff, row: number | undefined): Readonly<Record<string, unknown>> | undefined =>
    options.rejectsFile === undefined || row === undefined ? undefined : chunk.sources?.get(row);
  const counts = { created: 0, updated: 0, deleted: 0, unchanged: 0, rejected: 0, called: 0 };
  // A step that refers to itself goes level by level: before the next level is diffed, every record handed over so far
  // must have settled. Creates, so that the next level's references find their ids; updates too, so that a record
  // moved under one that was its descendant is written after that one moved away (product.category refuses a
  // recursive parent, "Recursion Detected.", even for a moment).
  const level = { handed: 0, settled: 0, ended: false, wake: undefined as (() => void) | undefined };
  const wakeSettle = (): void => {
    const wake = level.wake;
    level.wake = undefined;
    wake?.();
  };
  const settle = async (): Promise<void> => {
    // The buffered records go out now, without waiting for a full chunk that this level cannot fill.
    queues.create.flush();
    queues.update.flush();
    while (
      level.settled < level.handed &&
      !level.ended &&
      !queues.create.abandoned &&
      !queues.update.abandoned &&
      !run.stopped &&
      options.signal?.aborted !== true
    ) {
      await new Promise<void>((resolve) => {
        level.wake = resolve;
      });
    }
  };
  // Feeds the operations from the diff; stops feeding (and drops what is buffered) on a stop or an abort.
  const pump = (async () => {
    try {
      if (callError !== undefined) throw callError;
      for await (const chunk of spec.chunks(settle)) {
        if (run.stopped || options.signal?.aborted) break;
        unchanged += chunk.unchanged;
        if (chunk.unchanged > 0) run.emit({ type: 'rows-unchanged', step: spec.id, rows: chunk.unchanged });
        // Rows whose lookup still found nothing once the steps writing its model ran: rejected, the others go on.
        const rejected = chunk.rejected ?? [];
        for (const { row, error } of rejected) {
          counts.rejected += 1;
          await run.rejects.write(spec.id, { row: row.row, source: row.values }, errorView(error));
        }
        // One journal line per chunk, not per row: each line is a sync to disk, and the rejects file has every row.
        if (rejected.length > 0) {
          const first = errorView(rejected[0]!.error);
          const more = rejected.length > 1 ? ` (and ${rejected.length - 1} more row(s) of this chunk)` : '';
          await run.journal.append({ type: 'error', step: spec.id, code: first.code, message: first.message + more });
        }
        // Each action's records of the chunk are handed over at once (an await per chunk, not per record).
        if (chunk.creates.length > 0) {
          const records: RecordValues[] = [];
          for (const create of chunk.creates) {
            keep('create', {
              row: create.row,
              key: create.key,
              xmlid: create.xmlid,
              source: sourceOf(chunk, create.row),
            });
            // A document and its lines are one create: they commit together (and are reconciled together).
            records.push(
              create.lines === undefined ? create.values : { ...create.values, ...lineCommands(create.lines) },
            );
          }
          level.handed += records.length;
          await queues.create.pushAll(records);
        }
        if (chunk.updates.length > 0) {
          const updates: RecordUpdate[] = [];
          for (const update of chunk.updates) {
            keep('update', {
              row: update.row ?? 0,
              key: update.key,
              id: update.id,
              source: sourceOf(chunk, update.row),
            });
            const values: Record<string, unknown> = {};
            for (const change of update.changes) values[change.field] = change.after;
            // The line commands ride in the document's own write: one call per document, all or nothing.
            updates.push({ id: update.id, ...values, ...lineCommands(update.lines) });
          }
          level.handed += updates.length;
          await queues.update.pushAll(updates);
        }
        if (chunk.deletes.length > 0) {
          for (const remove of chunk.deletes) keep('delete', { row: 0, id: remove.id });
          await queues.delete.pushAll(chunk.deletes.map((remove) => remove.id));
        }
        if (chunk.calls !== undefined && chunk.calls.length > 0) {
          for (const call of chunk.calls) keep('call', { row: call.row ?? 0, key: call.key, id: call.id });
          await queues.call.pushAll(chunk.calls.map((call) => call.id));
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
    wakeSettle();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // Another step failed under `stop`: what this one has not handed to the executor yet is not sent.
  run.stopSignal.addEventListener('abort', onAbort, { once: true });

  let firstError: unknown;
  // How the first failed chunk was told (a call chunk's names the method and the ids): the step's error says the same.
  let firstErrorView: { code: string; message: string } | undefined;
  /** Done lines appended and not yet synced (they ride on the next in-doubt line's sync). */
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
  const chunkOf = (
    chunk: CheckpointChunk,
  ): { action: OperationType; origin: (index: number) => RecordOrigin | undefined } => {
    // Every operation of this executor is one of the step's (see actionOf).
    const action = actionOf.get(chunk.operationId)!;
    return { action, origin: (index) => origins[action].get(index) };
  };
  /** Chunks with records of unknown outcome: the step cannot be recorded as done while one is in doubt. */
  let unknownChunks = 0;
  const checkpoint: ChunkCheckpoint = {
    // The in-doubt line must be durable BEFORE the chunk is sent: after a crash, it says what may have been written.
    // It is appended when the chunk is formed and awaited by the executor right before the chunk is sent: the lines of
    // the chunks waiting for a slot are synced together, off the path of the calls. A chunk that never gets sent (a
    // stop, a crash) is reconciled on resume like a sent one.
    planned(chunk) {
      const { action, origin } = chunkOf(chunk);
      return run.journal.append({
        type: 'chunk-in-doubt',
        step: spec.id,
        chunk: chunk.chunkIndex,
        action,
        model: spec.model,
        rows: chunk.inputIndexes.map((index) => origin(index)?.row ?? 0),
        ...(chunk.xmlids ? { xmlids: chunk.xmlids } : {}),
        ...(action === 'create' && chunk.inputIndexes.some((index) => origin(index)?.key !== undefined)
          ? { keys: chunk.inputIndexes.map((index) => origin(index)?.key ?? '') }
          : {}),
        ...(chunk.ids ? { ids: chunk.ids } : {}),
      });
    },
    async settled(chunk, settlement) {
      const { action, origin } = chunkOf(chunk);
      if (settlement.unknown !== undefined) unknownChunks += 1;
      const chunkError = settlement.failed ?? settlement.unknown;
      if (chunkError !== undefined) {
        const view =
          action === 'call' ? callChunkErrorView(spec, call?.method, chunk, chunkError) : errorView(chunkError);
        if (firstError === undefined) {
          firstError = chunkError;
          firstErrorView = view;
        }
        // Under `stop`, the other running steps stop sending now, not when this step has drained.
        if (spec.onError === 'stop') run.stop();
        await run.journal.append({ type: 'error', step: spec.id, chunk: chunk.chunkIndex, ...view });
      }
      const applied = settlement.ids.filter((id) => id !== undefined).length;
      const rejectedIndexes = new Set(settlement.rejected.map((rejection) => rejection.index));
      const notApplied = chunk.inputIndexes.filter(
        (index, position) => settlement.ids[position] === undefined && !rejectedIndexes.has(index),
      );
      counts[COUNTED[action]] += applied;
      counts.rejected += settlement.rejected.length;
      for (const rejection of settlement.rejected)
        await run.rejects.write(spec.id, origin(rejection.index), errorView(rejection.error));
      // A chunk with records of unknown outcome stays in doubt: no done line, and its records are not counted as
      // rejected; the resume reconciles it.
      if (settlement.unknown === undefined) {
        counts.rejected += notApplied.length;
        if (notApplied.length > 0) {
          const failure = errorView(settlement.failed ?? firstError ?? new BatchExecutionError('The chunk failed.'));
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
              chunk: chunk.chunkIndex,
              action,
              rows: chunk.inputIndexes.map((index) => origin(index)?.row ?? 0),
              ids: settlement.ids.map((id) => id ?? null),
              ...(settlement.rejected.length > 0
                ? {
                    rejected: settlement.rejected.map((rejection) => ({
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
        chunk.inputIndexes.forEach((index, position) => {
          const id = settlement.ids[position];
          const from = origin(index);
          if (id !== undefined && from !== undefined) register(from, id);
        });
      }
      // Settled: nothing reads these records' origins again.
      for (const index of chunk.inputIndexes) origins[action].delete(index);
      run.emit({
        type: 'chunk-done',
        step: spec.id,
        chunk: chunk.chunkIndex,
        action,
        records: applied,
        rejected: chunk.inputIndexes.length - applied,
      });
      if (action === 'create' || action === 'update') {
        level.settled += chunk.inputIndexes.length;
        wakeSettle();
      }
    },
  };

  const executor = new BatchExecutor(run.client, {
    ...(spec.keyFields !== undefined && spec.keyFields.length > 0 && writes.create
      ? { sender: new KeyedCreateSender(run.client, spec.keyFields) }
      : {}),
    ...options.batch,
    // The step's own cap, within the global limit that every step's chunks share (run.limiter).
    maxConcurrency: Math.min(spec.concurrency ?? run.concurrency, run.concurrency),
    maxChunkSize: chunkSize,
  });
  const tuning =
    sizeTuner === undefined && run.tuner === undefined
      ? undefined
      : adaptiveTuning({
          chunkSize: sizeTuner,
          concurrency: run.tuner,
          cap: spec.concurrency,
          onChange: (change) => {
            // The run's one limit follows its tuner, for every step's chunks.
            if (change.concurrency !== undefined) run.limiter.concurrency = change.concurrency.to;
            run.emit({ type: 'tuning', step: spec.id, ...change });
          },
        });
  let executionError: unknown;
  let cutShort = false;
  try {
    const execution = await executor.execute(operations, {
      checkpoint,
      limiter: run.limiter.limiter(spec.priority),
      stopSignal: run.stopSignal,
      tuning,
      // Each chunk's ids reach the checkpoint as it settles; a million-row step keeps none of them beyond that.
      keepIds: false,
    });
    executionError = execution.error;
    cutShort = execution.results.some((result) => result.status === 'cancelled');
    for (const result of execution.results) {
      if (result.unknown.length > 0)
        executionError ??= new OutcomeUnknownError(
          `${result.unknown.length} record(s) of step ${spec.id} have an unknown outcome.`,
          result.unknown,
          { step: spec.id, model: spec.model },
        );
    }
  } catch (error) {
    executionError = error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    run.stopSignal.removeEventListener('abort', onAbort);
    // Nothing more will settle: a level waiting for its records goes on (and finds them missing, or stops).
    level.ended = true;
    wakeSettle();
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
  const unknownError = unknownChunks > 0 ? (executionError ?? firstError) : undefined;
  // The run's own Ctrl-C surfaces as the AbortError of the read (or unsent call) it cut short: that is the
  // interruption, not a failure of the step. A write it left in doubt still fails the step (unknownError above).
  const failure = (caught: unknown): unknown =>
    options.signal?.aborted === true && isAbort(caught) ? undefined : caught;
  const error =
    journalError ??
    failure(pumpError) ??
    unknownError ??
    (spec.onError === 'stop' ? (failure(firstError) ?? failure(executionError)) : undefined);
  const viewOf = (caught: unknown): { code: string; message: string } =>
    caught === firstError && firstErrorView !== undefined ? firstErrorView : errorView(caught);
  const interrupted = options.signal?.aborted === true || cutShort;
  const status: StepResult['status'] = error !== undefined ? 'failed' : interrupted ? 'interrupted' : 'done';
  const result: StepResult = {
    step: spec.id,
    model: spec.model,
    action: spec.action,
    status,
    counts,
    durationMs: performance.now() - started,
    ...(error !== undefined ? { error: viewOf(error) } : {}),
  };
  if (error !== undefined) {
    await run.journal.append({ type: 'error', step: spec.id, ...viewOf(error) });
  } else if (!interrupted && unknownChunks === 0) {
    await run.journal.append({ type: 'step-done', step: spec.id, counts });
  }
  return result;
}

/** Whether `error` is an abort, or a batch error caused by one. */
function isAbort(error: unknown): boolean {
  return error instanceof AbortError || (error instanceof Error && error.cause instanceof AbortError);
}
