/**
 * `zenoo plan apply` on a terminal, in process: it shows the diff and asks; "no" writes nothing (exit 1), "yes"
 * applies (exit 0); with nothing to do it does not ask. Also `--dry-run --detailed-exitcode` and `plan status --json`.
 * The diff applied is the diff shown: a record changed while the prompt waits is refused, by name.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { EventEmitter } from 'node:events';
import { beforeAll, describe, expect, it } from 'vitest';
import { runApply } from '../../../src/cli/commands/plan-apply.js';
import type { ApplyFlags } from '../../../src/cli/commands/plan-apply.js';
import type { PlanCommandIo } from '../../../src/cli/commands/plan-target.js';
import { runStatus } from '../../../src/cli/commands/plan-status.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

let dir: string;
const cwd = process.cwd();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zenoo-prompt-'));
  await writeFile(
    join(dir, 'plan.yaml'),
    'version: 1\nname: prompt\nsteps:\n  - id: tags\n    model: res.partner.category\n    action: upsert\n    key: [name]\n    records: [{ name: Asked }]\n',
  );
});

function io(answer: string | undefined) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const out: string[] = [];
  const err: string[] = [];
  const value: PlanCommandIo = {
    stdout: { write: (text: string) => out.push(text), isTTY: false },
    stderr: {
      write: (text: string) => {
        err.push(text);
        // The operator answers once the question is on the screen.
        if (answer !== undefined && text.endsWith('[y/N] ')) stdin.write(`${answer}\n`);
        return true;
      },
      isTTY: true,
    },
    stdin,
    signals: new EventEmitter(),
    env: { NO_COLOR: '1' },
  };
  return { io: value, stdout: () => out.join(''), stderr: () => err.join('') };
}

const flags = (extra: Partial<ApplyFlags> = {}): ApplyFlags => ({
  format: 'text',
  limit: 50,
  sandbox: join(dir, 'target.sqlite'),
  ...extra,
});

describe('plan apply on a terminal', () => {
  it('asks, and a "no" writes nothing', async () => {
    process.chdir(dir);
    try {
      const declined = io('n');
      expect(await runApply('plan.yaml', flags(), declined.io)).toBe(1);
      expect(declined.stderr()).toContain('+ row 1, key "Asked"  name: "Asked"');
      expect(declined.stderr()).toContain('Apply these changes to sandbox:');
      expect(declined.stderr()).toContain('Not applied: nothing was written.');

      const dry = io(undefined);
      expect(await runApply('plan.yaml', flags({ dryRun: true, detailedExitcode: true }), dry.io)).toBe(2);

      const accepted = io('y');
      expect(await runApply('plan.yaml', flags(), accepted.io)).toBe(0);
      expect(accepted.stdout()).toMatch(/^tags\s+1\s+0\s+0\s+0\s+0\s+done$/m);

      const nothing = io(undefined);
      expect(await runApply('plan.yaml', flags(), nothing.io)).toBe(0);
      expect(nothing.stderr()).toContain('No changes');
      expect(nothing.stderr()).not.toContain('Apply these changes');
      expect(await runApply('plan.yaml', flags({ dryRun: true, detailedExitcode: true }), io(undefined).io)).toBe(0);

      const status = io(undefined);
      expect(await runStatus('plan.yaml', { sandbox: join(dir, 'target.sqlite'), json: true }, status.io)).toBe(0);
      expect(JSON.parse(status.stdout())).toMatchObject({
        exists: true,
        lastStatus: 'succeeded',
        steps: [{ step: 'tags', done: true }],
      });
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('plan apply on a terminal applies the diff it showed', () => {
  const odoo = withSandbox();

  it('refuses, naming the record, when it changed between the diff shown and the answer; nothing is written', async () => {
    const shown = await mkdtemp(join(tmpdir(), 'zenoo-prompt-shown-'));
    await writeFile(
      join(shown, 'plan.yaml'),
      'version: 1\nname: shown\nsteps:\n  - id: partners\n    model: res.partner\n    action: upsert\n' +
        '    key: [ref]\n    records: [{ ref: SHOWN-1, name: Planned }, { ref: SHOWN-2, name: Added }]\n',
    );
    const id = await odoo.client.create('res.partner', { ref: 'SHOWN-1', name: 'Before' });
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const err: string[] = [];
    const terminal: PlanCommandIo = {
      stdout: { write: () => true, isTTY: false },
      stderr: {
        write: (text: string) => {
          err.push(text);
          // Someone edits the record while the operator reads the diff, then the operator says yes. (The edit may
          // fall in the second of the diff's read: the sandbox still moves write_date forward.)
          if (text.includes('Apply these changes')) {
            void odoo.client.write('res.partner', [id], { name: 'Edited meanwhile' }).then(() => stdin.write('y\n'));
          }
          return true;
        },
        isTTY: true,
      },
      stdin,
      signals: new EventEmitter(),
      env: { NO_COLOR: '1' },
    };
    const target = { url: odoo.url, db: odoo.db, user: odoo.sandbox.login, password: odoo.sandbox.password };
    process.chdir(shown);
    let failure: unknown;
    try {
      await runApply('plan.yaml', { format: 'text', limit: 50, ...target }, terminal);
    } catch (error) {
      failure = error;
    } finally {
      process.chdir(cwd);
    }
    expect(err.join('')).toContain('"Before" → "Planned"');
    expect(String(failure)).toContain(`res.partner #${id}`);
    const partners = await odoo.client.searchRead('res.partner', [['ref', 'like', 'SHOWN-']], {
      fields: ['ref', 'name'],
    });
    expect(partners.map((partner) => [partner['ref'], partner['name']])).toEqual([['SHOWN-1', 'Edited meanwhile']]);
  });
});
