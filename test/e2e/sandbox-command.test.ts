// `zenoo sandbox` as a subprocess of the built CLI: first stdout line, the Odoo version body, --data persistence
// across a restart, SIGINT shutdown, and flag errors.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/cli/main.js');
const children: ChildProcessWithoutNullStreams[] = [];

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly output: () => { stdout: string; stderr: string };
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnSandbox(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [cli, 'sandbox', ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const first = stdout.split('\n')[0];
      if (stdout.includes('\n') && first !== undefined) {
        const match = /^zenoo sandbox listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first);
        if (match?.[1] === undefined) reject(new Error(`unexpected first line: ${first}`));
        else resolve({ child, url: match[1], output: () => ({ stdout, stderr }), exit });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    void exit.then(({ code }) => reject(new Error(`zenoo sandbox exited with ${code}: ${stderr}`)));
  });
}

const rpc = async (url: string, params: unknown): Promise<{ result?: unknown; error?: unknown }> => {
  const response = await fetch(`${url}/jsonrpc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params, id: 1 }),
  });
  return (await response.json()) as { result?: unknown; error?: unknown };
};

const dir = mkdtempSync(join(tmpdir(), 'zenoo-sandbox-e2e-'));

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
});
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('zenoo sandbox', () => {
  it('prints its real URL first, answers common.version like Odoo 17.0, and stops cleanly on SIGINT', async () => {
    const running = await spawnSandbox(['--port', '0']);
    const body = await rpc(running.url, { service: 'common', method: 'version', args: [] });
    expect(body).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {
        server_version: '17.0',
        server_version_info: [17, 0, 0, 'final', 0, ''],
        server_serie: '17.0',
        protocol_version: 1,
      },
    });
    const { stdout } = running.output();
    expect(stdout).toMatch(/ {2}db: {7}sandbox\n/);
    expect(stdout).toMatch(/ {2}login: {4}admin\n {2}password: admin\n {2}api key: {2}\S+\n/);
    running.child.kill('SIGINT');
    expect(await running.exit).toEqual({ code: 0, signal: null });
    expect(running.output().stderr).toContain('zenoo sandbox stopped (SIGINT)');
  });

  it('keeps --data across a restart (SIGTERM) and uses --db', async () => {
    const file = join(dir, 'cli.sqlite');
    const first = await spawnSandbox(['--port', '0', '--data', file, '--db', 'demo']);
    const created = await rpc(first.url, {
      service: 'object',
      method: 'execute_kw',
      args: ['demo', 2, 'admin', 'res.partner', 'create', [{ name: 'From the CLI' }]],
    });
    expect(typeof created.result).toBe('number');
    first.child.kill('SIGTERM');
    expect((await first.exit).code).toBe(0);
    expect(existsSync(file)).toBe(true);

    const second = await spawnSandbox(['--port', '0', '--data', file, '--db', 'demo']);
    const read = await rpc(second.url, {
      service: 'object',
      method: 'execute_kw',
      args: ['demo', 2, 'admin', 'res.partner', 'search_read', [[['name', '=', 'From the CLI']]], { fields: ['name'] }],
    });
    expect(read.result).toEqual([{ id: created.result, name: 'From the CLI' }]);
    second.child.kill('SIGINT');
    expect((await second.exit).code).toBe(0);
  });

  it('injects the faults of --faults (drop: the call commits but the connection is lost)', async () => {
    const running = await spawnSandbox(['--port', '0', '--faults', 'drop=1,seed=3']);
    expect(running.output().stdout).toContain('  faults:   drop=1,seed=3');
    const lost = await rpc(running.url, {
      service: 'object',
      method: 'execute_kw',
      args: ['sandbox', 2, 'admin', 'res.partner', 'create', [{ name: 'Dropped' }]],
    }).then(
      () => 'answered',
      () => 'lost',
    );
    expect(lost).toBe('lost');
    running.child.kill('SIGINT');
    expect((await running.exit).code).toBe(0);
  });

  it('refuses a bad --faults spec with a precise message and exit code 1', async () => {
    const child = spawn(process.execPath, [cli, 'sandbox', '--port', '0', '--faults', 'transient=2'], { cwd: root });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('transient must be a rate between 0 and 1');
  });
});
