/**
 * Prints plan problems the way compilers do: `FILE:LINE:COL  path  message`, then the hint, indented.
 *
 * @packageDocumentation
 */
import type { ChalkInstance } from 'chalk';
import type { PlanProblem } from '../../errors.js';

/** Renders problems, one per block, in the order given; ends with a newline (empty string for no problems). */
export function renderPlanProblems(problems: readonly PlanProblem[], chalk: ChalkInstance): string {
  return problems
    .map((problem) => {
      const place = [problem.file, problem.line, problem.col].filter((part) => part !== undefined).join(':');
      const path = problem.path ? `  ${chalk.cyan(problem.path)}` : '';
      const hint = problem.hint ? `\n    ${chalk.dim(`hint: ${problem.hint}`)}` : '';
      return `${chalk.bold(place)}${path}  ${chalk.red(problem.message)}${hint}\n`;
    })
    .join('');
}
