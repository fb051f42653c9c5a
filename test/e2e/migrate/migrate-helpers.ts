/**
 * Helpers of the `zenoo migrate` end-to-end tests: the built CLI as a subprocess, a project directory with a
 * migrations folder, and reads of the sandbox (ledger, records) through the client. Targets are canary sandboxes
 * (test/chaos/chaos-core.mjs: admin/admin does not log in), and every output and project directory is kept in
 * {@link watch} for the secrets scan each test file runs in its `afterAll`.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { OdooClient } from '../../../src/client/odoo-client.js';
import type { Sandbox } from '../../../src/sandbox/start-sandbox.js';
import { CANARY_API_KEY, CANARY_PASSWORD, LOGIN, canaryClient } from '../../chaos/chaos-core.mjs';
import { SecretWatch } from '../secret-scan.js';

/**
 * The outputs and project directories of the current test file (vitest loads this module once per file), scanned
 * for the canaries and removed by `expect(await watch.finish()).toEqual([])` in an `afterAll`.
 */
export const watch = new SecretWatch();

/** The built CLI (`npm run build` first; `npm test` does). */
export const CLI = resolve('dist/cli/main.js');

/** The outcome of one CLI run. */
export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How the CLI is given the canary secret of the target. */
export type Credential = 'password' | 'api-key';

/**
 * Connection flags of a canary sandbox started by the test, with its password or its API key; a sandbox serving
 * Odoo 19 is reached over JSON-2 (`--transport json2`), with the API key, which is all JSON-2 accepts.
 */
export function targetFlags(sandbox: Sandbox, credential: Credential = 'password'): string[] {
  const json2 = sandbox.odooVersion === '19.0';
  const secret = credential === 'api-key' || json2 ? ['--api-key', CANARY_API_KEY] : ['--password', CANARY_PASSWORD];
  return [
    '--url',
    sandbox.url,
    '--db',
    sandbox.db,
    '--user',
    LOGIN,
    ...secret,
    ...(json2 ? ['--transport', 'json2'] : []),
  ];
}

/** Starts the CLI in `cwd` (stdin closed: no terminal, so no prompt). */
export function spawnZenoo(cwd: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the CLI in `cwd` and collects its output (kept in {@link watch}). */
export function zenoo(cwd: string, args: readonly string[]): Promise<Run> {
  return new Promise<Run>((done, fail) => {
    const child = spawnZenoo(cwd, args);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  }).then((run) => watch.output(run, `zenoo ${args.slice(0, 2).join(' ')}`));
}

/** A fresh project directory (watched by {@link watch}); `files` are written relative to it (parents created). */
export async function project(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = watch.dir(await mkdtemp(join(tmpdir(), 'zenoo-migrate-e2e-')));
  await writeFiles(dir, files);
  return dir;
}

/** Writes `files` relative to `dir`. */
export async function writeFiles(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

/** A client on the canary sandbox, for assertions on server state. */
export function clientFor(sandbox: Sandbox): OdooClient {
  return canaryClient(sandbox);
}

/** The ledger as stored: `zenoo.migration.*` keys and their parsed values. */
export async function ledger(client: OdooClient): Promise<Record<string, Record<string, unknown>>> {
  const rows = await client.searchRead('ir.config_parameter', [['key', '=like', 'zenoo.migration.%']], {
    fields: ['key', 'value'],
  });
  return Object.fromEntries(
    rows.map((row) => [row['key'] as string, JSON.parse(row['value'] as string) as Record<string, unknown>]),
  );
}

/** Names of the records of `model` matching `domain`, sorted. */
export async function names(
  client: OdooClient,
  model: string,
  domain: readonly (string | readonly [string, string, unknown])[],
): Promise<string[]> {
  const rows = await client.searchRead(model, domain, { fields: ['name'], context: { active_test: false } });
  return rows.map((row) => row['name'] as string).sort();
}
