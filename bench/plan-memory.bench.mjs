// Memory of a large plan: `npm run bench` (or `node --expose-gc bench/run.mjs bench/plan-memory.bench.mjs`).
//
// `zenoo plan apply` (the CLI) of a 1,000,000-row CSV upsert on an empty sandbox (in its own process), then
// `zenoo plan diff` of the same plan on the filled target; each CLI run's peak RSS is read from the process itself
// (bench/report-max-rss.mjs). Target: both below 300 MB, whatever the number of rows: what the apply keeps is bounded
// by the chunks in flight, not by the rows. ZENOO_BENCH_MEMORY_ROWS overrides the number of rows.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSandbox } from './sandbox-process.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const ROWS = Number(process.env.ZENOO_BENCH_MEMORY_ROWS ?? 1_000_000);
const MAX_RSS_MB = 300;

/** Runs the CLI with `args` in `cwd`; resolves to its exit code, wall time and peak RSS. */
function cli(args, cwd, env) {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      ['--import', join(here, 'report-max-rss.mjs'), join(here, '../dist/cli/main.js'), ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const line = stderr
        .trim()
        .split('\n')
        .reverse()
        .find((text) => text.startsWith('{"maxRssMb"'));
      if (line === undefined) fail(new Error(`no RSS report from zenoo ${args.join(' ')}:\n${stderr}`));
      else done({ code, ms: performance.now() - started, maxRssMb: JSON.parse(line).maxRssMb, stderr });
    });
  });
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-bench-memory-'));
  const out = createWriteStream(join(dir, 'companies.csv'));
  out.write('ref,name,email,city\n');
  for (let i = 0; i < ROWS; i += 1) {
    if (!out.write(`M${i},Company ${i},c${i}@bench.example,City ${i % 100}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await writeFile(
    join(dir, 'plan.yaml'),
    'version: 1\nname: memory-bench\ndefaults: { chunk_size: 200, concurrency: 4 }\nsteps:\n' +
      '  - { id: companies, model: res.partner, action: upsert, key: [ref], records: { file: companies.csv } }\n',
  );
  const sandbox = await spawnSandbox(0);
  const env = { ZENOO_URL: sandbox.url, ZENOO_DB: 'sandbox', ZENOO_USER: 'admin', ZENOO_PASSWORD: 'admin' };
  let missed = 0;
  try {
    const apply = await cli(['plan', 'apply', 'plan.yaml', '--yes'], dir, env);
    const diff = await cli(['plan', 'diff', 'plan.yaml', '--detailed-exitcode'], dir, env);
    const rate = (run) => Math.round((ROWS * 1000) / run.ms).toLocaleString('en-US');
    console.log(`${ROWS.toLocaleString('en-US')} rows, chunk 200 x 4:`);
    console.log(
      `  plan apply: exit ${apply.code}, ${(apply.ms / 1000).toFixed(1)} s (${rate(apply)} rows/s), peak RSS ${apply.maxRssMb.toFixed(0)} MB (target < ${MAX_RSS_MB} MB)`,
    );
    console.log(
      `  plan diff on the filled target: exit ${diff.code} (0: no change), ${(diff.ms / 1000).toFixed(1)} s, peak RSS ${diff.maxRssMb.toFixed(0)} MB (target < ${MAX_RSS_MB} MB)`,
    );
    if (apply.code !== 0) {
      console.log(`MISSED: the apply failed:\n${apply.stderr}`);
      missed += 1;
    }
    if (diff.code !== 0) {
      console.log('MISSED: the dry run after the apply shows changes or failed');
      missed += 1;
    }
    for (const run of [apply, diff]) if (run.maxRssMb >= MAX_RSS_MB) missed += 1;
    if (missed > 0) console.log(`MISSED: ${missed} target(s)`);
  } finally {
    sandbox.close();
    await rm(dir, { recursive: true, force: true });
  }
  process.exitCode = missed > 0 ? 1 : 0;
}

await main();
