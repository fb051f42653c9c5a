// `.zenoo/` lives with the project, found from the plan: a status and a resume run from another directory read the
// same journal as the apply that wrote it (and the resume reconciles its chunks instead of starting blind).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../../helpers/run-cli.js';
import type { CliRun } from '../../helpers/run-cli.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

const odoo = withSandbox();
let project: string;
let elsewhere: string;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'zenoo-project-'));
  elsewhere = await mkdtemp(join(tmpdir(), 'zenoo-elsewhere-'));
  await writeFile(join(project, 'package.json'), '{ "name": "shop", "private": true }\n');
  await mkdir(join(project, 'plans/data'), { recursive: true });
  const rows = Array.from({ length: 200 }, (_, i) => `S${i},Shop ${i}`).join('\n');
  await writeFile(join(project, 'plans/data/shops.csv'), `ref,name\n${rows}\n`);
  await writeFile(
    join(project, 'plans/seed.yaml'),
    'version: 1\nname: state-dir\ndefaults: { chunk_size: 10, concurrency: 1 }\nsteps:\n' +
      '  - { id: shops, model: res.partner, action: upsert, key: [ref], records: { file: data/shops.csv } }\n',
  );
});

/** The sandbox as the CLI reads its target from the environment. */
function env(): NodeJS.ProcessEnv {
  return {
    ZENOO_URL: odoo.url,
    ZENOO_DB: odoo.db,
    ZENOO_USER: odoo.sandbox.login,
    ZENOO_PASSWORD: odoo.sandbox.password,
  };
}

function zenoo(cwd: string, args: string[]): Promise<CliRun> {
  return runCli(cwd, args, env());
}

describe('the state directory is found from the plan', () => {
  it('a run killed in one directory is shown and resumed from another, with its journal at the project root', async () => {
    const apply = spawnCli(project, ['plan', 'apply', 'plans/seed.yaml', '--yes', '--json'], env());
    let chunks = 0;
    for await (const line of createInterface({ input: apply.stdout })) {
      if ((JSON.parse(line) as { type: string }).type === 'chunk-done') chunks += 1;
      if (chunks === 3) {
        apply.kill('SIGKILL');
        break;
      }
    }
    await new Promise((wait) => apply.once('close', wait));
    expect(existsSync(join(project, '.zenoo/journal'))).toBe(true);

    const plan = join(project, 'plans/seed.yaml');
    const status = await zenoo(elsewhere, ['plan', 'status', plan]);
    expect(status.stdout).toContain('Resumable');
    const resumed = await zenoo(join(project, 'plans'), ['plan', 'apply', 'seed.yaml', '--yes']);
    expect(resumed.stderr).toContain('Resuming plan state-dir');
    expect(resumed.code).toBe(0);
    expect((await zenoo(elsewhere, ['plan', 'status', plan])).stdout).toMatch(/succeeded/);
    // No journal appeared in the directories the commands ran in.
    expect(existsSync(join(elsewhere, '.zenoo'))).toBe(false);
    expect(existsSync(join(project, 'plans/.zenoo'))).toBe(false);
    const shops = await odoo.client.searchRead<{ ref: string }>('res.partner', [['ref', '=like', 'S%']], {
      fields: ['ref'],
    });
    expect(new Set(shops.map((shop) => shop.ref)).size).toBe(200);
    expect(shops).toHaveLength(200);
  });
});
