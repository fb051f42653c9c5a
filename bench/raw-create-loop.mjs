// The baseline of bench/real-server.bench.mjs: what a user writes by hand without zenoo. Reads a CSV of companies and
// sends its rows as `create` calls of CHUNK records, CONCURRENCY at once, over one keep-alive client; prints one
// NDJSON line per chunk done and one at the end.
// Usage: node bench/raw-create-loop.mjs URL CSV CHUNK CONCURRENCY
import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import { OdooClient } from '../dist/index.js';

const [url, csv, chunkText, concurrencyText] = process.argv.slice(2);
const chunk = Number(chunkText);
const limit = pLimit(Number(concurrencyText));
const [header, ...lines] = readFileSync(csv, 'utf8').trimEnd().split('\n');
const columns = header.split(',');
const records = lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [columns[i], value])));
const client = new OdooClient({ url, db: 'sandbox', username: 'admin', password: 'admin' });
const calls = [];
for (let start = 0; start < records.length; start += chunk) {
  const part = records.slice(start, start + chunk);
  calls.push(
    limit(async () => {
      await client.create('res.partner', part);
      process.stdout.write(`${JSON.stringify({ type: 'chunk-done', records: part.length })}\n`);
    }),
  );
}
await Promise.all(calls);
client.close();
process.stdout.write(`${JSON.stringify({ type: 'done', records: records.length })}\n`);
