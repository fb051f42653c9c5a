/**
 * Secrets never leak: with a canary password and API key (the target accepts nothing else), every command of the
 * plan workflow — validate --remote, diff in every format and saved with --out, apply (human and --json, with a
 * rejects file), status, unlock, and failing runs (wrong secret, unreachable server) — is run with the secret given
 * by flag, by environment and by config-file profile. No output, journal, saved diff, rejects file, error, or record
 * of the target contains a canary. All of it runs over both transports: JSON-RPC against the sandbox as Odoo 17, and
 * JSON-2 (bearer API key) against it as Odoo 19, where a password is refused with the message saying how to make a
 * key. (The crash campaign scans its own runs the same way.)
 *
 * Run after `npm run build` (`npm test` builds first).
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OdooClient } from '../../../src/client/odoo-client.js';
import type { Sandbox } from '../../../src/sandbox/index.js';
import {
  CAMPAIGN_FIXTURE,
  CANARY_API_KEY,
  CANARY_PASSWORD,
  canaryClient,
  createCampaignTarget,
  findSecrets,
  isSandboxData,
  runCli,
  startCanarySandbox,
  TRANSPORTS,
  transportSandbox,
} from '../../chaos/chaos-core.mjs';
import type { CliRun } from '../../chaos/chaos-core.mjs';

describe.each(TRANSPORTS)('canary secrets over %s', (transport) => {
  let dir: string;
  let project: string;
  let sandbox: Sandbox;
  let client: OdooClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zenoo-secrets-'));
    project = join(dir, 'project');
    await cp(CAMPAIGN_FIXTURE, project, { recursive: true });
    await createCampaignTarget(join(dir, 'target.sqlite'));
    sandbox = await startCanarySandbox(join(dir, 'target.sqlite'), transportSandbox(transport));
    client = canaryClient(sandbox);
    // A plan whose rows the server rejects, to get a rejects file and per-record errors.
    await writeFile(
      join(project, 'rejects.yaml'),
      `version: 1
name: secrets-rejects
defaults: { on_error: continue }
steps:
  - id: users
    model: res.users
    action: upsert
    key: [login]
    records:
      - { login: admin, name: Administrator Again, partner_id: 999999 }
`,
    );
  }, 30_000);

  afterAll(async () => {
    client?.close();
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('appear in no output, journal, diff, rejects file, error or target record', { timeout: 90_000 }, async () => {
    const json2 = transport === 'json2';
    const base = {
      ZENOO_URL: sandbox.url,
      ZENOO_DB: 'sandbox',
      ZENOO_USER: 'admin',
      ...(json2 ? { ZENOO_TRANSPORT: 'json2' } : {}),
    };
    const byKey = { ...base, ZENOO_API_KEY: CANARY_API_KEY };
    // JSON-2 takes API keys only: there, the runs "by password" give the key in the password's place instead.
    const byEnv = json2 ? byKey : { ...base, ZENOO_PASSWORD: CANARY_PASSWORD };
    const secretFlag = json2 ? ['--api-key', CANARY_API_KEY] : ['--password', CANARY_PASSWORD];
    const flags = ['--url', sandbox.url, '--db', 'sandbox', '--user', 'admin', ...secretFlag];
    await writeFile(
      join(project, 'zenoo.config.yaml'),
      `default_profile: canary\nprofiles:\n  canary: { url: "${sandbox.url}", db: sandbox, user: admin, api_key: ${CANARY_API_KEY}${json2 ? ', transport: json2' : ''} }\n`,
    );
    const runs: [string, CliRun][] = [];
    const run = async (
      label: string,
      args: string[],
      env: Record<string, string> = {},
      code?: number,
    ): Promise<CliRun> => {
      const result = await runCli(args, { cwd: project, env });
      runs.push([label, result]);
      if (code !== undefined) expect(result.code, `${label}\n${result.stderr}`).toBe(code);
      return result;
    };

    await run('validate --remote (env password)', ['plan', 'validate', 'plan.yaml', '--remote'], byEnv, 0);
    await run('diff text (flags)', ['plan', 'diff', 'plan.yaml', ...flags], {}, 0);
    await run('diff markdown (API key)', ['plan', 'diff', 'plan.yaml', '--format', 'markdown'], byKey, 0);
    await run(
      'diff json --out (profile)',
      ['plan', 'diff', 'plan.yaml', '--format', 'json', '--out', 'reviewed.json'],
      {},
      0,
    );
    await run('apply --json (env password)', ['plan', 'apply', 'plan.yaml', '--yes', '--json'], byEnv, 0);
    await run('status (flags)', ['plan', 'status', 'plan.yaml', ...flags], {}, 0);
    await run('apply of the saved diff, now stale (API key)', ['plan', 'apply', 'reviewed.json', '--yes'], byKey, 1);
    const rejected = await run('apply with rejected rows (profile)', [
      'plan',
      'apply',
      'rejects.yaml',
      '--yes',
      '--rejects',
      'rejects.jsonl',
    ]);
    expect(rejected.code, rejected.stderr).toBe(1);
    await run('status after a failed apply (env)', ['plan', 'status', 'rejects.yaml'], byEnv, 0);
    await run('unlock (flags)', ['plan', 'unlock', 'plan.yaml', '--yes', ...flags], {}, 0);
    await run(
      'wrong password that contains the canary',
      ['plan', 'diff', 'plan.yaml'],
      { ...base, ZENOO_PASSWORD: `${CANARY_PASSWORD}!` },
      1,
    );
    await run(
      'wrong API key that contains the canary',
      ['plan', 'apply', 'plan.yaml', '--yes'],
      { ...base, ZENOO_API_KEY: `x${CANARY_API_KEY}` },
      1,
    );
    await run(
      'unreachable server (flags)',
      [
        'plan',
        'apply',
        'plan.yaml',
        '--yes',
        '--url',
        'http://127.0.0.1:9',
        '--db',
        'sandbox',
        '--user',
        'admin',
        ...secretFlag,
      ],
      {},
      1,
    );
    await run('both a password and an API key', ['plan', 'diff', 'plan.yaml', '--api-key', CANARY_API_KEY], {
      ...base,
      ZENOO_PASSWORD: CANARY_PASSWORD,
    });
    if (json2) {
      const password = await run(
        'a password over JSON-2',
        ['plan', 'diff', 'plan.yaml'],
        { ...base, ZENOO_PASSWORD: CANARY_PASSWORD },
        1,
      );
      expect(password.stderr).toContain('API key');
    }

    // The files the runs left: journals, the saved diff, the rejects file (the sandbox data file stores them on purpose).
    const { readTree } = await import('../../chaos/chaos-core.mjs');
    const files = (await readTree(project)).map(([path]) => path);
    expect(files.some((path) => path.startsWith('.zenoo/journal/'))).toBe(true);
    expect(files).toContain('reviewed.json');
    expect(files).toContain('rejects.jsonl');

    const parameters = await client.searchRead('ir.config_parameter', [], { fields: ['key', 'value'] });
    const partners = await client.searchRead('res.partner', [], {
      fields: ['name', 'comment', 'ref'],
      context: { active_test: false },
    });
    const leaks = await findSecrets(
      [
        ...runs.flatMap(([label, result]): [string, string][] => [
          [`${label}: stdout`, result.stdout],
          [`${label}: stderr`, result.stderr],
        ]),
        ['target ir.config_parameter', JSON.stringify(parameters)],
        ['target res.partner', JSON.stringify(partners)],
      ],
      [project],
      { skip: (path) => isSandboxData(path) || path === 'zenoo.config.yaml' },
    );
    expect(leaks).toEqual([]);
  });
});
