/**
 * {@link BatchExecutor}: runs batch operations in chunks under one concurrency limit, keeps ids in input order, and
 * applies the failure policies (`stop`, `continue`, `isolate`) and the reconciliation of unknown outcomes.
 *
 * @packageDocumentation
 */
import pLimit from 'p-limit';
import {
  AbortError,
  BatchExecutionError,
  HttpError,
  OutcomeUnknownError,
  ProtocolError,
  RpcFault,
  TimeoutError,
  UnexpectedError,
  ZenooError,
} from '../errors.js';
import { isOutcomeUnknown } from '../client/retry-policy.js';
import type { BatchClient } from './batch-client.js';
import type { BatchEvent, BatchEventListener, BatchProgress, ChunkRef, ProgressCallback } from './batch-events.js';
import type { BatchOperation, PlannedChunk } from './operations/batch-operation.js';
import { resolveBatchOptions } from './batch-options.js';
import type { BatchOptions, OnErrorPolicy, ResolvedBatchOptions } from './batch-options.js';
import { StatsCounter } from './batch-stats.js';
import type { BatchStats } from './batch-stats.js';
import { subRequest } from './send/chunk-sender.js';
import type { ChunkRequest, ChunkSendOptions, ChunkSender } from './send/chunk-sender.js';
import { OdooChunkSender } from './send/odoo-chunk-sender.js';
import type { FailedChunk, OperationResult, RecordRejection } from './operations/operation-result.js';
import type { ChunkLimiter } from './shared-limiter.js';
import type { CheckpointChunk, ChunkCheckpoint } from './chunk-checkpoint.js';
import type { ChunkSampleOutcome, ChunkTuning } from './tuning/chunk-sample.js';
import { EventHub } from '../util/event-hub.js';

/** Options of a {@link BatchExecutor}. */
export interface BatchExecutorOptions extends BatchOptions {
  /**
   * Sends chunks; by default an {@link OdooChunkSender} over the client. Inject one to run the engine against
   * something else (tests, a recording dry run).
   * @default new OdooChunkSender(client)
   */
  readonly sender?: ChunkSender | undefined;
}

/** Options of one {@link BatchExecutor.execute} run. */
export interface ExecuteOptions {
  /** Called after each chunk with a progress snapshot (awaited). */
  readonly onProgress?: ProgressCallback | undefined;
  /** Receives this run's events (delivered as they happen, not awaited), in addition to the executor's `onEvent`. */
  readonly onEvent?: BatchEventListener | undefined;
  /**
   * Called, and awaited, when each chunk is formed (before it is sent) and when it settled: where a checkpoint
   * journal makes a chunk's in-doubt line durable before the call that may write it.
   */
  readonly checkpoint?: ChunkCheckpoint | undefined;
  /** Stops scheduling new chunks and aborts the calls in flight (their writes then have an unknown outcome). */
  readonly signal?: AbortSignal | undefined;
  /**
   * Stops scheduling new chunks without aborting the calls in flight (they settle normally): another part of a larger
   * job failed. Operations cut short end `cancelled`.
   */
  readonly stopSignal?: AbortSignal | undefined;
  /**
   * A limit shared with other executions (a `p-limit` instance, or {@link SharedLimiter.limiter}): every chunk of
   * this run also takes a slot of it, so that concurrent executions together never exceed its limit. The executor's
   * own `maxConcurrency` still caps this run's share.
   * @default none: only `maxConcurrency` applies
   */
  readonly limiter?: ChunkLimiter | undefined;
  /**
   * Adaptive chunk size and concurrency (`auto`): asked for the size of each chunk and for the chunks in flight, told
   * of every settled call. @default none: the operations' chunk sizes and `maxConcurrency`
   */
  readonly tuning?: ChunkTuning | undefined;
  /**
   * Keep every record's id for the results' {@link OperationResult.ids}. Turn it off for a run of millions of records
   * whose caller takes each chunk's ids where they come (`checkpoint.settled`, the `chunk-finished` event), as a plan
   * step does: its memory then stays bounded by the chunks in flight. @default true
   */
  readonly keepIds?: boolean | undefined;
}

/** What a run did. */
export interface ExecutionResult {
  /** One result per operation, in the order the operations were given. */
  readonly results: readonly OperationResult[];
  /** Counters of the run. */
  readonly stats: BatchStats;
  /** Wall time of the run, in ms. */
  readonly durationMs: number;
  /** The first failure (or the abort) that stopped the run or failed a chunk; `undefined` if everything applied. */
  readonly error: ZenooError | undefined;
}

/** A settled part of a chunk, in input indexes of its operation. */
interface PartOutcome {
  /** Applied records: `ids[k]` is the id of input index `inputIndexes[k]` (parallel arrays: no per-record tuple). */
  readonly applied: { readonly inputIndexes: readonly number[]; readonly ids: readonly number[] }[];
  readonly rejected: RecordRejection[];
  readonly unknown: { readonly inputIndexes: number[]; readonly error: ZenooError }[];
  readonly failed: FailedChunk[];
}

const emptyOutcome = (): PartOutcome => ({ applied: [], rejected: [], unknown: [], failed: [] });

function mergeInto(target: PartOutcome, part: PartOutcome): void {
  target.applied.push(...part.applied);
  target.rejected.push(...part.rejected);
  target.unknown.push(...part.unknown);
  target.failed.push(...part.failed);
}

/**
 * Whether a chunk's error means its write may or may not have been committed: the client's own verdict
 * (`OutcomeUnknownError`, or a transport failure after sending), plus an abort or a garbled answer after sending.
 */
export function isChunkOutcomeUnknown(error: unknown): boolean {
  if (error instanceof OutcomeUnknownError || isOutcomeUnknown(error)) return true;
  return (error instanceof AbortError || error instanceof ProtocolError) && error.phase === 'sent';
}

/** Mutable state of one operation during a run. */
class OperationState {
  readonly ids: (number | undefined)[] = [];
  readonly rejected: RecordRejection[] = [];
  readonly failedChunks: FailedChunk[] = [];
  readonly unknown: number[] = [];
  applied = 0;
  records = 0;
  settled = 0;
  inputEnded = false;
  error: ZenooError | undefined;
  readonly startedAt = performance.now();

  constructor(readonly operation: BatchOperation) {}
}

/**
 * Executes batch operations.
 *
 * - One `p-limit` limiter for the whole run: at most `maxConcurrency` chunks in flight, whatever the number of
 *   operations; with {@link ExecuteOptions.limiter}, chunks also take a slot of a limit shared with other runs.
 * - Operations run by priority: all operations of a higher priority settle before a lower priority starts; operations
 *   of equal priority run side by side, except that operations on the same model whose ids overlap (or may overlap:
 *   streamed ids) run one after the other, in insertion order.
 * - Ids come back in input order, whatever order chunks complete in.
 * - Inputs may be async iterables: chunks are planned lazily, at most `maxConcurrency` ahead per operation, so memory
 *   stays bounded for millions of records.
 * - A chunk whose outcome is unknown is never resent blindly: creates with external ids are reconciled by looking the
 *   ids up, calls with a guard by selecting their ids with it again, and only the records known to be missing (still
 *   matching the guard) are resent (only when the lost write was atomic); everything else is reported in
 *   {@link OperationResult.unknown}.
 *
 * @example
 * ```ts
 * const executor = new BatchExecutor(client, { maxChunkSize: 100, maxConcurrency: 5 });
 * const { results } = await executor.execute([new CreateOperation('res.partner', [{ name: 'A' }, { name: 'B' }])]);
 * results[0]?.ids; // [57, 58]
 * ```
 */
export class BatchExecutor {
  /** The resolved options. */
  readonly options: ResolvedBatchOptions;
  readonly #sender: ChunkSender;
  readonly #client: BatchClient | undefined;

  /**
   * @param client - the client to send chunks with; may be `undefined` when `options.sender` is given.
   * @throws TypeError on invalid options or when neither a client nor a sender is given.
   */
  constructor(client: BatchClient | undefined, options: BatchExecutorOptions = {}) {
    this.options = resolveBatchOptions(options);
    const sender = options.sender ?? (client === undefined ? undefined : new OdooChunkSender(client));
    if (sender === undefined)
      throw new TypeError('BatchExecutor needs a client (or a `sender` option) to send chunks with.');
    this.#sender = sender;
    this.#client = client;
  }

  /**
   * Runs `operations` and reports what each did. Never throws for per-record or per-chunk failures (they are in the
   * results); throws only for setup problems.
   *
   * @throws BatchValidationError when an operation (with array input) is invalid: nothing was sent.
   * @throws AbortError when `signal` is already aborted: nothing was sent.
   */
  async execute(operations: readonly BatchOperation[], options: ExecuteOptions = {}): Promise<ExecutionResult> {
    const { signal } = options;
    if (signal?.aborted) throw new AbortError('The batch run was aborted before it started; nothing was sent.');
    if (options.limiter !== undefined && typeof options.limiter !== 'function') {
      throw new TypeError('Expected `limiter` to be a function (a p-limit instance or SharedLimiter.limiter())');
    }
    // Validate everything that can be validated before the first write.
    for (const operation of operations) operation.validate();
    const run = new Run(this.options, this.#sender, options);
    // The client's own retries count in the run's stats (a client shared by concurrent runs counts in each).
    const onRetry = (event: { readonly error: unknown }): void => run.countRetry(event.error);
    this.#client?.on?.('retry', onRetry);
    try {
      return await run.execute(operations);
    } finally {
      this.#client?.off?.('retry', onRetry);
    }
  }
}

/** One execution of a list of operations. */
class Run {
  readonly #limit: ChunkLimiter;
  readonly #own: ReturnType<typeof pLimit>;
  readonly #stats = new StatsCounter();
  readonly #startedAt = performance.now();
  readonly #events = new EventHub<BatchEvent>();
  #states: OperationState[] = [];
  #stopped = false;
  #stopReason: { reason: 'failure' | 'aborted'; error: ZenooError } | undefined;
  #firstError: ZenooError | undefined;

  constructor(
    private readonly options: ResolvedBatchOptions,
    private readonly sender: ChunkSender,
    private readonly run: ExecuteOptions,
  ) {
    const own = pLimit(run.tuning?.concurrency?.() ?? options.maxConcurrency);
    this.#own = own;
    const shared = run.limiter;
    // This run's cap first, then a slot of the shared limit: at most `maxConcurrency` of our chunks wait for or hold
    // shared slots, so one run cannot flood the shared queue ahead of the others.
    this.#limit = shared === undefined ? own : (task) => own(() => shared(task));
    this.#events.onAny(options.onEvent);
    this.#events.onAny(run.onEvent);
  }

  /** Counts one retry made by the client; one for a busy server (502, 503, 504, a timeout) is told to the tuning. */
  countRetry(error: unknown): void {
    this.#stats.retries += 1;
    const busy =
      (error instanceof HttpError && [502, 503, 504].includes(error.status)) || error instanceof TimeoutError;
    if (busy) this.#observe(0, 0, 'overloaded');
  }

  /** Tells the tuning of one settled call, and follows its concurrency. */
  #observe(records: number, durationMs: number, outcome: ChunkSampleOutcome): void {
    const tuning = this.run.tuning;
    if (tuning === undefined) return;
    tuning.observe({ records, durationMs, outcome });
    const concurrency = tuning.concurrency?.();
    if (concurrency !== undefined && concurrency !== this.#own.concurrency) this.#own.concurrency = concurrency;
  }

  /** Chunks this run may have in flight now. */
  get #concurrency(): number {
    return this.run.tuning?.concurrency?.() ?? this.options.maxConcurrency;
  }

  get #signal(): AbortSignal | undefined {
    return this.run.signal;
  }

  async execute(operations: readonly BatchOperation[]): Promise<ExecutionResult> {
    this.#states = operations.map((operation) => new OperationState(operation));
    const onAbort = (): void =>
      this.#stop(new AbortError('The batch run was aborted; no new chunk was sent after the abort.'), 'aborted');
    this.#signal?.addEventListener('abort', onAbort, { once: true });
    const onStop = (): void =>
      this.#stop(
        new BatchExecutionError('The batch run was stopped; no new chunk was sent after the stop.'),
        'failure',
      );
    if (this.run.stopSignal?.aborted) onStop();
    else this.run.stopSignal?.addEventListener('abort', onStop, { once: true });
    try {
      this.#emit({ type: 'run-started', operations: operations.length, total: this.#total() });
      // Stable sort: higher priority first, then insertion order.
      const ordered = [...this.#states].sort((a, b) => b.operation.priority - a.operation.priority);
      let index = 0;
      while (index < ordered.length) {
        const priority = ordered[index]!.operation.priority;
        const tier: OperationState[] = [];
        while (index < ordered.length && ordered[index]!.operation.priority === priority) tier.push(ordered[index++]!);
        await this.#runTier(tier);
      }
    } finally {
      this.#signal?.removeEventListener('abort', onAbort);
      this.run.stopSignal?.removeEventListener('abort', onStop);
    }
    const durationMs = performance.now() - this.#startedAt;
    this.#stats.durationMs = durationMs;
    const results = this.#states.map((state) => state.operation.result!);
    const stats = this.#stats.snapshot();
    if (this.#stopReason !== undefined) this.#emit({ type: 'run-stopped', ...this.#stopReason });
    this.#emit({ type: 'run-finished', stats, durationMs });
    return { results, stats, durationMs, error: this.#firstError };
  }

  /** Runs operations of equal priority side by side, serializing those whose ids may overlap. */
  async #runTier(tier: readonly OperationState[]): Promise<void> {
    const done: Promise<void>[] = [];
    tier.forEach((state, position) => {
      const conflicts = tier
        .slice(0, position)
        .flatMap((earlier, i) => (overlaps(earlier.operation, state.operation) ? [done[i]!] : []));
      done.push(Promise.all(conflicts).then(() => this.#runOperation(state)));
    });
    await Promise.all(done);
  }

  async #runOperation(state: OperationState): Promise<void> {
    const { operation } = state;
    const policy = operation.onError ?? this.options.onError;
    const tuned = this.run.tuning?.chunkSize;
    const chunkSize = tuned === undefined ? (operation.chunkSize ?? this.options.maxChunkSize) : () => tuned();
    operation.status = 'running';
    operation.startedAt = Date.now();
    this.#stats.operations += 1;
    this.#emit({
      type: 'operation-started',
      operationId: operation.operationId,
      model: operation.model,
      operationType: operation.operationType,
      total: operation.batchSize,
    });
    const inFlight = new Set<Promise<void>>();
    try {
      for await (const chunk of operation.planChunks(chunkSize)) {
        state.records += chunk.inputIndexes.length;
        if (this.#stopped) break;
        const ref = this.#ref(operation, chunk);
        const planned: CheckpointChunk = {
          ...ref,
          ...(chunk.xmlids === undefined ? {} : { xmlids: chunk.xmlids }),
          ...(chunk.ids === undefined ? {} : { ids: chunk.ids }),
        };
        this.#emit({ ...planned, type: 'chunk-planned' });
        const ready = this.run.checkpoint?.planned(planned);
        // Awaited right before the chunk is sent; a chunk dropped before that must not leave an unhandled rejection.
        if (ready instanceof Promise) ready.catch(() => undefined);
        const task: Promise<void> = this.#limit(() => this.#runChunk(state, chunk, { ref, planned, ready }, policy))
          // A checkpoint that failed (its journal cannot be written) stops the run whatever the policy: what is sent
          // after it could not be reconciled after a crash.
          .catch((thrown: unknown) => this.#failRun(state, thrown))
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
        // Back-pressure: keep one chunk queued per running one, so that a freed slot starts the next call at once
        // (as a loop that queued everything would), while a streamed input is read only as fast as it is sent.
        while (inFlight.size >= 2 * this.#concurrency) await Promise.race(inFlight);
      }
      if (!this.#stopped) state.inputEnded = true;
    } catch (error) {
      // The input itself failed (a record refused by validation, a failing async iterator): stop this operation.
      const failure = UnexpectedError.wrap(error, { model: operation.model, method: operation.operationType });
      state.error ??= failure;
      this.#firstError ??= failure;
      if (policy === 'stop') this.#stop(failure, 'failure');
    }
    await Promise.all(inFlight);
    await this.#finishOperation(state);
  }

  async #runChunk(
    state: OperationState,
    chunk: PlannedChunk,
    checkpointed: { ref: ChunkRef; planned: CheckpointChunk; ready: Promise<void> | void },
    policy: OnErrorPolicy,
  ): Promise<void> {
    const { ref, planned, ready } = checkpointed;
    if (this.#stopped) return; // queued before the stop: not sent, reported as not executed.
    const request: ChunkRequest = {
      model: ref.model,
      operationType: ref.operationType,
      context: state.operation.context,
      size: chunk.inputIndexes.length,
      ...(chunk.records === undefined ? {} : { records: chunk.records }),
      ...(chunk.xmlids === undefined ? {} : { xmlids: chunk.xmlids }),
      ...(chunk.values === undefined ? {} : { values: chunk.values }),
      ...(chunk.ids === undefined ? {} : { ids: chunk.ids }),
      ...(chunk.call === undefined ? {} : { call: chunk.call }),
    };
    const method = await this.sender.methodOf(request);
    // The checkpoint's line for this chunk is durable before the call that may write it.
    await ready;
    this.#emit({ ...planned, type: 'chunk-started', method });
    const startedAt = performance.now();
    this.#stats.chunks += 1;
    const outcome = await this.#attempt(request, chunk.inputIndexes, policy, ref, 0);
    const durationMs = performance.now() - startedAt;

    // Record the outcome in input order (for the result unless told not to keep the ids, and for this chunk).
    let applied = 0;
    const keep = this.run.keepIds !== false;
    const chunkIds = new Map<number, number>();
    for (const part of outcome.applied) {
      part.inputIndexes.forEach((inputIndex, k) => {
        if (keep) state.ids[inputIndex] = part.ids[k];
        chunkIds.set(inputIndex, part.ids[k]!);
      });
      applied += part.ids.length;
    }
    state.applied += applied;
    state.rejected.push(...outcome.rejected);
    state.failedChunks.push(...outcome.failed.map((part) => ({ ...part, chunkIndex: chunk.index })));
    for (const part of outcome.unknown) state.unknown.push(...part.inputIndexes);
    state.settled += chunk.inputIndexes.length;
    const failedRecords = chunk.inputIndexes.length - applied;
    this.#stats.records += applied;
    this.#stats.failedRecords += failedRecords;
    this.#stats.failures += outcome.failed.length + outcome.unknown.length;

    const failed = outcome.failed[0]?.error;
    const unknown = outcome.unknown[0]?.error;
    const whole = outcome.applied.length === 1 && outcome.applied[0]!.inputIndexes === chunk.inputIndexes;
    // The common case (the whole chunk applied in one call) reuses the ids array as is.
    const ids = whole ? outcome.applied[0]!.ids : chunk.inputIndexes.map((inputIndex) => chunkIds.get(inputIndex));
    await this.run.checkpoint?.settled(planned, { ids, rejected: outcome.rejected, failed, unknown, durationMs });
    if (failed !== undefined) this.#emit({ ...ref, type: 'chunk-failed', error: failed, durationMs });
    if (unknown !== undefined) this.#emit({ ...ref, type: 'chunk-outcome-unknown', error: unknown, durationMs });
    this.#emit({ ...ref, type: 'chunk-finished', ids, rejected: outcome.rejected, durationMs });
    const failure = failed ?? unknown;
    if (failure !== undefined) {
      state.error ??= failure;
      this.#firstError ??= failure;
      if (policy === 'stop') this.#stop(failure, 'failure');
    }
    await this.#progress();
  }

  /**
   * Sends `request` and settles every one of its records: applied, rejected (isolate), failed as part of a failed
   * request, or of unknown outcome (after reconciliation when possible).
   */
  async #attempt(
    request: ChunkRequest,
    inputIndexes: readonly number[],
    policy: OnErrorPolicy,
    ref: ChunkRef,
    resends: number,
  ): Promise<PartOutcome> {
    const outcome = emptyOutcome();
    let result;
    const sentAt = performance.now();
    try {
      this.#stats.calls += 1;
      result = await this.sender.send(request, this.#sendOptions());
      this.#observe(request.size, performance.now() - sentAt, 'ok');
    } catch (thrown) {
      const error = UnexpectedError.wrap(thrown, { model: request.model, method: request.operationType });
      // An answer that is an error still says the server coped with the load; no answer may mean it did not.
      this.#observe(request.size, performance.now() - sentAt, isChunkOutcomeUnknown(error) ? 'lost' : 'ok');
      if (isChunkOutcomeUnknown(error)) {
        if (
          (request.operationType === 'create' && request.xmlids !== undefined) ||
          this.sender.canReconcile?.(request) === true
        ) {
          return this.#reconcile(request, inputIndexes, policy, ref, error, resends);
        }
        outcome.unknown.push({ inputIndexes: [...inputIndexes], error });
        return outcome;
      }
      if (policy === 'isolate' && error instanceof RpcFault && !this.#stopped) {
        if (request.size === 1) {
          outcome.rejected.push({ index: inputIndexes[0]!, error });
          this.#stats.failures += 1;
          return outcome;
        }
        // Bisect sequentially inside this chunk's limiter slot (calling the limiter from one of its tasks deadlocks).
        this.#emit({ ...ref, type: 'chunk-bisected', parts: 2 });
        const middle = Math.ceil(request.size / 2);
        for (const positions of [range(0, middle), range(middle, request.size)]) {
          const part = await this.#attempt(
            subRequest(request, positions),
            positions.map((position) => inputIndexes[position]!),
            policy,
            ref,
            resends,
          );
          mergeInto(outcome, part);
        }
        return outcome;
      }
      outcome.failed.push({ chunkIndex: ref.chunkIndex, inputIndexes: [...inputIndexes], error });
      return outcome;
    }
    if (result.kind === 'applied') {
      outcome.applied.push({ inputIndexes, ids: result.ids });
      return outcome;
    }
    // Rows refused as a whole-call rollback (load): nothing of the request was committed.
    for (const rejection of result.rejections)
      outcome.rejected.push({ index: inputIndexes[rejection.position]!, error: rejection.error });
    const refused = new Set(result.rejections.map((rejection) => rejection.position));
    const rest = range(0, request.size).filter((position) => !refused.has(position));
    if (policy === 'isolate' && !this.#stopped) {
      this.#stats.failures += refused.size;
      if (rest.length > 0) {
        const part = await this.#attempt(
          subRequest(request, rest),
          rest.map((p) => inputIndexes[p]!),
          policy,
          ref,
          resends,
        );
        mergeInto(outcome, part);
      }
      return outcome;
    }
    const first = result.rejections[0]?.error ?? new BatchExecutionError('The server refused the chunk.');
    outcome.failed.push({ chunkIndex: ref.chunkIndex, inputIndexes: [...inputIndexes], error: first });
    return outcome;
  }

  /** Looks up the external ids of a create whose outcome is unknown; resends only the missing records if safe. */
  async #reconcile(
    request: ChunkRequest,
    inputIndexes: readonly number[],
    policy: OnErrorPolicy,
    ref: ChunkRef,
    error: ZenooError,
    resends: number,
  ): Promise<PartOutcome> {
    const outcome = emptyOutcome();
    let found;
    try {
      this.#stats.calls += 1;
      found = await this.sender.reconcile(request, this.#sendOptions());
    } catch (thrown) {
      // Could not even look: the outcome stays unknown (keep the original error, it says what was lost).
      outcome.unknown.push({ inputIndexes: [...inputIndexes], error });
      void thrown;
      return outcome;
    }
    const missing: number[] = [];
    const foundIndexes: number[] = [];
    const foundIds: number[] = [];
    found.ids.forEach((id, position) => {
      if (id === undefined) missing.push(position);
      else {
        foundIndexes.push(inputIndexes[position]!);
        foundIds.push(id);
      }
    });
    if (foundIds.length > 0) outcome.applied.push({ inputIndexes: foundIndexes, ids: foundIds });
    this.#emit({
      ...ref,
      type: 'chunk-reconciled',
      found: foundIndexes,
      missing: missing.map((position) => inputIndexes[position]!),
    });
    if (missing.length === 0) return outcome;
    const maxResends = Math.max(1, this.options.retryAttempts);
    if (!found.resendable || resends >= maxResends || this.#stopped) {
      outcome.unknown.push({ inputIndexes: missing.map((position) => inputIndexes[position]!), error });
      return outcome;
    }
    this.#stats.retries += 1;
    // With tuning, the missing records go again in halves: a server that cut the call for its size takes them so.
    const halves =
      this.run.tuning?.splitLost === true && missing.length > 1
        ? [missing.slice(0, Math.ceil(missing.length / 2)), missing.slice(Math.ceil(missing.length / 2))]
        : [missing];
    for (const positions of halves) {
      const part = await this.#attempt(
        subRequest(request, positions),
        positions.map((position) => inputIndexes[position]!),
        policy,
        ref,
        resends + 1,
      );
      mergeInto(outcome, part);
    }
    return outcome;
  }

  async #finishOperation(state: OperationState): Promise<void> {
    const { operation } = state;
    const problems = state.rejected.length + state.failedChunks.length + state.unknown.length;
    const complete = state.inputEnded && state.settled === state.records;
    let status: OperationResult['status'];
    if (complete && problems === 0 && state.error === undefined) status = 'completed';
    // Stopped by another operation's failure or by an abort, with nothing wrong of its own.
    else if (problems === 0 && state.error === undefined) status = 'cancelled';
    else status = state.applied === 0 ? 'failed' : 'partial';
    const result: OperationResult = Object.freeze({
      operationId: operation.operationId,
      model: operation.model,
      operationType: operation.operationType,
      status,
      records: state.records,
      // Dense, so that array methods see the `undefined` of records not applied (a sparse array would skip them).
      ids: this.run.keepIds === false ? [] : Array.from({ length: state.records }, (_, index) => state.ids[index]),
      applied: state.applied,
      rejected: state.rejected,
      failedChunks: state.failedChunks,
      unknown: state.unknown.sort((a, b) => a - b),
      durationMs: performance.now() - state.startedAt,
    });
    operation.status = status;
    operation.completedAt = Date.now();
    operation.result = result;
    operation.error = state.error ?? (status === 'cancelled' ? this.#firstError : undefined);
    if (status === 'completed') this.#stats.completedOperations += 1;
    else this.#stats.failedOperations += 1;
    this.#emit({ type: 'operation-finished', result });
  }

  #failRun(state: OperationState, thrown: unknown): void {
    const failure = UnexpectedError.wrap(thrown, {
      model: state.operation.model,
      method: state.operation.operationType,
    });
    state.error ??= failure;
    this.#firstError ??= failure;
    this.#stop(failure, 'failure');
  }

  #stop(error: ZenooError, reason: 'failure' | 'aborted'): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopReason = { reason, error };
    if (reason === 'aborted') this.#firstError = error;
  }

  #sendOptions(): ChunkSendOptions {
    return { signal: this.#signal, timeoutMs: this.options.timeoutMs, retryAttempts: this.options.retryAttempts };
  }

  #ref(operation: BatchOperation, chunk: PlannedChunk): ChunkRef {
    return {
      operationId: operation.operationId,
      model: operation.model,
      operationType: operation.operationType,
      chunkIndex: chunk.index,
      inputIndexes: chunk.inputIndexes,
    };
  }

  #total(): number | undefined {
    let total = 0;
    for (const state of this.#states) {
      const size = state.inputEnded ? state.records : state.operation.batchSize;
      if (size === undefined) return undefined;
      total += size;
    }
    return total;
  }

  async #progress(): Promise<void> {
    const elapsedMs = performance.now() - this.#startedAt;
    const completed = this.#states.reduce((sum, state) => sum + state.settled, 0);
    const total = this.#total();
    const recordsPerSecond = elapsedMs > 0 ? (completed * 1000) / elapsedMs : 0;
    const progress: BatchProgress = Object.freeze({
      completed,
      total,
      percentage: total === undefined ? undefined : total === 0 ? 100 : (completed / total) * 100,
      records: this.#stats.records,
      recordsPerSecond,
      etaMs:
        total === undefined || recordsPerSecond === 0 ? undefined : ((total - completed) / recordsPerSecond) * 1000,
      stats: this.#stats.snapshot(elapsedMs),
    });
    if (this.run.onProgress !== undefined) await this.run.onProgress(progress);
    this.#emit({ type: 'progress', progress });
  }

  #emit(event: BatchEvent): void {
    this.#events.emit(event);
  }
}

/** Whether two operations may touch the same records (so they must not run concurrently). */
function overlaps(a: BatchOperation, b: BatchOperation): boolean {
  if (a.model !== b.model) return false;
  const idsA = a.touchedIds();
  const idsB = b.touchedIds();
  if (idsA === 'none' || idsB === 'none') return false;
  if (idsA === 'unknown' || idsB === 'unknown') return true;
  const [small, large] = idsA.size <= idsB.size ? [idsA, idsB] : [idsB, idsA];
  for (const id of small) if (large.has(id)) return true;
  return false;
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}
