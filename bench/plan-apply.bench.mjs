// Plan apply benchmark: `npm run bench` (or `node --expose-gc bench/run.mjs bench/plan-apply.bench.mjs`).
//
// Each sandbox runs in its own process with 10 ms latency per call. Measured side by side in one run:
//   1. `applyPlan` of a 100,000-row CSV upsert plan (key [ref], chunk 200, concurrency 4) on an empty sandbox, vs
//      `bulkCreate` of the same records with the same chunk size and concurrency on another empty sandbox: 9 rounds
//      on fresh sandboxes, each running both back to back (alternating which goes first); the median of the rounds'
//      ratios is the plan overhead (target ≤ 15 %);
//   2. the dry run of the same plan against the sandbox now holding those records: read calls counted
//      (target: ≤ ⌈100,000 / 200⌉ + a few) and the diff must show 0 changes.
// ZENOO_BENCH_PLAN_ROWS overrides the number of rows (e.g. 10000 for a quick look).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BatchManager, OdooClient, StateReader, applyPlan, computeDiff, hasChanges, loadPlan } from '../dist/index.js';

const ROWS = Number(process.env.ZENOO_BENCH_PLAN_ROWS ?? 100_000);
const CHUNK = 200;
const CONCURRENCY = 4;
const LATENCY_MS = 10;
const MAX_OVERHEAD = 0.15;
const ROUNDS = Number(process.env.ZENOO_BENCH_PLAN_ROUNDS ?? 9);
const here = fileURLToPath(new URL('.', import.meta.url));

async function spawnSandbox() {
  const child = spawn(
    process.execPath,
    [`${here}../dist/cli/main.js`, 'sandbox', '--port', '0', '--latency', String(LATENCY_MS)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const [first] = await once(lines, 'line');
  const match = /listening on (http:\/\/\S+)/.exec(first);
  if (!match) throw new Error(`unexpected first line from the sandbox: ${first}`);
  lines.on('line', () => undefined);
  return { url: match[1], db: 'sandbox', close: () => child.kill() };
}

const newClient = (url) => new OdooClient({ url, db: 'sandbox', username: 'admin', password: 'admin' });
const record = (i) => ({
  ref: `B${i}`,
  name: `Bench company ${i}`,
  email: `c${i}@bench.example`,
  city: `City ${i % 100}`,
});

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-bench-plan-'));
  const lines = ['ref,name,email,city'];
  for (let i = 0; i < ROWS; i++) {
    const r = record(i);
    lines.push(`${r.ref},${r.name},${r.email},${r.city}`);
  }
  await writeFile(join(dir, 'companies.csv'), `${lines.join('\n')}\n`);
  await writeFile(
    join(dir, 'bench.yaml'),
    `version: 1\nname: bench\ndefaults: { chunk_size: ${CHUNK}, concurrency: ${CONCURRENCY} }\nsteps:\n` +
      `  - id: companies\n    model: res.partner\n    action: upsert\n    key: [ref]\n    records: { file: companies.csv }\n`,
  );
  const plan = await loadPlan(join(dir, 'bench.yaml'));

  // Rounds on fresh sandboxes (an empty target each time). Each round runs both sides back to back, alternating which
  // goes first, and gives one ratio; the median ratio is the result. The speed of a shared machine drifts over
  // seconds: pairing adjacent runs cancels the drift, and the median ignores a round that one side ran in a lucky or
  // unlucky moment (the best time of each side, also printed, is at the mercy of such a moment).
  const bulkTimes = [];
  const planTimes = [];
  const ratios = [];
  let diffFigures;

  async function timeBulkCreate() {
    const sandbox = await spawnSandbox();
    try {
      const client = newClient(sandbox.url);
      await client.authenticate();
      const manager = new BatchManager(client, { maxChunkSize: CHUNK, maxConcurrency: CONCURRENCY });
      globalThis.gc?.();
      const started = performance.now();
      const ids = await manager.bulkCreate(
        'res.partner',
        Array.from({ length: ROWS }, (_, i) => record(i)),
      );
      const ms = performance.now() - started;
      if (ids.length !== ROWS) throw new Error('bulkCreate lost records');
      client.close();
      return ms;
    } finally {
      sandbox.close();
    }
  }

  async function timePlanApply(round, dryRunAfter) {
    const sandbox = await spawnSandbox();
    try {
      const client = newClient(sandbox.url);
      await client.authenticate();
      const target = { url: sandbox.url, db: 'sandbox' };
      globalThis.gc?.();
      let started = performance.now();
      const result = await applyPlan(plan, client, { target, stateDir: join(dir, `.zenoo-${round}`) });
      const ms = performance.now() - started;
      if (result.status !== 'succeeded' || result.steps[0].counts.created !== ROWS) {
        throw new Error(`the plan apply did not create every row: ${JSON.stringify(result.steps[0])}`);
      }
      if (dryRunAfter) {
        // 2. Dry run against the sandbox holding the records.
        const reader = new StateReader(client);
        started = performance.now();
        const diff = await computeDiff(plan, client, { target, reader });
        diffFigures = { ms: performance.now() - started, reads: reader.readCalls, diff };
      }
      client.close();
      return ms;
    } finally {
      sandbox.close();
    }
  }

  try {
    for (let round = 0; round < ROUNDS; round++) {
      const last = round === ROUNDS - 1;
      let bulkMs;
      let planMs;
      if (round % 2 === 0) {
        bulkMs = await timeBulkCreate();
        planMs = await timePlanApply(round, last);
      } else {
        planMs = await timePlanApply(round, last);
        bulkMs = await timeBulkCreate();
      }
      bulkTimes.push(bulkMs);
      planTimes.push(planMs);
      ratios.push(planMs / bulkMs);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  };
  const ratio = median(ratios);
  const overhead = ratio - 1;
  const bulkBest = Math.min(...bulkTimes);
  const planBest = Math.min(...planTimes);
  const maxReads = Math.ceil(ROWS / CHUNK) + 3;
  const { diff, reads } = diffFigures;
  const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const rate = (ms) => `${Math.round((ROWS * 1000) / ms).toLocaleString('en-US')} records/s`;
  console.log(
    `rows: ${ROWS.toLocaleString('en-US')}, chunk ${CHUNK}, concurrency ${CONCURRENCY}, sandbox latency ${LATENCY_MS} ms, ${ROUNDS} rounds`,
  );
  console.log(`bulkCreate:  ${bulkTimes.map(seconds).join(', ')} (best ${rate(bulkBest)})`);
  console.log(`plan apply:  ${planTimes.map(seconds).join(', ')} (best ${rate(planBest)})`);
  console.log(`ratio per round (plan / bulkCreate): ${ratios.map((r) => r.toFixed(3)).join(', ')}`);
  console.log(
    `plan overhead: ${(overhead * 100).toFixed(1)} % (median of the rounds; target ≤ ${MAX_OVERHEAD * 100} %), ` +
      `best vs best ${((planBest / bulkBest - 1) * 100).toFixed(1)} %`,
  );
  console.log(
    `dry run: ${seconds(diffFigures.ms)}, ${reads} read calls (target ≤ ${maxReads}), ${diff.summary.unchanged} unchanged, changes: ${hasChanges(diff) ? 'YES' : 'none'}`,
  );
  let missed = 0;
  if (overhead > MAX_OVERHEAD) {
    console.log('MISSED: plan overhead above target');
    missed += 1;
  }
  if (reads > maxReads) {
    console.log('MISSED: too many read calls in the dry run');
    missed += 1;
  }
  if (hasChanges(diff) || diff.summary.unchanged !== ROWS) {
    console.log('MISSED: the dry run after the apply shows changes');
    missed += 1;
  }
  process.exitCode = missed > 0 ? 1 : 0;
}

await main();
