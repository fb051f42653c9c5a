/**
 * The JSON form of a {@link Diff} (`zenoo plan diff --format json`, `--out plan.json`) and its reader.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { ConfigurationError } from '../../errors.js';
import { DIFF_FORMAT_VERSION } from '../model/diff-types.js';
import type { Diff } from '../model/diff-types.js';

/** Renders a diff as pretty JSON (2 spaces, trailing newline). Key order is the Diff's, so outputs are stable. */
export function renderDiffJson(diff: Diff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}

/**
 * Parses a saved diff, checking its format version and shape. `file` names the source in error messages.
 *
 * @throws ConfigurationError when the text is not a diff this version can apply.
 */
export function parseDiffJson(text: string, file: string): Diff {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(
      `${file}: not valid JSON (${(error as Error).message}). Save a diff with \`zenoo plan diff PLAN --out ${file}\`.`,
    );
  }
  const candidate = parsed as Partial<Diff> | null;
  if (typeof candidate !== 'object' || candidate === null || !('formatVersion' in candidate)) {
    throw new ConfigurationError(
      `${file}: not a zenoo diff (no formatVersion). Save one with \`zenoo plan diff PLAN --out ${file}\`.`,
    );
  }
  if (candidate.formatVersion !== DIFF_FORMAT_VERSION) {
    throw new ConfigurationError(
      `${file}: diff format version ${String(candidate.formatVersion)} is not supported by this zenoo (it reads version ${DIFF_FORMAT_VERSION}). ` +
        'Produce the diff again with this version.',
    );
  }
  const problems: string[] = [];
  if (typeof candidate.plan?.name !== 'string' || typeof candidate.plan.fingerprint !== 'string') {
    problems.push('plan.name / plan.fingerprint');
  }
  if (typeof candidate.target?.url !== 'string' || typeof candidate.target.db !== 'string') {
    problems.push('target.url / target.db');
  }
  if (typeof candidate.stateFingerprint !== 'string') {
    problems.push('stateFingerprint');
  }
  if (!Array.isArray(candidate.steps)) {
    problems.push('steps');
  } else {
    candidate.steps.forEach((step, index) => {
      if (
        typeof step?.step !== 'string' ||
        typeof step.model !== 'string' ||
        !Array.isArray(step.creates) ||
        !Array.isArray(step.updates) ||
        !Array.isArray(step.deletes) ||
        typeof step.unchanged !== 'number' ||
        (step.calls !== undefined && (typeof step.calls?.method !== 'string' || !Array.isArray(step.calls.records)))
      ) {
        problems.push(`steps[${index}]`);
      }
    });
  }
  if (problems.length > 0) {
    throw new ConfigurationError(
      `${file}: the diff is damaged (missing or invalid: ${problems.join(', ')}). Produce it again.`,
    );
  }
  return candidate as Diff;
}

/** Reads and parses a saved diff file. */
export async function readDiffFile(file: string): Promise<Diff> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigurationError(`Cannot read the diff ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseDiffJson(text, file);
}
