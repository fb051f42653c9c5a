/**
 * A plan prepared for one command against one target: what check, diff and apply all need, derived once. The fields
 * of every model are read once (`fields_get`, one call per model; `default_get` once per model whose creates leave
 * a required field out), the plan is checked against them, every
 * reference the check could resolve is kept in one cache, and one state reader (seeded with those fields) serves the
 * diff and the apply. None of them reads the fields, builds the graph or checks the references again.
 *
 * @packageDocumentation
 */
import { callStepTransportProblems } from '../check/call-step-transport.js';
import { callStepWarnings } from '../check/call-step-warnings.js';
import { planGraphOverFields } from '../check/plan-graph-over-fields.js';
import { throwIfAborted } from '../../util/abort.js';
import { PlanValidationError } from '../../errors.js';
import type { PlanProblem } from '../../errors.js';
import { checkPlanAgainst, readPlanDefaults, readPlanFields } from '../check/check-plan-fields.js';
import type { FieldsGetClient } from '../check/check-plan-fields.js';
import type { PlanGraph } from '../graph/plan-graph.js';
import type { ModelFields } from '../model/model-fields.js';
import type { Plan } from '../model/plan-types.js';
import { ReferenceCache } from '../references/reference-cache.js';
import { StateReader } from '../references/state-reader.js';
import type { StateClient } from '../references/state-reader.js';

/** The client a preparation reads through (`OdooClient` satisfies it); it must be logged in already. */
export type PrepareClient = Omit<FieldsGetClient, 'authenticate' | 'url' | 'db'> &
  StateClient & {
    /** The transport in use once logged in (`json2`, `jsonrpc`, …): a call step's positional arguments need JSON-RPC. */
    readonly activeMode?: string;
  };

/** Options of {@link preparePlan}. */
export interface PreparePlanOptions {
  /**
   * Also check literal external ids and row-independent lookups against the target's current state (see
   * `validatePlanRemote`). Turn it off when other work runs before the plan and may create what they find.
   * @default true
   */
  readonly targetState?: boolean;
  /** Cancels the preparation. */
  readonly signal?: AbortSignal | undefined;
}

/** A plan with what its command derived once from it and the target. */
export interface PreparedPlan {
  /** The loaded plan. */
  readonly plan: Plan;
  /** Its graph (the one the loader built). */
  readonly graph: PlanGraph;
  /** The fields of every model the plan names, read once. */
  readonly fields: ModelFields;
  /** The external ids and lookups the check resolved, for the diff's and the apply's resolvers. */
  readonly references: ReferenceCache;
  /** What the checks could not know for sure (e.g. a required field the server may fill): shown, never refused. */
  readonly warnings: readonly PlanProblem[];
  /** The one state reader of the command, seeded with {@link PreparedPlan.fields}. */
  readonly reader: StateReader;
}

/**
 * Prepares `plan` against the target behind `client`: reads the fields of its models (once each), checks the plan
 * against them (fields, selections, required fields, references), and returns what the diff and the apply need.
 *
 * @throws PlanValidationError with every problem found (nothing is ever written by a preparation).
 * @example
 * ```ts
 * const prepared = await preparePlan(plan, client);
 * const diff = await computeDiff(plan, client, { target, prepared });
 * await applyPlan(plan, client, { target, prepared });
 * ```
 */
export async function preparePlan(
  plan: Plan,
  client: PrepareClient,
  options: PreparePlanOptions = {},
): Promise<PreparedPlan> {
  const { signal } = options;
  throwIfAborted(signal, 'The preparation of the plan');
  const { fields, problems } = await readPlanFields(plan, client, signal);
  // The loader's graph, with lookups also ordered after the steps that write their models through a delegation.
  const graph = planGraphOverFields(plan, fields);
  const defaults = await readPlanDefaults(plan, client, fields, signal);
  const references = new ReferenceCache();
  const warnings: PlanProblem[] = callStepWarnings(plan);
  problems.push(
    ...(await checkPlanAgainst(plan, client, fields, {
      graph,
      referenceCache: references,
      defaults,
      warnings,
      ...(signal ? { signal } : {}),
      ...(options.targetState === false ? { targetState: false } : {}),
    })),
  );
  problems.push(...callStepTransportProblems(plan, client.activeMode));
  if (problems.length > 0) throw new PlanValidationError(problems);
  return Object.freeze({ plan, graph, fields, references, warnings, reader: new StateReader(client, fields) });
}
