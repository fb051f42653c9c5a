/**
 * The {@link ReferenceResolver} of diffs and applies: `{ ref }` from the keys earlier steps matched or created,
 * `{ xmlid }` and `{ lookup }` from the target (cached, so a reference repeated on every row costs one call), or from
 * the {@link ReferenceCache} the pre-write reference check filled (then without any call).
 *
 * In a dry run, a key that an earlier step will create (it does not exist yet) resolves to a {@link PendingRef}: the
 * diff shows the reference as such instead of guessing an id.
 *
 * @packageDocumentation
 */
import { ConfigurationError, PlanValidationError } from '../../errors.js';
import type { PlanProblem } from '../../errors.js';
import type { PendingRef } from '../model/diff-types.js';
import { keyString } from '../../batch/send/record-keys.js';
import type { ReferenceContext, ReferenceResolver } from '../evaluate/evaluate-record.js';
import type { KeyValue } from '../../batch/send/record-keys.js';
import { findPosition } from '../model/plan-positions.js';
import type { ReferenceCache } from './reference-cache.js';
import type { StateReader } from './state-reader.js';

/** Where a problem of a reference is, for its error message. */
function problemAt(context: ReferenceContext, message: string, hint?: string): PlanValidationError {
  const { step, row, path } = context;
  const problem: PlanProblem = row
    ? { file: row.source, path: `row ${row.row}`, message: `${path}: ${message}`, ...(hint ? { hint } : {}) }
    : { file: step.planFile, ...findPosition(step.positions, path), path, message, ...(hint ? { hint } : {}) };
  return new PlanValidationError([problem], { step: step.id, model: step.model });
}

function missingXmlid(xmlid: string, context: ReferenceContext): PlanValidationError {
  return problemAt(context, `external id ${xmlid} does not exist in the target`, 'check the module and name');
}

/** The one id a lookup found, or its problem. */
function oneMatch(model: string, where: readonly unknown[], ids: readonly number[], context: ReferenceContext): number {
  if (ids.length !== 1) {
    throw problemAt(
      context,
      `lookup of ${model} where ${JSON.stringify(where)} found ${ids.length === 0 ? 'no record' : 'several records'}`,
      'a lookup must match exactly one record: make the domain more precise',
    );
  }
  return ids[0]!;
}

/** Resolves references during one diff or apply. */
export class PlanResolver implements ReferenceResolver {
  readonly #reader: StateReader;
  /** step id → key string → record id (or pending reference in a dry run). */
  readonly #keys = new Map<string, Map<string, number | PendingRef>>();
  readonly #xmlids = new Map<string, Promise<number>>();
  readonly #lookups = new Map<string, Promise<number>>();
  readonly #checked: ReferenceCache | undefined;

  /**
   * @param reader reads what is not in `checked`.
   * @param checked external ids and lookups already resolved by the reference check of the same run.
   */
  constructor(reader: StateReader, checked?: ReferenceCache) {
    this.#reader = reader;
    this.#checked = checked;
  }

  /** Records that `key` of `stepId` is record `id` (matched or created), or will be created (`PendingRef`). */
  register(stepId: string, key: string, id: number | PendingRef): void {
    let keys = this.#keys.get(stepId);
    if (keys === undefined) {
      keys = new Map();
      this.#keys.set(stepId, keys);
    }
    keys.set(key, id);
  }

  ref(stepId: string, key: readonly KeyValue[], context: ReferenceContext): number {
    const keys = this.#keys.get(stepId);
    if (keys === undefined) {
      // The graph orders a step after every step it references; reaching this means that step failed or was skipped.
      throw problemAt(
        context,
        `refers to step "${stepId}", which has not run`,
        `fix the errors of step "${stepId}" first`,
      );
    }
    const id = keys.get(keyString(key));
    if (id === undefined) {
      throw problemAt(
        context,
        `step "${stepId}" has no record with key ${keyString(key)}`,
        `add a row with that key to step "${stepId}", or fix the key`,
      );
    }
    // A pending reference travels through the evaluator like an id; the diff renders it and apply replaces it.
    return id as number;
  }

  xmlid(xmlid: string, context: ReferenceContext): number | Promise<number> {
    const checked = this.#checked?.xmlid(xmlid);
    if (checked === null) throw missingXmlid(xmlid, context);
    if (checked !== undefined) return checked.id;
    let id = this.#xmlids.get(xmlid);
    if (id === undefined) {
      const dot = xmlid.indexOf('.');
      const module = xmlid.slice(0, dot);
      const name = xmlid.slice(dot + 1);
      id = this.#reader
        .searchRead(
          'ir.model.data',
          [
            ['module', '=', module],
            ['name', '=', name],
          ],
          ['res_id', 'model'],
          {
            signal: context.signal,
          },
        )
        .then((rows) => {
          const row = rows[0];
          if (row === undefined) throw missingXmlid(xmlid, context);
          return row['res_id'] as number;
        });
      id.catch(() => this.#xmlids.delete(xmlid));
      this.#xmlids.set(xmlid, id);
    }
    return id;
  }

  lookup(model: string, where: readonly unknown[], context: ReferenceContext): number | Promise<number> {
    const checked = this.#checked?.lookup(context.step.id, model, where);
    if (checked !== undefined) return oneMatch(model, where, checked, context);
    const cacheKey = `${model}\u0000${JSON.stringify(where)}`;
    let id = this.#lookups.get(cacheKey);
    if (id === undefined) {
      id = this.#reader.searchRead(model, where as never, ['id'], { limit: 2, signal: context.signal }).then((rows) =>
        oneMatch(
          model,
          where,
          rows.map((row) => row.id),
          context,
        ),
      );
      id.catch(() => this.#lookups.delete(cacheKey));
      this.#lookups.set(cacheKey, id);
    }
    return id;
  }

  /** The id registered for `key` of `stepId`, for a saved diff's pending references. */
  resolvePending(ref: PendingRef): number {
    const id = this.#keys.get(ref.$pending.step)?.get(ref.$pending.key);
    if (typeof id !== 'number') {
      throw new ConfigurationError(
        `The diff refers to the record with key ${ref.$pending.key} of step "${ref.$pending.step}", which was not created. ` +
          'Fix the errors of that step and apply again.',
        { step: ref.$pending.step },
      );
    }
    return id;
  }
}
