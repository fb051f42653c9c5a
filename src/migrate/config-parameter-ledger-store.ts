/**
 * The default migration ledger: one Odoo `ir.config_parameter` record per applied migration, with key
 * `zenoo.migration.<version>` and the entry as JSON value.
 *
 * Why there: the ledger must travel with the database it describes (a production backup restored into staging keeps
 * its own history), and zenoo cannot install a model of its own into Odoo. `ir.config_parameter` exists in every
 * database, its `key` is unique (so recording a version twice is refused by the server itself, even by two runs at
 * once), and admins can read it under Settings > Technical > System Parameters. One key per migration keeps every
 * write a single small create, with no read-modify-write of a shared value to race on.
 *
 * @packageDocumentation
 */
import { MigrationError, OutcomeUnknownError, ValidationError } from '../errors.js';
import { parseLedgerEntry, serializeLedgerEntry } from './ledger.js';
import type { LedgerCallOptions, LedgerEntry, LedgerStore } from './ledger.js';
import { compareMigrationVersions } from './migration-version.js';
import type { LockClient } from '../plan/lock/lock.js';

/** Prefix of ledger keys in `ir.config_parameter`; the version follows. */
export const LEDGER_KEY_PREFIX = 'zenoo.migration.';

/** The model holding the ledger. */
export const LEDGER_MODEL = 'ir.config_parameter';

/** The slice of the Odoo client the ledger needs: `execute_kw`, as for the lock (`OdooClient` satisfies it). */
export type LedgerClient = LockClient;

/** The `ir.config_parameter` key of a version. */
export function ledgerKey(version: string): string {
  return `${LEDGER_KEY_PREFIX}${version}`;
}

interface ParameterRow {
  readonly id: number;
  readonly key: string;
  readonly value: string | false;
}

/** A {@link LedgerStore} in the target's `ir.config_parameter` (see the module comment for why). */
export class ConfigParameterLedgerStore implements LedgerStore {
  readonly #client: LedgerClient;

  /** @param client an authenticated client of the target (needs the Settings / technical rights Odoo requires). */
  constructor(client: LedgerClient) {
    if (typeof (client as Partial<LedgerClient> | null)?.executeKw !== 'function') {
      throw new TypeError('Expected `client` to have an `executeKw` method (an OdooClient)');
    }
    this.#client = client;
  }

  /** Where the ledger lives, for messages. */
  get description(): string {
    return `ir.config_parameter ${LEDGER_KEY_PREFIX}*`;
  }

  async #rows(domain: readonly unknown[], options: LedgerCallOptions): Promise<ParameterRow[]> {
    const rows = await this.#client.executeKw(
      LEDGER_MODEL,
      'search_read',
      [domain],
      { fields: ['key', 'value'] },
      options,
    );
    if (!Array.isArray(rows)) {
      throw new MigrationError(
        `Reading the migration ledger (${this.description}) returned ${typeof rows}, not a list of records.`,
        'ERR_MIGRATION_LEDGER',
      );
    }
    return rows as ParameterRow[];
  }

  #parse(row: ParameterRow): LedgerEntry {
    let json: unknown;
    try {
      json = typeof row.value === 'string' ? JSON.parse(row.value) : undefined;
    } catch {
      json = undefined;
    }
    const entry = parseLedgerEntry(json, `"${row.key}"`);
    if (ledgerKey(entry.version) !== row.key) {
      throw new MigrationError(
        `The migration ledger entry "${row.key}" records version ${entry.version}: the key and the value disagree. ` +
          'Fix or delete it (Settings > Technical > System Parameters in Odoo).',
        'ERR_MIGRATION_LEDGER',
        { versions: [entry.version] },
      );
    }
    return entry;
  }

  /** All entries, in version order. */
  async list(options: LedgerCallOptions = {}): Promise<readonly LedgerEntry[]> {
    // `=like` takes the pattern as is; `_` would be a wildcard too, which the key check in #parse makes harmless.
    const rows = await this.#rows([['key', '=like', `${LEDGER_KEY_PREFIX}%`]], options);
    return rows
      .filter((row) => row.key.startsWith(LEDGER_KEY_PREFIX))
      .map((row) => this.#parse(row))
      .sort((a, b) => compareMigrationVersions(a.version, b.version));
  }

  async #find(version: string, options: LedgerCallOptions): Promise<ParameterRow | undefined> {
    const rows = await this.#rows([['key', '=', ledgerKey(version)]], options);
    return rows[0];
  }

  /**
   * Records a new entry with one `create`. The unique key makes a second record of the same version impossible; a
   * create whose answer was lost is checked by reading the key back, never blindly resent.
   */
  async insert(entry: LedgerEntry, options: LedgerCallOptions = {}): Promise<void> {
    const key = ledgerKey(entry.version);
    const value = serializeLedgerEntry(entry);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await this.#client.executeKw(LEDGER_MODEL, 'create', [[{ key, value }]], {}, options);
        return;
      } catch (error) {
        if (!(error instanceof OutcomeUnknownError) && !(error instanceof ValidationError)) {
          throw error;
        }
        const existing = await this.#find(entry.version, options);
        if (existing !== undefined && existing.value === value) {
          // Our create committed; only its answer was lost.
          return;
        }
        if (existing !== undefined) {
          throw new MigrationError(
            `Migration ${entry.version} is already recorded in the ledger (${key}); it was not recorded again.`,
            'ERR_MIGRATION_LEDGER',
            { versions: [entry.version] },
            { cause: error },
          );
        }
        if (error instanceof ValidationError) {
          // Refused for another reason than the key (access rights, a constraint of a customised database).
          throw error;
        }
        // Outcome unknown and nothing stored: the create did not commit, and the unique key makes a retry safe.
      }
    }
    throw new MigrationError(
      `Could not record migration ${entry.version} in the ledger (${key}): the server did not answer twice. ` +
        'Run `zenoo migrate status` to see whether it was recorded.',
      'ERR_MIGRATION_LEDGER',
      { versions: [entry.version] },
    );
  }

  /** Overwrites the entry of `entry.version` with one `write`. */
  async replace(entry: LedgerEntry, options: LedgerCallOptions = {}): Promise<void> {
    const existing = await this.#find(entry.version, options);
    if (existing === undefined) {
      throw new MigrationError(
        `Migration ${entry.version} is not recorded in the ledger (${ledgerKey(entry.version)}); there is nothing to replace.`,
        'ERR_MIGRATION_LEDGER',
        { versions: [entry.version] },
      );
    }
    await this.#client.executeKw(
      LEDGER_MODEL,
      'write',
      [[existing.id], { value: serializeLedgerEntry(entry) }],
      {},
      options,
    );
  }
}
