/**
 * The example plan over Odoo 19's JSON-2 API, through the built CLI against a sandbox that serves it
 * (`startSandbox({ odooVersion: '19.0' })`): validates against the target, diffs, applies, and a second dry run
 * shows no change, all with `--transport json2`; the sandbox's per-endpoint counts show every ORM call on `/json/2`
 * and none on `/jsonrpc` (the version, for the run header, comes from `/web/webclient/version_info`).
 * A run killed with SIGKILL mid-apply resumes over JSON-2 too, without a record lost or duplicated.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OdooClient } from '../../../src/client/odoo-client.js';
import { startSandbox } from '../../../src/sandbox/start-sandbox.js';
import type { Sandbox } from '../../../src/sandbox/start-sandbox.js';
import type { SandboxOptions } from '../../../src/sandbox/sandbox-options.js';
import { TAGS } from '../migrate/migrate-fixtures.js';
import { runCli, spawnCli } from '../../helpers/run-cli.js';
import type { CliRun } from '../../helpers/run-cli.js';

const JSON2_SANDBOX: SandboxOptions = { odooVersion: '19.0' };

/** The sandbox's calls per endpoint (`/jsonrpc`, `/json/2`, the version route). */
function callsByEndpoint(sandbox: Sandbox): Readonly<Record<string, number>> {
  return sandbox.stats.callsByEndpoint;
}

describe('the example plan over JSON-2 (--transport json2)', () => {
  let sandbox: Sandbox;
  let dir: string;
  beforeAll(async () => {
    sandbox = await startSandbox(JSON2_SANDBOX);
    dir = await mkdtemp(join(tmpdir(), 'zenoo-json2-'));
    await cp(resolve('plans'), dir, { recursive: true });
  });
  afterAll(async () => {
    await sandbox?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The target as the CLI reads it from the environment: the sandbox, by API key (no password to fall back on). */
  function cliEnv(): NodeJS.ProcessEnv {
    return {
      ZENOO_URL: sandbox.url,
      ZENOO_DB: sandbox.db,
      ZENOO_USER: sandbox.login,
      ZENOO_API_KEY: sandbox.apiKey,
      ZENOO_PASSWORD: '',
      ZENOO_TRANSPORT: '',
    };
  }

  function zenoo(args: readonly string[]): Promise<CliRun> {
    return runCli(dir, [...args, '--transport', 'json2'], cliEnv());
  }

  it('validates, diffs, applies, and a second dry run shows no change, every ORM call on /json/2', async () => {
    const validate = await zenoo(['plan', 'validate', 'example.yaml', '--remote']);
    expect(validate.stderr).toBe('');
    expect(validate.stdout).toContain('is valid');
    expect(validate.code).toBe(0);

    const pending = await zenoo(['plan', 'diff', 'example.yaml', '--detailed-exitcode']);
    expect(pending.stderr).toBe('');
    expect(pending.stdout).toMatch(/^Plan crm-seed on .* \(database .*, Odoo 19\.\d+ over json2\)$/m);
    expect(pending.code).toBe(2);

    const apply = await zenoo(['plan', 'apply', 'example.yaml', '--yes']);
    expect(apply.stderr).not.toMatch(/error|failed|warning/i);
    expect(apply.stderr).toMatch(/Applying plan crm-seed on .*Odoo 19\.\d+ over json2\)/);
    expect(apply.code).toBe(0);

    const again = await zenoo(['plan', 'diff', 'example.yaml', '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes');
    expect(again.code).toBe(0);

    const endpoints = callsByEndpoint(sandbox);
    const json2Calls = Object.entries(endpoints)
      .filter(([endpoint]) => endpoint.startsWith('/json/2'))
      .reduce((sum, [, count]) => sum + count, 0);
    expect(json2Calls).toBeGreaterThan(0);
    expect(Object.keys(endpoints).filter((endpoint) => endpoint.includes('jsonrpc'))).toEqual([]);
    // Besides /json/2, only the version route that needs no login (JSON-2 has no version method).
    expect(
      Object.keys(endpoints).filter(
        (endpoint) => !endpoint.startsWith('/json/2') && !endpoint.includes('version_info'),
      ),
    ).toEqual([]);
  });

  it('a run killed with SIGKILL resumes over JSON-2: every record once, none on /jsonrpc', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `K${i},Killed ${i}`).join('\n');
    await writeFile(join(dir, 'killed.csv'), `ref,name\n${rows}\n`);
    await writeFile(
      join(dir, 'killed.yaml'),
      'version: 1\nname: killed\ndefaults: { chunk_size: 10, concurrency: 2 }\nsteps:\n' +
        '  - { id: partners, model: res.partner, action: upsert, key: [ref], records: { file: killed.csv } }\n',
    );
    sandbox.resetStats();
    const apply = spawnCli(dir, ['plan', 'apply', 'killed.yaml', '--yes', '--json', '--transport', 'json2'], cliEnv());
    let chunks = 0;
    for await (const line of createInterface({ input: apply.stdout })) {
      if ((JSON.parse(line) as { type: string }).type === 'chunk-done') chunks += 1;
      if (chunks === 5) {
        apply.kill('SIGKILL');
        break;
      }
    }
    await new Promise((wait) => apply.once('close', wait));
    expect(chunks).toBe(5);

    const resumed = await zenoo(['plan', 'apply', 'killed.yaml', '--yes']);
    expect(resumed.stderr).toContain('Resuming plan killed');
    expect(resumed.code).toBe(0);
    expect((await zenoo(['plan', 'diff', 'killed.yaml', '--detailed-exitcode'])).code).toBe(0);
    expect(Object.keys(callsByEndpoint(sandbox)).filter((endpoint) => endpoint.includes('jsonrpc'))).toEqual([]);
    // Read back (over JSON-RPC, after the count above): every row once.
    const client = new OdooClient({
      url: sandbox.url,
      db: sandbox.db,
      username: sandbox.login,
      apiKey: sandbox.apiKey,
    });
    const refs = await client.searchRead<{ ref: string }>('res.partner', [['ref', '=like', 'K%']], { fields: ['ref'] });
    client.close();
    expect(refs).toHaveLength(200);
    expect(new Set(refs.map((record) => record.ref)).size).toBe(200);
  });

  it('migrations and their ledger run over JSON-2 too', async () => {
    await mkdir(join(dir, 'plans/migrations/data'), { recursive: true });
    await writeFile(join(dir, 'plans/migrations/data/tags.csv'), 'name\nGold\nSilver\n');
    await writeFile(join(dir, 'plans/migrations/0001-tags.yaml'), TAGS);
    sandbox.resetStats();
    const up = await zenoo(['migrate', 'up', '--yes']);

    expect(up.stderr).not.toMatch(/error|failed/i);
    expect(up.code).toBe(0);
    const status = await zenoo(['migrate', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(
      (JSON.parse(status.stdout) as { migrations: { version: string; state: string }[] }).migrations.map(
        (migration) => `${migration.version} ${migration.state}`,
      ),
    ).toEqual(['0001 applied']);
    expect(Object.keys(callsByEndpoint(sandbox)).filter((endpoint) => endpoint.includes('jsonrpc'))).toEqual([]);
  });
});
