/**
 * An in-memory migration ledger, for tests and for running a migrator against a target without recording anything.
 *
 * @packageDocumentation
 */
import { throwIfAborted } from '../util/abort.js';
import { MigrationError } from '../errors.js';
import type { LedgerEntry, LedgerStore } from './ledger.js';
import { canonicalMigrationVersion, compareMigrationVersions } from './migration-version.js';

/** A {@link LedgerStore} kept in memory, with the same refusal rules as the stored ones. */
export interface MemoryLedgerStore extends LedgerStore {
  /** The entries as stored right now, in version order (a copy). */
  snapshot(): LedgerEntry[];
}

/**
 * Creates an in-memory ledger, optionally pre-filled with `entries`.
 *
 * @example
 * ```ts
 * const store = memoryLedgerStore();
 * const migrator = new Migrator({ store, dir: 'plans/migrations', ... });
 * ```
 */
export function memoryLedgerStore(entries: readonly LedgerEntry[] = []): MemoryLedgerStore {
  const byVersion = new Map<string, LedgerEntry>();
  for (const entry of entries) {
    byVersion.set(canonicalMigrationVersion(entry.version), { ...entry });
  }
  const sorted = (): LedgerEntry[] =>
    [...byVersion.values()]
      .map((entry) => ({ ...entry }))
      .sort((a, b) => compareMigrationVersions(a.version, b.version));
  return {
    description: 'memory',
    async list(options = {}) {
      throwIfAborted(options.signal, 'The ledger call');
      return sorted();
    },
    async insert(entry, options = {}) {
      throwIfAborted(options.signal, 'The ledger call');
      const id = canonicalMigrationVersion(entry.version);
      if (byVersion.has(id)) {
        throw new MigrationError(
          `Migration ${entry.version} is already recorded in the ledger; it was not recorded again.`,
          'ERR_MIGRATION_LEDGER',
          { versions: [entry.version] },
        );
      }
      byVersion.set(id, { ...entry });
    },
    async replace(entry, options = {}) {
      throwIfAborted(options.signal, 'The ledger call');
      const id = canonicalMigrationVersion(entry.version);
      if (!byVersion.has(id)) {
        throw new MigrationError(
          `Migration ${entry.version} is not recorded in the ledger; there is nothing to replace.`,
          'ERR_MIGRATION_LEDGER',
          { versions: [entry.version] },
        );
      }
      byVersion.set(id, { ...entry });
    },
    snapshot: sorted,
  };
}
