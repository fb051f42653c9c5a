/**
 * Runs one step: streams its diff into the Batch API, journals every chunk (in doubt before it is sent, done when it
 * settled) and keeps the keys later steps reference.
 *
 * @packageDocumentation
 */
import type { BatchEvent } from '../../batch/batch-events.js';
import { BatchExecutor } from '../../batch/batch-executor.js';
import type { BatchOperation, RecordValues } from '../../batch/batch-operation.js';
import type { OperationType } from '../../batch/operation-result.js';
import { CreateOperation } from '../../batch/create-operation.js';
import { DeleteOperation } from '../../batch/delete-operation.js';
import type { RecordUpdate } from '../../batch/update-operation.js';
import { UpdateOperation } from '../../batch/update-operation.js';
import { ZenooError } from '../../errors.js';
import type { ChunkDiff } from '../diff/diff-step.js';
import { planModule } from '../evaluate/plan-xmlid.js';
import { stepWrites } from '../model/plan-types.js';
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
  const capacity = Math.max(spec.chunkSize * 2, 2);
  const queues = {
    create: new AsyncQueue<RecordValues>(capacity),
    update: new AsyncQueue<RecordUpdate>(capacity),
    delete: new AsyncQueue<number>(capacity),
  };
  const origins: Record<OperationType, RecordOrigin[]> = { create: [], update: [], delete: [] };
  const common = { context: spec.context, chunkSize: spec.chunkSize, onError: spec.onError };
  const operations: BatchOperation[] = [];
  const actionOf = new Map<string, OperationType>();
  const add = (action: OperationType, operation: BatchOperation): void => {
    operations.push(operation);
    actionOf.set(operation.operationId, action);
  };
  const writes = stepWrites(spec.action);
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
  if (writes.update) {
    add('update', new UpdateOperation(spec.model, queues.update, { ...common, operationId: `${spec.id}:update` }));
  }
  if (writes.delete) {
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
        counts[COUNTED[action]] += applied;
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
