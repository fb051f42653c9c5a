/**
 * Migration versions: the prefix of a migration file name that orders it among the others.
 *
 * Two styles exist, and one directory uses one of them:
 *
 * - numbered: `0001-seed-tags.yaml` (any run of digits);
 * - dated: `2026-11-29-1200-seed-tags.yaml` (`YYYY-MM-DD-HHMM`), which lets branches add migrations without
 *   renumbering each other's.
 *
 * Versions compare numerically part by part, so `0010` comes after `0009` and `0002` is the same version as `2`
 * (two files with those prefixes are duplicates).
 *
 * @packageDocumentation
 */

/** How a migration's version is written. */
export type MigrationVersionStyle = 'numbered' | 'dated';

/** A migration file name split into its parts. */
export interface ParsedMigrationName {
  /** The version as written in the file name, e.g. `0001` or `2026-11-29-1200`. */
  readonly version: string;
  /** The rest of the name without the extension, e.g. `seed-tags`. */
  readonly name: string;
  /** Which style the version is written in. */
  readonly style: MigrationVersionStyle;
}

/** The file extensions of migration files (plans are YAML). */
export const MIGRATION_EXTENSIONS: readonly string[] = Object.freeze(['.yaml', '.yml']);

/** What a migration file name must look like, for messages. */
export const MIGRATION_NAME_HINT =
  'name migration files VERSION-NAME.yaml, with VERSION a number (0001-seed-tags.yaml) or a date and time ' +
  '(2026-11-29-1200-seed-tags.yaml), and NAME made of letters, digits, ".", "_" and "-"';

// The dated form is tried first: `2026-11-29-1200-x` also matches the numbered form with version `2026`.
const DATED = /^(\d{4}-\d{2}-\d{2}-\d{4})-([A-Za-z0-9][A-Za-z0-9._-]*)\.ya?ml$/;
const NUMBERED = /^(\d+)-([A-Za-z0-9][A-Za-z0-9._-]*)\.ya?ml$/;

/**
 * Splits a migration file name (no directory) into version and name, or returns undefined when it does not follow
 * either naming style.
 */
export function parseMigrationFileName(fileName: string): ParsedMigrationName | undefined {
  const dated = DATED.exec(fileName);
  if (dated !== null) {
    const version = dated[1] ?? '';
    const [, month, day, time] = version.split('-').map(Number) as [number, number, number, number];
    const hours = Math.floor(time / 100);
    const minutes = time % 100;
    // A "date" that is not one (month 13, 25:00) is more likely a typo than an intent: refuse it as a name problem.
    if (month < 1 || month > 12 || day < 1 || day > 31 || hours > 23 || minutes > 59) {
      return undefined;
    }
    return { version, name: dated[2] ?? '', style: 'dated' };
  }
  const numbered = NUMBERED.exec(fileName);
  if (numbered !== null) {
    return { version: numbered[1] ?? '', name: numbered[2] ?? '', style: 'numbered' };
  }
  return undefined;
}

/** The parts of a version without leading zeros, so that `0002` and `2` are equal. */
function versionParts(version: string): string[] {
  return version.split('-').map((part) => part.replace(/^0+(?=\d)/, ''));
}

/**
 * The canonical form of a version (`0002` → `2`, `2026-01-05-0930` → `2026-1-5-930`): two versions are the same
 * migration slot exactly when their canonical forms are equal.
 */
export function canonicalMigrationVersion(version: string): string {
  return versionParts(version).join('-');
}

/**
 * Orders two versions numerically, part by part (negative when `a` comes first). Works on versions of any length,
 * without converting to floating-point numbers.
 */
export function compareMigrationVersions(a: string, b: string): number {
  const left = versionParts(a);
  const right = versionParts(b);
  const length = Math.max(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const x = left[index];
    const y = right[index];
    if (x === undefined || y === undefined) {
      return x === undefined ? -1 : 1;
    }
    if (x.length !== y.length) {
      return x.length - y.length;
    }
    if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/** Whether `version` is written like a migration version (either style). */
export function isMigrationVersion(version: string): boolean {
  return parseMigrationFileName(`${version}-x.yaml`)?.version === version;
}
