/**
 * The built CLI (`node dist/cli/main.js`, built by `npm test`) on plan files: exit codes and output. The remote
 * check runs against a canary sandbox (test/chaos/chaos-core.mjs); no output and no file left in the working
 * directory holds a canary.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { CANARY_API_KEY, CANARY_PASSWORD, LOGIN, startCanarySandbox } from '../../chaos/chaos-core.mjs';
import { SecretWatch } from '../secret-scan.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = join(root, 'dist/cli/main.js');

/** Outputs and working directories of this file, scanned for the canaries once every test ran. */
const watch = new SecretWatch();
afterAll(async () => {
  expect(await watch.finish()).toEqual([]);
});

async function zenoo(
  args: string[],
  env: Record<string, string> = {},
  cwd = root,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ZENOO_')));
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [main, ...args], {
      cwd,
      env: { ...clean, NO_COLOR: '1', ...env },
    });
    return watch.output({ code: 0, stdout, stderr });
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return watch.output({ code: failed.code, stdout: failed.stdout, stderr: failed.stderr });
  }
}

describe('zenoo plan validate', () => {
  test('a valid plan exits 0 with a one-line summary and what an offline check left out', async () => {
    const result = await zenoo(['plan', 'validate', 'plans/example.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^✓ plans\/example\.yaml: plan crm-seed is valid \(5 steps, 16 records, fingerprint [0-9a-f]{12}\)\n {2}Not checked: models, field names, selection values and required fields on the target \(add --remote to check them\)\.\n$/,
    );
  });

  test('an invalid plan exits 1 and lists every problem with its place', async () => {
    const result = await zenoo(['plan', 'validate', 'test/fixtures/plans/invalid/cycle.yaml']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      'test/fixtures/plans/invalid/cycle.yaml:16:20  steps[1].values.parent_id.ref  dependency cycle: companies → contacts → companies\n' +
        '    hint: contacts waits for companies (steps[1].values.parent_id.ref, line 16); companies waits for contacts (steps[0].depends_on[0], line 8). Remove one of these edges.\n' +
        '✗ test/fixtures/plans/invalid/cycle.yaml: 1 problem\n',
    );
  });

  test('--json gives the problems as data', async () => {
    const result = await zenoo(['plan', 'validate', 'test/fixtures/plans/invalid/data-path-escape.yaml', '--json']);
    expect(result.code).toBe(1);
    const output = JSON.parse(result.stdout) as {
      valid: boolean;
      problems: { line: number; path: string; message: string }[];
    };
    expect(output.valid).toBe(false);
    expect(output.problems.map((problem) => [problem.line, problem.path])).toEqual([
      [4, 'steps[0].records.file'],
      [5, 'steps[1].records.file'],
    ]);
    const valid = JSON.parse((await zenoo(['plan', 'validate', 'plans/example.yaml', '--json'])).stdout) as Record<
      string,
      unknown
    >;
    expect(valid).toMatchObject({
      version: 1,
      valid: true,
      plan: { name: 'crm-seed', steps: 5, records: 16 },
      problems: [],
    });
  });

  test('--remote checks fields against a target given by flags (its API key) or by environment (its password)', async () => {
    const dir = watch.dir(await mkdtemp(join(tmpdir(), 'zenoo-e2e-')));
    // The data file holds the credentials on purpose: outside the scanned directory.
    const home = await mkdtemp(join(tmpdir(), 'zenoo-e2e-target-'));
    const sandbox = await startCanarySandbox(join(home, 'target.sqlite'));
    try {
      const plan = join(root, 'plans/example.yaml');
      const target = ['--url', sandbox.url, '--db', sandbox.db, '--user', LOGIN];
      const byFlag = await zenoo(
        ['plan', 'validate', plan, '--remote', ...target, '--api-key', CANARY_API_KEY],
        {},
        dir,
      );
      expect(byFlag.stderr).toBe('');
      expect(byFlag.code).toBe(0);
      expect(byFlag.stdout).toContain(`is valid and fits ${sandbox.url} db sandbox as admin (API key from flag)`);
      expect(byFlag.stdout).not.toContain('Not checked');
      const byEnv = await zenoo(
        ['plan', 'validate', plan, '--remote'],
        { ZENOO_URL: sandbox.url, ZENOO_DB: sandbox.db, ZENOO_USER: LOGIN, ZENOO_PASSWORD: CANARY_PASSWORD },
        dir,
      );
      expect(byEnv.stderr).toBe('');
      expect(byEnv.code).toBe(0);
      expect(byEnv.stdout).toContain(`is valid and fits ${sandbox.url} db sandbox as admin (password from env)`);
    } finally {
      await sandbox.close();
      await rm(home, { recursive: true, force: true });
    }
  });

  test('--remote without a target says how to give one; secrets never appear', async () => {
    const none = await zenoo(['plan', 'validate', 'plans/example.yaml', '--remote']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error: no Odoo target: give --url, --db, --user and --password/);
    const refused = await zenoo(
      [
        'plan',
        'validate',
        'plans/example.yaml',
        '--remote',
        '--url',
        'http://127.0.0.1:9',
        '--db',
        'x',
        '--user',
        'admin',
      ],
      {
        ZENOO_PASSWORD: CANARY_PASSWORD,
      },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: /);
    expect(`${refused.stdout}${refused.stderr}`).not.toContain(CANARY_PASSWORD);
  });
});

describe('zenoo plan graph', () => {
  test('text shows levels, priorities and the order', async () => {
    const result = await zenoo(['plan', 'graph', 'plans/example.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'level 1 (may run concurrently)\n  tags                res.partner.category  upsert  priority   0  3 records\n',
    );
    expect(result.stdout).toContain(
      '  contacts            res.partner           create  priority   0  8 records from data/contacts.jsonl  ← companies (ref), tags (ref)\n',
    );
    expect(result.stdout).toContain('order: tags → companies → contacts → archive-old → drop-obsolete-tags\n');
  });

  test('mermaid, dot and json formats', async () => {
    const mermaid = await zenoo(['plan', 'graph', 'plans/example.yaml', '--format', 'mermaid']);
    expect(mermaid.stdout.split('\n')).toEqual(
      expect.arrayContaining(['flowchart TD', '  s_tags -. ref .-> s_companies', '  s_contacts --> s_archive_45_old']),
    );
    const dot = await zenoo(['plan', 'graph', 'plans/example.yaml', '--format', 'dot']);
    expect(dot.stdout).toContain('"contacts" -> "archive-old";');
    expect(dot.stdout).toContain('"tags" -> "companies" [style=dashed, label="ref"];');
    expect(dot.stdout).toContain('{ rank=same; "tags"; "drop-obsolete-tags"; }');
    const json = JSON.parse((await zenoo(['plan', 'graph', 'plans/example.yaml', '--format', 'json'])).stdout) as {
      order: string[];
      levels: string[][];
    };
    expect(json.levels[0]).toEqual(['tags', 'drop-obsolete-tags']);
    expect(json.order).toHaveLength(5);
    // --json is --format json, as on every command.
    const byJson = await zenoo(['plan', 'graph', 'plans/example.yaml', '--json']);
    expect(JSON.parse(byJson.stdout)).toEqual(json);
  });

  test('an unknown format or an invalid plan exits 1', async () => {
    const format = await zenoo(['plan', 'graph', 'plans/example.yaml', '--format', 'svg']);
    expect(format.code).toBe(1);
    expect(format.stderr).toContain("argument 'svg' is invalid. Allowed choices are text, mermaid, dot, json.");
    const invalid = await zenoo(['plan', 'graph', 'test/fixtures/plans/invalid/self-cycle.yaml']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('dependency cycle: contacts → contacts');
  });
});
