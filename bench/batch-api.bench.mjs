// Batch API benchmark: `npm run bench` (or `node --expose-gc bench/run.mjs bench/batch-api.bench.mjs`).
//
// The sandbox runs in its own process with 10 ms latency per call, so the figures measure the client, not the
// server's CPU stealing from it. Measured side by side in one run:
//   1. bulkCreate of 10,000 res.partner (chunk 100, concurrency 5) vs a minimal hand-written loop sending the same
//      chunks with the same concurrency (target: ratio ≤ 1.10);
//   2. the same 10,000 creates the way an odoo-await user would write them: one create per record, 5 in flight
//      (odoo-await speaks XML-RPC, which the sandbox does not serve: a small loopback XML-RPC → JSON-RPC relay in this
//      process forwards its calls, adding well under 1 ms per call to its figure);
//   3. bulkUpdate of 10,000 per-record updates falling into 10 distinct value sets: write calls counted;
//   4. 1,000,000 records streamed from an async generator, in a child process so that the peak RSS is the client's.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { spawnSandbox } from './sandbox-process.mjs';
import { BatchManager, OdooClient } from '../dist/index.js';
import { SANDBOX_ODOO_VERSION } from '../dist/sandbox/index.js';

const RECORDS = 10_000;
const CHUNK = 100;
const CONCURRENCY = 5;
const LATENCY_MS = 10;
const STREAM_RECORDS = Number(process.env.ZENOO_BENCH_STREAM_RECORDS ?? 1_000_000);
const ROUNDS = 5;

if (process.argv[2] === '--stream-child') {
  await streamChild(process.argv[3]);
} else {
  await main();
}

async function main() {
  const sandbox = await spawnSandbox(LATENCY_MS);
  const relay = await startXmlRpcRelay(sandbox.url);
  try {
    const client = newClient(sandbox.url);
    await client.authenticate();
    const manager = new BatchManager(client, { maxChunkSize: CHUNK, maxConcurrency: CONCURRENCY });
    const records = (tag) =>
      Array.from({ length: RECORDS }, (_, i) => ({
        name: `${tag} ${i}`,
        email: `p${i}@bench.test`,
        is_company: i % 2 === 0,
      }));

    // Warm up both paths (JIT, keep-alive sockets) before measuring.
    await manager.bulkCreate('res.partner', records('warm').slice(0, 1000));
    await handLoop(client, records('warm').slice(0, 1000));

    // 1. bulkCreate vs the hand-written loop, interleaved rounds, median of each.
    const bulkTimes = [];
    const loopTimes = [];
    let ids = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which runs first, so that neither always meets the larger table or the warmer server.
      const runBulk = async () => {
        globalThis.gc?.();
        const started = performance.now();
        ids = await manager.bulkCreate('res.partner', records(`bulk${round}`));
        bulkTimes.push(performance.now() - started);
      };
      const runLoop = async () => {
        globalThis.gc?.();
        const started = performance.now();
        const loopIds = await handLoop(client, records(`loop${round}`));
        loopTimes.push(performance.now() - started);
        if (loopIds.length !== RECORDS) throw new Error('the hand-written loop lost records');
      };
      if (round % 2 === 0) {
        await runBulk();
        await runLoop();
      } else {
        await runLoop();
        await runBulk();
      }
      if (ids.length !== RECORDS) throw new Error('bulkCreate lost records');
    }
    const bulkMs = median(bulkTimes);
    const loopMs = median(loopTimes);

    // 2. odoo-await: one create per record, 5 in flight.
    const require = createRequire(import.meta.url);
    const Odoo = require('odoo-await');
    const odoo = new Odoo({ baseUrl: relay.url, db: sandbox.db, username: 'admin', password: 'admin' });
    await odoo.connect();
    const limit = pLimit(CONCURRENCY);
    let started = performance.now();
    const awaitIds = await Promise.all(
      records('await').map((record) => limit(() => odoo.create('res.partner', record))),
    );
    const awaitMs = performance.now() - started;
    if (awaitIds.length !== RECORDS) throw new Error('odoo-await lost records');

    // 3. bulkUpdate: 10,000 per-record updates in 10 distinct value sets.
    let writeCalls = 0;
    const countWrites = (event) => {
      if (event.method === 'write' && event.attempt === 1) writeCalls += 1;
    };
    client.on('request', countWrites);
    const updates = ids.map((id, i) => ({ id, ref: `SET-${i % 10}`, active: true }));
    started = performance.now();
    await manager.bulkUpdate('res.partner', updates);
    const updateMs = performance.now() - started;
    client.off('request', countWrites);
    client.close();

    // 4. Streaming 1,000,000 records in a child process.
    const stream = await runStreamChild(sandbox.url);

    const maxWrites = 10 * Math.ceil(RECORDS / 10 / CHUNK);
    print([
      [
        'sandbox',
        `Odoo ${SANDBOX_ODOO_VERSION.server_version} sandbox, own process, ${LATENCY_MS} ms latency per call`,
      ],
      [
        `bulkCreate ${RECORDS} (chunk ${CHUNK}, ×${CONCURRENCY})`,
        `${fmt(bulkMs)} ms  (${rate(RECORDS, bulkMs)} rec/s, median of ${ROUNDS})`,
      ],
      [`hand-written loop, same chunks`, `${fmt(loopMs)} ms  (${rate(RECORDS, loopMs)} rec/s, median of ${ROUNDS})`],
      [`odoo-await, 1 create/record, ×${CONCURRENCY}`, `${fmt(awaitMs)} ms  (${rate(RECORDS, awaitMs)} rec/s)`],
      [
        `bulkUpdate ${RECORDS} in 10 value sets`,
        `${fmt(updateMs)} ms, ${writeCalls} write calls (limit ${maxWrites}; 1 per record: ${RECORDS})`,
      ],
      [
        `stream ${STREAM_RECORDS.toLocaleString('en')} records`,
        `${fmt(stream.ms)} ms  (${rate(STREAM_RECORDS, stream.ms)} rec/s), client peak RSS ${stream.peakRssMb.toFixed(0)} MB`,
      ],
    ]);
    const ratio = bulkMs / loopMs;
    console.log('');
    print([
      ['bulkCreate / hand-written loop', `${ratio.toFixed(3)}  (target ≤ 1.10) ${ratio <= 1.1 ? 'OK' : 'MISSED'}`],
      ['speed-up vs odoo-await', `${(awaitMs / bulkMs).toFixed(1)}×`],
      ['bulkUpdate write calls', `${writeCalls} ≤ ${maxWrites} ${writeCalls <= maxWrites ? 'OK' : 'MISSED'}`],
      ['streaming peak RSS', `${stream.peakRssMb.toFixed(0)} MB ≤ 300 MB ${stream.peakRssMb <= 300 ? 'OK' : 'MISSED'}`],
    ]);
    if (ratio > 1.1 || writeCalls > maxWrites || stream.peakRssMb > 300) process.exitCode = 1;
  } finally {
    await relay.close();
    sandbox.close();
  }
}

/** The minimal loop a careful user would write: the same chunks, the same concurrency, ids in order. */
async function handLoop(client, records) {
  const limit = pLimit(CONCURRENCY);
  const chunks = [];
  for (let i = 0; i < records.length; i += CHUNK) chunks.push(records.slice(i, i + CHUNK));
  const results = await Promise.all(chunks.map((chunk) => limit(() => client.create('res.partner', chunk))));
  return results.flat();
}

/** Child: streams STREAM_RECORDS records through bulkCreate and reports time and peak RSS as one JSON line. */
async function streamChild(url) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const client = newClient(url);
  const manager = new BatchManager(client, { maxChunkSize: CHUNK, maxConcurrency: CONCURRENCY });
  async function* source() {
    for (let i = 0; i < STREAM_RECORDS; i++) yield { name: `stream ${i}`, email: `s${i}@bench.test` };
  }
  const started = performance.now();
  const ids = await manager.bulkCreate('res.partner', source());
  const ms = performance.now() - started;
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(timer);
  client.close();
  if (ids.length !== STREAM_RECORDS) throw new Error(`streamed ${ids.length} of ${STREAM_RECORDS}`);
  process.stdout.write(`${JSON.stringify({ ms, peakRssMb: peak / 2 ** 20 })}\n`);
}

async function runStreamChild(url) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--stream-child', url], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (data) => (out += data));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`the streaming child exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1));
}

function newClient(url) {
  return new OdooClient({ url, db: 'sandbox', username: 'admin', password: 'admin', timeoutMs: 120_000 });
}

/** A loopback XML-RPC server relaying odoo-await's calls to the sandbox's /jsonrpc. */
async function startXmlRpcRelay(target) {
  // odoo-await's own xmlrpc dependency, resolved from odoo-await (it is not a dependency of this project).
  const fromOdooAwait = createRequire(createRequire(import.meta.url).resolve('odoo-await'));
  const xmlrpc = fromOdooAwait('xmlrpc');
  const server = xmlrpc.createServer({ host: '127.0.0.1', port: 0 });
  await once(server.httpServer, 'listening');
  const relay = (service, method) => async (error, params, callback) => {
    try {
      const response = await fetch(`${target}/jsonrpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { service, method, args: params } }),
      });
      const body = await response.json();
      if (body.error) callback({ faultCode: 1, faultString: body.error.data?.message ?? body.error.message });
      else callback(null, body.result);
    } catch (failure) {
      callback({ faultCode: 1, faultString: String(failure) });
    }
  };
  server.on('authenticate', relay('common', 'authenticate'));
  server.on('execute_kw', relay('object', 'execute_kw'));
  const { port } = server.httpServer.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function fmt(ms) {
  return ms.toFixed(0).padStart(7);
}

function rate(records, ms) {
  return Math.round((records * 1000) / ms).toLocaleString('en');
}

function print(rows) {
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
}
