/**
 * The secrets check of the end-to-end suites that talk to a canary target (test/chaos/chaos-core.mjs): every output a
 * file's CLI runs printed, and every file they left in their working directories (journals under .zenoo, saved diffs,
 * rejects files), is searched for {@link CANARY_PASSWORD} and {@link CANARY_API_KEY} with `findSecrets`, the same
 * scan the reliability suite runs. Sandbox data files are kept out of the watched directories (they hold the
 * credentials on purpose), so nothing is skipped.
 */
import { rm } from 'node:fs/promises';
import { CANARY_API_KEY, CANARY_PASSWORD, findSecrets } from '../chaos/chaos-core.mjs';

/** What a CLI run printed. */
export interface CapturedOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Collects the outputs and working directories of one test file, to scan them for the canaries before cleanup. */
export class SecretWatch {
  private readonly texts: [string, string][] = [];
  private readonly dirs = new Set<string>();
  private runs = 0;

  /** Keeps `run`'s output for the scan; returns `run` so that it wraps a call: `watch.output(await zenoo(…))`. */
  output<T extends CapturedOutput>(run: T, label = 'zenoo'): T {
    this.runs += 1;
    this.texts.push([`${label} #${this.runs} stdout`, run.stdout], [`${label} #${this.runs} stderr`, run.stderr]);
    return run;
  }

  /** Watches `dir` (recursively) for the scan; returns it. */
  dir(dir: string): string {
    this.dirs.add(dir);
    return dir;
  }

  /** Where a canary shows up (empty when nowhere); scans only, removes nothing. */
  leaks(): Promise<string[]> {
    return findSecrets(this.texts, [...this.dirs]);
  }

  /**
   * Scans, then removes the watched directories (also when the scan finds something), and resolves to the leaks, for
   * an `afterAll`: `expect(await watch.finish()).toEqual([])`. Outputs must have been captured: a file whose runs
   * were never recorded would pass vacuously, so that is a leak too. The watch then starts over, so that each
   * `describe` of a file (one per transport, say) can finish its own.
   */
  async finish(): Promise<string[]> {
    try {
      const leaks = await this.leaks();
      if (this.runs === 0) leaks.push('no CLI output was captured: the scan checked nothing');
      return leaks;
    } finally {
      for (const dir of this.dirs) await rm(dir, { recursive: true, force: true });
      this.dirs.clear();
      this.texts.length = 0;
      this.runs = 0;
    }
  }
}

export { CANARY_API_KEY, CANARY_PASSWORD };
