/**
 * The example plan over Odoo 19's JSON-2 API, through the built CLI against a sandbox that serves it
 * (`startSandbox({ odooVersion: '19.0' })`): validates against the target, diffs, applies, and a second dry run
 * shows no change, all with `--transport json2`; the sandbox's per-endpoint counts show every ORM call on `/json/2`
 * and none on `/jsonrpc` (the version, for the run header, comes from `/web/webclient/version_info`).
 *
 * Skipped, by a runtime check, while the sandbox does not serve JSON-2 (an older sandbox refuses the option, or
 * answers `/json/2` with 404).
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../../src/sandbox/start-sandbox.js';
import type { Sandbox } from '../../../src/sandbox/start-sandbox.js';
import type { SandboxOptions } from '../../../src/sandbox/sandbox-options.js';

const CLI = resolve('dist/cli/main.js');
const JSON2_SANDBOX = { odooVersion: '19.0' } as unknown as SandboxOptions;

/** The per-endpoint counters the JSON-2 sandbox adds to its stats. */
function callsByEndpoint(sandbox: Sandbox): Readonly<Record<string, number>> | undefined {
  const value = (sandbox.stats as { callsByEndpoint?: unknown }).callsByEndpoint;
  return typeof value === 'object' && value !== null ? (value as Record<string, number>) : undefined;
}

/** Whether this sandbox serves JSON-2: it takes `odooVersion: '19.0'`, counts by endpoint and answers a bearer call. */
async function probeJson2Sandbox(): Promise<boolean> {
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox(JSON2_SANDBOX);
  } catch {
    return false;
  }
  try {
    if (callsByEndpoint(sandbox) === undefined) return false;
    const response = await fetch(`${sandbox.url}/json/2/res.users/context_get`, {
      method: 'POST',
      headers: {
        authorization: `bearer ${sandbox.apiKey}`,
        'x-odoo-database': sandbox.db,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    return response.status === 200 && typeof ((await response.json()) as { uid?: unknown }).uid === 'number';
  } catch {
    return false;
  } finally {
    await sandbox.close();
  }
}

const sandboxServesJson2 = await probeJson2Sandbox();

describe.skipIf(!sandboxServesJson2)('the example plan over JSON-2 (--transport json2)', () => {
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

  function zenoo(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, [CLI, ...args, '--transport', 'json2'], {
        cwd: dir,
        env: {
          ...process.env,
          NO_COLOR: '1',
          ZENOO_URL: sandbox.url,
          ZENOO_DB: sandbox.db,
          ZENOO_USER: sandbox.login,
          ZENOO_API_KEY: sandbox.apiKey,
          ZENOO_PASSWORD: '',
          ZENOO_TRANSPORT: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
  }

  it('validates, diffs, applies, and a second dry run shows no change, every ORM call on /json/2', async () => {
    const validate = await zenoo(['plan', 'validate', 'example.yaml', '--remote']);
    expect(validate.stderr).toBe('');
    expect(validate.stdout).toContain('is valid');
    expect(validate.code).toBe(0);

    const pending = await zenoo(['plan', 'diff', 'example.yaml', '--detailed-exitcode']);
    expect(pending.stderr).toBe('');
    expect(pending.stdout).toMatch(/^Dry run of plan crm-seed on .* \(database .*, Odoo 19\.\d+ over json2\)$/m);
    expect(pending.code).toBe(2);

    const apply = await zenoo(['plan', 'apply', 'example.yaml', '--yes']);
    expect(apply.stderr).not.toMatch(/error|failed|warning/i);
    expect(apply.stderr).toMatch(/Applying plan crm-seed on .*Odoo 19\.\d+ over json2\)/);
    expect(apply.code).toBe(0);

    const again = await zenoo(['plan', 'diff', 'example.yaml', '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes');
    expect(again.code).toBe(0);

    const endpoints = callsByEndpoint(sandbox) ?? {};
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
});
