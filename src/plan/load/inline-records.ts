/**
 * `${env.NAME}` inside a step's inline `records:`. Inline rows are data, not templates, but a plan that keeps a
 * secret or a per-environment value out of the repository writes it as `${env.NAME}` there as it does in `values`;
 * written literally, the server would receive the placeholder text.
 *
 * Only environment placeholders are filled: a row's own columns are its values, so `${row.COLUMN}` inside a row is
 * refused rather than guessed. A missing variable is refused as in `values`. `$${` writes a literal `${`.
 *
 * @packageDocumentation
 */
import { childPath } from '../model/plan-positions.js';
import { parseTemplateString, renderTemplateString } from './template-string.js';

/** Reports a problem at a plan path (`steps[0].records[2].name`). */
export type InlineProblemSink = (path: string, message: string, hint: string) => void;

/** The rows with their environment placeholders filled, and the variables they used (for the plan's fingerprint). */
export interface InterpolatedInlineRecords {
  readonly rows: readonly Record<string, unknown>[];
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Fills `${env.NAME}` in every string of `rows` (nested lists and maps included). Problems go to `report` with the
 * path of the cell; a row with a problem is kept as written, so that the load reports every problem in one run.
 *
 * @example
 * ```ts
 * interpolateInlineRecords([{ ref: 'A', comment: 'by ${env.WHO}' }], 'steps[0].records', { WHO: 'ops' }, report);
 * // → { rows: [{ ref: 'A', comment: 'by ops' }], env: { WHO: 'ops' } }
 * ```
 */
export function interpolateInlineRecords(
  rows: readonly Record<string, unknown>[],
  recordsPath: string,
  env: Readonly<Record<string, string | undefined>>,
  report: InlineProblemSink,
): InterpolatedInlineRecords {
  const { value, env: used } = interpolateEnvValue(rows, recordsPath, env, report);
  return { rows: value as Record<string, unknown>[], env: used };
}

/**
 * Fills `${env.NAME}` in every string of a plain JSON value (nested lists and maps included), as in inline records:
 * `${row.COLUMN}` is refused, a missing variable is refused. Also used for the `args` and `kwargs` of a call step.
 */
export function interpolateEnvValue(
  input: unknown,
  inputPath: string,
  env: Readonly<Record<string, string | undefined>>,
  report: InlineProblemSink,
): { readonly value: unknown; readonly env: Readonly<Record<string, string>> } {
  const used: Record<string, string> = {};
  const fill = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') return value.includes('${') ? fillString(value, path) : value;
    if (Array.isArray(value)) return value.map((item, index) => fill(item, childPath(path, index)));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, childPath(path, key))]));
    }
    return value;
  };
  const fillString = (text: string, path: string): unknown => {
    const parsed = parseTemplateString(text);
    if (!parsed.ok) {
      report(path, parsed.message, parsed.hint);
      return text;
    }
    let complete = true;
    const scope: Record<string, string> = {};
    for (const part of parsed.parts) {
      if (part.kind === 'row') {
        report(
          path,
          `\${row.${part.column}} is not filled inside records`,
          "write the value itself: a row's columns are its values (use ${row.COLUMN} in values)",
        );
        complete = false;
      } else if (part.kind === 'env') {
        const value = env[part.name];
        if (value === undefined) {
          report(
            path,
            `environment variable ${part.name} is not set`,
            `set ${part.name} before running (export ${part.name}=...), or remove \${env.${part.name}}`,
          );
          complete = false;
        } else {
          scope[part.name] = value;
          used[part.name] = value;
        }
      }
    }
    return complete ? renderTemplateString(parsed.parts, { row: undefined, env: scope }) : text;
  };
  return { value: fill(input, inputPath), env: used };
}
