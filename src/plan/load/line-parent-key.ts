/**
 * The parent key a line row names (`parent: '${row.order}'`, a list for a parent step with several key fields), as
 * the canonical key text the parent's rows are matched with. Load checks every line row's parent this way and the
 * diff groups lines by it, so both agree on which document a line belongs to.
 *
 * @packageDocumentation
 */
import { keyPart, keyString } from '../../batch/send/record-keys.js';
import type { PlanStep, SourceRow, ValueTemplate } from '../model/plan-types.js';
import { renderTemplateString } from './template-string.js';

/**
 * The canonical key (see `keyString`) that `parent` gives for a line row, or `undefined` when every part is empty.
 * Parent templates are text or placeholders only (load refuses references there).
 *
 * @throws TemplateValueError when a placeholder cannot be filled (a missing column or variable).
 */
export function lineParentKey(
  parent: readonly ValueTemplate[],
  row: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string>>,
): string | undefined {
  const parts = parent.map((template) => {
    if (template.kind === 'literal') return keyPart(template.value);
    if (template.kind === 'string') return keyPart(renderTemplateString(template.parts, { row, env }));
    return null;
  });
  if (parts.every((part) => part === null)) return undefined;
  return keyString(parts);
}

/**
 * The key a document row has for its lines (canonical text), computed as line rows name it: from the row's columns,
 * or the step's literal or text `values:` of its key fields, before any conversion (a line row's `parent` is text as
 * well). `undefined` when a key field is computed by a reference: only the run knows it.
 *
 * @throws TemplateValueError when a placeholder cannot be filled (a missing column or variable).
 */
export function documentKey(step: Pick<PlanStep, 'key' | 'values' | 'env'>, row: SourceRow): string | undefined {
  const parts: unknown[] = [];
  for (const field of step.key) {
    const template = step.values[field];
    if (template === undefined) parts.push(keyPart(row.values[field]));
    else if (template.kind === 'literal') parts.push(keyPart(template.value));
    else if (template.kind === 'string')
      parts.push(keyPart(renderTemplateString(template.parts, { row: row.values, env: step.env })));
    else return undefined;
  }
  return keyString(parts);
}
