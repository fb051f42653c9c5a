/**
 * One grammar across the CLI, read from every command's --help: each command ends its help with its exit codes, a
 * command printing a document takes `--json` (and `--json` is `--format json` where there is a `--format`), every
 * `--format` lists its choices, confirmations are `-y, --yes`, and no subcommand shows the program's `--version`.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../../../src/cli/program.js';

/** Every command without subcommands, with its full name (`plan diff`). */
function leaves(command: Command, prefix: string[] = []): { name: string; command: Command }[] {
  if (command.commands.length === 0) return [{ name: prefix.join(' '), command }];
  return command.commands.flatMap((child) => leaves(child, [...prefix, child.name()]));
}

/** The help a user sees for `zenoo NAME --help`, epilogue included. */
function helpOf(command: Command): string {
  const chunks: string[] = [];
  command.configureOutput({ writeOut: (text) => chunks.push(text), writeErr: (text) => chunks.push(text) });
  command.outputHelp();
  return chunks.join('');
}

const program = createProgram();
const commands = leaves(program);
/** Commands that print a document a script may want to read. */
const DOCUMENT_COMMANDS = [
  'plan validate',
  'plan graph',
  'plan diff',
  'plan apply',
  'plan status',
  'migrate status',
  'migrate up',
];

describe('the CLI grammar', () => {
  it('knows every command', () => {
    expect(commands.map((entry) => entry.name).sort()).toEqual(
      [
        'migrate baseline',
        'migrate repair',
        'migrate status',
        'migrate unlock',
        'migrate up',
        'migrate validate',
        'plan apply',
        'plan diff',
        'plan graph',
        'plan status',
        'plan unlock',
        'plan validate',
        'sandbox',
      ].sort(),
    );
  });

  it.each(commands.map((entry) => [entry.name, entry.command] as const))('%s --help', (name, command) => {
    const help = helpOf(command);
    expect(help, `${name} ends its help with its exit codes`).toMatch(/\nExit codes: 0 .*\n/);
    const flags = command.options.filter((option) => !option.hidden).map((option) => option.long);
    if (DOCUMENT_COMMANDS.includes(name)) expect(flags, `${name} takes --json`).toContain('--json');
    const format = command.options.find((option) => option.long === '--format');
    if (format !== undefined) {
      expect(format.argChoices, `${name} --format lists its choices`).toBeDefined();
      // The choices may wrap onto the option's next lines, but not into the next option.
      expect(help).toMatch(/--format <format>(?:(?!\n {2}-)[\s\S])*\(choices:/);
      if (format.argChoices?.includes('json')) expect(flags).toContain('--json');
    }
    const yes = command.options.find((option) => option.long === '--yes');
    if (yes !== undefined) expect(yes.flags).toBe('-y, --yes');
    expect(help, `${name} shows no --version of its own`).not.toContain('--version');
  });
});
