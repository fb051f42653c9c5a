/**
 * `zenoo plan validate FILE [--json] [--remote]`: checks a plan and its data files, and with `--remote` also against
 * the target's models and fields (`fields_get`). Exit code 0 when valid, 1 when not (or when the check could not run).
 *
 * @packageDocumentation
 */
import { callStepWarnings } from '../../plan/check/call-step-warnings.js';
import { projectStateDir } from '../project-state-dir.js';
import type { Command } from 'commander';
import { PlanValidationError, ZenooError } from '../../errors.js';
import type { PlanProblem } from '../../errors.js';
import { validatePlanRemote } from '../../plan/check/check-plan-fields.js';
import { loadPlan } from '../../plan/load/load-plan.js';
import type { Plan } from '../../plan/model/plan-types.js';
import { addConnectionOptions, describeConnection, openConnection, resolveConnection } from '../connection.js';
import type { ConnectionFlags } from '../connection.js';
import { chalkFor } from '../output/colors.js';
import { renderPlanProblems, renderPlanWarnings } from '../output/plan-problems.js';
import { planCommand } from './plan.js';

/** Version of the `--json` output of `plan validate`. */
export const VALIDATE_JSON_VERSION = 1;

/** Where plan commands write (injectable for tests). */
export interface PlanCommandIo {
  /** Results. */
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Errors that stop the command. */
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

const DEFAULT_IO: PlanCommandIo = { stdout: process.stdout, stderr: process.stderr };

/** What an offline `plan validate` does not check, as it tells the user. */
export const NOT_CHECKED_OFFLINE =
  '  Not checked: models, field names, selection values and required fields on the target (add --remote to check them).';

interface ValidateFlags extends ConnectionFlags {
  readonly json?: boolean;
  readonly remote?: boolean;
}

function recordCount(plan: Plan): number {
  return plan.steps.reduce((sum, step) => sum + (step.records?.rowCount ?? 0), 0);
}

/** Registers `zenoo plan validate` under the `plan` group of `program`. */
export function registerPlanValidateCommand(program: Command, io: PlanCommandIo = DEFAULT_IO): void {
  const command = planCommand(program)
    .command('validate')
    .description('Check a plan file and its data files; with --remote, also against the models and fields of a target.')
    .argument('<file>', 'the plan file (YAML)')
    .option('--json', 'print the result as JSON')
    .option(
      '--remote',
      'also check models, fields, selection values and required fields against the target (fields_get)',
    );
  addConnectionOptions(command).addHelpText(
    'after',
    '\nExit codes: 0 the plan is valid, 1 it is not (or the check could not run).',
  );
  command.action(async (file: string, flags: ValidateFlags) => {
    const chalk = chalkFor(io.stdout);
    let plan: Plan | undefined;
    let problems: readonly PlanProblem[] = [];
    let target: string | undefined;
    const warnings: PlanProblem[] = [];
    try {
      plan = await loadPlan(file);
      warnings.push(...callStepWarnings(plan));
      if (flags.remote) {
        const connection = await resolveConnection(flags, { stateDir: projectStateDir(file) });
        target = describeConnection(connection);
        const open = await openConnection(connection);
        try {
          problems = await validatePlanRemote(plan, open.client, { warnings });
        } finally {
          await open.close();
        }
      }
    } catch (error) {
      if (error instanceof PlanValidationError) {
        problems = error.problems;
      } else if (error instanceof ZenooError) {
        // Not a problem of the plan: the check itself could not run (no target, connection refused, bad login).
        if (flags.json) {
          io.stdout.write(
            `${JSON.stringify({ version: VALIDATE_JSON_VERSION, valid: false, file, error: error.toJSON() }, null, 2)}\n`,
          );
        } else {
          io.stderr.write(`${chalkFor(io.stderr).red(`error: ${error.message}`)}\n`);
        }
        process.exitCode = 1;
        return;
      } else {
        throw error;
      }
    }
    const valid = problems.length === 0;
    if (flags.json) {
      const summary = plan
        ? { name: plan.name, fingerprint: plan.fingerprint, steps: plan.steps.length, records: recordCount(plan) }
        : undefined;
      io.stdout.write(
        `${JSON.stringify({ version: VALIDATE_JSON_VERSION, valid, file, remote: flags.remote === true, ...(summary ? { plan: summary } : {}), ...(target ? { target } : {}), problems, warnings }, null, 2)}\n`,
      );
    } else if (valid && plan) {
      if (warnings.length > 0) io.stderr.write(renderPlanWarnings(warnings, chalkFor(io.stderr)));
      const steps = `${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}`;
      const against = target ? ` and fits ${target}` : '';
      io.stdout.write(
        `${chalk.green('✓')} ${file}: plan ${chalk.bold(plan.name)} is valid${against} (${steps}, ${recordCount(plan)} records, fingerprint ${plan.fingerprint.slice(0, 12)})\n`,
      );
      // Offline, a misspelt field or model passes: say so, rather than let "valid" promise more than was checked.
      if (!flags.remote) io.stdout.write(`${NOT_CHECKED_OFFLINE}\n`);
    } else {
      if (warnings.length > 0) io.stderr.write(renderPlanWarnings(warnings, chalkFor(io.stderr)));
      io.stdout.write(renderPlanProblems(problems, chalk));
      io.stdout.write(
        `${chalk.red('✗')} ${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}${target ? ` (checked against ${target})` : ''}\n`,
      );
    }
    if (!valid) process.exitCode = 1;
  });
}
