/**
 * The native SQLite module the sandbox runs on, loaded the first time a sandbox opens a database. It is an optional
 * dependency of zenoo: the client, the Batch API, plans and migrations never load it, so a library user on a machine
 * where it cannot be built (no prebuilt binary, no C++ toolchain) installs and uses zenoo without it, and only the
 * sandbox says what is missing.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { ConfigurationError } from '../../errors.js';

/** The module's export: the `Database` class, with `SqliteError` on it. */
export type SqliteModule = typeof BetterSqlite3;

const requireHere = createRequire(import.meta.url);
let loaded: SqliteModule | undefined;

/**
 * The `better-sqlite3` module, loaded once.
 *
 * @param load - loads a module by name (tests pass one that fails). @default a `require` relative to zenoo
 * @throws ConfigurationError saying how to install it when it is missing or cannot be loaded.
 */
export function sqliteModule(load: (name: string) => unknown = requireHere): SqliteModule {
  if (loaded !== undefined && load === requireHere) return loaded;
  try {
    const module = load('better-sqlite3') as SqliteModule;
    if (load === requireHere) loaded = module;
    return module;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigurationError(
      `The sandbox needs better-sqlite3, an optional dependency of zenoo that is not installed or could not be ` +
        `loaded here (${reason}). Install it in the project that runs zenoo: npm install better-sqlite3 ` +
        '(it downloads a prebuilt binary, or builds one where a C++ toolchain is present). Everything but the ' +
        'sandbox works without it.',
      { cause: error },
    );
  }
}
