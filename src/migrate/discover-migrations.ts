/**
 * Finds the migrations of a directory: every top-level `VERSION-NAME.yaml` file, ordered by version.
 *
 * Sub-directories are where migrations keep their data files (`records: { file: data/tags.csv }`), so they are never
 * searched. A YAML file whose name carries no version is an error rather than something to skip: it is most likely a
 * migration with a typo in its name, and skipping it would let an environment silently miss it. Other files (a README,
 * a data file at the top level) are reported as ignored.
 *
 * @packageDocumentation
 */
import { throwIfAborted } from '../util/abort.js';
import { readdir } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import { ConfigurationError, MigrationError } from '../errors.js';
import {
  MIGRATION_EXTENSIONS,
  MIGRATION_NAME_HINT,
  canonicalMigrationVersion,
  compareMigrationVersions,
  parseMigrationFileName,
} from './migration-version.js';
import type { MigrationVersionStyle } from './migration-version.js';

/** The migrations directory used when none is given, relative to the working directory. */
export const DEFAULT_MIGRATIONS_DIR = 'plans/migrations';

/** One migration file found in the directory. */
export interface MigrationFile {
  /** The version as written in the file name, e.g. `0001`. */
  readonly version: string;
  /** The name after the version, without extension, e.g. `seed-tags`. */
  readonly name: string;
  /** Absolute path of the plan file. */
  readonly file: string;
  /** Path as shown to users: relative to the working directory when inside it. */
  readonly displayPath: string;
}

/** Why an entry of the directory is not a migration. */
export type IgnoredReason = 'not-yaml' | 'directory' | 'hidden';

/** An entry of the directory that is not a migration. */
export interface IgnoredEntry {
  /** File or directory name inside the migrations directory. */
  readonly fileName: string;
  /** Why it is not a migration. */
  readonly reason: IgnoredReason;
}

/** The migrations of a directory. */
export interface MigrationSet {
  /** Absolute path of the directory. */
  readonly dir: string;
  /** The migrations, in version order. */
  readonly migrations: readonly MigrationFile[];
  /** Entries that are not migrations, in name order. */
  readonly ignored: readonly IgnoredEntry[];
  /** The version style of the directory, or undefined when it holds no migration. */
  readonly style: MigrationVersionStyle | undefined;
}

/** Options of {@link discoverMigrations}. */
export interface DiscoverMigrationsOptions {
  /** Base for relative paths and for display paths. @default process.cwd() */
  readonly cwd?: string;
  /** Cancels the scan. */
  readonly signal?: AbortSignal;
}

/**
 * Lists the migrations of `dir` (default {@link DEFAULT_MIGRATIONS_DIR}) in version order.
 *
 * Throws {@link ConfigurationError} when the directory cannot be read, and {@link MigrationError} when two files have
 * the same version (`ERR_MIGRATION_DUPLICATE`, naming both) or YAML files are misnamed (`ERR_MIGRATION_NAME`, naming
 * every one of them).
 *
 * @example
 * ```ts
 * const { migrations } = await discoverMigrations('plans/migrations');
 * for (const m of migrations) console.log(m.version, m.name);
 * ```
 */
export async function discoverMigrations(
  dir: string = DEFAULT_MIGRATIONS_DIR,
  options: DiscoverMigrationsOptions = {},
): Promise<MigrationSet> {
  if (typeof dir !== 'string' || dir === '') {
    throw new TypeError('Expected `dir` to be a non-empty path');
  }
  const cwd = options.cwd ?? process.cwd();
  const absolute = resolve(cwd, dir);
  throwIfAborted(options.signal, 'Discovering the migrations');
  let entries;
  try {
    entries = await readdir(absolute, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'ENOTDIR'
          ? 'is not a directory'
          : `cannot be read (${(error as Error).message})`;
    throw new ConfigurationError(
      `The migrations directory ${dir} ${why}. Create it and put VERSION-NAME.yaml plans in it, or pass --dir.`,
      { cause: error },
    );
  }
  const display = (path: string): string => {
    const rel = relative(cwd, path);
    return rel.startsWith('..') || rel === '' ? path : rel;
  };

  const migrations: (MigrationFile & { readonly style: MigrationVersionStyle })[] = [];
  const ignored: IgnoredEntry[] = [];
  const misnamed: string[] = [];
  for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) {
      ignored.push({ fileName: entry.name, reason: 'hidden' });
    } else if (entry.isDirectory()) {
      ignored.push({ fileName: entry.name, reason: 'directory' });
    } else if (!MIGRATION_EXTENSIONS.includes(extname(entry.name).toLowerCase())) {
      ignored.push({ fileName: entry.name, reason: 'not-yaml' });
    } else {
      const parsed = parseMigrationFileName(entry.name);
      const file = join(absolute, entry.name);
      if (parsed === undefined) {
        misnamed.push(display(file));
      } else {
        migrations.push({ ...parsed, file, displayPath: display(file) });
      }
    }
  }

  if (misnamed.length > 0) {
    throw new MigrationError(
      `${misnamed.length === 1 ? 'A file' : `${misnamed.length} files`} in the migrations directory ${display(absolute)} ` +
        `${misnamed.length === 1 ? 'has' : 'have'} no valid version in ${misnamed.length === 1 ? 'its' : 'their'} name:\n` +
        `${misnamed.map((file) => `  ${file}`).join('\n')}\n` +
        `Rename ${misnamed.length === 1 ? 'it' : 'them'}: ${MIGRATION_NAME_HINT}. ` +
        'Data files belong in a sub-directory (e.g. data/).',
      'ERR_MIGRATION_NAME',
      { files: misnamed },
    );
  }

  const styles = new Set(migrations.map((migration) => migration.style));
  if (styles.size > 1) {
    const numbered = migrations.filter((migration) => migration.style === 'numbered').map((m) => m.displayPath);
    const dated = migrations.filter((migration) => migration.style === 'dated').map((m) => m.displayPath);
    throw new MigrationError(
      `The migrations directory ${display(absolute)} mixes numbered versions (${numbered.join(', ')}) and dated ` +
        `versions (${dated.join(', ')}); their order would be meaningless. Rename the files to one style.`,
      'ERR_MIGRATION_NAME',
      { files: [...numbered, ...dated] },
    );
  }

  migrations.sort((a, b) => compareMigrationVersions(a.version, b.version) || (a.file < b.file ? -1 : 1));
  const duplicates: string[] = [];
  const duplicateVersions: string[] = [];
  for (let index = 1; index < migrations.length; index += 1) {
    const previous = migrations[index - 1];
    const current = migrations[index];
    if (
      previous !== undefined &&
      current !== undefined &&
      canonicalMigrationVersion(previous.version) === canonicalMigrationVersion(current.version)
    ) {
      duplicates.push(`  version ${current.version}: ${previous.displayPath} and ${current.displayPath}`);
      duplicateVersions.push(current.version);
    }
  }
  if (duplicates.length > 0) {
    throw new MigrationError(
      `Duplicate migration version${duplicates.length === 1 ? '' : 's'} in ${display(absolute)}:\n` +
        `${duplicates.join('\n')}\nEvery migration needs its own version: renumber one of each pair ` +
        '(if one of them was already applied somewhere, keep its version and renumber the other).',
      'ERR_MIGRATION_DUPLICATE',
      {
        versions: duplicateVersions,
        files: migrations
          .filter((m) =>
            duplicateVersions.some((v) => canonicalMigrationVersion(v) === canonicalMigrationVersion(m.version)),
          )
          .map((m) => m.displayPath),
      },
    );
  }

  return {
    dir: absolute,
    migrations: migrations.map(({ style: _style, ...migration }) => Object.freeze(migration)),
    ignored,
    style: migrations[0]?.style,
  };
}
