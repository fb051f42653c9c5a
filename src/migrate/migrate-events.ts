/**
 * The typed events and results of `zenoo migrate up` and of its dry run. The migrator never prints: the CLI turns
 * these into lines, a progress bar (through the apply events it forwards) or NDJSON.
 *
 * @packageDocumentation
 */
import type { LockHolder } from '../errors.js';
import type { EventListener } from '../util/event-hub.js';
import type { ApplyEvent, ApplyResult } from '../plan/apply/apply-events.js';
import type { Diff } from '../plan/model/diff-types.js';
import type { StepAction } from '../plan/model/plan-types.js';
import type { LedgerEntry } from './ledger.js';
import type { MigrationStatusItem } from './migration-status.js';

/** How one migration ended in a run. */
export type MigrationRunStatus = 'applied' | 'failed' | 'interrupted' | 'not-executed';

/** What one migration did in a run of `up`. */
export interface MigrationRunResult {
  /** Version. */
  readonly version: string;
  /** Name. */
  readonly name: string;
  /** Path of the plan file as shown to users. */
  readonly file: string;
  /** How it ended. */
  readonly status: MigrationRunStatus;
  /** Wall time of this run of it, in ms (0 when not executed). */
  readonly durationMs: number;
  /** The apply result, when the engine ran it. */
  readonly apply?: ApplyResult;
  /** The ledger entry written (only for `applied`). */
  readonly entry?: LedgerEntry;
  /** Why it failed or was interrupted. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** What a run of `up` did. Never thrown away: a failure in the middle still reports what was applied before. */
export interface MigrateResult {
  /** `succeeded` when every selected migration was applied (or none was pending). */
  readonly status: 'succeeded' | 'failed' | 'interrupted';
  /** The selected migrations, in order. */
  readonly migrations: readonly MigrationRunResult[];
  /** Recorded migrations with no file (a warning). */
  readonly missing: readonly MigrationStatusItem[];
  /** Wall time of the run, in ms. */
  readonly durationMs: number;
}

/** Events of `up`, in order. Every event is JSON-safe. */
export type MigrateEvent =
  /** The migrations lock was left by a run that died (expired, or its process is gone): taken over. */
  | { readonly type: 'lock-taken-over'; readonly key: string; readonly holder: LockHolder }
  | {
      readonly type: 'migrate-start';
      /** The migrations about to run, in order. */
      readonly migrations: readonly { readonly version: string; readonly name: string; readonly file: string }[];
    }
  | {
      readonly type: 'migration-start';
      readonly version: string;
      readonly name: string;
      readonly file: string;
      /** 0-based position in this run. */
      readonly index: number;
      /** Number of migrations in this run. */
      readonly total: number;
    }
  /** An event of the plan engine while it applies `version`. */
  | { readonly type: 'apply'; readonly version: string; readonly event: ApplyEvent }
  | { readonly type: 'migration-done'; readonly result: MigrationRunResult }
  | { readonly type: 'migrate-done'; readonly result: MigrateResult };

/** Receives {@link MigrateEvent}s (delivered through an `EventHub`: as they happen, never awaited). */
export type MigrateListener = EventListener<MigrateEvent>;

/** A step of a pending migration whose effect depends on an earlier pending migration. */
export interface DependentStep {
  /** Step id. */
  readonly step: string;
  /** Model. */
  readonly model: string;
  /** Action. */
  readonly action: StepAction;
  /** Why, one sentence each (e.g. which earlier migration creates records of which model it reads). */
  readonly reasons: readonly string[];
  /** Versions of the earlier pending migrations it depends on. */
  readonly on: readonly string[];
}

/** The dry run of one pending migration. */
export interface MigrationPreview {
  /** Version. */
  readonly version: string;
  /** Name. */
  readonly name: string;
  /** Path of the plan file as shown to users. */
  readonly file: string;
  /**
   * What it would change, computed against the current state, restricted to the steps that do not depend on an
   * earlier pending migration. Absent when the diff could not be computed.
   */
  readonly diff?: Diff;
  /** Steps whose effect is only known once an earlier pending migration has run (not shown in `diff`). */
  readonly dependent: readonly DependentStep[];
  /**
   * Set when the diff could not be computed because the migration depends on an earlier pending one (e.g. a lookup
   * of a record that one creates): its message says what failed.
   */
  readonly blocked?: { readonly message: string };
  /** Set when the migration cannot run at all (invalid plan, unknown field, a failed read). */
  readonly error?: { readonly code: string; readonly message: string };
}

/** The dry run of `up`. */
export interface MigratePreview {
  /** Per selected migration, in order. */
  readonly migrations: readonly MigrationPreview[];
  /** Recorded migrations with no file (a warning). */
  readonly missing: readonly MigrationStatusItem[];
  /** True when at least one pending migration would change something (or its effect is not known yet). */
  readonly hasChanges: boolean;
  /** True when at least one migration has an `error`. */
  readonly hasErrors: boolean;
}
