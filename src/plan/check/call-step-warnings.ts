/**
 * What a plan's call steps may do that the plan probably does not mean: a call step that selects its records by key
 * only, without a `where` guard, selects the same records on every apply and so calls the method again each time
 * (`action_confirm` on a confirmed order raises a UserError; `action_set_won` on a won lead succeeds again). Such a
 * plan is valid, so this is a warning, not a problem.
 *
 * @packageDocumentation
 */
import type { PlanProblem } from '../../errors.js';
import { childPath, findPosition } from '../model/plan-positions.js';
import type { Plan } from '../model/plan-types.js';

/** Warnings about the call steps of `plan`, each at the step's `key` (file:line:col). */
export function callStepWarnings(plan: Plan): PlanProblem[] {
  const warnings: PlanProblem[] = [];
  for (const step of plan.steps) {
    if (step.action !== 'call' || step.where !== undefined) continue;
    const path = childPath(step.path, 'key');
    warnings.push({
      file: plan.displayFile,
      ...(findPosition(plan.positions, path) ?? step.position),
      path,
      message: `call step "${step.id}" selects its records by key only: every apply calls ${step.call?.method ?? 'its method'} on them again`,
      hint: "add where: a domain the method moves records out of (e.g. [[state, '!=', won]]), so that a re-run calls nothing",
    });
  }
  return warnings;
}
