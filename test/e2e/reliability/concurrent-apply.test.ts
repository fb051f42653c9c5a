/**
 * One apply at a time: two `zenoo plan apply` of the same plan started at once on the same target — from the same
 * project directory (two terminals) and from two copies of it (two machines) — exactly one runs, the other exits 1
 * naming the lock's holder (the winner's pid) and its start time, and the target ends exactly as after one clean
 * apply. A lock whose expiry has passed is taken over, and the apply says so. Over both transports: JSON-RPC against
 * the sandbox as Odoo 17, JSON-2 against it as Odoo 19.
 *
 * Run after `npm run build` (`npm test` builds first).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OdooClient } from '../../../src/client/odoo-client.js';
import type { Sandbox } from '../../../src/sandbox/index.js';
import {
  CAMPAIGN_FIXTURE,
  canaryClient,
  canaryEnv,
  canonicalDump,
  cleanDump,
  compareDumps,
  createCampaignTarget,
  findDuplicates,
  runCli,
  startCanarySandbox,
  TRANSPORTS,
  transportSandbox,
} from '../../chaos/chaos-core.mjs';
import type { CanonicalDump, CliRun, Transport } from '../../chaos/chaos-core.mjs';

const LOCK_KEY = 'zenoo.lock.chaos-campaign';
const HELD =
  /Another apply of plan "chaos-campaign" is running: the lock zenoo\.lock\.chaos-campaign is held by \S+@(\S+) \(pid (\d+)\) since (\d{4}-\d\d-\d\dT[\d:.]+Z)/;

let expected: CanonicalDump;
let dir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  expected = await cleanDump();
  dir = await mkdtemp(join(tmpdir(), 'zenoo-concurrent-'));
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await rm(dir, { recursive: true, force: true });
});

/**
 * A fresh campaign target, served with enough latency that an apply lasts several seconds: two processes started at
 * once on a loaded machine can begin a second apart, and the race must still be a race (not one apply after the other).
 */
async function target(
  name: string,
  transport: Transport,
): Promise<{ sandbox: Sandbox; client: OdooClient; env: Record<string, string> }> {
  const file = join(dir, `${name}-${transport}.sqlite`);
  await createCampaignTarget(file);
  const sandbox = await startCanarySandbox(file, {
    ...transportSandbox(transport),
    latencyMs: { fixed: 60, jitter: 20 },
  });
  const client = canaryClient(sandbox);
  cleanups.push(async () => {
    client.close();
    await sandbox.close();
  });
  return { sandbox, client, env: canaryEnv(sandbox.url, 'password', transport) };
}

async function project(name: string): Promise<string> {
  const path = join(dir, name);
  await cp(CAMPAIGN_FIXTURE, path, { recursive: true });
  return path;
}

/** Checks that exactly one of two simultaneous applies ran and the other reported the lock held by the winner. */
function expectOneWinner(runs: readonly CliRun[]): void {
  const outcome = runs.map((run) => `exit ${run.code}: ${run.stderr.split('\n')[0] ?? ''}`).join(' | ');
  const winners = runs.filter((run) => run.code === 0);
  const losers = runs.filter((run) => run.code !== 0);
  expect(winners, `exactly one apply must run (${outcome})`).toHaveLength(1);
  expect(losers, outcome).toHaveLength(1);
  const loser = losers[0]!;
  expect(loser.code).toBe(1);
  const match = HELD.exec(loser.stderr);
  expect(match, `the loser must name the holder and its start time:\n${loser.stderr}`).not.toBeNull();
  expect(match![1]).toBe(hostname());
  expect(Number(match![2]), 'the holder named is the apply that ran').toBe(winners[0]!.pid);
  expect(Date.parse(match![3]!)).not.toBeNaN();
  // One clear message, nothing written to stdout, no stack trace.
  expect(loser.stderr.trim().split('\n')).toHaveLength(1);
  expect(loser.stdout).toBe('');
  expect(winners[0]!.stdout).toMatch(/^total\s+\d+\s+\d+\s+\d+\s+0\s+0\s+succeeded$/m);
}

async function expectCleanState(client: OdooClient): Promise<void> {
  const dump = await canonicalDump(client);
  expect(findDuplicates(dump)).toEqual([]);
  expect(compareDumps(expected, dump)).toEqual([]);
}

describe.each(TRANSPORTS)('two applies of the same plan started at once over %s', (transport) => {
  it('from the same project directory: one runs, the other reports the lock; no duplicates', async () => {
    const { client, env } = await target('same-dir', transport);
    const cwd = await project(`same-dir-${transport}`);
    const runs = await Promise.all([1, 2].map(() => runCli(['plan', 'apply', 'plan.yaml', '--yes'], { cwd, env })));
    expectOneWinner(runs);
    await expectCleanState(client);
  });

  it('from two copies of the project (two machines): one runs, the other reports the lock; no duplicates', async () => {
    const { client, env } = await target('two-dirs', transport);
    const first = await project(`copy-1-${transport}`);
    const second = await project(`copy-2-${transport}`);
    const runs = await Promise.all(
      [first, second].map((cwd) => runCli(['plan', 'apply', 'plan.yaml', '--yes'], { cwd, env })),
    );
    expectOneWinner(runs);
    await expectCleanState(client);
    // The loser's journal never began: it stopped at the lock, before reading or writing anything of its own.
    const status = await Promise.all(
      [first, second].map((cwd) => runCli(['plan', 'status', 'plan.yaml'], { cwd, env })),
    );
    expect(status.map((run) => /Last run: succeeded/.test(run.stdout)).sort()).toEqual([false, true]);
  });

  it('a live lock of another host blocks; an expired one is taken over and the apply says so', async () => {
    const { client, env } = await target('foreign-lock', transport);
    const cwd = await project(`foreign-lock-${transport}`);
    const holder = { host: 'ci-runner-9', pid: 4242, user: 'deploy', startedAt: '2026-01-02T03:04:05.000Z' };
    const [id] = await client.create('ir.config_parameter', [
      { key: LOCK_KEY, value: JSON.stringify({ ...holder, expiresAt: '2999-01-01T00:00:00.000Z', token: 'x' }) },
    ]);
    const blocked = await runCli(['plan', 'apply', 'plan.yaml', '--yes'], { cwd, env });
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('held by deploy@ci-runner-9 (pid 4242) since 2026-01-02T03:04:05.000Z');
    expect(await client.searchCount('res.partner', [['ref', '=like', 'CH%']])).toBe(0);

    await client.write('ir.config_parameter', [id!], {
      value: JSON.stringify({ ...holder, expiresAt: '2026-01-02T03:09:05.000Z', token: 'x' }),
    });
    const taken = await runCli(['plan', 'apply', 'plan.yaml', '--yes'], { cwd, env });
    expect(taken.stderr).toContain(
      'Took over the stale lock zenoo.lock.chaos-campaign held by deploy@ci-runner-9 (pid 4242)',
    );
    expect(taken.code).toBe(0);
    await expectCleanState(client);
  });
});
