/**
 * The fields the reference check needs when its caller did not read them: those of every step's model and of every
 * lookup's model.
 *
 * @packageDocumentation
 */
import type { FieldInfo } from '../../client/types.js';
import type { ModelFields } from '../model/model-fields.js';
import type { Plan } from '../model/plan-types.js';
import { stepReferences } from '../model/template-walk.js';
import type { ReferenceCheckClient } from './reference-check-options.js';

/** The `fields_get` attributes the check needs when it fetches field metadata itself. */
/** Field attributes the reference check reads. */
export const CHECK_FIELD_ATTRIBUTES: readonly string[] = ['type', 'relation', 'string', 'required', 'readonly'];

/** Field metadata of every model the plan's steps and lookups use, fetched through `client`. */
/** Reads the fields of every model the plan's steps and lookups name. */
export async function fetchModels(
  plan: Plan,
  client: ReferenceCheckClient,
  signal: AbortSignal | undefined,
): Promise<ModelFields> {
  const names = new Set<string>();
  for (const step of plan.steps) {
    names.add(step.model);
    for (const node of stepReferences(step)) if (node.kind === 'lookup') names.add(node.model);
  }
  const models = new Map<string, Readonly<Record<string, FieldInfo>>>();
  for (const model of names) {
    models.set(
      model,
      await client.fieldsGet(model, { attributes: CHECK_FIELD_ATTRIBUTES, ...(signal ? { signal } : {}) }),
    );
  }
  return models;
}
