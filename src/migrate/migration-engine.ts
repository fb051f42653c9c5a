/**
 * The seam between the migrator and the plan engine: how a migration's plan is loaded for real (with the real
 * environment), checked against the server, diffed (the dry run) and applied (journaled, resumable, under its plan
 * lock). {@link planMigrationEngine} is the real one, over an Odoo client; tests of the migrator's ordering and
 * ledger rules may pass their own.
 *
 * @packageDocumentation
 */
import type { PlanProblem } from '../errors.js';
import type { ApplyListener, ApplyResult } from '../plan/apply/apply-events.js';
import { applyPlan } from '../plan/apply/apply.js';
import type { ApplyClient, ApplyOptions } from '../plan/apply/apply-options.js';
import { validatePlanRemote } from '../plan/check/check-plan-fields.js';
import type { FieldsGetClient } from '../plan/check/check-plan-fields.js';
import type { Diff } from '../plan/model/diff-types.js';
import { computeDiff } from '../plan/diff/diff-plan.js';
import { loadPlan } from '../plan/load/load-plan.js';
import type { Plan } from '../plan/model/plan-types.js';

/** What the migrator asks of the plan engine. */
export interface MigrationEngine {
  /** Loads a plan for running it (real environment). Throws `PlanValidationError` for a bad plan. */
  load(file: string, options: { readonly signal?: AbortSignal | undefined }): Promise<Plan>;
  /** Checks a plan against the server (models, fields, selections); resolves with the problems found. */
  check(plan: Plan, options: { readonly signal?: AbortSignal | undefined }): Promise<readonly PlanProblem[]>;
  /** Computes what applying the plan would change now, writing nothing. */
  diff(plan: Plan, options: { readonly signal?: AbortSignal | undefined }): Promise<Diff>;
  /** Applies the plan (resuming its unfinished journal, if any); never throws for record or step failures. */
  apply(
    plan: Plan,
    options: { readonly signal?: AbortSignal | undefined; readonly onEvent?: ApplyListener | undefined },
  ): Promise<ApplyResult>;
}

/** Options of {@link planMigrationEngine}. */
export interface PlanMigrationEngineOptions {
  /** The target as recorded in journals and diffs (never with credentials). */
  readonly target: { readonly url: string; readonly db: string };
  /** Base of relative paths. @default process.cwd() */
  readonly cwd?: string;
  /** Environment for `${env.NAME}`. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Apply options passed through (journal directory, concurrency, failure policy, rejects file, lock options). */
  readonly apply?: Omit<ApplyOptions, 'target' | 'signal' | 'onEvent'>;
}

/**
 * The real engine: `loadPlan`, `validatePlanRemote`, `computeDiff` and `applyPlan` over `client`.
 *
 * @example
 * ```ts
 * const engine = planMigrationEngine(client, { target: { url: client.url, db: client.db } });
 * ```
 */
export function planMigrationEngine(
  client: ApplyClient & FieldsGetClient,
  options: PlanMigrationEngineOptions,
): MigrationEngine {
  if (typeof options?.target?.url !== 'string' || typeof options.target.db !== 'string') {
    throw new TypeError('Expected `target` to be { url, db }');
  }
  const { target, cwd, env, apply } = options;
  return {
    load: (file, { signal }) => loadPlan(file, { ...(cwd ? { cwd } : {}), ...(env ? { env } : {}), signal }),
    // Earlier pending migrations may create the records a later one's external ids and lookups find: only checks
    // that depend on the plan alone can be made before they ran.
    check: (plan, { signal }) => validatePlanRemote(plan, client, { signal, targetState: false }),
    diff: (plan, { signal }) => computeDiff(plan, client, { target, signal }),
    // The migrator holds the migrations lock while it applies: its own applies must not be refused because of it.
    // `check` ran before the earlier migrations, without the target's state: the apply's own reference check, made
    // when this migration's turn comes, is the one that sees its external ids and lookups (so no `referencesChecked`).
    apply: (plan, { signal, onEvent }) =>
      applyPlan(plan, client, { ...apply, target, signal, onEvent, migration: true }),
  };
}
