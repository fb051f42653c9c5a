/**
 * Whether a required field that a create does not give is a problem. `required: true` in `fields_get` does not mean
 * "a plan must give it": on a company database most required fields are filled by the server (a default from
 * `default_get`, a computation, a company-dependent property, a related field, the records of a one2many, a parent
 * record `_inherits` creates, or the model's own `create`). A pre-write check must never refuse what the server would
 * accept, so only a field nothing can fill is an error; one the server may fill is a warning at most.
 *
 * @packageDocumentation
 */
import type { FieldInfo } from '../../client/types.js';

/** What to say about a required field a create does not give. */
export type RequiredFieldVerdict =
  { readonly kind: 'filled' } | { readonly kind: 'warning'; readonly why: string } | { readonly kind: 'error' };

/** A field's `depends`, `related` and `company_dependent` attributes (asked from `fields_get`, see FIELD_ATTRIBUTES). */
type FieldFacts = FieldInfo & {
  readonly depends?: readonly string[];
  readonly related?: string | false;
  readonly company_dependent?: boolean;
};

/**
 * The many2one links to a parent record that the model's create makes itself: required plain many2ones that other
 * fields are related through. That is a delegated parent (`_inherits`: `product_tmpl_id.name` on product.product) or
 * a mixin's record (hr.employee's `resource_id.name`, `resource_id.tz`…: resource.mixin creates the resource). Such a
 * link is never given by a plan.
 */
export function delegatedParents(fields: Readonly<Record<string, FieldInfo>>): Set<string> {
  const parents = new Set<string>();
  for (const field of Object.values(fields) as FieldFacts[]) {
    const related = typeof field.related === 'string' ? field.related : '';
    const link = related.split('.')[0];
    const linkField = link ? (fields[link] as FieldFacts | undefined) : undefined;
    // The link itself is a plain required many2one (product.product's categ_id is related through the template).
    if (related.includes('.') && linkField?.type === 'many2one' && linkField.required && !linkField.related) {
      parents.add(link!);
    }
  }
  return parents;
}

/**
 * The verdict on required field `name` of a model when a create does not give it.
 *
 * @param defaults - the fields `default_get` gave a value for.
 * @param parents - the model's delegated parent links ({@link delegatedParents}).
 */
export function requiredFieldVerdict(
  name: string,
  field: FieldInfo,
  defaults: ReadonlySet<string>,
  parents: ReadonlySet<string>,
): RequiredFieldVerdict {
  const facts = field as FieldFacts;
  if (defaults.has(name) || field.type === 'one2many' || parents.has(name)) return { kind: 'filled' };
  if (facts.company_dependent === true) return { kind: 'warning', why: 'it is company-dependent (a property)' };
  if (typeof facts.related === 'string' && facts.related !== '') {
    return { kind: 'warning', why: `it is related (${facts.related}): the server fills it from the linked record` };
  }
  if (Array.isArray(facts.depends) && facts.depends.length > 0) {
    return { kind: 'warning', why: `it is computed from ${facts.depends.join(', ')}` };
  }
  // A model's own create may make the linked record (hr.employee's resource_id through resource.mixin, as the company
  // captures show): only the server knows, so a missing many2one is a warning, never a refusal.
  if (field.type === 'many2one') {
    return { kind: 'warning', why: "the model's own create may fill it (as hr.employee's creates its resource)" };
  }
  return { kind: 'error' };
}
