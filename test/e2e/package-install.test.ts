// What `npm pack` puts in the tarball a project installs zenoo from (see the README, "In your own project"): the
// built CLI behind the `zenoo` bin, the library entry points, the plan schema and the README, and nothing of the
// sources, tests or local state.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the packed package', () => {
  it('holds the CLI, the library, the schema and the README, and no sources, tests or state', () => {
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }),
    ) as { files: { path: string }[] }[];
    const files = new Set(pack!.files.map((file) => file.path));
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      exports: Record<string, { import: string }>;
    };
    expect(manifest.bin['zenoo']).toBe('dist/cli/main.js');
    for (const path of [
      manifest.bin['zenoo']!,
      manifest.exports['.']!.import.replace(/^\.\//, ''),
      manifest.exports['./sandbox']!.import.replace(/^\.\//, ''),
      'schemas/plan.schema.json',
      'README.md',
      'package.json',
    ]) {
      expect(files, path).toContain(path);
    }
    expect([...files].filter((path) => /^(src|test|bench|\.zenoo|plans)\//.test(path))).toEqual([]);
    // The CLI runs from any directory by its installed path (a bin link resolves to it).
    const version = execFileSync(process.execPath, [join(root, manifest.bin['zenoo']!), '--version'], {
      cwd: '/',
      encoding: 'utf8',
    });
    expect(version.trim()).toBe(
      (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
    );
  });
});
