/**
 * `zenoo plan graph FILE [--format text|mermaid|dot|json]`: shows the order steps run in, which may run concurrently,
 * and why (depends_on and references). Mermaid output renders in a pull request.
 *
 * @packageDocumentation
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { PlanValidationError } from '../../errors.js';
import { compilePlan } from '../../plan/graph/plan-graph.js';
import { loadPlan } from '../../plan/load/load-plan.js';
import { GRAPH_FORMATS, renderGraph } from '../../plan/graph/render-graph.js';
import type { GraphFormat } from '../../plan/graph/render-graph.js';
import { chalkFor } from '../output/colors.js';
import { renderPlanProblems } from '../output/plan-problems.js';
import { planCommand } from './plan.js';
import type { PlanCommandIo } from './plan-validate.js';

/** Flags of `plan graph`. */
interface GraphFlags {
  readonly format: GraphFormat;
  /** The same as `--format json`. */
  readonly json?: boolean;
}

/** Registers `zenoo plan graph` under the `plan` group of `program`. */
export function registerPlanGraphCommand(
  program: Command,
  io: PlanCommandIo = { stdout: process.stdout, stderr: process.stderr },
): void {
  planCommand(program)
    .command('graph')
    .description('Show the dependency graph of a plan: levels (steps that may run concurrently), priorities and order.')
    .argument('<file>', 'the plan file (YAML)')
    .addOption(new Option('--format <format>', 'output format').choices(GRAPH_FORMATS).default('text'))
    .option('--json', 'the same as --format json')
    .addHelpText('after', '\nExit codes: 0 the graph was printed, 1 the plan is invalid.')
    .action(async (file: string, flags: GraphFlags, command: Command) => {
      if (flags.json === true && flags.format !== 'text' && flags.format !== 'json') {
        command.error(`error: --json and --format ${flags.format} ask for two formats: give only one of them.`);
      }
      try {
        const plan = await loadPlan(file);
        io.stdout.write(renderGraph(plan, compilePlan(plan), flags.json === true ? 'json' : flags.format));
      } catch (error) {
        if (!(error instanceof PlanValidationError)) throw error;
        const chalk = chalkFor(io.stderr);
        io.stderr.write(renderPlanProblems(error.problems, chalk));
        io.stderr.write(
          `${chalk.red('✗')} ${file}: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}\n`,
        );
        process.exitCode = 1;
      }
    });
}
