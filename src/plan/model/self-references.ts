/**
 * The references a step makes to its own records: `parent_id: { ref: staff, key: '${row.manager}' }` in step `staff`.
 * Such a step holds a hierarchy (managers, category trees, companies and their contacts); its rows are written level
 * by level, so that every record a row refers to exists before that row is sent (see `RowHierarchy`).
 *
 * Only a reference that is a field's whole value counts: that is the form a parent link takes, and its key can be read
 * from the row alone. The loader refuses the other places (inside x2many helpers, commands or lookups).
 *
 * @packageDocumentation
 */
import type { PlanStep, ValueTemplate } from './plan-types.js';

/** A `{ ref }` to the step's own records, as the value of one field. */
export interface SelfReference {
  /** The field it sets, e.g. `parent_id`. */
  readonly field: string;
  /** The reference, whose `key` templates give the referred row's key. */
  readonly template: Extract<ValueTemplate, { kind: 'ref' }>;
}

/**
 * The fields of `step` whose value is a reference to the step itself, in the order of `values:`. Empty for almost
 * every step, and then nothing of the hierarchy machinery runs.
 */
export function selfReferences(step: Pick<PlanStep, 'id' | 'values'>): SelfReference[] {
  const found: SelfReference[] = [];
  for (const [field, template] of Object.entries(step.values)) {
    if (template.kind === 'ref' && template.step === step.id) found.push({ field, template });
  }
  return found;
}
