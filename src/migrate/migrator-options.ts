/**
 * What a migrator is given and what it reports: options, the plan loader and lock seams, loaded migrations, status
 * reports and validations, and who is recorded as applying them.
 *
 * @packageDocumentation
 */
import { hostname, userInfo } from 'node:os';
import type { LockHolder } from '../errors.js';
import type { IgnoredEntry, MigrationFile } from './discover-migrations.js';
import type { LedgerEntry, LedgerStore } from './ledger.js';
import type { MigrationEngine } from './migration-engine.js';
import type { MigrationStatus, MigrationStatusItem } from './migration-status.js';

/** What the migrator needs to know of a migration's plan. */
export interface MigrationPlanInfo {
  /** The plan's `name:` (names its apply lock and checkpoint journal). */
  readonly name: string;
  /** The plan fingerprint: the migration's checksum. */
  readonly fingerprint: string;
  /** sha256 of each data file it reads, by path as written in the plan (recorded to name a changed file). */
  readonly dataFiles?: Readonly<Record<string, string>>;
}

/** Loads a migration's plan (the plan loader, `loadPlan`). */
export type LoadMigrationPlan = (
  file: string,
  options: { readonly signal?: AbortSignal },
) => Promise<MigrationPlanInfo>;

/**
 * The environment a migration's plan is loaded with to compute its checksum: every `${env.NAME}` reads as the literal
 * text `${env.NAME}`. The plan fingerprint includes the values of the variables a plan uses; a migration must have the
 * same checksum in every environment (staging and production set different values), so its checksum covers which
 * variables it uses, never their values. The plan is loaded with the real environment when it is applied.
 */
export const CHECKSUM_ENV: Readonly<Record<string, string>> = new Proxy(Object.freeze({}) as Record<string, string>, {
  get: (_target, name) => (typeof name === 'string' ? `\${env.${name}}` : undefined),
});

/** Options of `Migrator`. */
export interface MigratorOptions {
  /** Where the target's ledger lives. */
  readonly store: LedgerStore;
  /** Loads a migration's plan and gives its name and fingerprint (the checksum). @default the plan loader, `loadPlan` */
  readonly loadPlan?: LoadMigrationPlan;
  /**
   * Takes the target's migrations lock around every change of the ledger (baseline, repair, up), so that two runs can
   * never record or apply the same migration. `false` runs without a lock (an in-memory ledger in tests).
   */
  readonly lock: AcquireMigrationLock | false;
  /**
   * The plan engine that diffs and applies migrations (`planMigrationEngine(client, ...)`). Needed by
   * `Migrator.preview` and `Migrator.up` only. @default none
   */
  readonly engine?: MigrationEngine;
  /** The migrations directory. @default DEFAULT_MIGRATIONS_DIR */
  readonly dir?: string;
  /** Base of relative paths. @default process.cwd() */
  readonly cwd?: string;
  /** Who is applying, as recorded in the ledger. @default `<OS user>@<host>` */
  readonly appliedBy?: string;
  /** The zenoo version recorded in the ledger. @default ZENOO_VERSION */
  readonly zenooVersion?: string;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** Options of every migrator call. */
export interface MigratorCallOptions {
  /** Cancels the call between migrations and between RPC calls. */
  readonly signal?: AbortSignal;
}

/** A migration file with what loading its plan told. */
export interface LoadedMigration extends MigrationFile {
  /** The plan's name, when it loads. */
  readonly planName?: string;
  /** The checksum (plan fingerprint), when it loads. */
  readonly checksum?: string;
  /** sha256 of each data file, when it loads (see MigrationPlanInfo.dataFiles). */
  readonly dataFiles?: Readonly<Record<string, string>>;
  /** Why the plan does not load. */
  readonly problem?: string;
}

/** Everything `zenoo migrate status` shows. */
export interface MigrationReport {
  /** Absolute path of the migrations directory. */
  readonly dir: string;
  /** Where the ledger lives. */
  readonly ledger: string;
  /** The migration files, in version order, with their checksums. */
  readonly migrations: readonly LoadedMigration[];
  /** Directory entries that are not migrations. */
  readonly ignored: readonly IgnoredEntry[];
  /** The ledger as read. */
  readonly entries: readonly LedgerEntry[];
  /** Files compared with the ledger. */
  readonly status: MigrationStatus;
}

/** The outcome of `zenoo migrate validate`. */
export interface MigrationValidation {
  /** False when an applied migration changed or a migration's plan does not load. */
  readonly ok: boolean;
  /** Applied migrations whose file changed since (with recorded and current checksum). */
  readonly changed: readonly MigrationStatusItem[];
  /** Migrations not yet applied whose plan does not load. */
  readonly invalid: readonly MigrationStatusItem[];
  /** The full report. */
  readonly report: MigrationReport;
}

/**
 * Who is applying, as recorded in the ledger: `<OS user>@<host>`, plus ` (odoo: <login>)` when the Odoo login is
 * given (the CLI always gives it).
 */
export function describeApplier(odooLogin?: string): string {
  return odooLogin === undefined ? defaultAppliedBy() : `${defaultAppliedBy()} (odoo: ${odooLogin})`;
}

/** `<OS user>@<host>`, or `unknown` parts where the OS does not say. */
export function defaultAppliedBy(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // Containers without a passwd entry for the uid.
    user = process.env['USER'] ?? process.env['USERNAME'] ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}

/** A lock held while the ledger is changed. */
export interface MigrationLockHandle {
  /** The lock key, for messages. */
  readonly key?: string;
  /** The stale holder whose lock was taken over (a crashed earlier run), if any. */
  readonly tookOverFrom?: LockHolder | undefined;
  /** Releases the lock. */
  release(options?: { readonly signal?: AbortSignal }): Promise<void>;
}

/** Takes the migrations lock of the target (see {@link MigratorOptions.lock}). */
export type AcquireMigrationLock = (options: { readonly signal?: AbortSignal }) => Promise<MigrationLockHandle>;
