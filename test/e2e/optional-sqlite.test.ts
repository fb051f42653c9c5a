// zenoo installed without its optional native SQLite module (a machine where better-sqlite3 cannot be built): the
// CLI and the library work, and only the sandbox says what is missing and how to get it.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
let project: string;

/** A copy of the built package whose node_modules has every dependency but better-sqlite3. */
beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'zenoo-no-sqlite-'));
  cpSync(join(root, 'dist'), join(project, 'dist'), { recursive: true });
  cpSync(join(root, 'plans'), join(project, 'plans'), { recursive: true });
  cpSync(join(root, 'schemas'), join(project, 'schemas'), { recursive: true });
  cpSync(join(root, 'package.json'), join(project, 'package.json'));
  mkdirSync(join(project, 'node_modules'));
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry === 'better-sqlite3' || entry === '.bin' || entry === 'zenoo') continue;
    symlinkSync(join(root, 'node_modules', entry), join(project, 'node_modules', entry));
  }
});

function zenoo(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [join(project, 'dist/cli/main.js'), ...args], {
    cwd: project,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('without the optional better-sqlite3', () => {
  it('is an optional dependency of the package', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    expect(manifest['optionalDependencies']?.['better-sqlite3']).toBeDefined();
    expect(manifest['dependencies']?.['better-sqlite3']).toBeUndefined();
  });

  it('the CLI validates a plan and the library loads', () => {
    const validated = zenoo(['plan', 'validate', 'plans/example.yaml']);
    expect(validated.stderr).toBe('');
    expect(validated.code).toBe(0);
    const library = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "const z = await import('./dist/index.js'); console.log(typeof z.OdooClient);"],
      { cwd: project, encoding: 'utf8' },
    );
    expect(library.stdout.trim()).toBe('function');
  });

  it('zenoo sandbox says the module is missing and how to install it', () => {
    const sandbox = zenoo(['sandbox', '--port', '0']);
    expect(sandbox.code).not.toBe(0);
    expect(sandbox.stderr).toContain('npm install better-sqlite3');
    expect(sandbox.stderr).not.toMatch(/ConfigurationError|at .*\.js:\d+/);
  });
});
