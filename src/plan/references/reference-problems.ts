/**
 * The one wording of what can be wrong with an external id or a lookup. The pre-write reference check and the
 * resolver of a diff or apply both report through these builders, so a user sees the same message and hint whether the
 * problem was caught up front or only when its step was reached. Where the problem is (file, row, plan path) is added
 * by the caller: only it knows the place.
 *
 * @packageDocumentation
 */
import type { LookupOutcome } from './reference-reader.js';

/** What is wrong, and what to do about it. */
export interface ReferenceMessage {
  /** What is wrong, naming the external id or the lookup's model and domain. */
  readonly message: string;
  /** What to do about it. */
  readonly hint: string;
}

/** The lookup as messages name it: its model and its domain as JSON (what the plan wrote, after evaluation). */
function lookupName(model: string, where: readonly unknown[]): string {
  return `lookup of ${model} where ${JSON.stringify(where)}`;
}

/** The external id `xmlid` is not in the target's `ir.model.data`. */
export function missingExternalId(xmlid: string): ReferenceMessage {
  return {
    message: `external id ${xmlid} does not exist in the target`,
    hint: 'check the module and name, and that the module defining it is installed',
  };
}

/** The external id `xmlid` points at a `model` record, but the field it is written to, `field`, holds `relation`. */
export function externalIdOfOtherModel(
  xmlid: string,
  model: string,
  field: string,
  relation: string,
): ReferenceMessage {
  return {
    message: `external id ${xmlid} is a ${model} record, but "${field}" points to ${relation}`,
    hint: `use the external id of a ${relation} record`,
  };
}

/** The lookup of `model` where `where` matched nothing. */
export function lookupFoundNone(model: string, where: readonly unknown[]): ReferenceMessage {
  return {
    message: `${lookupName(model, where)} found no record`,
    hint: `a lookup must match exactly one existing ${model} record: fix the domain, or create the record first`,
  };
}

/**
 * The lookup of `model` where `where` matched more than one record; `count` says how many when it was counted (the
 * check counts them, a run stops at two and says "several").
 */
export function lookupFoundSeveral(model: string, where: readonly unknown[], count?: number): ReferenceMessage {
  return {
    message: `${lookupName(model, where)} found ${count === undefined ? 'several' : count} records`,
    hint: 'a lookup must match exactly one record: make the domain more precise',
  };
}

/** The server refused the lookup's domain (`fault` is its message): a value of the wrong type, an unknown operator. */
export function lookupCannotRun(model: string, where: readonly unknown[], fault: string): ReferenceMessage {
  return { message: `${lookupName(model, where)} cannot run: ${fault}`, hint: 'fix the domain of the lookup' };
}

/** What is wrong with a lookup's outcome, or `undefined` when it found exactly one record. */
export function lookupProblem(
  model: string,
  where: readonly unknown[],
  outcome: LookupOutcome,
): ReferenceMessage | undefined {
  if ('fault' in outcome) return lookupCannotRun(model, where, outcome.fault);
  if (outcome.ids.length === 0) return lookupFoundNone(model, where);
  if (outcome.ids.length > 1) return lookupFoundSeveral(model, where, outcome.count);
  return undefined;
}
