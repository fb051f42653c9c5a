/**
 * What the engine runs for one step, built from a plan step or from a saved diff's step: model, action, chunking,
 * dependencies and the stream of its chunk diffs.
 *
 * @packageDocumentation
 */
import type { ApplyRun } from './apply-run.js';
import type { OnErrorPolicy } from '../../batch/batch-options.js';
import type { ChunkDiff } from '../diff/diff-step.js';
import { diffStepChunks } from '../diff/diff-step.js';
import type { PlanGraph } from '../graph/plan-graph.js';
import type { StepDiff } from '../model/diff-types.js';
import type { StepAction } from '../model/plan-types.js';
import { isPendingRef } from '../model/diff-types.js';
import type { Plan, PlanStep } from '../model/plan-types.js';
import { DEFAULT_PLAN_CHUNK_SIZE } from '../model/plan-types.js';
import { PlanResolver } from '../references/plan-resolver.js';
import { StateReader } from '../references/state-reader.js';
import type { ApplyOptions } from './apply-options.js';

/** What the engine needs to know about one step to run it, whether it comes from a plan or from a saved diff. */
export interface StepSpec {
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

/** Whether a later step may refer to `stepId`'s records (only then are its keys kept, for `{ ref }` resolution). */
export function isReferenced(graph: PlanGraph, stepId: string): boolean {
  return (graph.byId[stepId]?.dependents.length ?? 1) > 0;
}

/** The spec of a plan step: its chunks are diffed against the live state as the step runs. */
export function planStepSpec(
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
export function resolvePendingValues(value: unknown, resolver: PlanResolver): unknown {
  if (isPendingRef(value)) return resolver.resolvePending(value);
  if (Array.isArray(value)) return value.map((item) => resolvePendingValues(item, resolver));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolvePendingValues(item, resolver)]));
  }
  return value;
}

/** A saved diff's step as chunks (creates with pending references resolved as they are reached). */
export function diffStepSpec(
  planName: string,
  step: StepDiff,
  resolver: PlanResolver,
  options: ApplyOptions,
  dependsOn: readonly string[],
  planStep?: PlanStep,
): StepSpec {
  const chunkSize = step.chunkSize ?? DEFAULT_PLAN_CHUNK_SIZE;
  return {
    id: step.step,
    model: step.model,
    action: step.action,
    chunkSize,
    context: step.context ?? {},
    onError: options.onError ?? planStep?.onError ?? 'stop',
    dependsOn,
    // A saved diff keeps neither: its steps are in the plan's order, and they share the run's limit. A diff confirmed
    // at the prompt has its plan at hand, and runs with the plan's settings.
    priority: planStep?.priority ?? 0,
    concurrency: planStep?.concurrency,
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
export function pendingDependencies(step: StepDiff): string[] {
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
