/**
 * What the engine runs for one step, built from a plan step or from a saved diff's step: model, action, chunking,
 * dependencies and the stream of its chunk diffs.
 *
 * @packageDocumentation
 */
import type { ApplyRun } from './apply-run.js';
import type { ChunkDiff } from '../diff/diff-step.js';
import { diffStepChunks } from '../diff/diff-step.js';
import { evaluateWhere } from '../evaluate/evaluate-record.js';
import type { PlanGraphNode } from '../graph/plan-graph.js';
import type { ExecutableStep } from '../model/executable-step.js';
import type {
  DiffCallRecord,
  DiffCalls,
  DiffCreate,
  DiffUpdate,
  DocumentLines,
  FieldChange,
  StepDiff,
} from '../model/diff-types.js';
import { selectByKeys, selectWhere } from '../diff/diff-call.js';
import type { CallSelection } from '../diff/diff-call.js';
import { StaleDiffError } from '../../errors.js';
import { isPendingRef } from '../model/diff-types.js';
import type { Plan } from '../model/plan-types.js';
import { DEFAULT_PLAN_CHUNK_SIZE } from '../model/plan-types.js';
import { PlanResolver } from '../references/plan-resolver.js';
import { StateReader } from '../references/state-reader.js';
import type { ApplyOptions } from './apply-options.js';
import type { MethodCall } from '../../batch/operations/method-call.js';

/**
 * What the engine runs for one step: its {@link ExecutableStep} (compiled once with the plan's graph, or read from a
 * saved diff), the apply's `onError` override applied, and the stream of its chunk diffs.
 */
export interface StepSpec extends ExecutableStep {
  /**
   * Streams the step's changes. `settle` resolves once every record handed over so far has settled (created, or
   * given up on): a step that refers to itself awaits it before it computes what depends on those records.
   */
  readonly chunks: (settle: () => Promise<void>) => AsyncGenerator<ChunkDiff>;
  /** Total rows, for progress, if known. */
  readonly total: number | undefined;
  /** The plan's name (external ids of its records live under `zenoo_<name>`). */
  readonly planName: string;
  /**
   * For a call step: the method, its arguments and the step's domain as its guard, made when the step starts (the
   * domain may refer to records earlier steps of the run create).
   */
  readonly call?: () => Promise<MethodCall>;
}

/** The spec of a plan step, from the executable step its graph node carries: its changes are diffed as it runs. */
export function planStepSpec(
  plan: Plan,
  node: PlanGraphNode,
  run: ApplyRun,
  reader: StateReader,
  options: ApplyOptions,
  called?: ReadonlySet<number>,
): StepSpec {
  const { step, executable } = node;
  const chunks = (settle?: () => Promise<void>): AsyncGenerator<ChunkDiff> =>
    diffStepChunks({
      plan,
      step,
      reader,
      resolver: run.resolver,
      pendingCreates: false,
      registerKeys: executable.referenced,
      signal: options.signal,
      settle,
    });
  const call = step.call;
  return {
    ...executable,
    onError: options.onError ?? executable.onError,
    total: step.records?.rowCount,
    planName: plan.name,
    chunks:
      call === undefined || called === undefined || called.size === 0 ? chunks : () => notCalledAgain(chunks(), called),
    ...(call === undefined
      ? {}
      : {
          call: async () => {
            const guard = await evaluateWhere(step, run.resolver, { signal: options.signal });
            return {
              method: call.method,
              args: call.args,
              kwargs: call.kwargs,
              ...(guard === undefined ? {} : { guard }),
            };
          },
        }),
  };
}

/**
 * A call step's chunks without the records an earlier run of this round called (or left of unknown outcome): a
 * chunk reported done is never called again, even when the step has no domain that would leave them out.
 */
async function* notCalledAgain(
  chunks: AsyncGenerator<ChunkDiff>,
  called: ReadonlySet<number>,
): AsyncGenerator<ChunkDiff> {
  for await (const chunk of chunks) {
    const calls = chunk.calls ?? [];
    const todo = calls.filter((record) => !called.has(record.id));
    yield todo.length === calls.length
      ? chunk
      : { ...chunk, calls: todo, unchanged: chunk.unchanged + calls.length - todo.length };
  }
}

/** Whether `value` is or holds a pending reference (most values do not: they are passed on as they are). */
function holdsPending(value: unknown): boolean {
  if (isPendingRef(value)) return true;
  if (Array.isArray(value)) return value.some(holdsPending);
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsPending);
  return false;
}

/** Replaces pending references (records created earlier in this apply) by their ids, deeply. */
export async function resolvePendingValues(
  value: unknown,
  resolver: PlanResolver,
  signal?: AbortSignal,
): Promise<unknown> {
  if (!holdsPending(value)) return value;
  if (isPendingRef(value)) return resolver.resolvePending(value, signal);
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) items.push(await resolvePendingValues(item, resolver, signal));
    return items;
  }
  if (value !== null && typeof value === 'object') {
    const entries: [string, unknown][] = [];
    for (const [key, item] of Object.entries(value))
      entries.push([key, await resolvePendingValues(item, resolver, signal)]);
    return Object.fromEntries(entries);
  }
  return value;
}

/**
 * The spec of a saved diff's step: the executable step of the plan when the diff was confirmed at the prompt (the
 * plan is prepared), otherwise the attributes the diff carries; its changes are the diff's, with the references to
 * records created earlier in the run resolved as they come.
 */
export function diffStepSpec(
  planName: string,
  step: StepDiff,
  resolver: PlanResolver,
  options: ApplyOptions,
  dependsOn: readonly string[],
  compiled?: ExecutableStep,
  selection?: SavedCallSelection,
): StepSpec {
  const executable: ExecutableStep = compiled ?? {
    id: step.step,
    model: step.model,
    action: step.action,
    chunkSize: step.chunkSize ?? DEFAULT_PLAN_CHUNK_SIZE,
    autoChunkSize: step.autoChunkSize === true,
    context: step.context ?? {},
    onError: 'stop',
    dependsOn,
    priority: 0,
    concurrency: undefined,
    keyFields: step.keyFields,
    referenced: true,
  };
  const calls = step.calls;
  if (calls !== undefined) {
    return {
      ...executable,
      dependsOn,
      onError: options.onError ?? executable.onError,
      total: calls.records.length,
      planName,
      call: () =>
        Promise.resolve({
          method: calls.method,
          args: calls.args ?? [],
          kwargs: calls.kwargs ?? {},
          ...(calls.where === undefined ? {} : { guard: calls.where }),
        }),
      chunks: () => savedCallChunks(step, calls, selection, options.signal),
    };
  }
  return {
    ...executable,
    // A saved diff's own references decide what its creates must wait for.
    dependsOn,
    onError: options.onError ?? executable.onError,
    total: step.creates.length + step.updates.length + step.deletes.length,
    planName,
    chunks: async function* (settle) {
      const todo = step;
      const signal = options.signal;
      // A step that refers to its own records (a hierarchy): a record it creates can be referred to only once it was
      // created. The diff lists a hierarchy level by level, so what was gathered so far is handed over and settled
      // when the first reference to a record not created yet comes up (once per level).
      let creates: DiffCreate[] = [];
      let updates: DiffUpdate[] = [];
      const waitForOwn = async function* (value: unknown): AsyncGenerator<ChunkDiff> {
        if (!pendingRefs(value).some((ref) => ref.step === todo.step && !resolver.hasKey(ref.step, ref.key))) return;
        yield { creates, updates, deletes: [], unchanged: 0, size: creates.length + updates.length };
        creates = [];
        updates = [];
        await settle();
      };
      // One after the other: a pending lookup is a read, and a large diff must not send them all at once.
      for (const create of todo.creates) {
        yield* waitForOwn(create.values);
        const resolved = holdsPending(create.values)
          ? {
              ...create,
              values: (await resolvePendingValues(create.values, resolver, signal)) as Record<string, unknown>,
            }
          : create;
        // A line's values may point at records created earlier in the run too (a lookup of a product created then).
        creates.push(
          resolved.lines !== undefined && holdsPending(resolved.lines)
            ? { ...resolved, lines: (await resolvePendingValues(resolved.lines, resolver, signal)) as DocumentLines }
            : resolved,
        );
      }
      for (const update of todo.updates) {
        const lines =
          update.lines !== undefined && holdsPending(update.lines)
            ? ((await resolvePendingValues(update.lines, resolver, signal)) as DocumentLines)
            : update.lines;
        const withLines = lines === update.lines ? update : { ...update, lines };
        if (!update.changes.some((change) => holdsPending(change.after))) {
          updates.push(withLines);
          continue;
        }
        const changes: FieldChange[] = [];
        for (const change of update.changes) {
          yield* waitForOwn(change.after);
          changes.push({ ...change, after: await resolvePendingValues(change.after, resolver, signal) });
        }
        updates.push({ ...withLines, changes });
      }
      yield {
        creates,
        updates,
        deletes: [...todo.deletes],
        unchanged: 0,
        size: creates.length + updates.length + todo.deletes.length,
      };
    },
  };
}

/** The pending references by key in `value`, deeply. */
function pendingRefs(value: unknown): { readonly step: string; readonly key: string }[] {
  const found: { step: string; key: string }[] = [];
  const visit = (item: unknown): void => {
    if (isPendingRef(item)) {
      if ('key' in item.$pending) found.push({ step: item.$pending.step, key: item.$pending.key });
    } else if (Array.isArray(item)) item.forEach(visit);
    else if (item !== null && typeof item === 'object') Object.values(item).forEach(visit);
  };
  if (holdsPending(value)) visit(value);
  return found;
}

/** What the apply of a saved diff's call step reads with, and what it must not call again. */
export interface SavedCallSelection {
  /** Reads the target (a pending selection is made again when the step runs). */
  readonly reader: StateReader;
  /** Ids an interrupted run of this diff called (or left of unknown outcome): never called again. */
  readonly called?: ReadonlySet<number> | undefined;
}

/**
 * The records a saved diff's call step calls: exactly the reviewed ones (already checked against the domain by
 * `prepareSavedDiff`), or, when the review said that the selection depends on records earlier steps create, the
 * selection made again now with the diff's domain and keys (it cannot list records that did not exist yet).
 */
async function* savedCallChunks(
  step: StepDiff,
  calls: DiffCalls,
  selection: SavedCallSelection | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<ChunkDiff> {
  const called = selection?.called ?? new Set<number>();
  const chunk = (records: readonly DiffCallRecord[], unchanged = 0): ChunkDiff => {
    const todo = records.filter((record) => !called.has(record.id));
    return {
      creates: [],
      updates: [],
      deletes: [],
      unchanged: unchanged + records.length - todo.length,
      size: records.length,
      calls: todo,
    };
  };
  if (calls.pendingSelection !== true || selection === undefined) {
    yield chunk(calls.records);
    return;
  }
  const where: CallSelection = {
    model: step.model,
    context: step.context ?? {},
    where: calls.where,
    reader: selection.reader,
    chunkSize: step.chunkSize ?? DEFAULT_PLAN_CHUNK_SIZE,
    signal,
  };
  if (calls.keys === undefined) {
    for await (const records of selectWhere(where)) yield chunk(records);
    return;
  }
  const keys = calls.keys.map((key, index) => ({ parts: JSON.parse(key) as unknown[], key, row: index + 1 }));
  const selected = await selectByKeys(where, step.keyFields ?? [], keys, (key, ids) => {
    throw new StaleDiffError(
      `${ids.length} records of ${step.model} have the key ${key.key} (ids ${ids.join(', ')}); step ${step.step} calls ${calls.method} on one record per key. Make the key unique in the target, then a new diff.`,
      [`${step.model} key ${key.key} (step ${step.step})`],
    );
  });
  yield chunk(selected.records, selected.guarded);
}

/**
 * Steps a saved diff's pending references point at, per step; not the step itself (a hierarchy waits for its own
 * records as it goes, see `diffStepSpec`).
 */
export function pendingDependencies(step: StepDiff): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (isPendingRef(value)) found.add(value.$pending.step);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  step.creates.forEach((create) => {
    visit(create.values);
    if (create.lines !== undefined) visit(create.lines);
  });
  step.updates.forEach((update) => {
    update.changes.forEach((change) => visit(change.after));
    if (update.lines !== undefined) visit(update.lines);
  });
  found.delete(step.step);
  return [...found];
}
