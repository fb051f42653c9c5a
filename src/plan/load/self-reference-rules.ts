/**
 * What a step that refers to itself must look like (see `selfReferences`): the reference is a field's whole value,
 * and the step's key comes from the row alone (a column, or text / `${row.COLUMN}` / `${env.NAME}` in values; the
 * reference's own key is always such a template).
 * Then the rows' hierarchy is known from the file before anything is read from the server: cycles are refused at load
 * time, and the rows are written level by level.
 *
 * @packageDocumentation
 */
import { childPath } from '../model/plan-positions.js';
import type { ValueTemplate } from '../model/plan-types.js';
import { stepReferences } from '../model/template-walk.js';
import type { PathProblem } from './value-template.js';

/** The parts of a step the rules read (a step as the loader drafts it). */
export interface SelfReferencingDraft {
  readonly id: string | undefined;
  readonly path: string;
  readonly key: readonly string[];
  readonly values: Readonly<Record<string, ValueTemplate>>;
}

function fromRow(template: ValueTemplate): boolean {
  return template.kind === 'string' || template.kind === 'literal';
}

/** The problems of the step's references to itself (none for a step without any). */
export function selfReferenceProblems(draft: SelfReferencingDraft): PathProblem[] {
  const { id } = draft;
  if (id === undefined) return [];
  const problems: PathProblem[] = [];
  const valuesPath = childPath(draft.path, 'values');
  let selfReferencing = false;
  for (const reference of stepReferences({ values: draft.values, where: undefined })) {
    if (reference.kind !== 'ref' || reference.step !== id) continue;
    selfReferencing = true;
    const field = Object.keys(draft.values).find((name) => draft.values[name] === reference);
    if (field !== undefined) continue;
    problems.push({
      path: childPath(reference.path, 'ref'),
      message: `a reference to its own step "${id}" can only be a field's whole value`,
      hint: `write it as the value of the field that links to the parent record, e.g. parent_id: { ref: ${id}, key: "\${row.parent}" }`,
    });
  }
  if (!selfReferencing) return problems;
  for (const field of draft.key) {
    const template = draft.values[field];
    if (template === undefined || fromRow(template)) continue;
    problems.push({
      path: childPath(valuesPath, field),
      message: `step "${id}" refers to itself, so its key field "${field}" must come from the row, not from a reference`,
      hint: 'give the key field as a column or as text / ${row.COLUMN} in values, or choose other key fields',
    });
  }
  return problems;
}
