/**
 * The commander program: a thin layer over the library (like node-pg-migrate's CLI). Each command lives in its own
 * file under `commands/` and exports a `register*Command(program)` function; this file only wires them together.
 *
 * @packageDocumentation
 */
import { Command, CommanderError } from 'commander';
import { ZENOO_VERSION } from '../version.js';
import { registerSandboxCommand } from './commands/sandbox.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerPlanGraphCommand } from './commands/plan-graph.js';
import { registerPlanValidateCommand } from './commands/plan-validate.js';
import { registerPlanApplyCommand } from './commands/plan-apply.js';
import { registerPlanDiffCommand } from './commands/plan-diff.js';
import { registerPlanStatusCommand } from './commands/plan-status.js';
import { registerPlanUnlockCommand } from './commands/plan-unlock.js';

/** Builds the `zenoo` commander program with every command registered. */
export function createProgram(): Command {
  const program = new Command('zenoo')
    .description('Move data into and around Odoo safely and fast.')
    .version(ZENOO_VERSION)
    // Program options only before the subcommand: `migrate baseline --version V` has its own --version.
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  registerSandboxCommand(program);
  registerMigrateCommand(program);
  registerPlanValidateCommand(program);
  registerPlanGraphCommand(program);
  registerPlanDiffCommand(program);
  registerPlanApplyCommand(program);
  registerPlanStatusCommand(program);
  registerPlanUnlockCommand(program);
  return program;
}

/**
 * Runs the CLI with `argv` (as in `process.argv`) and resolves to the process exit code.
 * 0 success / nothing to do, 1 error, 2 changes pending on a dry run with `--detailed-exitcode`.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its message (or the help/version text).
      return error.exitCode === 0 ? 0 : 1;
    }
    throw error;
  }
}
