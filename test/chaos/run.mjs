/**
 * The crash campaign, as long as asked: `npm run chaos -- --runs 200` (builds first).
 *
 *   --runs N       number of runs (default 50)
 *   --from S       first seed (default 1); run i uses seed S + i
 *   --seed S       replay exactly one run (same as --from S --runs 1), keeping its files
 *   --parallel P   runs at a time (default 4)
 *   --keep         keep the files of every run (failed runs are always kept)
 *   --campaign C   partners (default) or documents (sale orders and invoices with lines, company sandbox)
 *
 * Each run: a sandbox with seeded faults, `zenoo plan apply` killed with SIGKILL at a seeded moment (once or twice),
 * resumed until done; the final state must equal a clean run's, with no duplicate, and no canary secret anywhere.
 * Exits 1 when any run failed, printing each failure with the seed to replay it.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PARALLEL, PARTNERS_CAMPAIGN, describeFailure, runCampaign } from './chaos-core.mjs';
import { DOCUMENTS_CAMPAIGN } from './chaos-documents.mjs';

const CAMPAIGNS = { partners: PARTNERS_CAMPAIGN, documents: DOCUMENTS_CAMPAIGN };

function integer(name, value, fallback) {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) {
    process.stderr.write(`error: --${name} expects a whole number, got "${value}"\n`);
    process.exit(1);
  }
  return Number(value);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      runs: { type: 'string' },
      from: { type: 'string' },
      seed: { type: 'string' },
      parallel: { type: 'string' },
      keep: { type: 'boolean', default: false },
      campaign: { type: 'string', default: 'partners' },
    },
  });
} catch (error) {
  process.stderr.write(
    `error: ${error.message}\nusage: npm run chaos -- [--runs N] [--from S | --seed S] [--parallel P] [--keep] [--campaign partners|documents]\n`,
  );
  process.exit(1);
}
const { values } = parsed;
const replay = integer('seed', values.seed, undefined);
const runs = replay === undefined ? integer('runs', values.runs, 50) : 1;
const firstSeed = replay ?? integer('from', values.from, 1);
const parallel = integer('parallel', values.parallel, DEFAULT_PARALLEL);
const chosen = CAMPAIGNS[values.campaign];
if (chosen === undefined) {
  process.stderr.write(
    `error: --campaign expects one of ${Object.keys(CAMPAIGNS).join(', ')}, got "${values.campaign}"\n`,
  );
  process.exit(1);
}
if (runs < 1 || parallel < 1) {
  process.stderr.write('error: --runs and --parallel must be at least 1\n');
  process.exit(1);
}

const started = Date.now();
process.stdout.write(
  `zenoo crash campaign (${chosen.name}): ${runs} run${runs === 1 ? '' : 's'} from seed ${firstSeed}, ${parallel} at a time\n`,
);
let done = 0;
const campaign = await runCampaign({
  runs,
  firstSeed,
  parallel,
  verifyDiff: true,
  campaign: chosen,
  keep: values.keep || replay !== undefined,
  onResult(result) {
    done += 1;
    const mark = result.ok ? 'ok  ' : 'FAIL';
    process.stdout.write(
      `[${String(done).padStart(String(runs).length)}/${runs}] ${mark} seed ${result.seed}: ${result.kills} kill(s), ` +
        `${result.reconciled} chunk(s) reconciled, faults ${JSON.stringify(result.faults)}\n`,
    );
    if (replay !== undefined) for (const line of result.log) process.stdout.write(`    ${line}\n`);
    if (!result.ok) process.stdout.write(`${describeFailure(result)}\n`);
  },
});

const seconds = ((Date.now() - started) / 1000).toFixed(1);
process.stdout.write(
  `\n${campaign.results.length - campaign.failed.length}/${campaign.results.length} runs equal to the clean run in ${seconds} s; ` +
    `${campaign.kills} SIGKILLs, ${campaign.takeovers} stale locks taken over, ${campaign.reconciled} in-doubt chunks reconciled; ` +
    `faults injected: ${JSON.stringify(campaign.faults)}\n`,
);
if (campaign.failed.length > 0) {
  process.stdout.write(`\nFailed seeds: ${campaign.failed.map((result) => result.seed).join(', ')}\n`);
  process.exitCode = 1;
}
