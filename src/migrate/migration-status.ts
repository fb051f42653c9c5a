/**
 * Migration status: the migrations of a directory compared with the ledger of a target. A pure function, so that
 * `status`, `validate`, `up` and `repair` all judge a target the same way.
 *
 * @packageDocumentation
 */
import type { LedgerEntry } from './ledger.js';
import { canonicalMigrationVersion, compareMigrationVersions } from './migration-version.js';

/**
 * Where a migration stands on a target:
 *
 * - `applied`: recorded, and its file is unchanged since;
 * - `changed`: recorded, but its file (plan or data) or its name differs from what was recorded;
 * - `missing`: recorded, but no file of that version exists any more;
 * - `pending`: not recorded, and newer than every recorded migration: `zenoo migrate up` runs it;
 * - `out-of-order`: not recorded, but older than a recorded one (typically merged from a branch after a later one
 *   ran): refused unless `--allow-out-of-order`.
 */
export type MigrationState = 'applied' | 'changed' | 'missing' | 'pending' | 'out-of-order';

/** Every state, in the order they are listed in summaries. */
export const MIGRATION_STATES: readonly MigrationState[] = Object.freeze([
  'applied',
  'changed',
  'missing',
  'pending',
  'out-of-order',
]);

/** A migration file with its current checksum, as input to {@link computeMigrationStatus}. */
export interface MigrationCandidate {
  /** Version as written in the file name. */
  readonly version: string;
  /** Name after the version. */
  readonly name: string;
  /** Path shown to users. */
  readonly file: string;
  /** Current checksum (plan fingerprint), or undefined when the plan cannot be loaded. */
  readonly checksum: string | undefined;
  /** Current sha256 of each data file, by path as written in the plan. */
  readonly dataFiles?: Readonly<Record<string, string>>;
  /** Why the checksum could not be computed (the load error's message). */
  readonly problem?: string;
}

/** What differs between a recorded migration and its file. */
export type MigrationDifference = 'checksum' | 'name';

/** One migration's status. */
export interface MigrationStatusItem {
  /** Version (as in the file name, or as recorded for a missing one). */
  readonly version: string;
  /** Name (of the file, or as recorded for a missing one). */
  readonly name: string;
  /** Where it stands. */
  readonly state: MigrationState;
  /** Path of the file, unless missing. */
  readonly file?: string;
  /** Current checksum of the file, when it could be computed. */
  readonly checksum?: string;
  /** Current sha256 of each data file, when the plan loads. */
  readonly dataFiles?: Readonly<Record<string, string>>;
  /** The ledger entry, when recorded. */
  readonly entry?: LedgerEntry;
  /** For `changed`: what differs. */
  readonly differences?: readonly MigrationDifference[];
  /** The file's load problem, if its plan cannot be loaded. */
  readonly problem?: string;
}

/** The status of every migration, in version order. */
export interface MigrationStatus {
  /** Every migration known from the directory or the ledger, in version order. */
  readonly items: readonly MigrationStatusItem[];
  /** How many are in each state. */
  readonly counts: Readonly<Record<MigrationState, number>>;
  /** Highest recorded version, if any. */
  readonly lastRecorded: string | undefined;
}

/**
 * Compares migration files with ledger entries. Entries and files match by version (`0002` matches `2`).
 *
 * @example
 * ```ts
 * const status = computeMigrationStatus(candidates, await store.list());
 * if (status.counts.changed > 0) { ... }
 * ```
 */
export function computeMigrationStatus(
  candidates: readonly MigrationCandidate[],
  entries: readonly LedgerEntry[],
): MigrationStatus {
  const recorded = new Map<string, LedgerEntry>();
  for (const entry of entries) {
    recorded.set(canonicalMigrationVersion(entry.version), entry);
  }
  const lastRecorded = [...entries].sort((a, b) => compareMigrationVersions(a.version, b.version)).at(-1)?.version;

  const items: MigrationStatusItem[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    const id = canonicalMigrationVersion(candidate.version);
    seen.add(id);
    const entry = recorded.get(id);
    const base = {
      version: candidate.version,
      name: candidate.name,
      file: candidate.file,
      ...(candidate.checksum === undefined ? {} : { checksum: candidate.checksum }),
      ...(candidate.dataFiles === undefined ? {} : { dataFiles: candidate.dataFiles }),
      ...(candidate.problem === undefined ? {} : { problem: candidate.problem }),
    };
    if (entry === undefined) {
      const older = lastRecorded !== undefined && compareMigrationVersions(candidate.version, lastRecorded) < 0;
      items.push({ ...base, state: older ? 'out-of-order' : 'pending' });
      continue;
    }
    const differences: MigrationDifference[] = [];
    // A file that cannot be loaded any more cannot be the file that was applied: count it as changed.
    if (candidate.checksum !== entry.checksum) {
      differences.push('checksum');
    }
    if (candidate.name !== entry.name) {
      differences.push('name');
    }
    items.push(
      differences.length === 0
        ? { ...base, state: 'applied', entry }
        : { ...base, state: 'changed', entry, differences },
    );
  }
  for (const entry of entries) {
    if (!seen.has(canonicalMigrationVersion(entry.version))) {
      items.push({ version: entry.version, name: entry.name, state: 'missing', entry });
    }
  }
  items.sort((a, b) => compareMigrationVersions(a.version, b.version));

  const counts = Object.fromEntries(MIGRATION_STATES.map((state) => [state, 0])) as Record<MigrationState, number>;
  for (const item of items) {
    counts[item.state] += 1;
  }
  return { items, counts, lastRecorded };
}

/**
 * Which file of a migration changed, from the data-file checksums recorded and current: the data files that differ,
 * else the plan itself (the checksum covers the plan and its data files, nothing else). An entry recorded before
 * zenoo kept them can only say that one of the files changed.
 */
function whatChanged(
  recorded: Readonly<Record<string, string>> | undefined,
  current: Readonly<Record<string, string>> | undefined,
): string {
  const now = current ?? {};
  if (recorded === undefined) {
    const files = Object.keys(now);
    return files.length === 0
      ? 'the plan changed'
      : `the plan or one of its data files (${files.join(', ')}) changed; this ledger entry predates per-file checksums`;
  }
  const changed = [...new Set([...Object.keys(recorded), ...Object.keys(now)])]
    .sort()
    .flatMap((file) =>
      recorded[file] === now[file]
        ? []
        : [
            recorded[file] === undefined
              ? `${file} (added)`
              : now[file] === undefined
                ? `${file} (no longer read)`
                : file,
          ],
    );
  if (changed.length === 0) return 'the plan itself changed (its data files did not)';
  return `data file${changed.length === 1 ? '' : 's'} ${changed.join(', ')} changed`;
}

/**
 * One line saying how a `changed` migration differs from its ledger entry: `FILE: recorded checksum X, current
 * checksum Y` (or that its plan no longer loads), and a changed name.
 */
export function describeChangedMigration(item: MigrationStatusItem): string {
  const parts: string[] = [];
  if (item.differences?.includes('checksum')) {
    if (item.checksum === undefined) {
      parts.push(
        `its plan no longer loads (${item.problem ?? 'unknown problem'}); recorded checksum ${item.entry?.checksum}`,
      );
    } else {
      const what = whatChanged(item.entry?.dataFiles, item.dataFiles);
      parts.push(`${what}: recorded checksum ${item.entry?.checksum}, current checksum ${item.checksum}`);
    }
  }
  if (item.differences?.includes('name')) {
    parts.push(`recorded name "${item.entry?.name}", current name "${item.name}"`);
  }
  return `${item.file ?? item.version}: ${parts.join('; ')}`;
}
