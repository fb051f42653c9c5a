/**
 * The one zenoo version: read from the package manifest, recorded in journals and the migrations ledger, shown by
 * `zenoo --version`.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';

/** The zenoo version (from package.json), or `'unknown'` when the manifest cannot be read. */
export const ZENOO_VERSION: string = (() => {
  try {
    // src/version.ts and dist/version.js are both one level below the package root.
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
})();
