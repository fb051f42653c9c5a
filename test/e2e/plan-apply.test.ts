/**
 * The built CLI (`node dist/cli/main.js`) as a subprocess: diff → apply → diff shows nothing; every exit code;
 * a saved diff applied as reviewed and refused when stale; a resume after the process is killed mid-apply leaves
 * exactly the records of a clean run; status and unlock. Each runs over both transports: JSON-RPC against the sandbox
 * as Odoo 17, and JSON-2 against it as Odoo 19 (with the API key, and then without one JSON-RPC call). Every target is
 * a canary sandbox (test/chaos/chaos-core.mjs:
 * admin/admin does not log in), reached with its password or API key from the environment; no output and no file the
 * runs leave in their project directories (journals, saved diffs) holds either canary.
 *
 * Run after `npm run build` (`npm test` builds first).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { OdooClient } from '../../src/client/odoo-client.js';
import type { Sandbox } from '../../src/sandbox/start-sandbox.js';
import {
  canaryClient,
  canaryEnv,
  createCanaryTarget,
  jsonRpcCalls,
  startCanarySandbox,
  TRANSPORTS,
  transportSandbox,
} from '../chaos/chaos-core.mjs';
import type { Transport } from '../chaos/chaos-core.mjs';
import { SecretWatch } from './secret-scan.js';

const CLI = resolve('dist/cli/main.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Outputs and project directories of this file, scanned for the canaries in the last `afterAll`. */
const watch = new SecretWatch();

/** Directory of the target data files: outside the scanned projects (a data file holds the credentials on purpose). */
let targets: string;
beforeAll(async () => {
  targets = await mkdtemp(join(tmpdir(), 'zenoo-e2e-targets-'));
});
afterAll(async () => {
  await rm(targets, { recursive: true, force: true });
  expect(await watch.finish()).toEqual([]);
});

/** A canary sandbox on a fresh data file, a client on it, and the environment giving the CLI its secret. */
interface Target {
  readonly file: string;
  readonly sandbox: Sandbox;
  readonly client: OdooClient;
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

let targetCount = 0;
/**
 * A canary target served for `transport` (JSON-2 always gets the API key). Closing it checks that a JSON-2 target
 * saw no JSON-RPC call before the test's own client read it.
 */
async function target(credential: 'password' | 'api-key', transport: Transport): Promise<Target> {
  targetCount += 1;
  const file = join(targets, `target-${targetCount}.sqlite`);
  const sandbox = await startCanarySandbox(file, transportSandbox(transport));
  const client = canaryClient(sandbox);
  return {
    file,
    sandbox,
    client,
    env: canaryEnv(sandbox.url, credential, transport),
    async close() {
      client.close();
      const jsonRpc = jsonRpcCalls(sandbox);
      await sandbox.close();
      if (transport === 'json2') expect(jsonRpc, 'JSON-RPC calls on a JSON-2 target').toBe(0);
    },
  };
}

/** Runs the CLI in `cwd` and collects its output (kept for the secrets scan). */
function zenoo(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise<Run>((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  }).then((run) => watch.output(run, `zenoo ${args.slice(0, 2).join(' ')}`));
}

async function project(companies: number, chunk = 3): Promise<string> {
  const dir = watch.dir(await mkdtemp(join(tmpdir(), 'zenoo-e2e-')));
  const rows = ['ref,name,tier'];
  for (let i = 1; i <= companies; i += 1) rows.push(`C${i},Company ${i},${i % 3 === 0 ? 'VIP' : 'Retail'}`);
  await writeFile(join(dir, 'companies.csv'), `${rows.join('\n')}\n`);
  await writeFile(
    join(dir, 'plan.yaml'),
    `version: 1
name: e2e-seed
defaults: { chunk_size: ${chunk}, concurrency: 2 }
steps:
  - id: tags
    model: res.partner.category
    action: upsert
    key: [name]
    records: [{ name: VIP, color: 1 }, { name: Retail, color: 2 }]
  - id: companies
    model: res.partner
    action: upsert
    key: [ref]
    records: { file: companies.csv }
    template_columns: [tier]
    values:
      is_company: true
      category_id: { set: [{ ref: tags, key: "\${row.tier}" }] }
  - id: contacts
    model: res.partner
    action: create
    key: [email]
    records:
      - { name: Ann, email: ann@e2e.example, company: C1 }
      - { name: Bob, email: bob@e2e.example, company: C2 }
    template_columns: [company]
    values:
      parent_id: { ref: companies, key: "\${row.company}" }
`,
  );
  return dir;
}

/** A canonical, id-free dump of what a plan wrote to a canary sandbox data file. */
async function dumpFile(file: string): Promise<unknown> {
  const sandbox = await startCanarySandbox(file);
  const client = canaryClient(sandbox);
  try {
    return await dump(client);
  } finally {
    client.close();
    await sandbox.close();
  }
}

/** A canonical, id-free dump of what a plan wrote to the target of `client`. */
async function dump(client: OdooClient): Promise<unknown> {
  const tags = await client.searchRead<{ id: number; name: string; color: number }>('res.partner.category', [], {
    fields: ['name', 'color'],
  });
  const tagName = new Map(tags.map((tag) => [tag.id, tag.name]));
  const partners = await client.searchRead<Record<string, unknown>>('res.partner', [['ref', '!=', false]], {
    fields: ['ref', 'name', 'is_company', 'category_id'],
    context: { active_test: false },
  });
  const byId = new Map(partners.map((partner) => [partner['id'], partner['ref']]));
  const contacts = await client.searchRead<Record<string, unknown>>(
    'res.partner',
    [['email', '=like', '%@e2e.example']],
    {
      fields: ['name', 'email', 'parent_id'],
    },
  );
  const xmlids = await client.searchRead<{ name: string; res_id: number }>(
    'ir.model.data',
    [['module', '=', 'zenoo_e2e_seed']],
    { fields: ['name'] },
  );
  const locks = await client.searchRead('ir.config_parameter', [['key', '=like', 'zenoo.lock.%']], {
    fields: ['key'],
  });
  return {
    tags: tags.map((tag) => [tag.name, tag.color]).sort(),
    partners: partners
      .map((partner) => [
        partner['ref'],
        partner['name'],
        partner['is_company'],
        (partner['category_id'] as number[]).map((id) => tagName.get(id)),
      ])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]), 'en', { numeric: true })),
    contacts: contacts
      .map((contact) => [contact['email'], byId.get((contact['parent_id'] as [number, string])[0])])
      .sort(),
    xmlids: xmlids.map((row) => row.name).sort(),
    locks,
  };
}

describe.each(TRANSPORTS)('zenoo plan diff / apply on the sandbox over %s', (transport) => {
  let dir: string;
  beforeAll(async () => {
    expect(existsSync(CLI), 'run `npm run build` first').toBe(true);
    dir = await project(5);
  });

  it('diff → apply → diff shows nothing pending, with the documented exit codes', async () => {
    const { env, client, close } = await target('password', transport);
    try {
      const pending = await zenoo(dir, ['plan', 'diff', 'plan.yaml', '--detailed-exitcode'], env);
      expect(pending.stderr).toBe('');
      expect(pending.code).toBe(2);
      expect(pending.stdout).toContain(
        '+ row 2, key "C1"  ref: "C1", name: "Company 1", is_company: true, category_id: = {<new tags "Retail">}',
      );
      expect(pending.stdout).toContain('Summary: 9 to create, 0 to update, 0 to delete, 0 unchanged.');
      expect((await zenoo(dir, ['plan', 'diff', 'plan.yaml'], env)).code).toBe(0);

      // Unattended without --yes: refused before anything is written.
      const refused = await zenoo(dir, ['plan', 'apply', 'plan.yaml'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('Refusing to apply without --yes');
      expect(((await dump(client)) as { partners: unknown[] }).partners).toEqual([]);

      const applied = await zenoo(dir, ['plan', 'apply', 'plan.yaml', '--yes'], env);
      expect(applied.stderr).toContain('✓ companies (res.partner, upsert): 5 created');
      expect(applied.code).toBe(0);
      expect(applied.stdout).toMatch(/^total\s+9\s+0\s+0\s+0\s+0\s+succeeded$/m);

      const after = await zenoo(dir, ['plan', 'diff', 'plan.yaml', '--detailed-exitcode'], env);
      expect(after.code).toBe(0);
      expect(after.stdout).toContain('No changes: the target already matches the plan (9 records unchanged).');

      const status = await zenoo(dir, ['plan', 'status', 'plan.yaml'], env);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('Last run: succeeded');
      expect(status.stdout).toContain('Steps done: tags, companies, contacts (3 of 3)');
    } finally {
      await close();
    }
  });

  it('applies a saved diff as reviewed, and refuses it when a record changed since, naming it', async () => {
    const fresh = await project(3);
    const { env, client, close } = await target('password', transport);
    onTestFinished(close);
    const saved = await zenoo(fresh, ['plan', 'diff', 'plan.yaml', '--out', 'reviewed.json'], env);
    expect(saved.code).toBe(0);
    const applied = await zenoo(fresh, ['plan', 'apply', 'reviewed.json', '--yes'], env);
    expect(applied.stderr).not.toContain('error');
    expect(applied.code).toBe(0);
    expect(((await dump(client)) as { partners: unknown[] }).partners).toHaveLength(3);

    // A second review wants to change Company 1's name; then someone edits that record before the apply.
    await writeFile(
      join(fresh, 'companies.csv'),
      'ref,name,tier\nC1,Company One,Retail\nC2,Company 2,Retail\nC3,Company 3,VIP\n',
    );
    expect((await zenoo(fresh, ['plan', 'diff', 'plan.yaml', '--out', 'second.json'], env)).code).toBe(0);
    // The edit may fall in the second of the diff's read: the sandbox still moves write_date forward.
    const [c1] = await client.searchRead<{ id: number }>('res.partner', [['ref', '=', 'C1']], { fields: ['id'] });
    await client.write('res.partner', [c1!.id], { email: 'edited@elsewhere.example' });

    const stale = await zenoo(fresh, ['plan', 'apply', 'second.json', '--yes'], env);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`res.partner #${c1!.id} "Company 1" (step companies) changed at`);
    expect(stale.stderr).toContain('Make a new diff');
    const after = (await dump(client)) as { partners: unknown[][] };
    expect(after.partners[0]![1]).toBe('Company 1');

    // The first saved diff, applied to the end, applied again after that edit: it says so and writes nothing.
    const again = await zenoo(fresh, ['plan', 'apply', 'reviewed.json', '--yes'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('This diff was already applied');
    expect(again.stdout).not.toMatch(/updated/);
    const [kept] = await client.searchRead<{ email: string }>('res.partner', [['ref', '=', 'C1']], {
      fields: ['email'],
    });
    expect(kept!.email).toBe('edited@elsewhere.example');
  });

  it('exits 1 with one clear message on a bad plan and on a missing target', async () => {
    const fresh = await project(2);
    await writeFile(
      join(fresh, 'broken.yaml'),
      'version: 1\nname: x\nsteps: [{ id: a, model: res.partner, action: explode }]\n',
    );
    const { env, close } = await target('api-key', transport);
    onTestFinished(close);
    const bad = await zenoo(fresh, ['plan', 'apply', 'broken.yaml', '--yes'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: The plan has \d+ problem/);
    const nowhere = await zenoo(fresh, ['plan', 'diff', 'plan.yaml'], {
      ZENOO_URL: '',
      ZENOO_DB: '',
      ZENOO_USER: '',
      ZENOO_PASSWORD: '',
      ZENOO_API_KEY: '',
    });
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('no Odoo target');
  });
});

// The outputs are rendered from the diff, whatever transport read it: pinned once (inline snapshots cannot be
// inside describe.each).
describe('zenoo plan diff outputs', () => {
  it('pins the markdown and JSON outputs', async () => {
    const fresh = await project(2);
    const { env, sandbox, close } = await target('api-key', 'jsonrpc');
    onTestFinished(close);
    const normalize = (text: string): string =>
      text
        .replace(/"createdAt": "[^"]+"/g, '"createdAt": "<time>"')
        .replace(/state read [0-9T:.\-Z]+/g, 'state read <time>')
        .replace(/"(fingerprint|stateFingerprint)": "[0-9a-f]+"/g, '"$1": "<hash>"')
        .replace(/fingerprint `[0-9a-f]+`/g, 'fingerprint `<hash>`')
        .replaceAll(sandbox.url, '<url>');
    const markdown = await zenoo(fresh, ['plan', 'diff', 'plan.yaml', '--format', 'markdown'], env);
    expect(markdown.code).toBe(0);
    expect(normalize(markdown.stdout)).toMatchInlineSnapshot(`
      "## zenoo plan \`e2e-seed\` on \`sandbox\`

      **6** to create, **0** to update, **0** to delete, 0 unchanged.

      | Step | Model | Action | Create | Update | Delete | Unchanged |
      | --- | --- | --- | ---: | ---: | ---: | ---: |
      | tags | \`res.partner.category\` | upsert | 2 | 0 | 0 | 0 |
      | companies | \`res.partner\` | upsert | 2 | 0 | 0 | 0 |
      | contacts | \`res.partner\` | create | 2 | 0 | 0 | 0 |

      ### tags — \`res.partner.category\` (upsert)

      **Create** (2)

      - ➕ row 1, key \`VIP\`: \`name: "VIP", color: 1\`
      - ➕ row 2, key \`Retail\`: \`name: "Retail", color: 2\`

      ### companies — \`res.partner\` (upsert)

      **Create** (2)

      - ➕ row 2, key \`C1\`: \`ref: "C1", name: "Company 1", is_company: true, category_id: = {<new tags "Retail">}\`
      - ➕ row 3, key \`C2\`: \`ref: "C2", name: "Company 2", is_company: true, category_id: = {<new tags "Retail">}\`

      ### contacts — \`res.partner\` (create)

      **Create** (2)

      - ➕ row 1, key \`ann@e2e.example\`: \`name: "Ann", email: "ann@e2e.example", parent_id: <new companies "C1">\`
      - ➕ row 2, key \`bob@e2e.example\`: \`name: "Bob", email: "bob@e2e.example", parent_id: <new companies "C2">\`

      <sub>plan fingerprint \`<hash>\` · state read <time></sub>
      "
    `);
    const json = await zenoo(fresh, ['plan', 'diff', 'plan.yaml', '--format', 'json'], env);
    expect(json.code).toBe(0);
    expect(normalize(json.stdout)).toMatchInlineSnapshot(`
      "{
        "formatVersion": 1,
        "plan": {
          "name": "e2e-seed",
          "fingerprint": "<hash>"
        },
        "target": {
          "url": "<url>",
          "db": "sandbox"
        },
        "createdAt": "<time>",
        "stateFingerprint": "<hash>",
        "summary": {
          "create": 6,
          "update": 0,
          "delete": 0,
          "unchanged": 0
        },
        "steps": [
          {
            "step": "tags",
            "model": "res.partner.category",
            "action": "upsert",
            "creates": [
              {
                "row": 1,
                "key": "[\\"VIP\\"]",
                "values": {
                  "name": "VIP",
                  "color": 1
                }
              },
              {
                "row": 2,
                "key": "[\\"Retail\\"]",
                "values": {
                  "name": "Retail",
                  "color": 2
                }
              }
            ],
            "updates": [],
            "deletes": [],
            "unchanged": 0,
            "keyFields": [
              "name"
            ],
            "chunkSize": 3,
            "context": {}
          },
          {
            "step": "companies",
            "model": "res.partner",
            "action": "upsert",
            "creates": [
              {
                "row": 2,
                "key": "[\\"C1\\"]",
                "values": {
                  "ref": "C1",
                  "name": "Company 1",
                  "is_company": true,
                  "category_id": [
                    [
                      6,
                      0,
                      [
                        {
                          "$pending": {
                            "step": "tags",
                            "key": "[\\"Retail\\"]"
                          }
                        }
                      ]
                    ]
                  ]
                }
              },
              {
                "row": 3,
                "key": "[\\"C2\\"]",
                "values": {
                  "ref": "C2",
                  "name": "Company 2",
                  "is_company": true,
                  "category_id": [
                    [
                      6,
                      0,
                      [
                        {
                          "$pending": {
                            "step": "tags",
                            "key": "[\\"Retail\\"]"
                          }
                        }
                      ]
                    ]
                  ]
                }
              }
            ],
            "updates": [],
            "deletes": [],
            "unchanged": 0,
            "keyFields": [
              "ref"
            ],
            "chunkSize": 3,
            "context": {}
          },
          {
            "step": "contacts",
            "model": "res.partner",
            "action": "create",
            "creates": [
              {
                "row": 1,
                "key": "[\\"ann@e2e.example\\"]",
                "values": {
                  "name": "Ann",
                  "email": "ann@e2e.example",
                  "parent_id": {
                    "$pending": {
                      "step": "companies",
                      "key": "[\\"C1\\"]"
                    }
                  }
                }
              },
              {
                "row": 2,
                "key": "[\\"bob@e2e.example\\"]",
                "values": {
                  "name": "Bob",
                  "email": "bob@e2e.example",
                  "parent_id": {
                    "$pending": {
                      "step": "companies",
                      "key": "[\\"C2\\"]"
                    }
                  }
                }
              }
            ],
            "updates": [],
            "deletes": [],
            "unchanged": 0,
            "keyFields": [
              "email"
            ],
            "chunkSize": 3,
            "context": {}
          }
        ]
      }
      "
    `);
  });
});

/** Starts `zenoo sandbox` as its own process (so that killing the apply leaves it running). */
async function sandboxProcess(
  file: string,
  cwd: string,
  transport: Transport,
): Promise<{ url: string; child: ChildProcess }> {
  const version = transport === 'json2' ? ['--odoo-version', '19.0'] : [];
  const child = spawn(
    process.execPath,
    [CLI, 'sandbox', '--port', '0', '--data', file, '--latency', '15', ...version],
    {
      cwd,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const match = /^zenoo sandbox listening on (\S+)/.exec(line);
    if (match) return { url: match[1]!, child };
  }
  throw new Error('the sandbox did not start');
}

describe.each(TRANSPORTS)('resume after kill -9 over %s', (transport) => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('leaves exactly the records of a clean run', async () => {
    const dir = await project(240, 10);
    const file = join(targets, `killed-${transport}.sqlite`);
    await createCanaryTarget(file);
    const { url, child: server } = await sandboxProcess(file, dir, transport);
    children.push(server);
    const env = canaryEnv(url, 'api-key', transport);

    // First run: killed with SIGKILL after a few chunks are done.
    const apply = spawn(process.execPath, [CLI, 'plan', 'apply', 'plan.yaml', '--yes', '--json'], {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(apply);
    let chunks = 0;
    let killedOutput = '';
    apply.stderr!.on('data', (chunk: Buffer) => (killedOutput += chunk.toString()));
    for await (const line of createInterface({ input: apply.stdout! })) {
      killedOutput += `${line}\n`;
      if ((JSON.parse(line) as { type: string; step?: string }).type === 'chunk-done') chunks += 1;
      if (chunks === 6) {
        apply.kill('SIGKILL');
        break;
      }
    }
    await new Promise((wait) => apply.once('close', wait));
    watch.output({ stdout: killedOutput, stderr: '' }, 'killed plan apply');
    expect(chunks).toBe(6);

    const status = await zenoo(dir, ['plan', 'status', 'plan.yaml'], env);
    expect(status.stdout).toContain('Last run: no end recorded');
    expect(status.stdout).toContain('Resumable');

    // The resume takes over the dead process's lock and finishes.
    const resumed = await zenoo(dir, ['plan', 'apply', 'plan.yaml', '--yes'], env);
    expect(resumed.stderr).toContain('Took over the stale lock zenoo.lock.e2e-seed');
    expect(resumed.stderr).toContain('Resuming plan e2e-seed');
    expect(resumed.code).toBe(0);
    expect((await zenoo(dir, ['plan', 'diff', 'plan.yaml', '--detailed-exitcode'], env)).code).toBe(0);
    server.kill('SIGTERM');
    await new Promise((wait) => server.once('close', wait));

    // The clean run, on a fresh target (given the password this time).
    const fresh = await target('password', transport);
    onTestFinished(fresh.close);
    const clean = await zenoo(dir, ['plan', 'apply', 'plan.yaml', '--yes'], fresh.env);
    expect(clean.code).toBe(0);
    const expected = (await dump(fresh.client)) as { partners: unknown[]; xmlids: unknown[] };
    expect(expected.partners).toHaveLength(240);
    // Keyed steps are matched by key: no external ids are needed (nor written).
    expect(expected.xmlids).toHaveLength(0);
    expect(await dumpFile(file)).toEqual(expected);
  });
});

describe.each(TRANSPORTS)('zenoo plan unlock over %s', (transport) => {
  it('releases a lock after --yes and says whose it was', async () => {
    const dir = await project(2);
    const { env, client, close } = await target('api-key', transport);
    onTestFinished(close);
    expect((await zenoo(dir, ['plan', 'diff', 'plan.yaml'], env)).code).toBe(0);
    await client.create('ir.config_parameter', {
      key: 'zenoo.lock.e2e-seed',
      value: JSON.stringify({
        host: 'ci-7',
        pid: 12,
        user: 'runner',
        startedAt: '2026-01-01T00:00:00.000Z',
        expiresAt: '2999-01-01T00:00:00.000Z',
      }),
    });

    const blocked = await zenoo(dir, ['plan', 'apply', 'plan.yaml', '--yes'], env);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('held by runner@ci-7 (pid 12) since 2026-01-01T00:00:00.000Z');
    expect((await zenoo(dir, ['plan', 'unlock', 'plan.yaml'], env)).code).toBe(1);
    const unlocked = await zenoo(dir, ['plan', 'unlock', 'plan.yaml', '--yes'], env);
    expect(unlocked.code).toBe(0);
    expect(unlocked.stdout).toContain('Released the lock zenoo.lock.e2e-seed held by runner@ci-7 (pid 12)');
    expect((await zenoo(dir, ['plan', 'apply', 'plan.yaml', '--yes'], env)).code).toBe(0);
  });
});
