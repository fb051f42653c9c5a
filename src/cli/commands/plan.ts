/**
 * The `zenoo plan` command group. Each `plan` subcommand (validate, graph, diff, apply, status, ...) lives in its own
 * file and attaches itself with `planCommand(program).command('NAME')`, so that registration order never matters.
 *
 * @packageDocumentation
 */
import type { Command } from 'commander';

/** Returns the `plan` command of `program`, creating it on first use. */
export function planCommand(program: Command): Command {
  const existing = program.commands.find((command) => command.name() === 'plan');
  if (existing) return existing;
  return program
    .command('plan')
    .description('Validate, inspect, diff and apply plan files (declarative YAML, see schemas/plan.schema.json).');
}
