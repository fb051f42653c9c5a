// Plan apply benchmark: `npm run bench` (or `node --expose-gc bench/run.mjs bench/plan-apply.bench.mjs`).
//
// Each sandbox runs in its own process with 10 ms latency per call. Measured side by side in one run:
//   1. `applyPlan` of a 100,000-row CSV upsert plan (key [ref], chunk 200, concurrency 4) on an empty sandbox, vs
//      `bulkCreate` of the same records with the same chunk size and concurrency on another empty sandbox, in
//      interleaved rounds on fresh sandboxes, best of each (target: plan overhead ≤ 15 %);
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
const ROUNDS = Number(process.env.ZENOO_BENCH_PLAN_ROUNDS ?? 3);
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

  // Interleaved rounds on fresh sandboxes (an empty target each time); the best time of each side is compared, so
  // that noise from other processes on the machine does not decide the ratio.
  const bulkTimes = [];
  const planTimes = [];
  let diffFigures;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const bulkSandbox = await spawnSandbox();
      try {
        const bulkClient = newClient(bulkSandbox.url);
        await bulkClient.authenticate();
        const manager = new BatchManager(bulkClient, { maxChunkSize: CHUNK, maxConcurrency: CONCURRENCY });
        globalThis.gc?.();
        const started = performance.now();
        const ids = await manager.bulkCreate(
          'res.partner',
          Array.from({ length: ROWS }, (_, i) => record(i)),
        );
        bulkTimes.push(performance.now() - started);
        if (ids.length !== ROWS) throw new Error('bulkCreate lost records');
        bulkClient.close();
      } finally {
        bulkSandbox.close();
      }

      const planSandbox = await spawnSandbox();
      try {
        const planClient = newClient(planSandbox.url);
        await planClient.authenticate();
        const target = { url: planSandbox.url, db: 'sandbox' };
        globalThis.gc?.();
        let started = performance.now();
        const result = await applyPlan(plan, planClient, { target, stateDir: join(dir, `.zenoo-${round}`) });
        planTimes.push(performance.now() - started);
        if (result.status !== 'succeeded' || result.steps[0].counts.created !== ROWS) {
          throw new Error(`the plan apply did not create every row: ${JSON.stringify(result.steps[0])}`);
        }
        if (round === ROUNDS - 1) {
          // 2. Dry run against the sandbox holding the records.
          const reader = new StateReader(planClient);
          started = performance.now();
          const diff = await computeDiff(plan, planClient, { target, reader });
          diffFigures = { ms: performance.now() - started, reads: reader.readCalls, diff };
        }
        planClient.close();
      } finally {
        planSandbox.close();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const bulkMs = Math.min(...bulkTimes);
  const planMs = Math.min(...planTimes);
  const overhead = planMs / bulkMs - 1;
  const maxReads = Math.ceil(ROWS / CHUNK) + 3;
  const { diff, reads } = diffFigures;
  const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `rows: ${ROWS.toLocaleString('en-US')}, chunk ${CHUNK}, concurrency ${CONCURRENCY}, sandbox latency ${LATENCY_MS} ms, best of ${ROUNDS}`,
  );
  console.log(
    `bulkCreate:  ${bulkTimes.map(seconds).join(', ')} (${Math.round((ROWS * 1000) / bulkMs).toLocaleString('en-US')} records/s)`,
  );
  console.log(
    `plan apply:  ${planTimes.map(seconds).join(', ')} (${Math.round((ROWS * 1000) / planMs).toLocaleString('en-US')} records/s)`,
  );
  console.log(
    `plan overhead: ${(overhead * 100).toFixed(1)} % (target ≤ ${MAX_OVERHEAD * 100} %), ratio ${(planMs / bulkMs).toFixed(3)}`,
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
