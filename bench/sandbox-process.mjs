// Starts `zenoo sandbox` (from dist/) in its own process for a benchmark, so that the server's CPU does not count
// in the client's figures; resolves once it listens.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/**
 * Spawns the sandbox on a free port with `latencyMs` per call (and any further `zenoo sandbox` flags, e.g. a
 * capacity: `['--workers', '4', '--record-cost', '0.8']`) and reads its URL from the first stdout line.
 * @param {number} latencyMs
 * @param {string[]} [flags]
 * @returns {Promise<{ url: string, db: string, close: () => void }>}
 */
export async function spawnSandbox(latencyMs, flags = []) {
  const child = spawn(process.execPath, [cli, 'sandbox', '--port', '0', '--latency', String(latencyMs), ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its errors are shown; its goodbye line on SIGTERM is not.
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (!line.startsWith('zenoo sandbox stopped')) process.stderr.write(`${line}\n`);
  });
  const lines = createInterface({ input: child.stdout });
  const [first] = await once(lines, 'line');
  const match = /listening on (http:\/\/\S+)/.exec(first);
  if (!match) throw new Error(`unexpected first line from the sandbox: ${first}`);
  lines.on('line', () => undefined); // keep draining its output
  return { url: match[1], db: 'sandbox', close: () => child.kill() };
}
