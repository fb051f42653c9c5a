/**
 * The core of the reliability proof, shared by the quick seeded campaign that `npm test` runs
 * (test/e2e/reliability/*.test.ts) and the long one of `npm run chaos -- --runs N` (test/chaos/run.mjs).
 *
 * One chaos run, fully determined by its seed:
 * 1. copies the campaign plan (test/fixtures/reliability/campaign) into a fresh directory;
 * 2. starts a sandbox on a fresh data file whose admin password and API key are replaced by canaries, with seeded
 *    faults (transient errors, commit-then-drop, slow calls);
 * 3. runs the built CLI `zenoo plan apply` as a subprocess and kills it with SIGKILL at a moment derived from the seed
 *    (after K finished chunks plus D ms, so often while a chunk is in flight), once or twice;
 * 4. runs the same command again until it succeeds (each resume takes over the dead run's lock and reconciles the
 *    chunks in doubt);
 * 5. compares the canonical dump of the target (records, field values, references rendered as keys, external ids,
 *    leftover locks) with that of a clean run, checks for duplicates, and scans every output and every file the runs
 *    left for the canary secrets.
 *
 * It imports the built package (dist/): run `npm run build` first (`npm test` and `npm run chaos` do).
 *
 * Plain JavaScript so that Node runs it directly; types in chaos-core.d.mts.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { OdooClient } from '../../dist/client/odoo-client.js';
import { startSandbox } from '../../dist/sandbox/index.js';
import { hashPassword } from '../../dist/sandbox/orm/schema.js';
import { createSeededRandom } from '../../dist/sandbox/seeded-random.js';

/** Repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The built CLI. */
export const CLI = join(ROOT, 'dist/cli/main.js');

/** The campaign plan and its data files. */
export const CAMPAIGN_FIXTURE = join(ROOT, 'test/fixtures/reliability/campaign');

/** Name of the campaign plan (its lock is `zenoo.lock.chaos-campaign`). */
export const CAMPAIGN_PLAN = 'chaos-campaign';

/**
 * Canary secrets: the admin password and API key of every target the reliability suite starts. Unusual enough that
 * finding one anywhere (output, journal, diff, rejects file, error, target data) can only mean it leaked.
 */
export const CANARY_PASSWORD = 'canary-pw-Q7x2Lm9Rt4Vb8Kd3';
export const CANARY_API_KEY = 'canary-key-J6f1Wp5Ks0Nd3Yc7Hz';

/** Admin login of the sandbox. */
export const LOGIN = 'admin';

/** Default number of runs in parallel. */
export const DEFAULT_PARALLEL = 4;

/** Longest a single CLI invocation may take before the run is declared hung. */
export const DEFAULT_CLI_TIMEOUT_MS = 60_000;

/** Resumes allowed after the kills before a run is declared stuck. */
export const MAX_RESUMES = 6;

/**
 * The transports every reliability scenario runs over: JSON-RPC against the sandbox as Odoo 17, and JSON-2 against
 * the sandbox as Odoo 19 (which needs an API key). The same plan must leave the same records over either.
 */
export const TRANSPORTS = ['jsonrpc', 'json2'];

/** The sandbox options that make a sandbox the server `transport` speaks to (Odoo 19 for JSON-2). */
export function transportSandbox(transport) {
  return transport === 'json2' ? { odooVersion: '19.0' } : {};
}

/** Everything a run does, derived from its seed alone (printed with a failure, so a replay is exact to read). */
export function scenarioFor(seed) {
  const random = createSeededRandom(seed * 7919 + 17);
  const pick = (low, high) => low + Math.floor(random() * (high - low + 1));
  const transient = (3 + pick(0, 4)) / 100; // 3–7 %
  const drop = (1 + pick(0, 2)) / 100; // 1–3 %
  const slow = (2 + pick(0, 6)) / 100; // 2–8 %
  const slowMs = pick(20, 150);
  // Every fourth run also faults authentication and version probes, not only ORM calls.
  const scope = seed % 4 === 3 ? 'all' : 'object';
  const killCount = random() < 0.35 ? 2 : 1;
  // One run in four goes over JSON-2 (Odoo 19, API key); the others over JSON-RPC with either credential.
  const transport = seed % 4 === 1 ? 'json2' : 'jsonrpc';
  const kills = [];
  for (let index = 0; index < killCount; index += 1) {
    // The clean run has ~27 chunks: a first kill after 0–22 of them lands in every step, from the lock to the last
    // delete. A second kill hits the resume, which has fewer chunks left to send: it comes after 0–6 of them.
    kills.push({ afterChunks: index === 0 ? pick(0, 22) : pick(0, 6), delayMs: pick(0, 60) });
  }
  return {
    seed,
    faults: `transient=${transient},drop=${drop},slow=${slow}:${slowMs},scope=${scope},seed=${seed}`,
    latency: { fixed: 1, jitter: pick(0, 4) },
    credential: transport === 'json2' || seed % 2 === 1 ? 'api-key' : 'password',
    transport,
    kills,
    // Resumes alternate between the NDJSON stream and the human output, so that both are scanned for secrets.
    resumeJson: seed % 3 === 0,
  };
}

/**
 * The environment giving the CLI the canary credentials of `url`, and the transport to use (`jsonrpc` leaves the
 * choice to `auto`, which picks JSON-RPC on the sandbox as Odoo 17; `json2` asks for JSON-2, with the API key).
 */
export function canaryEnv(url, credential = 'password', transport = 'jsonrpc') {
  const apiKey = credential === 'api-key' || transport === 'json2';
  return {
    ZENOO_URL: url,
    ZENOO_DB: 'sandbox',
    ZENOO_USER: LOGIN,
    ...(apiKey ? { ZENOO_API_KEY: CANARY_API_KEY } : { ZENOO_PASSWORD: CANARY_PASSWORD }),
    ...(transport === 'json2' ? { ZENOO_TRANSPORT: 'json2' } : {}),
  };
}

/** ORM calls a sandbox served over JSON-RPC (`/jsonrpc` and the session routes), which a JSON-2 run must not make. */
export function jsonRpcCalls(sandbox) {
  return Object.entries(sandbox.stats.callsByEndpoint)
    .filter(([endpoint]) => !endpoint.startsWith('/json/2') && endpoint !== '/web/webclient/version_info')
    .reduce((sum, [, count]) => sum + count, 0);
}

/** Strips ZENOO_* and colour variables of the calling shell, so that runs depend on nothing outside the repository. */
function cleanEnv(extra) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('ZENOO_') && name !== 'FORCE_COLOR') env[name] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/**
 * Spawns the built CLI with `args` and settles when it ends: resolves to its exit code (null when killed), signal,
 * stderr, pid and what `observe(child)` collected (`stdout()` and `extra()`); rejects when it does not end within
 * `timeoutMs` (it is killed first) or cannot be spawned.
 */
function superviseCli(args, { cwd, env = {}, timeoutMs = DEFAULT_CLI_TIMEOUT_MS }, observe) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const observed = observe(child);
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(
        new Error(`zenoo ${args.join(' ')} did not finish within ${timeoutMs} ms (killed); stderr so far:\n${stderr}`),
      );
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ args, code, signal, stdout: observed.stdout(), stderr, pid: child.pid, ...observed.extra() });
    });
  });
}

/**
 * Runs the built CLI in `cwd`; resolves to its exit code (null when killed), signal and output. Never rejects for a
 * failing command; rejects when it does not end within `timeoutMs` (it is killed first).
 */
export function runCli(args, options = {}) {
  return superviseCli(args, options, (child) => {
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk.toString()));
    return { stdout: () => stdout, extra: () => ({}) };
  });
}

/**
 * Runs `zenoo plan apply --json` and kills it with SIGKILL `delayMs` after the `afterChunks`-th `chunk-done` event
 * (after `run-start` when 0). Resolves to the output, whether the kill happened, and the events seen.
 */
export function runKilledApply(planFile, { cwd, env, afterChunks, delayMs, timeoutMs = DEFAULT_CLI_TIMEOUT_MS }) {
  const args = ['plan', 'apply', planFile, '--yes', '--json'];
  return superviseCli(args, { cwd, env, timeoutMs }, (child) => {
    let stdout = '';
    let chunks = 0;
    let armed = false;
    let killed = false;
    const events = [];
    const arm = () => {
      if (armed) return;
      armed = true;
      setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) {
          killed = true;
          child.kill('SIGKILL');
        }
      }, delayMs);
    };
    createInterface({ input: child.stdout }).on('line', (line) => {
      stdout += `${line}\n`;
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        return; // Not an event (checked by the caller: stdout must be NDJSON).
      }
      events.push(event.type);
      if (event.type === 'run-start' && afterChunks === 0) arm();
      if (event.type === 'chunk-done') {
        chunks += 1;
        if (chunks === afterChunks) arm();
      }
    });
    return { stdout: () => stdout, extra: () => ({ killed, chunks, events }) };
  });
}

/**
 * Creates a sandbox data file whose admin password is {@link CANARY_PASSWORD} and whose admin API key is
 * {@link CANARY_API_KEY} (the default admin/admin no longer logs in, so every run must really use the canaries).
 */
export async function createCanaryTarget(file, sandboxOptions = {}) {
  await mkdir(dirname(file), { recursive: true });
  const sandbox = await startSandbox({ port: 0, file, ...sandboxOptions });
  await sandbox.close();
  const db = new Database(file);
  try {
    db.prepare('UPDATE res_users SET password_hash = ? WHERE login = ?').run(hashPassword(CANARY_PASSWORD), LOGIN);
    db.prepare('UPDATE res_users_apikeys SET key = ? WHERE user_id = (SELECT id FROM res_users WHERE login = ?)').run(
      CANARY_API_KEY,
      LOGIN,
    );
  } finally {
    db.close();
  }
}

/** Starts a sandbox on a canary data file (creating it when missing). */
export async function startCanarySandbox(file, options = {}) {
  const exists = await stat(file).then(
    () => true,
    () => false,
  );
  if (!exists) await createCanaryTarget(file);
  return startSandbox({ port: 0, file, ...options });
}

/** The records the campaign plan's last step deletes: present in the target before the first apply. */
export const LEGACY_TAGS = ['legacy-1', 'legacy-2', 'legacy-3', 'legacy-4', 'legacy-5', 'legacy-6'];

/** Creates a canary target holding what the campaign plan expects to find ({@link LEGACY_TAGS}). */
export async function createCampaignTarget(file) {
  await createCanaryTarget(file);
  const sandbox = await startSandbox({ port: 0, file });
  const client = canaryClient(sandbox);
  try {
    await client.create(
      'res.partner.category',
      LEGACY_TAGS.map((name) => ({ name, color: 9 })),
    );
  } finally {
    client.close();
    await sandbox.close();
  }
}

/** A client on a canary sandbox: over JSON-2 with the API key when the sandbox is Odoo 19, over JSON-RPC otherwise. */
export function canaryClient(sandbox) {
  const target = { url: sandbox.url, db: sandbox.db, username: LOGIN };
  return sandbox.odooVersion === '19.0'
    ? new OdooClient({ ...target, apiKey: CANARY_API_KEY, mode: 'json2' })
    : new OdooClient({ ...target, password: CANARY_PASSWORD });
}

const byJson = (a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0);

/**
 * The canonical dump of what the campaign plan touches, free of database ids: per model the records (the fields the
 * plan writes, many2one and many2many rendered as the target's key: ref, email, name or country code), the external
 * ids of the plan's module (with the key of the record they point at), and the zenoo keys of `ir.config_parameter`
 * (a lock left behind shows up here). Every list is sorted; duplicates stay (they must show up as a difference).
 */
export async function canonicalDump(client) {
  const everything = { context: { active_test: false } };
  const countries = await client.searchRead('res.country', [], { fields: ['code'] });
  const countryCode = new Map(countries.map((country) => [country.id, country.code]));
  const tags = await client.searchRead('res.partner.category', [], {
    ...everything,
    fields: ['name', 'color', 'active'],
  });
  const tagName = new Map(tags.map((tag) => [tag.id, tag.name]));
  const partners = await client.searchRead('res.partner', [], {
    ...everything,
    fields: [
      'name',
      'ref',
      'email',
      'is_company',
      'active',
      'function',
      'phone',
      'comment',
      'city',
      'country_id',
      'parent_id',
      'category_id',
    ],
  });
  const partnerKey = new Map(partners.map((partner) => [partner.id, partner.ref || partner.email || partner.name]));
  const xmlids = await client.searchRead('ir.model.data', [['module', '=like', 'zenoo%']], {
    fields: ['module', 'name', 'model', 'res_id'],
  });
  const keyOf = (model, id) =>
    model === 'res.partner'
      ? (partnerKey.get(id) ?? `<missing res.partner ${id}>`)
      : (tagName.get(id) ?? `<missing ${model} ${id}>`);
  const parameters = await client.searchRead('ir.config_parameter', [['key', '=like', 'zenoo.%']], { fields: ['key'] });
  const many2one = (value, render) => (Array.isArray(value) ? render(value[0]) : false);
  return {
    'res.partner.category': tags.map((tag) => [tag.name, tag.color, tag.active]).sort(byJson),
    'res.partner': partners
      .map((partner) => [
        partner.ref,
        partner.email,
        partner.name,
        partner.is_company,
        partner.active,
        partner.function,
        partner.phone,
        partner.comment,
        partner.city,
        many2one(partner.country_id, (id) => countryCode.get(id)),
        many2one(partner.parent_id, (id) => partnerKey.get(id) ?? `<missing ${id}>`),
        partner.category_id.map((id) => tagName.get(id)).sort(),
      ])
      .sort(byJson),
    'ir.model.data': xmlids.map((row) => [row.module, row.name, row.model, keyOf(row.model, row.res_id)]).sort(byJson),
    'ir.config_parameter': parameters.map((row) => row.key).sort(),
  };
}

/** Records that appear more than once under a key the plan uses (ref, email, tag name, external id). */
export function findDuplicates(dump) {
  const found = [];
  const count = (label, values) => {
    const seen = new Map();
    for (const value of values) if (value !== false && value !== '') seen.set(value, (seen.get(value) ?? 0) + 1);
    for (const [value, times] of seen) if (times > 1) found.push(`${label} ${JSON.stringify(value)} ×${times}`);
  };
  count(
    'res.partner ref',
    dump['res.partner'].map((row) => row[0]),
  );
  count(
    'res.partner email',
    dump['res.partner'].map((row) => row[1]),
  );
  count(
    'res.partner.category name',
    dump['res.partner.category'].map((row) => row[0]),
  );
  count(
    'external id',
    dump['ir.model.data'].map((row) => `${row[0]}.${row[1]}`),
  );
  return found;
}

/** Human differences between two dumps: per model, rows missing from `actual` and rows only in `actual`. */
export function compareDumps(expected, actual) {
  const problems = [];
  for (const model of Object.keys(expected)) {
    const left = new Map();
    for (const row of expected[model]) left.set(JSON.stringify(row), (left.get(JSON.stringify(row)) ?? 0) + 1);
    const right = new Map();
    for (const row of actual[model] ?? []) right.set(JSON.stringify(row), (right.get(JSON.stringify(row)) ?? 0) + 1);
    const missing = [];
    const extra = [];
    for (const [row, times] of left) if ((right.get(row) ?? 0) < times) missing.push(row);
    for (const [row, times] of right) if ((left.get(row) ?? 0) < times) extra.push(row);
    const sample = (rows) => rows.slice(0, 5).join('; ') + (rows.length > 5 ? `; … ${rows.length - 5} more` : '');
    if (missing.length > 0)
      problems.push(`${model}: ${missing.length} missing or different (expected ${sample(missing)})`);
    if (extra.length > 0) problems.push(`${model}: ${extra.length} extra or different (found ${sample(extra)})`);
  }
  return problems;
}

/** Every file under `dir` (recursively), as [path relative to dir, contents]. */
export async function readTree(dir) {
  const files = [];
  const walk = async (current) => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.push([relative(dir, path), await readFile(path)]);
    }
  };
  await walk(dir);
  return files;
}

/**
 * Where a canary secret shows up: in the given texts (command outputs) or in any file under the given directories
 * (journals, saved diffs, rejects files, config), read as bytes so that binary files are searched too. Data files of
 * a sandbox are skipped (they hold the password hash and the API key on purpose): name them in `skipFiles`.
 */
export async function findSecrets(
  texts,
  dirs = [],
  { skip = () => false, secrets = [CANARY_PASSWORD, CANARY_API_KEY] } = {},
) {
  const leaks = [];
  for (const [label, text] of texts) {
    for (const secret of secrets)
      if (text.includes(secret))
        leaks.push(`${label} contains the canary ${secret === CANARY_PASSWORD ? 'password' : 'API key'}`);
  }
  for (const dir of dirs) {
    for (const [path, contents] of await readTree(dir)) {
      if (skip(path)) continue;
      for (const secret of secrets) {
        if (contents.includes(Buffer.from(secret))) {
          leaks.push(`file ${path} contains the canary ${secret === CANARY_PASSWORD ? 'password' : 'API key'}`);
        }
      }
    }
  }
  return leaks;
}

/** Whether a path is a sandbox data file (it stores the credentials on purpose). */
export function isSandboxData(path) {
  return /\.sqlite(-wal|-shm|-journal)?$/.test(path);
}

/**
 * The campaign of partners and tags (the default): its plan, the target it starts from, and how the final state is
 * dumped and checked. Another campaign (e.g. documents with lines, `chaos-documents.mjs`) gives its own.
 */
export const PARTNERS_CAMPAIGN = Object.freeze({
  name: 'partners',
  fixture: CAMPAIGN_FIXTURE,
  sandbox: {},
  createTarget: createCampaignTarget,
  dump: canonicalDump,
  duplicates: findDuplicates,
});

/** A fresh copy of the campaign plan in a new temporary directory. */
export async function campaignProject(prefix = 'zenoo-chaos-', fixture = CAMPAIGN_FIXTURE) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const project = join(dir, 'project');
  await cp(fixture, project, { recursive: true });
  return { dir, project };
}

/**
 * The canonical dump of a clean apply of the campaign plan (no faults, no kill), made with the CLI itself on a
 * fresh canary target.
 */
export async function cleanDump(campaign = PARTNERS_CAMPAIGN) {
  const { dir, project } = await campaignProject('zenoo-chaos-clean-', campaign.fixture);
  await campaign.createTarget(join(dir, 'target.sqlite'));
  const sandbox = await startCanarySandbox(join(dir, 'target.sqlite'), campaign.sandbox);
  const client = canaryClient(sandbox);
  try {
    const applied = await runCli(['plan', 'apply', 'plan.yaml', '--yes'], {
      cwd: project,
      env: canaryEnv(sandbox.url),
    });
    if (applied.code !== 0) throw new Error(`the clean apply failed (exit ${applied.code}):\n${applied.stderr}`);
    const dump = await campaign.dump(client);
    const duplicates = campaign.duplicates(dump);
    if (duplicates.length > 0) throw new Error(`the clean apply made duplicates: ${duplicates.join(', ')}`);
    return dump;
  } finally {
    client.close();
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The gist of a failed invocation, for the run log: its first stderr line, or the error of its NDJSON run-done. */
function gist(result) {
  const line = result.stderr.split('\n').find((text) => text.trim() !== '');
  if (line !== undefined) return line.slice(0, 300);
  for (const text of result.stdout.split('\n').reverse()) {
    try {
      const event = JSON.parse(text);
      if (event.type === 'run-done')
        return `${event.result.status}: ${event.result.error?.message ?? 'rejected records'}`.slice(0, 300);
    } catch {
      // not an event
    }
  }
  return '(no output)';
}

/**
 * One chaos run (see the module comment). Never throws for a broken guarantee: resolves to `{ ok: false, problems }`
 * with the seed and the log of what each invocation did, so that the failure can be replayed with
 * `npm run chaos -- --seed N`.
 */
export async function chaosRun(
  seed,
  { expected, keep = false, verifyDiff = false, campaign = PARTNERS_CAMPAIGN } = {},
) {
  const scenario = scenarioFor(seed);
  const { dir, project } = await campaignProject('zenoo-chaos-', campaign.fixture);
  const log = [];
  const problems = [];
  const texts = [];
  let kills = 0;
  let reconciled = 0;
  let takeovers = 0;
  let sandbox;
  let client;
  // The documents campaign runs on the company sandbox as Odoo 17 only (the company snapshot is Odoo 17's).
  const transport = campaign.name === 'documents' ? 'jsonrpc' : scenario.transport;
  try {
    await campaign.createTarget(join(dir, 'target.sqlite'));
    sandbox = await startCanarySandbox(join(dir, 'target.sqlite'), {
      ...campaign.sandbox,
      ...transportSandbox(transport),
      faults: scenario.faults,
      seed,
      latencyMs: scenario.latency,
    });
    const env = canaryEnv(sandbox.url, scenario.credential, transport);
    const note = (result, label) => {
      texts.push([`${label} stdout`, result.stdout], [`${label} stderr`, result.stderr]);
      const parsed = result.stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => {
          try {
            return JSON.parse(line);
          } catch {
            return {};
          }
        });
      reconciled += parsed.filter((event) => event.type === 'reconciled').length;
      takeovers += parsed.filter((event) => event.type === 'lock-taken-over').length;
      if (/Took over the stale lock/.test(result.stderr)) takeovers += 1;
      if (/\n\s+at .+:\d+:\d+\)?\n/.test(result.stderr))
        problems.push(`${label} printed a stack trace:\n${result.stderr}`);
    };

    for (const [index, kill] of scenario.kills.entries()) {
      const label = `kill ${index + 1} (after ${kill.afterChunks} chunks + ${kill.delayMs} ms)`;
      const result = await runKilledApply('plan.yaml', { cwd: project, env, ...kill });
      note(result, label);
      if (result.killed) kills += 1;
      log.push(
        `${label}: ${result.killed ? `killed after ${result.chunks} chunks` : `ended first with exit ${result.code}: ${gist(result)}`}`,
      );
      if (!result.killed && result.code !== 0 && result.code !== 1)
        problems.push(`${label}: unexpected exit ${result.code} (signal ${result.signal})`);
    }

    let finished = false;
    for (let attempt = 1; attempt <= MAX_RESUMES && !finished; attempt += 1) {
      const args = ['plan', 'apply', 'plan.yaml', '--yes', ...(scenario.resumeJson ? ['--json'] : [])];
      const result = await runCli(args, { cwd: project, env });
      note(result, `resume ${attempt}`);
      log.push(`resume ${attempt}: exit ${result.code}${result.code === 0 ? '' : `: ${gist(result)}`}`);
      if (result.code === 0) finished = true;
      else if (result.code !== 1)
        problems.push(`resume ${attempt}: unexpected exit ${result.code} (signal ${result.signal})`);
    }
    if (!finished) problems.push(`the apply did not succeed after ${MAX_RESUMES} resumes`);

    // The final state is read without faults: what is checked is the target, not the reader.
    sandbox.setFaults('none');
    const stats = { faults: { ...sandbox.stats.faults }, writes: sandbox.stats.writes };
    if (transport === 'json2' && jsonRpcCalls(sandbox) > 0)
      problems.push(`a JSON-2 run made JSON-RPC calls: ${JSON.stringify(sandbox.stats.callsByEndpoint)}`);
    client = canaryClient(sandbox);
    const dump = await campaign.dump(client);
    const duplicates = campaign.duplicates(dump);
    if (duplicates.length > 0) problems.push(`duplicates: ${duplicates.join(', ')}`);
    if (expected !== undefined) problems.push(...compareDumps(expected, dump));
    if (verifyDiff && finished) {
      const diff = await runCli(['plan', 'diff', 'plan.yaml', '--detailed-exitcode'], { cwd: project, env });
      note(diff, 'final diff');
      if (diff.code !== 0)
        problems.push(`the final diff still shows changes (exit ${diff.code}):\n${diff.stdout}${diff.stderr}`);
    }
    const parameters = await client.searchRead('ir.config_parameter', [], { fields: ['key', 'value'] });
    texts.push(['ir.config_parameter of the target', JSON.stringify(parameters)]);
    problems.push(...(await findSecrets(texts, [project])));
    return {
      seed,
      scenario,
      ok: problems.length === 0,
      problems,
      log,
      kills,
      reconciled,
      takeovers,
      faults: stats.faults,
      dir,
    };
  } catch (error) {
    problems.push(`the run itself failed: ${error instanceof Error ? error.stack : String(error)}`);
    return { seed, scenario, ok: false, problems, log, kills, reconciled, takeovers, faults: {}, dir };
  } finally {
    client?.close();
    await sandbox?.close();
    if (!keep && problems.length === 0) await rm(dir, { recursive: true, force: true });
  }
}

/** Describes a failed run with everything needed to replay it. */
export function describeFailure(result) {
  return [
    `seed ${result.seed} FAILED — replay with: npm run chaos -- --seed ${result.seed}`,
    `  faults: ${result.scenario.faults}; transport: ${result.scenario.transport}; credential: ${result.scenario.credential}; kills: ${result.scenario.kills
      .map((kill) => `after ${kill.afterChunks} chunks + ${kill.delayMs} ms`)
      .join(', ')}`,
    ...result.log.map((line) => `  ${line}`),
    ...result.problems.map((problem) => `  ✗ ${problem}`),
    `  files kept in ${result.dir}`,
  ].join('\n');
}

/**
 * Runs `runs` chaos runs (seeds `firstSeed`, `firstSeed + 1`, …), `parallel` at a time, against one clean dump.
 * Resolves to every run's result and the totals; `onResult` is called as each run ends.
 */
export async function runCampaign({
  runs,
  firstSeed = 1,
  parallel = DEFAULT_PARALLEL,
  onResult,
  verifyDiff = false,
  keep = false,
  campaign = PARTNERS_CAMPAIGN,
}) {
  if (!Number.isInteger(runs) || runs < 1) throw new TypeError('Expected `runs` to be an integer from 1 and up');
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new TypeError('Expected `parallel` to be an integer from 1 and up');
  const expected = await cleanDump(campaign);
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < runs) {
      const seed = firstSeed + next;
      next += 1;
      const result = await chaosRun(seed, { expected, verifyDiff, keep, campaign });
      results.push(result);
      onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, runs) }, worker));
  results.sort((a, b) => a.seed - b.seed);
  const faults = {};
  for (const result of results)
    for (const [kind, count] of Object.entries(result.faults)) faults[kind] = (faults[kind] ?? 0) + count;
  return {
    results,
    failed: results.filter((result) => !result.ok),
    kills: results.reduce((sum, result) => sum + result.kills, 0),
    reconciled: results.reduce((sum, result) => sum + result.reconciled, 0),
    takeovers: results.reduce((sum, result) => sum + result.takeovers, 0),
    faults,
    expected,
  };
}
