/**
 * What a call step needs of the transport: over JSON-2 (Odoo 19 and later) a method takes named arguments only, and
 * zenoo cannot know the Python parameter names of an arbitrary model method, so positional `args` cannot be sent.
 * Refused when the plan is prepared, before anything is written, rather than at the step's first call after earlier
 * steps already wrote.
 *
 * @packageDocumentation
 */
import type { PlanProblem } from '../../errors.js';
import { childPath, findPosition } from '../model/plan-positions.js';
import type { Plan } from '../model/plan-types.js';

/** The problems of `plan`'s call steps over the transport `mode` (`json2`, `jsonrpc`, …), each at the step's `args`. */
export function callStepTransportProblems(plan: Plan, mode: string | undefined): PlanProblem[] {
  if (mode !== 'json2') return [];
  const problems: PlanProblem[] = [];
  for (const step of plan.steps) {
    if (step.call === undefined || step.call.args.length === 0) continue;
    const path = childPath(step.path, 'args');
    problems.push({
      file: plan.displayFile,
      ...(findPosition(plan.positions, path) ?? step.position),
      path,
      message: `call step "${step.id}" gives ${step.call.method} ${step.call.args.length} positional argument(s), and the JSON-2 API (Odoo 19 and later) takes named arguments only`,
      hint: 'give them in kwargs by the names of the method’s Python parameters (e.g. kwargs: { force: true }), or use --transport jsonrpc while the server still serves it',
    });
  }
  return problems;
}
