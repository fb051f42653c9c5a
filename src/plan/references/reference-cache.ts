/**
 * External ids and lookups that the pre-write reference check resolved against the target, kept so that the diff and
 * the apply that follow the check use them instead of reading them again.
 *
 * Only the check fills it, and only with what no step of the plan can change: external ids outside the plan's own
 * module (the plan creates records under `zenoo_<plan>` only), and lookups whose model no earlier step writes. A
 * lookup is cached for the step it was checked for: another step may run after one that creates matching records.
 *
 * The `ReferenceReader` of the check fills it as it reads; the reader of a diff or apply consults it before
 * reading anything.
 *
 * @packageDocumentation
 */

/** A record an external id points at. */
export interface CachedXmlid {
  /** The record's id (`res_id`). */
  readonly id: number;
  /** The record's model. */
  readonly model: string;
}

function lookupKey(step: string, model: string, where: readonly unknown[]): string {
  return `${step}\u0000${model}\u0000${JSON.stringify(where)}`;
}

/**
 * Resolved references, shared by {@link checkPlanReferences} (which fills it) and the diff and apply of the same plan
 * (which read it). Pass one instance to both; create a new one for every run.
 *
 * @example
 * ```ts
 * const referenceCache = new ReferenceCache();
 * const problems = await validatePlanRemote(plan, client, { referenceCache });
 * if (problems.length > 0) throw new PlanValidationError(problems);
 * await applyPlan(plan, client, { target, referencesChecked: true, referenceCache });
 * ```
 */
export class ReferenceCache {
  /** `module.name` → the record, or `null` when the target has no such external id. */
  readonly #xmlids = new Map<string, CachedXmlid | null>();
  /** step, model and domain → the ids found (at most 2: one is the answer, two means "several"). */
  readonly #lookups = new Map<string, readonly number[]>();

  /** Records what the external id `xmlid` (`module.name`) points at (`null`: it does not exist). */
  setXmlid(xmlid: string, record: CachedXmlid | null): void {
    this.#xmlids.set(xmlid, record === null ? null : Object.freeze({ id: record.id, model: record.model }));
  }

  /** What `xmlid` points at: the record, `null` when known missing, `undefined` when not resolved. */
  xmlid(xmlid: string): CachedXmlid | null | undefined {
    return this.#xmlids.get(xmlid);
  }

  /** Records the ids (at most 2) that the lookup of `model` where `where` found for step `step`. */
  setLookup(step: string, model: string, where: readonly unknown[], ids: readonly number[]): void {
    this.#lookups.set(lookupKey(step, model, where), Object.freeze(ids.slice(0, 2)));
  }

  /** The ids (at most 2) the lookup found for step `step`, or `undefined` when it was not resolved for that step. */
  lookup(step: string, model: string, where: readonly unknown[]): readonly number[] | undefined {
    return this.#lookups.get(lookupKey(step, model, where));
  }

  /** Number of external ids and lookups held. */
  get size(): number {
    return this.#xmlids.size + this.#lookups.size;
  }
}
