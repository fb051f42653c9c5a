/**
 * Bad input never writes: every invalid plan of the corpus (test/fixtures/plans/invalid), plans that are wrong only
 * against the target (test/fixtures/reliability/bad-input: unknown models and fields, bad data rows, references that
 * resolve to nothing), wrong credentials, a wrong database, an unreachable server, a server answering HTML, garbage
 * or something that is not Odoo — each gives one clear `error:` message and exit code 1, and the target's stats show
 * zero writes (not even the lock).
 *
 * Run after `npm run build` (`npm test` builds first).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApply } from '../../../src/cli/commands/plan-apply.js';
import { reportError } from '../../../src/cli/commands/plan-target.js';
import type { PlanCommandIo } from '../../../src/cli/commands/plan-target.js';
import type { Sandbox } from '../../../src/sandbox/index.js';
import {
  CAMPAIGN_FIXTURE,
  CANARY_API_KEY,
  CANARY_PASSWORD,
  canaryEnv,
  findSecrets,
  runCli,
  startCanarySandbox,
} from '../../chaos/chaos-core.mjs';
import type { CliRun } from '../../chaos/chaos-core.mjs';

const INVALID_PLANS = resolve('test/fixtures/plans/invalid');
const REMOTE_INVALID = resolve('test/fixtures/reliability/bad-input');

let dir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zenoo-bad-input-'));
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await rm(dir, { recursive: true, force: true });
});

/** A canary sandbox on its own data file, closed after the file's tests. */
async function sandbox(name: string): Promise<Sandbox> {
  const started = await startCanarySandbox(join(dir, `${name}.sqlite`));
  cleanups.push(() => started.close());
  return started;
}

/** Runs `items` through `work`, `limit` at a time, keeping the input order of the results. */
async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

/**
 * One clear message: exit 1, nothing on stdout, stderr one `error:` block (no progress, no summary, no stack trace,
 * no second error), containing `fragment`, and no canary secret.
 */
async function expectOneClearError(label: string, run: CliRun, fragment: string | RegExp): Promise<void> {
  const context = `${label}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;
  expect(run.code, context).toBe(1);
  expect(run.stdout, context).toBe('');
  expect(run.stderr.startsWith('error: '), context).toBe(true);
  expect(run.stderr.match(/^error:/gm) ?? [], context).toHaveLength(1);
  expect(run.stderr, context).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(run.stderr, context).not.toMatch(/Applying plan|Apply failed|succeeded|undefined|\[object Object\]/);
  if (typeof fragment === 'string') expect(run.stderr, context).toContain(fragment);
  else expect(run.stderr, context).toMatch(fragment);
  expect(await findSecrets([[`${label} output`, run.stdout + run.stderr]])).toEqual([]);
}

function expectNoWrites(target: Sandbox, label: string): void {
  expect(target.stats.writes, `${label}: writes reached the target`).toEqual({});
  expect(target.stats.commits, `${label}: commits on the target`).toBe(0);
}

/** Runs `zenoo plan apply FILE --yes` in this process (same code path as the CLI's action), for the big corpus. */
async function applyInProcess(file: string, env: Record<string, string>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: PlanCommandIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: new PassThrough(),
    signals: new EventEmitter(),
    env,
  };
  let code: number;
  try {
    code = await runApply(file, { yes: true }, io);
  } catch (error) {
    code = reportError(io, error);
  }
  return { args: ['plan', 'apply', file, '--yes'], code, signal: null, stdout, stderr, pid: process.pid };
}

describe('the invalid-plan corpus: one clear message, exit 1, zero writes', () => {
  let expected: [string, string[]][];
  let target: Sandbox;
  beforeAll(async () => {
    expected = Object.entries(
      JSON.parse(await readFile(join(INVALID_PLANS, 'expected.json'), 'utf8')) as Record<string, string[]>,
    );
    target = await sandbox('invalid-corpus');
  });

  it('every plan of test/fixtures/plans/invalid (in process, the command the CLI runs)', async () => {
    expect(expected.length).toBeGreaterThan(40);
    for (const [file, messages] of expected) {
      await expectOneClearError(
        file,
        await applyInProcess(join(INVALID_PLANS, file), canaryEnv(target.url)),
        messages[0]!.split('\n')[0]!,
      );
    }
    expectNoWrites(target, 'the invalid corpus');
  });

  it(
    'a sample of them through the built CLI, from the plan directory (relative paths in messages)',
    { timeout: 60_000 },
    async () => {
      // Relative paths in messages: run from a copy of the corpus (journals would go to its .zenoo/).
      const cwd = join(dir, 'invalid');
      await cp(INVALID_PLANS, cwd, { recursive: true });
      const sample = expected.filter(([file]) =>
        /^(bad-action|csv-bad-row-length|cycle-three-steps|data-path-escape|yaml-syntax|unknown-ref-target)\.yaml$/.test(
          file,
        ),
      );
      expect(sample).toHaveLength(6);
      const runs = await inParallel(sample, 3, ([file]) =>
        runCli(['plan', 'apply', file, '--yes'], { cwd, env: canaryEnv(target.url) }),
      );
      for (const [index, [file, messages]] of sample.entries()) {
        await expectOneClearError(file, runs[index]!, messages[0]!.split('\n')[0]!);
      }
      expectNoWrites(target, 'the invalid corpus');
    },
  );
});

describe('plans wrong only against the target: one clear message, exit 1, zero writes', async () => {
  const expected = JSON.parse(await readFile(join(REMOTE_INVALID, 'expected.json'), 'utf8')) as Record<string, string>;
  for (const [file, fragment] of Object.entries(expected)) {
    it(file, async () => {
      const cwd = join(dir, `remote-${file}`);
      await cp(REMOTE_INVALID, cwd, { recursive: true });
      const target = await sandbox(`remote-${file}`);
      const run = await runCli(['plan', 'apply', file, '--yes'], { cwd, env: canaryEnv(target.url) });
      // Zero writes first: a reference resolved only when its step is reached lets earlier steps write.
      expectNoWrites(target, `${file} (stderr: ${run.stderr.split('\n').slice(0, 3).join(' / ')})`);
      await expectOneClearError(file, run, fragment);
    });
  }
});

/** A loopback HTTP server answering every request with `respond`, remembering the JSON-RPC methods called. */
async function fakeServer(
  respond: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; methods: string[] }> {
  const methods: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      try {
        const call = JSON.parse(body) as { params?: { service?: string; method?: string; args?: unknown[] } };
        const args = call.params?.args ?? [];
        methods.push(
          call.params?.method === 'execute_kw'
            ? `${String(args[3])}.${String(args[4])}`
            : `${call.params?.service}.${call.params?.method}`,
        );
      } catch {
        methods.push(`${request.method} ${request.url}`);
      }
      respond(request, response);
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  cleanups.push(() => new Promise((closed) => server.close(() => closed())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, methods };
}

describe('a wrong target: one clear message, exit 1, zero writes', () => {
  let project: string;
  let target: Sandbox;
  beforeAll(async () => {
    project = join(dir, 'target-cases');
    await cp(CAMPAIGN_FIXTURE, project, { recursive: true });
    target = await sandbox('wrong-target');
  });

  const apply = (env: Record<string, string>): Promise<CliRun> =>
    runCli(['plan', 'apply', 'plan.yaml', '--yes'], { cwd: project, env });

  it('a wrong password, a wrong API key, an unknown login', async () => {
    const refused = /refused the login "(admin|nobody)" on database "sandbox": wrong login, password or API key/;
    await expectOneClearError(
      'wrong password',
      await apply({ ...canaryEnv(target.url), ZENOO_PASSWORD: `${CANARY_PASSWORD}-typo` }),
      refused,
    );
    await expectOneClearError(
      'wrong API key',
      await apply({ ...canaryEnv(target.url, 'api-key'), ZENOO_API_KEY: `${CANARY_API_KEY}-typo` }),
      refused,
    );
    await expectOneClearError(
      'unknown login',
      await apply({ ...canaryEnv(target.url), ZENOO_USER: 'nobody' }),
      refused,
    );
    expectNoWrites(target, 'wrong credentials');
  });

  it('a database that does not exist is named as such (not as missing models)', async () => {
    const run = await apply({ ...canaryEnv(target.url), ZENOO_DB: 'no_such_db' });
    await expectOneClearError('wrong database', run, 'no_such_db');
    expect(run.stderr, 'a wrong database must not be reported as missing models').not.toMatch(
      /model \S+ does not exist on the server/,
    );
    expectNoWrites(target, 'wrong database');
  });

  it('an unreachable server', async () => {
    const closed = createServer();
    await new Promise<void>((listening) => closed.listen(0, '127.0.0.1', listening));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    await expectOneClearError(
      'unreachable',
      await apply(canaryEnv(`http://127.0.0.1:${port}`)),
      /Could not reach .*ECONNREFUSED.*Check that the server is running/,
    );
  });

  it('a server answering HTML, garbage, JSON that is not JSON-RPC, or 404: nothing but the login is ever sent', async () => {
    const cases: [string, (request: IncomingMessage, response: ServerResponse) => void, RegExp][] = [
      [
        'HTML page',
        (_q, s) =>
          s
            .writeHead(200, { 'content-type': 'text/html' })
            .end('<!doctype html><html><body>Welcome to nginx!</body></html>'),
        /answered with an HTML page instead of Odoo JSON-RPC/,
      ],
      [
        'garbage',
        (_q, s) => s.writeHead(200, { 'content-type': 'application/json' }).end('\u0000\u0001{{garbage'),
        /not JSON-RPC instead of Odoo JSON-RPC/,
      ],
      [
        'not Odoo',
        (_q, s) => s.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","service":"billing"}'),
        /not JSON-RPC instead of Odoo JSON-RPC/,
      ],
      [
        '404',
        (_q, s) => s.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}'),
        /HTTP 404 Not Found from POST .*Check the URL/,
      ],
    ];
    for (const [label, respond, message] of cases) {
      const fake = await fakeServer(respond);
      await expectOneClearError(label, await apply(canaryEnv(fake.url)), message);
      expect(fake.methods.length, label).toBeGreaterThan(0);
      expect(
        fake.methods.filter((method) => /\.(create|write|unlink|load)$/.test(method)),
        label,
      ).toEqual([]);
    }
  });
});
