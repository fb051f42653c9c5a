/**
 * The confirmation prompts of `zenoo migrate up` and `zenoo migrate repair`, run in-process with a fake terminal
 * (the subprocess tests have no terminal, so they only see the `--yes` refusals).
 */
import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runMigrateRepair, runMigrateUp } from '../../../src/cli/commands/migrate.js';
import type { MigrateUpFlags } from '../../../src/cli/commands/migrate.js';
import type { PlanCommandIo } from '../../../src/cli/commands/plan-target.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

const odoo = withSandbox();
let dir: string;
let previousCwd: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zenoo-migrate-confirm-'));
  await mkdir(join(dir, 'plans/migrations'), { recursive: true });
  previousCwd = process.cwd();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A terminal that answers `answer` to the first question. */
function terminal(answer: string): { io: PlanCommandIo; output: () => string } {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  let text = '';
  let answered = false;
  stderr.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    // Answer once: the terminal echoes what is typed back to stderr.
    if (!answered && text.includes('[y/N]')) {
      answered = true;
      stdin.write(`${answer}\n`);
    }
  });
  const stdout = { write: (chunk: string) => (text += chunk) };
  return { io: { stdin, stderr, stdout, signals: new EventEmitter(), env: { NO_COLOR: '1' } }, output: () => text };
}

const flags = (): MigrateUpFlags => ({
  url: odoo.url,
  db: odoo.db,
  user: 'admin',
  password: 'admin',
  dir: join(dir, 'plans/migrations'),
  format: 'text',
  limit: 50,
});

const tags = (tag: string) =>
  `version: 1\nname: confirm-${tag.toLowerCase()}\nsteps:\n  - { id: t, model: res.partner.category, action: upsert, key: [name], records: [{ name: ${tag} }] }\n`;

async function tagNames(): Promise<string[]> {
  const rows = await odoo.client.searchRead('res.partner.category', [['name', 'like', 'Confirm']], {
    fields: ['name'],
  });
  return rows.map((row) => row['name'] as string).sort();
}

it('up shows the dry run, writes nothing when declined, and applies when confirmed', async () => {
  process.chdir(dir);
  try {
    await writeFile(join(dir, 'plans/migrations/0001-a.yaml'), tags('ConfirmA'));
    const declined = terminal('n');
    expect(await runMigrateUp(flags(), declined.io)).toBe(1);
    expect(declined.output()).toContain('== 0001 a');
    expect(declined.output()).toContain('+ row 1, key "ConfirmA"');
    expect(declined.output()).toContain('Not migrated: nothing was written.');
    expect(await tagNames()).toEqual([]);

    const accepted = terminal('y');
    expect(await runMigrateUp(flags(), accepted.io)).toBe(0);
    expect(accepted.output()).toMatch(/✓ 0001 a: applied/);
    expect(await tagNames()).toEqual(['ConfirmA']);
  } finally {
    process.chdir(previousCwd);
  }
});

it('repair asks before re-recording, and a "no" leaves the ledger as it was', async () => {
  process.chdir(dir);
  try {
    await writeFile(
      join(dir, 'plans/migrations/0001-a.yaml'),
      `# edited\n${tags('ConfirmA')}`.replace('{ name: ConfirmA }', '{ name: ConfirmA, color: 2 }'),
    );
    const read = async () =>
      (
        await odoo.client.searchRead('ir.config_parameter', [['key', '=', 'zenoo.migration.0001']], {
          fields: ['value'],
        })
      )[0]?.['value'];
    const before = await read();
    const declined = terminal('n');
    expect(await runMigrateRepair(flags(), declined.io)).toBe(1);
    expect(declined.output()).toMatch(
      /0001-a\.yaml: the plan itself changed \(its data files did not\): recorded checksum [0-9a-f]{64}, current checksum [0-9a-f]{64}/,
    );
    expect(declined.output()).toContain('the migrations will NOT be run again');
    expect(await read()).toBe(before);
    const accepted = terminal('yes');
    expect(await runMigrateRepair(flags(), accepted.io)).toBe(0);
    expect(await read()).not.toBe(before);
  } finally {
    process.chdir(previousCwd);
  }
});
