/**
 * Where a project keeps zenoo's state (`.zenoo/`: apply journals, the default sandbox's data): found from the plan,
 * never from the directory a command happens to run in. `zenoo plan status other/plan.yaml` and a resume started from
 * another directory then read the same journal (and reconcile the same chunks in doubt) as the apply that wrote it.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_STATE_DIR } from '../plan/checkpoint/journal.js';

/** What marks a project root: an existing state directory, a package, or a repository. */
const ROOT_MARKERS = [DEFAULT_STATE_DIR, 'package.json', '.git'];

/**
 * The state directory of the project that holds `file` (a plan, a saved diff): `.zenoo/` in
 * the nearest directory at or above the file's that has a `.zenoo/`, a `package.json` or a `.git`; beside the file
 * when none has (a plan outside any project).
 *
 * @example
 * ```ts
 * projectStateDir('/work/shop/plans/seed.yaml'); // '/work/shop/.zenoo' when /work/shop has a package.json
 * ```
 */
export function projectStateDir(file: string): string {
  return stateDirFrom(dirname(resolve(file)));
}

/** The state directory of the project that holds directory `start` (see {@link projectStateDir}). */
export function stateDirFrom(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (ROOT_MARKERS.some((marker) => existsSync(join(dir, marker)))) return join(dir, DEFAULT_STATE_DIR);
    if (dirname(dir) === dir) return join(resolve(start), DEFAULT_STATE_DIR);
  }
}
