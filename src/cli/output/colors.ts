/**
 * Colours of the CLI: chalk at a level chosen once per stream. NO_COLOR (https://no-color.org) wins over everything,
 * then FORCE_COLOR, then whether the stream is a terminal.
 *
 * @packageDocumentation
 */
import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';
import type { DiffStyle } from '../../plan/render/render-text.js';

/** The chalk colour level (0 none … 3 truecolor) for `stream` under `env`. */
export function colorLevel(
  stream: { readonly isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>> = process.env,
): 0 | 1 | 2 | 3 {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') {
    return 0;
  }
  const force = env['FORCE_COLOR'];
  if (force !== undefined) {
    if (force === 'false' || force === '0') {
      return 0;
    }
    const level = Number.parseInt(force, 10);
    return Number.isInteger(level) && level >= 1 && level <= 3 ? (level as 1 | 2 | 3) : 1;
  }
  return stream.isTTY === true && env['TERM'] !== 'dumb' ? 1 : 0;
}

/** A chalk instance for `stream`. */
export function chalkFor(
  stream: { readonly isTTY?: boolean },
  env?: Readonly<Record<string, string | undefined>>,
): ChalkInstance {
  return new Chalk({ level: colorLevel(stream, env) });
}

/** The diff style of a chalk instance: green creates, yellow updates, red deletes. */
export function diffStyle(chalk: ChalkInstance): DiffStyle {
  return {
    create: (text) => chalk.green(text),
    update: (text) => chalk.yellow(text),
    delete: (text) => chalk.red(text),
    dim: (text) => chalk.dim(text),
    bold: (text) => chalk.bold(text),
  };
}
