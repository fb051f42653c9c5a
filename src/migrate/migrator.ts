/**
 * The migrator: runs the versioned plans of a migrations directory against a target, in order, each once, and keeps
 * the target's ledger of what ran (like kysely's Migrator and umzug, with a ledger store instead of a table).
 *
 * Every command of `zenoo migrate` is one method here: {@link Migrator.status}, {@link Migrator.validate},
 * {@link Migrator.baseline}, {@link Migrator.repair}, {@link Migrator.preview} (the dry run) and {@link Migrator.up}.
 * Each migration runs through the plan apply engine, so it is chunked, journaled and resumable like any plan; the
 * migrator adds the ordering, the checksum check and the ledger entry, written only once a migration fully succeeded.
 *
 * @packageDocumentation
 */
import { throwIfAborted } from '../util/abort.js';
import type { PlanProblem } from '../errors.js';
import { MigrationError, PlanValidationError } from '../errors.js';
import type { ApplyResult } from '../plan/apply/apply-events.js';
import { loadPlan } from '../plan/load/load-plan.js';
import { MIGRATIONS_LOCK_NAME } from '../plan/lock/lock.js';
import type { Diff } from '../plan/model/diff-types.js';
import { summarize } from '../plan/model/diff-types.js';
import type { Plan } from '../plan/model/plan-types.js';
import { errorView } from '../util/error-view.js';
import { EventHub } from '../util/event-hub.js';
import { ZENOO_VERSION } from '../version.js';
import { DEFAULT_MIGRATIONS_DIR, discoverMigrations } from './discover-migrations.js';
import type { LedgerEntry, LedgerStore } from './ledger.js';
import { verifyLedgerStore } from './ledger.js';
import type {
  DependentStep,
  MigrateEvent,
  MigrateListener,
  MigratePreview,
  MigrateResult,
  MigrationPreview,
  MigrationRunResult,
} from './migrate-events.js';
import type { PendingWrites } from './migration-dependencies.js';
import { findDependentSteps } from './migration-dependencies.js';
import type { MigrationEngine } from './migration-engine.js';
import type { AcquireMigrationLock, MigrationLockHandle } from './migrator-options.js';
import { computeMigrationStatus } from './migration-status.js';
import { canonicalMigrationVersion, compareMigrationVersions } from './migration-version.js';
import type {
  LoadedMigration,
  LoadMigrationPlan,
  MigrationReport,
  MigrationValidation,
  MigratorCallOptions,
  MigratorOptions,
} from './migrator-options.js';
import { CHECKSUM_ENV, defaultAppliedBy } from './migrator-options.js';
import type { MigrationSelection, SelectOptions } from './select-migrations.js';
import { selectMigrations } from './select-migrations.js';

/**
 * Runs versioned migrations against one target.
 *
 * @example
 * ```ts
 * const migrator = new Migrator({ store: new ConfigParameterLedgerStore(client), loadPlan, lock: false });
 * const report = await migrator.status();
 * console.log(report.status.counts.pending, 'pending');
 * ```
 */
export class Migrator {
  readonly #store: LedgerStore;
  readonly #loadPlan: LoadMigrationPlan;
  readonly #lock: AcquireMigrationLock | false;
  readonly #dir: string;
  readonly #cwd: string;
  readonly #appliedBy: string;
  readonly #zenooVersion: string;
  readonly #now: () => number;
  readonly #engine: MigrationEngine | undefined;

  constructor(options: MigratorOptions) {
    verifyLedgerStore(options.store);
    if (options.loadPlan !== undefined && typeof options.loadPlan !== 'function') {
      throw new TypeError('Expected `loadPlan` to be a function');
    }
    if (options.lock !== false && typeof options.lock !== 'function') {
      throw new TypeError('Expected `lock` to be a function or `false`');
    }
    if (options.dir !== undefined && (typeof options.dir !== 'string' || options.dir === '')) {
      throw new TypeError('Expected `dir` to be a non-empty path');
    }
    if (options.appliedBy !== undefined && (typeof options.appliedBy !== 'string' || options.appliedBy === '')) {
      throw new TypeError('Expected `appliedBy` to be a non-empty string');
    }
    this.#store = options.store;
    this.#lock = options.lock;
    this.#dir = options.dir ?? DEFAULT_MIGRATIONS_DIR;
    this.#cwd = options.cwd ?? process.cwd();
    const cwd = this.#cwd;
    this.#loadPlan =
      options.loadPlan ??
      (async (file, { signal }) => {
        const plan = await loadPlan(file, { cwd, signal, env: CHECKSUM_ENV });
        return { name: plan.name, fingerprint: plan.fingerprint, dataFiles: planDataFiles(plan) };
      });
    this.#appliedBy = options.appliedBy ?? defaultAppliedBy();
    this.#zenooVersion = options.zenooVersion ?? ZENOO_VERSION;
    this.#now = options.now ?? Date.now;
    if (options.engine !== undefined) {
      for (const method of ['load', 'check', 'diff', 'apply'] as const) {
        if (typeof options.engine[method] !== 'function') {
          throw new TypeError(`Expected \`engine\` to have a \`${method}\` method (see planMigrationEngine)`);
        }
      }
    }
    this.#engine = options.engine;
  }

  #requireEngine(what: string): MigrationEngine {
    if (this.#engine === undefined) {
      throw new TypeError(`${what} needs the plan engine: pass \`engine: planMigrationEngine(client, { target })\``);
    }
    return this.#engine;
  }

  /** The ledger store. */
  get store(): LedgerStore {
    return this.#store;
  }

  /** Who is recorded as applying. */
  get appliedBy(): string {
    return this.#appliedBy;
  }

  /** Reads the directory, loads every plan for its checksum, reads the ledger and compares them. */
  async status(options: MigratorCallOptions = {}): Promise<MigrationReport> {
    const { signal } = options;
    const set = await discoverMigrations(this.#dir, { cwd: this.#cwd, ...(signal ? { signal } : {}) });
    const migrations: LoadedMigration[] = [];
    for (const migration of set.migrations) {
      throwIfAborted(signal, 'The migration run');
      try {
        const plan = await this.#loadPlan(migration.file, signal ? { signal } : {});
        migrations.push({
          ...migration,
          planName: plan.name,
          checksum: plan.fingerprint,
          ...(plan.dataFiles === undefined ? {} : { dataFiles: plan.dataFiles }),
        });
      } catch (error) {
        if (signal?.aborted) {
          throw error;
        }
        migrations.push({ ...migration, problem: (error as Error).message });
      }
    }
    const entries = await this.#store.list(signal ? { signal } : {});
    const status = computeMigrationStatus(
      migrations.map((m) => ({
        version: m.version,
        name: m.name,
        file: m.displayPath,
        checksum: m.checksum,
        ...(m.dataFiles === undefined ? {} : { dataFiles: m.dataFiles }),
        ...(m.problem === undefined ? {} : { problem: m.problem }),
      })),
      entries,
    );
    return { dir: set.dir, ledger: this.#store.description, migrations, ignored: set.ignored, entries, status };
  }

  /**
   * Checks that no applied migration changed since it was applied and that every migration's plan loads. Resolves
   * with `ok: false` (never throws) so that the caller can list every problem.
   */
  async validate(options: MigratorCallOptions = {}): Promise<MigrationValidation> {
    const report = await this.status(options);
    const changed = report.status.items.filter((item) => item.state === 'changed');
    const invalid = report.status.items.filter(
      (item) => item.problem !== undefined && (item.state === 'pending' || item.state === 'out-of-order'),
    );
    return { ok: changed.length === 0 && invalid.length === 0, changed, invalid, report };
  }

  async #withLock<T>(
    signal: AbortSignal | undefined,
    work: (handle: MigrationLockHandle | undefined) => Promise<T>,
  ): Promise<T> {
    if (this.#lock === false) {
      return work(undefined);
    }
    const handle = await this.#lock(signal ? { signal } : {});
    try {
      return await work(handle);
    } finally {
      await handle.release();
    }
  }

  /**
   * Marks every migration up to and including `version` as applied without running it: for a database that already
   * holds what those migrations would create. Only on a target whose ledger is empty; resolves with the entries
   * written.
   */
  async baseline(version: string, options: MigratorCallOptions = {}): Promise<readonly LedgerEntry[]> {
    if (typeof version !== 'string' || version === '') {
      throw new TypeError('Expected `version` to be a non-empty string');
    }
    const { signal } = options;
    return this.#withLock(signal, async () => {
      const report = await this.status(options);
      const target = report.migrations.find(
        (m) => canonicalMigrationVersion(m.version) === canonicalMigrationVersion(version),
      );
      if (target === undefined) {
        throw new MigrationError(
          `There is no migration with version ${version} in ${report.dir}` +
            (report.migrations.length === 0
              ? ' (it holds no migration).'
              : `; the versions are ${report.migrations.map((m) => m.version).join(', ')}.`),
          'ERR_MIGRATION_VERSION',
          { versions: [version] },
        );
      }
      if (report.entries.length > 0) {
        throw new MigrationError(
          `The target already has a migration ledger (${report.entries.length} entr${report.entries.length === 1 ? 'y' : 'ies'}, ` +
            `last ${report.status.lastRecorded}): baseline is only for a database that has none. ` +
            'Use `zenoo migrate status` to see where it stands.',
          'ERR_MIGRATION_LEDGER',
          { versions: report.entries.map((e) => e.version) },
        );
      }
      const covered = report.migrations.filter((m) => compareMigrationVersions(m.version, target.version) <= 0);
      const broken = covered.filter((m) => m.checksum === undefined);
      if (broken.length > 0) {
        throw new MigrationError(
          `Cannot baseline: the plans of these migrations do not load, so their checksums cannot be recorded:\n` +
            broken.map((m) => `  ${m.displayPath}: ${m.problem ?? 'unknown problem'}`).join('\n'),
          'ERR_MIGRATION_CHANGED',
          { versions: broken.map((m) => m.version), files: broken.map((m) => m.displayPath) },
        );
      }
      const at = new Date(this.#now()).toISOString();
      const written: LedgerEntry[] = [];
      for (const migration of covered) {
        throwIfAborted(signal, 'The migration run');
        const entry: LedgerEntry = {
          version: migration.version,
          name: migration.name,
          checksum: migration.checksum ?? '',
          ...(migration.dataFiles === undefined ? {} : { dataFiles: migration.dataFiles }),
          appliedAt: at,
          durationMs: 0,
          zenooVersion: this.#zenooVersion,
          appliedBy: this.#appliedBy,
          kind: 'baseline',
        };
        await this.#store.insert(entry, signal ? { signal } : {});
        written.push(entry);
      }
      return written;
    });
  }

  /**
   * Re-records the checksum (and name) of applied migrations whose file was edited on purpose. Only `changed`
   * migrations whose plan loads are repaired; `versions` limits it to some of them. Resolves with the new entries.
   */
  async repair(
    options: MigratorCallOptions & { readonly versions?: readonly string[] } = {},
  ): Promise<readonly LedgerEntry[]> {
    const { signal } = options;
    return this.#withLock(signal, async () => {
      const report = await this.status(options);
      const wanted = options.versions?.map(canonicalMigrationVersion);
      const changed = report.status.items.filter(
        (item) =>
          item.state === 'changed' &&
          (wanted === undefined || wanted.includes(canonicalMigrationVersion(item.version))),
      );
      const unknown = (options.versions ?? []).filter(
        (version) =>
          !changed.some((item) => canonicalMigrationVersion(item.version) === canonicalMigrationVersion(version)),
      );
      if (unknown.length > 0) {
        throw new MigrationError(
          `Nothing to repair for version${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}: ` +
            'only applied migrations whose file changed can be repaired (see `zenoo migrate status`).',
          'ERR_MIGRATION_VERSION',
          { versions: unknown },
        );
      }
      const broken = changed.filter((item) => item.checksum === undefined);
      if (broken.length > 0) {
        throw new MigrationError(
          `Cannot repair: the plans of these migrations do not load; fix them first:\n` +
            broken.map((item) => `  ${item.file ?? item.version}: ${item.problem ?? 'unknown problem'}`).join('\n'),
          'ERR_MIGRATION_CHANGED',
          { versions: broken.map((item) => item.version) },
        );
      }
      const at = new Date(this.#now()).toISOString();
      const written: LedgerEntry[] = [];
      for (const item of changed) {
        throwIfAborted(signal, 'The migration run');
        if (item.entry === undefined || item.checksum === undefined) {
          continue;
        }
        const entry: LedgerEntry = {
          ...item.entry,
          name: item.name,
          checksum: item.checksum,
          ...(item.dataFiles === undefined ? {} : { dataFiles: item.dataFiles }),
          repairedAt: at,
        };
        await this.#store.replace(entry, signal ? { signal } : {});
        written.push(entry);
      }
      return written;
    });
  }

  /**
   * Chooses the migrations `up` runs, or throws {@link MigrationError} when it must not run: an applied migration
   * changed (`ERR_MIGRATION_CHANGED`), a pending one is older than the last applied one and `allowOutOfOrder` is not
   * set (`ERR_MIGRATION_OUT_OF_ORDER`), `to` names no migration (`ERR_MIGRATION_VERSION`), a plan to run does not load
   * or two of them share a plan name (`ERR_MIGRATION_NAME`).
   */
  async select(options: SelectOptions = {}): Promise<MigrationSelection> {
    const report = await this.status(options);
    return selectMigrations(report, options);
  }

  /**
   * The dry run of `up`: for each migration it would run, in order, what it would change now. Steps that depend on
   * what an earlier pending migration writes are listed as dependent (with the reasons) rather than shown with
   * changes computed against a state that will not hold; a migration whose diff cannot be computed because of such a
   * dependency is `blocked`. Writes nothing and takes no lock. Throws like {@link Migrator.select}.
   */
  async preview(options: SelectOptions = {}): Promise<MigratePreview> {
    const engine = this.#requireEngine('preview()');
    const { signal } = options;
    const selection = await this.select(options);
    const earlier: PendingWrites[] = [];
    const migrations: MigrationPreview[] = [];
    for (const migration of selection.selected) {
      throwIfAborted(signal, 'The migration run');
      const base = { version: migration.version, name: migration.name, file: migration.file ?? migration.path };
      let plan: Plan;
      try {
        plan = await engine.load(migration.path, { signal });
        const problems = await engine.check(plan, { signal });
        if (problems.length > 0) {
          throw new PlanValidationError(problems);
        }
      } catch (error) {
        if (signal?.aborted) {
          throw error;
        }
        migrations.push({ ...base, dependent: [], error: errorView(error) });
        continue;
      }
      const dependent = findDependentSteps(plan, earlier);
      const dependentIds = new Set(dependent.map((step) => step.step));
      let diff: Diff | undefined;
      let blocked: { message: string } | undefined;
      let failure: { code: string; message: string } | undefined;
      try {
        diff = await engine.diff(plan, { signal });
      } catch (error) {
        if (signal?.aborted) {
          throw error;
        }
        // A read that fails while the migration depends on an earlier pending one (a lookup of a record that one
        // creates, a reference to its external id) is expected: say so rather than report an error.
        if (dependent.length > 0) {
          blocked = { message: (error as Error).message };
        } else {
          failure = errorView(error);
        }
      }
      const shown = diff === undefined ? undefined : withoutSteps(diff, dependentIds);
      migrations.push({
        ...base,
        ...(shown === undefined ? {} : { diff: shown }),
        dependent: blocked === undefined ? dependent : everyStepDependent(plan, dependent),
        ...(blocked === undefined ? {} : { blocked }),
        ...(failure === undefined ? {} : { error: failure }),
      });
      earlier.push({
        version: migration.version,
        name: migration.name,
        plan,
        diff: shown,
        uncertainSteps: blocked === undefined ? [...dependentIds] : plan.steps.map((step) => step.id),
      });
    }
    const hasErrors = migrations.some((migration) => migration.error !== undefined);
    const hasChanges = migrations.some(
      (migration) =>
        migration.dependent.length > 0 ||
        (migration.diff !== undefined &&
          migration.diff.summary.create +
            migration.diff.summary.update +
            migration.diff.summary.delete +
            (migration.diff.summary.call ?? 0) >
            0),
    );
    return { migrations, missing: selection.missing, hasChanges, hasErrors };
  }

  /**
   * Applies the pending migrations in version order through the plan engine, under the target's migrations lock.
   * Every plan is loaded and checked against the server before the first write. Each migration is recorded in the
   * ledger only once its apply succeeded with no rejected record; the first one that does not stops the run, and
   * running `up` again resumes it from its journal. Resolves with what each migration did (never throws for a failed
   * migration); throws for setup problems: see {@link Migrator.select}, a held lock, invalid plans.
   */
  async up(options: SelectOptions & { readonly onEvent?: MigrateListener } = {}): Promise<MigrateResult> {
    const engine = this.#requireEngine('up()');
    const { signal } = options;
    const events = new EventHub<MigrateEvent>();
    events.onAny(options.onEvent);
    const onEvent = (event: MigrateEvent): void => events.emit(event);
    const started = this.#now();
    return this.#withLock(signal, async (handle) => {
      if (handle?.tookOverFrom !== undefined) {
        onEvent({ type: 'lock-taken-over', key: handle.key ?? MIGRATIONS_LOCK_NAME, holder: handle.tookOverFrom });
      }
      // Selected under the lock: a run that finished meanwhile is seen, and its migrations are not run again.
      const selection = await this.select(options);
      const plans: Plan[] = [];
      const problems: PlanProblem[] = [];
      for (const migration of selection.selected) {
        throwIfAborted(signal, 'The migration run');
        try {
          const plan = await engine.load(migration.path, { signal });
          problems.push(...(await engine.check(plan, { signal })));
          plans.push(plan);
        } catch (error) {
          if (error instanceof PlanValidationError) {
            problems.push(...error.problems);
          } else {
            throw error;
          }
        }
      }
      if (problems.length > 0) {
        // Nothing has been written yet: report every problem of every migration at once.
        throw new PlanValidationError(problems);
      }
      onEvent({
        type: 'migrate-start',
        migrations: selection.selected.map((m) => ({ version: m.version, name: m.name, file: m.file ?? m.path })),
      });
      const results: MigrationRunResult[] = [];
      let stopped: MigrationRunResult['status'] | undefined;
      for (const [index, migration] of selection.selected.entries()) {
        const base = { version: migration.version, name: migration.name, file: migration.file ?? migration.path };
        const plan = plans[index];
        if (stopped !== undefined || plan === undefined) {
          results.push({ ...base, status: 'not-executed', durationMs: 0 });
          continue;
        }
        onEvent({ type: 'migration-start', ...base, index, total: selection.selected.length });
        const begin = this.#now();
        let result: MigrationRunResult;
        try {
          const applied: ApplyResult = await engine.apply(plan, {
            signal,
            onEvent: (event) => onEvent({ type: 'apply', version: migration.version, event }),
          });
          const durationMs = this.#now() - begin;
          const rejected = applied.steps.reduce((sum, step) => sum + step.counts.rejected, 0);
          if (applied.status === 'succeeded' && rejected === 0) {
            const entry = this.entryFor(migration, durationMs);
            await this.#store.insert(entry, signal ? { signal } : {});
            result = { ...base, status: 'applied', durationMs, apply: applied, entry };
          } else {
            result = {
              ...base,
              status: applied.status === 'interrupted' ? 'interrupted' : 'failed',
              durationMs,
              apply: applied,
              error:
                applied.error ??
                errorView(
                  new MigrationError(
                    rejected > 0
                      ? `${rejected} record${rejected === 1 ? ' was' : 's were'} rejected; the migration is not recorded. Fix the data and run \`zenoo migrate up\` again.`
                      : `the apply ended ${applied.status}`,
                    'ERR_MIGRATION_FAILED',
                    { versions: [migration.version] },
                  ),
                ),
            };
          }
        } catch (error) {
          result = {
            ...base,
            status: signal?.aborted ? 'interrupted' : 'failed',
            durationMs: this.#now() - begin,
            error: errorView(error),
          };
        }
        results.push(result);
        onEvent({ type: 'migration-done', result });
        if (result.status !== 'applied') {
          stopped = result.status;
        }
      }
      const outcome: MigrateResult = {
        status: stopped === undefined ? 'succeeded' : stopped === 'interrupted' ? 'interrupted' : 'failed',
        migrations: results,
        missing: selection.missing,
        durationMs: this.#now() - started,
      };
      onEvent({ type: 'migrate-done', result: outcome });
      return outcome;
    });
  }

  /** Builds a ledger entry for a migration that just finished applying. */
  entryFor(
    migration: {
      readonly version: string;
      readonly name: string;
      readonly checksum: string;
      readonly dataFiles?: Readonly<Record<string, string>>;
    },
    durationMs: number,
  ): LedgerEntry {
    return {
      version: migration.version,
      name: migration.name,
      checksum: migration.checksum,
      ...(migration.dataFiles === undefined ? {} : { dataFiles: migration.dataFiles }),
      appliedAt: new Date(this.#now()).toISOString(),
      durationMs: Math.max(0, Math.round(durationMs)),
      zenooVersion: this.#zenooVersion,
      appliedBy: this.#appliedBy,
      kind: 'apply',
    };
  }
}

/** `diff` without the steps in `ids`, with its summary recomputed. */
function withoutSteps(diff: Diff, ids: ReadonlySet<string>): Diff {
  if (ids.size === 0) {
    return diff;
  }
  const steps = diff.steps.filter((step) => !ids.has(step.step));
  return { ...diff, steps, summary: summarize(steps) };
}

/** When a migration's diff cannot be computed at all, every one of its steps waits for the earlier migrations. */
function everyStepDependent(plan: Plan, dependent: readonly DependentStep[]): DependentStep[] {
  const on = [...new Set(dependent.flatMap((step) => step.on))].sort();
  return plan.steps.map(
    (step) =>
      dependent.find((candidate) => candidate.step === step.id) ?? {
        step: step.id,
        model: step.model,
        action: step.action,
        reasons: ['its migration cannot be previewed before the earlier pending migrations have run'],
        on,
      },
  );
}

/** sha256 of each data file a plan reads, by its path as written in the plan (for the ledger, see LedgerEntry). */
export function planDataFiles(plan: Plan): Readonly<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const step of plan.steps) {
    if (step.records?.kind === 'file') files[step.records.file] = step.records.sha256;
  }
  return files;
}
