// Speed on a server that costs like a real Odoo: `npm run bench` (or
// `node --expose-gc bench/run.mjs bench/real-server.bench.mjs`).
//
// The server is the sandbox in its own process with a capacity (`zenoo sandbox --workers W --record-cost 0.8
// --call-cost 5 --latency 1`): each ORM call holds one of W workers for 5 ms plus 0.8 ms per record written, and
// calls beyond the workers wait in line. One worker at 0.8 ms per record answers a keep-alive loop of 200-record
// creates at about 1,200 records/s, what a real Odoo 17 did on this kind of machine (see src/sandbox/server-capacity.ts).
//
// Measured side by side in one run:
//   1. Fixed costs: `zenoo plan apply` (the CLI, as a user runs it) of a CSV upsert of ROWS companies (chunk 200,
//      concurrency 4) against the hand-written loop of bench/raw-create-loop.mjs (same records, same chunks, same
//      calls in flight), both as processes started the same way, each on a fresh server, rounds alternating which
//      goes first; the median ratio of wall times is the overhead (6,000 rows on 1 worker: target ≤ 1.10; 100,000
//      rows on 4 workers: target ≤ 1.05). The time to the first chunk written is printed for both, and the calls
//      zenoo makes before its first write are listed (through a counting proxy, in a run of their own).
//   2. Adaptive settings: on servers with 2, 4 and 8 workers, an apply with `concurrency: auto` and
//      `chunk_size: auto` against a sweep of fixed settings (concurrency W/2, W and 2W, chunk 100 and 500), each on a
//      fresh server; auto must reach 90 % of the best fixed setting's records per second. The values auto chose come
//      from its `tuning` events.
// ZENOO_BENCH_SMALL_ROWS, ZENOO_BENCH_LARGE_ROWS, ZENOO_BENCH_ROUNDS and ZENOO_BENCH_AUTO_ROWS (per worker) override
// the sizes; ZENOO_BENCH_ONLY=fixed or ZENOO_BENCH_ONLY=auto runs one part, ZENOO_BENCH_WORKERS=4 one server size.
import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { OdooClient, applyPlan, loadPlan } from '../dist/index.js';
import { spawnSandbox } from './sandbox-process.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '../dist/cli/main.js');
const RAW = join(here, 'raw-create-loop.mjs');
const SMALL_ROWS = Number(process.env.ZENOO_BENCH_SMALL_ROWS ?? 6000);
const LARGE_ROWS = Number(process.env.ZENOO_BENCH_LARGE_ROWS ?? 100_000);
const ROUNDS = Number(process.env.ZENOO_BENCH_ROUNDS ?? 3);
const AUTO_ROWS_PER_WORKER = Number(process.env.ZENOO_BENCH_AUTO_ROWS ?? 3000);
const CHUNK = 200;
const CONCURRENCY = 4;
const COST = ['--record-cost', '0.8', '--call-cost', '5'];
const LATENCY_MS = 1;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** A project directory: `rows` companies in companies.csv and plan.yaml upserting them with `defaults`. */
async function project(rows, defaults) {
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-bench-real-'));
  const lines = ['ref,name,email,city'];
  for (let i = 0; i < rows; i += 1) lines.push(`R${i},Company ${i},c${i}@bench.example,City ${i % 100}`);
  await writeFile(join(dir, 'companies.csv'), `${lines.join('\n')}\n`);
  await writeFile(
    join(dir, 'plan.yaml'),
    `version: 1\nname: real-bench\ndefaults: ${defaults}\nsteps:\n` +
      '  - { id: companies, model: res.partner, action: upsert, key: [ref], records: { file: companies.csv } }\n',
  );
  return dir;
}

/**
 * Runs `args` with node and times it from the spawn: to its first `chunk-done` line on stdout, and to its exit.
 * @returns {Promise<{ totalMs: number, firstMs: number | undefined, stdout: string }>}
 */
function timed(args, cwd, env = {}) {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let firstMs;
    let stdout = '';
    let stderr = '';
    createInterface({ input: child.stdout }).on('line', (line) => {
      stdout += `${line}\n`;
      if (firstMs === undefined && line.includes('"chunk-done"')) firstMs = performance.now() - started;
    });
    child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0) fail(new Error(`${args.join(' ')} exited with ${code}:\n${stderr}`));
      else done({ totalMs: performance.now() - started, firstMs, stdout });
    });
  });
}

/** The environment giving the CLI a sandbox. */
const cliEnv = (url) => ({
  ZENOO_URL: url,
  ZENOO_DB: 'sandbox',
  ZENOO_USER: 'admin',
  ZENOO_PASSWORD: 'admin',
  ZENOO_API_KEY: '',
  ZENOO_TRANSPORT: '',
});

/** One side of a round, on a fresh server with `workers`. */
async function side(kind, dir, workers) {
  const sandbox = await spawnSandbox(LATENCY_MS, ['--workers', String(workers), ...COST]);
  try {
    if (kind === 'raw') {
      return await timed([RAW, sandbox.url, join(dir, 'companies.csv'), String(CHUNK), String(CONCURRENCY)], dir);
    }
    await rm(join(dir, '.zenoo'), { recursive: true, force: true });
    return await timed([CLI, 'plan', 'apply', 'plan.yaml', '--yes', '--json'], dir, cliEnv(sandbox.url));
  } finally {
    sandbox.close();
  }
}

/** Part 1 for `rows` rows on `workers` workers: rounds alternating raw loop and zenoo; the median ratio. */
async function overhead(rows, workers, rounds, target) {
  const dir = await project(rows, `{ chunk_size: ${CHUNK}, concurrency: ${CONCURRENCY} }`);
  try {
    const raw = [];
    const zenoo = [];
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? ['raw', 'zenoo'] : ['zenoo', 'raw'];
      for (const kind of order) (kind === 'raw' ? raw : zenoo).push(await side(kind, dir, workers));
    }
    const ratios = zenoo.map((run, i) => run.totalMs / raw[i].totalMs);
    const ratio = median(ratios);
    const rate = (runs) => Math.round((rows * 1000) / median(runs.map((run) => run.totalMs))).toLocaleString('en-US');
    console.log(
      `${rows.toLocaleString('en-US')} rows, ${workers} worker(s), chunk ${CHUNK} x ${CONCURRENCY}, ${rounds} rounds:`,
    );
    console.log(`  raw loop:   ${raw.map((run) => seconds(run.totalMs)).join(', ')} (${rate(raw)} records/s)`);
    console.log(`  zenoo:      ${zenoo.map((run) => seconds(run.totalMs)).join(', ')} (${rate(zenoo)} records/s)`);
    console.log(
      `  first chunk written after: raw ${seconds(median(raw.map((run) => run.firstMs)))}, zenoo ${seconds(median(zenoo.map((run) => run.firstMs)))} (medians, from the process start)`,
    );
    console.log(
      `  zenoo / raw: ${ratios.map((r) => r.toFixed(3)).join(', ')} → median ${ratio.toFixed(3)} (target ≤ ${target})`,
    );
    return ratio <= target;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The ORM methods of one JSON-RPC request body, as `model.method` (or `service.method`). */
function methodOf(body) {
  try {
    const { params } = JSON.parse(body);
    if (params?.service === 'object') return `${params.args[3]}.${params.args[4]}`;
    return `${params?.service ?? '?'}.${params?.method ?? '?'}`;
  } catch {
    return '?';
  }
}

/**
 * The calls `zenoo plan apply` makes before its first write, in order, through a proxy in front of a fresh server.
 */
async function callsBeforeFirstWrite() {
  const dir = await project(SMALL_ROWS, `{ chunk_size: ${CHUNK}, concurrency: ${CONCURRENCY} }`);
  const sandbox = await spawnSandbox(LATENCY_MS, ['--workers', '1', ...COST]);
  const upstream = new URL(sandbox.url);
  const calls = [];
  const proxy = createServer((req, res) => {
    const parts = [];
    req.on('data', (part) => parts.push(part));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      calls.push(req.url === '/jsonrpc' ? methodOf(body.toString()) : req.url);
      const forward = request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.end(body);
    });
  });
  await new Promise((listening) => proxy.listen(0, '127.0.0.1', listening));
  try {
    await timed(
      [CLI, 'plan', 'apply', 'plan.yaml', '--yes', '--json'],
      dir,
      cliEnv(`http://127.0.0.1:${proxy.address().port}`),
    );
    const first = calls.findIndex(
      (call) => /\.(create|load|write)$/.test(call) && !call.startsWith('ir.config_parameter'),
    );
    const before = calls.slice(0, first);
    console.log(`calls before the first write: ${before.length} (target ≤ 12): ${before.join(', ')}`);
    return before.length <= 12;
  } finally {
    proxy.close();
    sandbox.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** One in-process apply of `rows` rows with `defaults` on a fresh server with `workers`: records/s and tuning. */
async function applyRate(rows, workers, defaults) {
  const dir = await project(rows, defaults);
  const sandbox = await spawnSandbox(LATENCY_MS, ['--workers', String(workers), ...COST]);
  const client = new OdooClient({ url: sandbox.url, db: 'sandbox', username: 'admin', password: 'admin' });
  try {
    const plan = await loadPlan(join(dir, 'plan.yaml'));
    await client.authenticate();
    const tuning = [];
    const started = performance.now();
    const result = await applyPlan(plan, client, {
      target: { url: sandbox.url, db: 'sandbox' },
      stateDir: join(dir, '.zenoo'),
      onEvent: (event) => {
        if (event.type === 'tuning') tuning.push(event);
      },
    });
    const ms = performance.now() - started;
    if (result.status !== 'succeeded' || result.steps[0].counts.created !== rows)
      throw new Error(`the apply did not create every row: ${JSON.stringify(result.steps[0])}`);
    return { rate: (rows * 1000) / ms, tuning };
  } finally {
    client.close();
    sandbox.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Part 2 on `workers` workers: the sweep, then auto. */
async function adaptive(workers) {
  const rows = AUTO_ROWS_PER_WORKER * workers;
  const sweep = [];
  for (const concurrency of [Math.max(1, workers / 2), workers, workers * 2]) {
    for (const chunk of [100, 500]) {
      const { rate } = await applyRate(rows, workers, `{ chunk_size: ${chunk}, concurrency: ${concurrency} }`);
      sweep.push({ concurrency, chunk, rate });
    }
  }
  const best = sweep.reduce((a, b) => (b.rate > a.rate ? b : a));
  const auto = await applyRate(rows, workers, '{ chunk_size: auto, concurrency: auto }');
  const last = (key) => auto.tuning.filter((event) => event[key] !== undefined).at(-1)?.[key]?.to;
  const share = auto.rate / best.rate;
  const fmt = (rate) => Math.round(rate).toLocaleString('en-US');
  console.log(
    `${workers} workers, ${rows.toLocaleString('en-US')} rows: sweep ${sweep.map((s) => `${s.concurrency}x${s.chunk}=${fmt(s.rate)}`).join(' ')}`,
  );
  console.log(
    `  best fixed ${best.concurrency} in flight x ${best.chunk}: ${fmt(best.rate)} records/s; auto: ${fmt(auto.rate)} records/s = ${(share * 100).toFixed(0)} % (target ≥ 90 %), ended at ${last('concurrency') ?? 2} in flight x ${last('chunkSize') ?? 50} (${auto.tuning.length} tuning events)`,
  );
  return share >= 0.9;
}

async function main() {
  let missed = 0;
  const only = process.env.ZENOO_BENCH_ONLY;
  if (only !== 'auto') {
    if (!(await callsBeforeFirstWrite())) missed += 1;
    if (!(await overhead(SMALL_ROWS, 1, ROUNDS, 1.1))) missed += 1;
    if (!(await overhead(LARGE_ROWS, 4, 2, 1.05))) missed += 1;
  }
  const workerCounts = (process.env.ZENOO_BENCH_WORKERS ?? '2,4,8').split(',').map(Number);
  if (only !== 'fixed') for (const workers of workerCounts) if (!(await adaptive(workers))) missed += 1;
  if (missed > 0) console.log(`MISSED: ${missed} target(s)`);
  process.exitCode = missed > 0 ? 1 : 0;
}

await main();
