/**
 * The one way zenoo asks `ir.model.data` about external ids (`module.name`): how an id splits into its module and
 * name, and the domain that finds one of them or many at once. It sits in the client layer so that the client's own
 * `resolveXmlId`, the batch engine's chunk sender and the plan's reference reader (and through it the state reader)
 * build the same query.
 *
 * @packageDocumentation
 */
import type { Domain } from './types.js';

/** An external id split at its first dot. */
export interface ExternalIdParts {
  /** The module part (`base` of `base.be`). */
  readonly module: string;
  /** The name part (`be` of `base.be`). */
  readonly name: string;
}

/**
 * What to look for in `ir.model.data`: one module or several, one name or several, optionally of one model. A single
 * value is matched with `=`, a list with `in`.
 */
export interface ExternalIdQuery {
  readonly module: string | readonly string[];
  readonly name: string | readonly string[];
  /** Only external ids of records of this model. */
  readonly model?: string | undefined;
}

/** The fields of `ir.model.data` every external id read asks for: enough to group the rows and to check the model. */
export const EXTERNAL_ID_FIELDS: readonly string[] = Object.freeze(['module', 'name', 'model', 'res_id']);

/**
 * `module` and `name` of `xmlid`, or `undefined` when it is not `module.name` (no dot, or an empty part). Odoo's
 * modules have no dot in their name, so the first dot separates them; the name may hold more dots.
 */
export function splitExternalId(xmlid: string): ExternalIdParts | undefined {
  const dot = typeof xmlid === 'string' ? xmlid.indexOf('.') : -1;
  if (dot <= 0 || dot === xmlid.length - 1) return undefined;
  return { module: xmlid.slice(0, dot), name: xmlid.slice(dot + 1) };
}

/**
 * The `ir.model.data` domain of `query`. Several modules and several names read the pairs of their cross product (a
 * superset of the pairs asked for): one call, and the caller keeps the pairs it wants.
 */
export function externalIdDomain(query: ExternalIdQuery): Domain {
  const leaf = (field: string, value: string | readonly string[]): readonly [string, string, unknown] =>
    typeof value === 'string' ? [field, '=', value] : [field, 'in', [...value]];
  const domain = [leaf('module', query.module), leaf('name', query.name)];
  if (query.model !== undefined) domain.push(['model', '=', query.model]);
  return domain;
}
