/**
 * Deterministic external ids of the records a plan creates: `zenoo_<plan name>.<step id>_<hash>`, the hash taken over
 * the record's key (or its row number when the step has no key). The same plan row always gets the same external id,
 * so a create can be reconciled after a crash (is the external id there?) and never duplicated.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';

/** The `ir.model.data` module of a plan's external ids: `zenoo_` + the plan name made safe. */
export function planModule(planName: string): string {
  return `zenoo_${planName.replace(/[^A-Za-z0-9_]+/g, '_')}`;
}

/**
 * The `name` part of a record's external id: the step id made safe, then 16 hex digits of the sha256 of the key
 * (a {@link keyString}) or of `row:<n>` for a step without key.
 */
export function recordXmlidName(stepId: string, identity: { readonly key: string } | { readonly row: number }): string {
  const source = 'key' in identity ? `key:${identity.key}` : `row:${identity.row}`;
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  return `${stepId.replace(/[^A-Za-z0-9_-]+/g, '_')}_${hash}`;
}

/** The full external id (`module.name`) of a record of a plan step. */
export function recordXmlid(
  planName: string,
  stepId: string,
  identity: { readonly key: string } | { readonly row: number },
): string {
  return `${planModule(planName)}.${recordXmlidName(stepId, identity)}`;
}
