/**
 * Whether a call step's selection, read in a dry run, may be incomplete: an earlier step of the plan would create
 * records of the step's model, or a step it depends on would create records. Nothing has been written in a dry run,
 * so the records those steps create cannot be read yet; the diff says that the selection depends on them instead of
 * guessing which of them the domain or the keys will select.
 *
 * @packageDocumentation
 */
import type { ExecutableStep } from '../model/executable-step.js';
import type { StepDiff } from '../model/diff-types.js';
import type { PlanStep } from '../model/plan-types.js';

/**
 * Whether `step`'s selection may grow once the earlier steps (`before`, their dry-run diffs in run order) ran: one of
 * them creates records of the same model, or is one of the steps `step` depends on and creates records.
 */
export function selectionMayGrow(step: PlanStep, executable: ExecutableStep, before: readonly StepDiff[]): boolean {
  const dependsOn = new Set(executable.dependsOn);
  return before.some(
    (earlier) => earlier.creates.length > 0 && (earlier.model === step.model || dependsOn.has(earlier.step)),
  );
}
