/**
 * The one place that answers "which of these records exist now?" after a write whose outcome is unknown: the batch
 * engine (through its chunk senders) when an answer is lost mid-run, and a plan's resume for the chunks an earlier
 * run left in doubt. Records are found by external id, by key, or (for a delete) by id; every answer is by position,
 * so the caller maps it back to its inputs.
 *
 * Archived records count as existing (`active_test: false`): a create that committed a record the plan archives is
 * not a missing record.
 *
 * @packageDocumentation
 */
import { LoadRowError } from '../../errors.js';
import type { CallOptions } from '../../client/types.js';
import { EXTERNAL_ID_FIELDS, externalIdDomain, splitExternalId } from '../../client/external-id-query.js';
import type { BatchClient } from '../batch-client.js';
import { keyDomain, keyPart, keyString } from './record-keys.js';

/**
 * Finds records by external id, key or id with one read each, for reconciliation and idempotent creates.
 *
 * @example
 * ```ts
 * const reconciler = new Reconciler(client);
 * const ids = await reconciler.byXmlids('res.partner', ['zenoo_seed.C1', 'zenoo_seed.C2']); // [42, undefined]
 * const byKey = await reconciler.byKeys('res.partner', ['ref'], [['C1'], ['C2']]); // [42, undefined]
 * ```
 */
export class Reconciler {
  readonly #client: BatchClient;

  constructor(client: BatchClient) {
    this.#client = client;
  }

  /**
   * The record of each external id (`module.name`), by position; `undefined` where there is none. One
   * `ir.model.data` read. Rejects with a {@link LoadRowError} when an external id belongs to another model: writing
   * under it would take over someone else's record.
   */
  async byXmlids(model: string, xmlids: readonly string[], call: CallOptions = {}): Promise<(number | undefined)[]> {
    if (xmlids.length === 0) return [];
    const parts = xmlids.map((xmlid) => splitExternalId(xmlid) ?? { module: '', name: xmlid });
    const rows = (await this.#client.executeKw(
      'ir.model.data',
      'search_read',
      [
        externalIdDomain({
          module: [...new Set(parts.map((part) => part.module))],
          name: [...new Set(parts.map((part) => part.name))],
        }),
      ],
      { fields: EXTERNAL_ID_FIELDS },
      // ir.model.data is read without the write's context: a language or company there would not change the answer.
      { ...call, context: undefined },
    )) as { module: string; name: string; model: string; res_id: number }[];
    const wanted = new Set(xmlids);
    const found = new Map<string, number>();
    for (const row of rows) {
      const xmlid = `${row.module}.${row.name}`;
      if (!wanted.has(xmlid)) continue;
      if (row.model !== model) {
        throw new LoadRowError(`external id '${xmlid}' already belongs to a ${row.model} record, not ${model}.`, 'id', {
          model,
          method: 'create',
        });
      }
      found.set(xmlid, row.res_id);
    }
    return xmlids.map((xmlid) => found.get(xmlid));
  }

  /**
   * The record of each key (one value per field of `keyFields`), by position; `undefined` where none has it. One
   * `search_read`; keys compare in their canonical form (`"42"` finds `42`, a many2one by its id).
   */
  async byKeys(
    model: string,
    keyFields: readonly string[],
    keys: readonly (readonly unknown[])[],
    call: CallOptions = {},
  ): Promise<(number | undefined)[]> {
    if (keys.length === 0) return [];
    const normalized = keys.map((key) => key.map(keyPart));
    const rows = (await this.#client.executeKw(
      model,
      'search_read',
      [keyDomain(keyFields, normalized)],
      { fields: [...keyFields] },
      { ...call, context: { ...call.context, active_test: false } },
    )) as Record<string, unknown>[];
    const byKey = new Map(
      rows.map((row) => [keyString(keyFields.map((field) => keyPart(row[field]))), row['id'] as number]),
    );
    return normalized.map((key) => byKey.get(keyString(key)));
  }

  /** Which of `ids` still exist (a delete whose outcome is unknown removed the others). One `search_read`. */
  async existing(model: string, ids: readonly number[], call: CallOptions = {}): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = (await this.#client.executeKw(
      model,
      'search_read',
      [[['id', 'in', [...ids]]]],
      { fields: ['id'] },
      { ...call, context: { ...call.context, active_test: false } },
    )) as { id: number }[];
    return new Set(rows.map((row) => row.id));
  }

  /**
   * Which of `ids` still match `guard`, the domain a call's records must match to need it (the state the method moves
   * them out of): a record that no longer matches was called. Read with the call's own context, as the records were
   * selected (archived records are not forced in).
   */
  async matching(
    model: string,
    ids: readonly number[],
    guard: readonly unknown[],
    call: CallOptions = {},
  ): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = (await this.#client.executeKw(
      model,
      'search_read',
      [[['id', 'in', [...ids]], ...guard]],
      { fields: ['id'] },
      call,
    )) as { id: number }[];
    return new Set(rows.map((row) => row.id));
  }
}
