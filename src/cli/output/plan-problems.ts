/**
 * Prints plan problems (and warnings) the way compilers do: `FILE:LINE:COL  path  message`, then the hint, indented.
 *
 * @packageDocumentation
 */
import type { ChalkInstance } from 'chalk';
import type { PlanProblem } from '../../errors.js';

/** Renders problems, one per block, in the order given; ends with a newline (empty string for no problems). */
export function renderPlanProblems(problems: readonly PlanProblem[], chalk: ChalkInstance): string {
  return render(problems, chalk, (text) => chalk.red(text), '');
}

/** Renders warnings (what the checks could not know for sure) like problems, each marked `warning:`. */
export function renderPlanWarnings(warnings: readonly PlanProblem[], chalk: ChalkInstance): string {
  return render(warnings, chalk, (text) => chalk.yellow(text), 'warning: ');
}

function render(
  problems: readonly PlanProblem[],
  chalk: ChalkInstance,
  color: (text: string) => string,
  label: string,
): string {
  return problems
    .map((problem) => {
      const place = [problem.file, problem.line, problem.col].filter((part) => part !== undefined).join(':');
      const path = problem.path ? `  ${chalk.cyan(problem.path)}` : '';
      const hint = problem.hint ? `\n    ${chalk.dim(`hint: ${problem.hint}`)}` : '';
      return `${chalk.bold(place)}${path}  ${color(`${label}${problem.message}`)}${hint}\n`;
    })
    .join('');
}
