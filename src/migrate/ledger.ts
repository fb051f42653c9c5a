/**
 * The migration ledger: which migrations a target has run, stored in the target itself so that every environment
 * (dev, staging, production) carries its own.
 *
 * This file holds the entry format and the {@link LedgerStore} contract (like umzug's storage contract); the stores are
 * `ConfigParameterLedgerStore` (the default, in Odoo's `ir.config_parameter`) and `memoryLedgerStore()` (tests).
 *
 * @packageDocumentation
 */
import { MigrationError } from '../errors.js';
import { isMigrationVersion } from './migration-version.js';

/** Version of the ledger entry format written by this zenoo. */
export const LEDGER_FORMAT_VERSION = 1;

/** One migration the target has run (or was told to consider run, by `zenoo migrate baseline`). */
export interface LedgerEntry {
  /** Migration version as written in its file name, e.g. `0001`. */
  readonly version: string;
  /** Migration name (file name without version and extension), e.g. `seed-tags`. */
  readonly name: string;
  /** Checksum of the migration when it was applied (or last repaired): its plan fingerprint. */
  readonly checksum: string;
  /** ISO time the migration finished applying (or was baselined). */
  readonly appliedAt: string;
  /** Wall time of the apply, in ms (0 for a baseline). */
  readonly durationMs: number;
  /** zenoo version that applied it. */
  readonly zenooVersion: string;
  /** Who applied it: OS user and host, and the Odoo login, e.g. `alice@ci-01 (odoo: admin)`. */
  readonly appliedBy: string;
  /** `apply` when the migration ran, `baseline` when `zenoo migrate baseline` marked it without running it. */
  readonly kind: 'apply' | 'baseline';
  /** Set by `zenoo migrate repair`: when the checksum was last re-recorded (ISO), if ever. */
  readonly repairedAt?: string;
  /**
   * sha256 of each data file the plan read, by its path as written in the plan, so that a changed checksum can name
   * the file that changed. Absent in entries written before zenoo recorded it.
   */
  readonly dataFiles?: Readonly<Record<string, string>>;
}

/** Options of every ledger store call. */
export interface LedgerCallOptions {
  /** Cancels the call. */
  readonly signal?: AbortSignal;
}

/**
 * Where a ledger lives. Implementations must make {@link LedgerStore.insert} refuse a version that is already recorded,
 * so that two runs can never both record the same migration.
 */
export interface LedgerStore {
  /** A short description of where the ledger lives, for messages (e.g. `ir.config_parameter zenoo.migration.*`). */
  readonly description: string;
  /** All entries, in version order. Throws {@link MigrationError} (`ERR_MIGRATION_LEDGER`) on a damaged entry. */
  list(options?: LedgerCallOptions): Promise<readonly LedgerEntry[]>;
  /** Records a new entry; throws {@link MigrationError} (`ERR_MIGRATION_LEDGER`) when its version is already recorded. */
  insert(entry: LedgerEntry, options?: LedgerCallOptions): Promise<void>;
  /** Overwrites the entry of `entry.version`, which must exist (used by `zenoo migrate repair`). */
  replace(entry: LedgerEntry, options?: LedgerCallOptions): Promise<void>;
}

/** Throws a `TypeError` when `store` does not implement {@link LedgerStore} (for stores passed in from JavaScript). */
export function verifyLedgerStore(store: unknown): asserts store is LedgerStore {
  const candidate = store as Partial<Record<keyof LedgerStore, unknown>> | null;
  for (const method of ['list', 'insert', 'replace'] as const) {
    if (typeof candidate?.[method] !== 'function') {
      throw new TypeError(`Expected the ledger store to have a \`${method}\` method`);
    }
  }
}

/**
 * Validates a stored entry (parsed JSON) and returns it as a {@link LedgerEntry}. `where` names the stored item in the
 * error (e.g. the `ir.config_parameter` key).
 */
export function parseLedgerEntry(value: unknown, where: string): LedgerEntry {
  const fail = (problem: string): never => {
    throw new MigrationError(
      `The migration ledger entry ${where} is damaged: ${problem}. Fix or delete it (Settings > Technical > ` +
        'System Parameters in Odoo), then run `zenoo migrate status` again.',
      'ERR_MIGRATION_LEDGER',
    );
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('it is not a JSON object');
  }
  const raw = value as Record<string, unknown>;
  const text = (field: string): string => {
    const item = raw[field];
    return typeof item === 'string' && item !== '' ? item : fail(`"${field}" is missing or not a string`);
  };
  const version = text('version');
  if (!isMigrationVersion(version)) {
    fail(`"version" ${JSON.stringify(version)} is not a migration version`);
  }
  const durationMs = raw['durationMs'];
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0) {
    fail('"durationMs" is not a non-negative number');
  }
  const kind = raw['kind'] ?? 'apply';
  if (kind !== 'apply' && kind !== 'baseline') {
    fail('"kind" is neither "apply" nor "baseline"');
  }
  const repairedAt = raw['repairedAt'];
  const dataFiles = raw['dataFiles'];
  if (
    dataFiles !== undefined &&
    (typeof dataFiles !== 'object' ||
      dataFiles === null ||
      Array.isArray(dataFiles) ||
      Object.values(dataFiles).some((sum) => typeof sum !== 'string'))
  ) {
    fail('"dataFiles" is not a map of file to checksum');
  }
  return {
    version,
    name: text('name'),
    checksum: text('checksum'),
    appliedAt: text('appliedAt'),
    durationMs: durationMs as number,
    zenooVersion: text('zenooVersion'),
    appliedBy: text('appliedBy'),
    kind: kind as LedgerEntry['kind'],
    ...(typeof repairedAt === 'string' ? { repairedAt } : {}),
    ...(dataFiles === undefined ? {} : { dataFiles: dataFiles as Record<string, string> }),
  };
}

/** The JSON written for an entry (stable field order, with the format version). */
export function serializeLedgerEntry(entry: LedgerEntry): string {
  const { version, name, checksum, appliedAt, durationMs, zenooVersion, appliedBy, kind, repairedAt, dataFiles } =
    entry;
  return JSON.stringify({
    format: LEDGER_FORMAT_VERSION,
    version,
    name,
    checksum,
    appliedAt,
    durationMs,
    zenooVersion,
    appliedBy,
    kind,
    ...(repairedAt === undefined ? {} : { repairedAt }),
    ...(dataFiles === undefined ? {} : { dataFiles }),
  });
}
