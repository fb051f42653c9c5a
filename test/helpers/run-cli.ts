/**
 * Runs the built CLI (`dist/cli/main.js`) as a subprocess, the way a user's shell does, and collects what it printed:
 * the one runner of the end-to-end tests, so that each test says only where it runs and against what.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';

/** The built CLI (tests run `npm run build` first, through `npm test`). */
export const CLI = resolve('dist/cli/main.js');

/** What one run of the CLI printed, and how it exited. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `zenoo ARGS` in `cwd` with `env` over the test's own environment (no colours); the caller reads its output. */
export function spawnCli(
  cwd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // No terminal and no input: a command that would ask refuses, as in a pipeline.
  child.stdin.end();
  return child;
}

/** Runs `zenoo ARGS` in `cwd` to its end and resolves with its output and exit code. */
export function runCli(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawnCli(cwd, args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
