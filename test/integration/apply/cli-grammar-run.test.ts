/**
 * The CLI's shared options do what they say on every command, in process against a sandbox: `--json` is
 * `--format json` for a dry run (`plan diff`, `plan apply --dry-run`) and `--format json` is `--json` for a run;
 * `plan status` counts runs honestly after a success and names a held lock with `--remote`.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { EventEmitter } from 'node:events';
import { beforeAll, describe, expect, it } from 'vitest';
import { runApply } from '../../../src/cli/commands/plan-apply.js';
import type { ApplyFlags } from '../../../src/cli/commands/plan-apply.js';
import { runDiff } from '../../../src/cli/commands/plan-diff.js';
import type { PlanCommandIo } from '../../../src/cli/commands/plan-target.js';
import { runStatus } from '../../../src/cli/commands/plan-status.js';
import type { StatusFlags } from '../../../src/cli/commands/plan-status.js';
import { acquireLock } from '../../../src/plan/lock/lock.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

let dir: string;
const cwd = process.cwd();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zenoo-grammar-'));
  await writeFile(
    join(dir, 'plan.yaml'),
    'version: 1\nname: grammar\nsteps:\n  - id: tags\n    model: res.partner.category\n    action: upsert\n    key: [name]\n    records: [{ name: Grammar }]\n',
  );
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const value: PlanCommandIo = {
    stdout: { write: (text: string) => out.push(text), isTTY: false },
    stderr: { write: (text: string) => err.push(text), isTTY: false },
    stdin: Object.assign(new PassThrough(), { isTTY: false }),
    signals: new EventEmitter(),
    env: { NO_COLOR: '1' },
  };
  return { io: value, stdout: () => out.join(''), stderr: () => err.join('') };
}

async function inDir<T>(work: () => Promise<T>): Promise<T> {
  process.chdir(dir);
  try {
    return await work();
  } finally {
    process.chdir(cwd);
  }
}

describe('one output grammar', () => {
  const odoo = withSandbox();
  const flags = (extra: Partial<ApplyFlags & StatusFlags> = {}): ApplyFlags & StatusFlags => ({
    format: 'text',
    limit: 50,
    url: odoo.url,
    db: odoo.db,
    user: odoo.sandbox.login,
    password: odoo.sandbox.password,
    ...extra,
  });

  it('plan diff --json and plan apply --dry-run --json print the Diff JSON', async () => {
    const diff = io();
    expect(await inDir(() => runDiff('plan.yaml', flags({ json: true }), diff.io))).toBe(0);
    expect(JSON.parse(diff.stdout())).toMatchObject({ formatVersion: 1, summary: { create: 1 } });
    const dry = io();
    expect(await inDir(() => runApply('plan.yaml', flags({ dryRun: true, json: true }), dry.io))).toBe(0);
    expect(JSON.parse(dry.stdout())).toMatchObject({ formatVersion: 1, summary: { create: 1 } });
    await expect(inDir(() => runDiff('plan.yaml', flags({ json: true, format: 'markdown' }), io().io))).rejects.toThrow(
      '--json and --format markdown ask for two formats',
    );
  });

  it('plan apply --format json --yes streams the events as NDJSON, like --json', async () => {
    await expect(inDir(() => runApply('plan.yaml', flags({ format: 'markdown', yes: true }), io().io))).rejects.toThrow(
      '--format markdown shows a dry run',
    );
    const run = io();
    expect(await inDir(() => runApply('plan.yaml', flags({ format: 'json', yes: true }), run.io))).toBe(0);
    const types = run
      .stdout()
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types[0]).toBe('run-start');
    expect(types.at(-1)).toBe('run-done');
    expect(run.stderr()).toBe('');
  });

  it('plan status after a success counts no failed run, and names a held lock with --remote', async () => {
    const status = io();
    expect(await inDir(() => runStatus('plan.yaml', flags(), status.io))).toBe(0);
    expect(status.stdout()).toMatch(/^Last run: succeeded, started \S+$/m);
    expect(status.stdout()).not.toContain('since the last success');
    expect(status.stdout()).not.toContain('Lock:');

    const lock = await acquireLock(odoo.client, 'grammar');
    try {
      const held = io();
      expect(await inDir(() => runStatus('plan.yaml', flags({ remote: true }), held.io))).toBe(0);
      expect(held.stdout()).toContain('Lock: zenoo.lock.grammar is held by ');
      expect(held.stdout()).toContain('`zenoo plan unlock plan.yaml` releases it');
      const json = io();
      await inDir(() => runStatus('plan.yaml', flags({ remote: true, json: true }), json.io));
      expect(JSON.parse(json.stdout())).toMatchObject({ lock: { key: 'zenoo.lock.grammar', held: true } });
    } finally {
      await lock.release();
    }
    const free = io();
    await inDir(() => runStatus('plan.yaml', flags({ remote: true }), free.io));
    expect(free.stdout()).toContain('Lock: not held (zenoo.lock.grammar).');
  });
});
