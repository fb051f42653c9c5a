/**
 * The check an apply runs before its first write (and before it takes the lock): every row of every step is
 * evaluated, so that a reference that cannot be resolved (an external id missing in the target, a `ref` key that
 * the referenced step does not have, a lookup matching nothing or several records), an unknown field, an empty or
 * duplicate key is reported at once, with its file and row, while nothing has been written yet.
 *
 * It reads no records of the plan's models: references to records of earlier steps resolve against those steps'
 * rows. Steps that reference nothing and that no step waits for are skipped (the plan loader and the remote
 * validation already checked their columns, keys and data). What only the live state can tell (a key matching several records, an update of a record that does not
 * exist) is still found when the step is diffed.
 *
 * @packageDocumentation
 */
import { PlanValidationError } from '../errors.js';
import type { PlanProblem } from '../errors.js';
import { PlanResolver } from './apply-resolver.js';
import type { PlanGraph } from './compile-plan.js';
import { rowEvaluator, whereValues } from './diff-step.js';
import { evaluateWhere, stepReferences } from './evaluate-record.js';
import type { Plan } from './plan-types.js';
import { openRecords } from './record-sources.js';
import type { StateReader } from './state-reader.js';

/** At most this many problems are collected before the check stops. */
export const MAX_PREFLIGHT_PROBLEMS = 20;

/**
 * Evaluates every row of `plan` in graph order.
 *
 * @throws PlanValidationError with every problem found (up to {@link MAX_PREFLIGHT_PROBLEMS}).
 */
export async function preflightPlan(
  plan: Plan,
  graph: PlanGraph,
  reader: StateReader,
  options: { readonly signal?: AbortSignal | undefined } = {},
): Promise<void> {
  const { signal } = options;
  const resolver = new PlanResolver(reader);
  const problems: PlanProblem[] = [];
  const collect = (error: unknown): void => {
    if (!(error instanceof PlanValidationError)) throw error;
    problems.push(...error.problems);
  };
  for (const id of graph.order) {
    const node = graph.byId[id];
    if (node === undefined) continue;
    const { step } = node;
    // A step that references nothing and that nothing waits for has nothing to resolve: its columns, keys and data
    // were checked when the plan was loaded and validated against the target, so its rows need not be read twice.
    if (stepReferences(step).length === 0 && node.dependents.length === 0) continue;
    const fields = await reader.fieldsOf(step.model, { signal });
    if (step.records === undefined) {
      try {
        await evaluateWhere(step, resolver, { signal });
        await whereValues(step, fields, resolver, signal);
      } catch (error) {
        collect(error);
      }
    } else {
      const evaluate = rowEvaluator(step, fields, resolver, signal);
      for await (const row of openRecords(plan, step, { signal })) {
        try {
          const { key } = await evaluate(row);
          // Later steps may refer to this row's record: it will exist (matched or created) when they run.
          if (key !== undefined) resolver.register(step.id, key, { $pending: { step: step.id, key } });
        } catch (error) {
          collect(error);
        }
        if (problems.length >= MAX_PREFLIGHT_PROBLEMS) break;
      }
    }
    if (problems.length >= MAX_PREFLIGHT_PROBLEMS) break;
  }
  if (problems.length > 0) {
    throw new PlanValidationError(problems.slice(0, MAX_PREFLIGHT_PROBLEMS));
  }
}
