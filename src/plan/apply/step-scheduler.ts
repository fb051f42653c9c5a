/**
 * Runs the steps in graph order: a step starts when every step it depends on is done, ready steps by priority, all
 * within the run's one concurrency limit; a failed step skips its dependents.
 *
 * @packageDocumentation
 */
import { DependencyFailedError } from '../../errors.js';
import { errorView } from '../../util/error-view.js';
import type { StepResult } from './apply-events.js';
import { ApplyRun, EMPTY_COUNTS } from './apply-run.js';
import type { RecordOrigin } from './rejects-writer.js';
import { runStep } from './step-runner.js';
import type { StepSpec } from './step-spec.js';

/**
 * Runs `specs` as a graph: a step starts as soon as every step it depends on is done, several at once, all of their
 * chunks sharing the run's one global limit; among steps ready together the higher `priority` starts first (then the
 * order of `specs`). A failed step's dependents are not run; a `stop` failure or an abort starts nothing more.
 *
 * Steps on the same model never overlap: they run one at a time in the order of `specs` (the graph order), as they
 * would one after the other. A step's diff reads the live state its writes are based on, so an `update`/`delete`
 * by domain or a keyed create racing another step's writes on that model could miss or duplicate records.
 */
export async function runSteps(
  run: ApplyRun,
  specs: readonly StepSpec[],
  register: (step: string, origin: RecordOrigin, id: number) => void,
): Promise<void> {
  const known = new Set(specs.map((spec) => spec.id));
  const position = new Map(specs.map((spec, index) => [spec.id, index]));
  // Whether a step on the same model comes earlier in the graph order and has not finished yet.
  const modelBusy = (spec: StepSpec): boolean =>
    specs.some(
      (other) =>
        other.model === spec.model && position.get(other.id)! < position.get(spec.id)! && !finished.has(other.id),
    );
  const finished = new Set<string>();
  // Stable sort: priority first, then the given (graph) order.
  const waiting = [...specs].sort((a, b) => b.priority - a.priority);
  const running = new Set<Promise<void>>();
  let thrown: { error: unknown } | undefined;

  const complete = (spec: StepSpec, result: StepResult): void => {
    run.results.push(result);
    finished.add(spec.id);
    if (result.status === 'failed' || result.counts.rejected > 0 || result.status === 'not-executed') {
      // Its dependents cannot run (their references may point at the missing records); with `stop`, nothing else runs.
      run.failed.add(spec.id);
      if (spec.onError === 'stop' && result.status !== 'not-executed') run.stop();
    }
  };

  const start = (spec: StepSpec): void => {
    const blocked = spec.dependsOn.find((id) => run.failed.has(id));
    if (blocked !== undefined) {
      complete(spec, {
        step: spec.id,
        model: spec.model,
        action: spec.action,
        status: 'not-executed',
        counts: EMPTY_COUNTS,
        durationMs: 0,
        error: errorView(
          new DependencyFailedError(`not run: step ${blocked}, which it depends on, failed`, blocked, {
            step: spec.id,
          }),
        ),
      });
      return;
    }
    const task: Promise<void> = runStep(run, spec, (origin, id) => register(spec.id, origin, id))
      .then((result) => {
        complete(spec, result);
        run.emit({ type: 'step-done', result });
      })
      .catch((error: unknown) => {
        // A setup failure inside a step (the journal cannot be written): start nothing more, report it once all
        // running steps have settled.
        thrown ??= { error };
        finished.add(spec.id);
        run.stop();
      })
      .finally(() => running.delete(task));
    running.add(task);
  };

  const schedule = (): void => {
    // Loops because a step skipped as blocked finishes at once and may make its own dependents ready (to be skipped).
    for (let progressed = true; progressed;) {
      progressed = false;
      if (run.stopped || run.options.signal?.aborted) return;
      for (let index = 0; index < waiting.length;) {
        const spec = waiting[index]!;
        if (!spec.dependsOn.every((id) => !known.has(id) || finished.has(id)) || modelBusy(spec)) {
          index += 1;
          continue;
        }
        waiting.splice(index, 1);
        start(spec);
        progressed = true;
      }
    }
  };

  schedule();
  while (running.size > 0) {
    await Promise.race(running);
    schedule();
  }
  if (thrown !== undefined) throw thrown.error;
}
