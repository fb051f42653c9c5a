/**
 * The dry run: reads the live state of every step of a plan, in graph order, and computes its {@link Diff}.
 *
 * @packageDocumentation
 */
import type { NameCache } from './record-names.js';
import { createHash } from 'node:crypto';
import { PlanResolver } from '../references/plan-resolver.js';
import { compilePlan } from '../graph/plan-graph.js';
import type { PreparedPlan } from '../prepare/prepare-plan.js';
import type { PlanGraph } from '../graph/plan-graph.js';
import { DIFF_FORMAT_VERSION, summarize } from '../model/diff-types.js';
import type { Diff, StepDiff } from '../model/diff-types.js';
import { diffStep } from './diff-step.js';
import { selectionMayGrow } from './selection-may-grow.js';
import type { Plan } from '../model/plan-types.js';
import type { ReferenceCache } from '../references/reference-cache.js';
import { StateReader } from '../references/state-reader.js';
import type { StateClient } from '../references/state-reader.js';

/** Options of {@link computeDiff}. */
export interface ComputeDiffOptions {
  /** The target as shown in the diff (never with credentials). */
  readonly target: { readonly url: string; readonly db: string };
  /**
   * The plan prepared for this command (`preparePlan`): its graph, reader and resolved references are used, and
   * nothing is read twice. Takes precedence over `graph`, `reader` and `referenceCache`. @default none
   */
  readonly prepared?: PreparedPlan | undefined;
  /** The compiled graph, if already compiled. @default compilePlan(plan) */
  readonly graph?: PlanGraph;
  /** Reads with this reader (to count its calls). @default a new StateReader over `client` */
  readonly reader?: StateReader;
  /**
   * External ids and lookups already resolved by the plan's reference check (`referenceCache` of
   * `validatePlanRemote` or `checkPlanReferences`): taken from there instead of read again. @default none
   */
  readonly referenceCache?: ReferenceCache | undefined;
  /** Clock, for pinned outputs in tests. @default () => new Date() */
  readonly now?: () => Date;
  /** Cancels the dry run. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Hash of the state a diff was computed from: for every step, the external ids or keys found absent (creates), and
 * the id and write_date of every record it would update or delete, plus the unchanged count.
 */
export function stateFingerprint(steps: readonly StepDiff[]): string {
  const hash = createHash('sha256');
  for (const step of steps) {
    hash.update(`${step.step}\n`);
    for (const create of step.creates) hash.update(`+${create.key ?? create.xmlid ?? create.row}\n`);
    for (const update of step.updates) {
      hash.update(`~${update.id}@${String(update.writeDate)}\n`);
      // A document's lines are part of the state read: the lines it changes or deletes, and the ids it had.
      for (const [field, lines] of Object.entries(update.lines ?? {})) {
        hash.update(`${field}:${(lines.lineIds ?? []).join(',')}\n`);
        for (const line of [...lines.updates, ...lines.deletes]) hash.update(`~${line.id}@${String(line.writeDate)}\n`);
      }
    }
    for (const remove of step.deletes) hash.update(`-${remove.id}@${String(remove.writeDate)}\n`);
    for (const call of step.calls?.records ?? []) hash.update(`!${call.id}\n`);
    hash.update(`=${step.unchanged}\n`);
  }
  return hash.digest('hex');
}

/**
 * Computes what applying `plan` to the target would change, without writing anything.
 *
 * References to records that an earlier step would create appear as `{ $pending: { step, key } }`.
 *
 * @example
 * ```ts
 * const diff = await computeDiff(plan, client, { target: { url, db } });
 * if (hasChanges(diff)) process.stdout.write(renderDiffText(diff));
 * ```
 */
export async function computeDiff(plan: Plan, client: StateClient, options: ComputeDiffOptions): Promise<Diff> {
  const { prepared } = options;
  const graph = prepared?.graph ?? options.graph ?? compilePlan(plan);
  const reader = prepared?.reader ?? options.reader ?? new StateReader(client);
  // A diff is a dry run: a lookup that an earlier step may satisfy shows as pending rather than failing.
  const resolver = new PlanResolver(reader, prepared?.references ?? options.referenceCache, { graph, dryRun: true });
  const steps: StepDiff[] = [];
  // The names a review shows are read once for the whole diff, not once per step.
  const names: NameCache = new Map();
  for (const id of graph.order) {
    const node = graph.byId[id];
    if (node === undefined) continue;
    const pendingSelection = node.step.action === 'call' && selectionMayGrow(node.step, node.executable, steps);
    steps.push(
      await diffStep({
        plan,
        step: node.step,
        reader,
        resolver,
        pendingCreates: true,
        // Keys only a later step needs: a million-row step no other step refers to keeps no map of its keys.
        registerKeys: node.executable.referenced,
        signal: options.signal,
        names,
        ...(pendingSelection ? { pendingSelection } : {}),
      }),
    );
  }
  return {
    formatVersion: DIFF_FORMAT_VERSION,
    plan: { name: plan.name, fingerprint: plan.fingerprint },
    target: { url: options.target.url, db: options.target.db },
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    stateFingerprint: stateFingerprint(steps),
    summary: summarize(steps),
    steps,
  };
}
