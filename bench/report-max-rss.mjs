// Preloaded into a measured process (`node --import ./bench/report-max-rss.mjs ...`): on exit, writes its peak
// resident set size as one JSON line on stderr, so that a benchmark can read the peak of a whole CLI run.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `${JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
});
