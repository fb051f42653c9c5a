// Runs every bench/*.bench.mjs in sequence (or only the file given as argument), each in its own process with
// --expose-gc, and prints their figures. Exit code 1 if any benchmark failed or missed a target.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv[2];
const files = only
  ? [resolve(only)]
  : (await readdir(dir))
      .filter((f) => f.endsWith('.bench.mjs'))
      .sort()
      .map((f) => join(dir, f));
let failed = 0;
for (const file of files) {
  console.log(`\n== ${basename(file)} ==`);
  const child = spawn(process.execPath, ['--expose-gc', file], { stdio: 'inherit' });
  const [code] = await once(child, 'exit');
  if (code !== 0) {
    failed += 1;
    console.log(`${basename(file)} exited with code ${code}`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
