/**
 * The display names of the records a step's relational values point at, so that a reviewer reads
 * `country_id: "Netherlands" → "Germany"` and tags by name rather than `#165 → #57`. Read once per dry run: one
 * `search_read` of `display_name` per related model and batch of ids (archived records included), never during an
 * apply, which does not show values.
 *
 * @packageDocumentation
 */
import type { FieldInfo } from '../../client/types.js';
import type { DiffCreate, DiffUpdate, RecordNames } from '../model/diff-types.js';
import { isPendingRef } from '../model/diff-types.js';
import type { StateReader } from '../references/state-reader.js';

/** Names already read in this dry run, by model and id: shared by its steps, so no name is read twice. */
export type NameCache = Map<string, Map<number, string>>;

/** Ids read per call. */
const NAMES_PER_READ = 1000;

const RELATIONAL = new Set(['many2one', 'many2many', 'one2many']);

/** Every record id a relational value holds: an id, `[id, name]`, an id list, or x2many commands. */
function idsOf(value: unknown, into: Set<number>): void {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) {
    into.add(value);
    return;
  }
  if (!Array.isArray(value) || isPendingRef(value)) return;
  if (value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string') {
    into.add(value[0]);
    return;
  }
  for (const item of value) {
    if (Array.isArray(item) && typeof item[0] === 'number' && item[0] >= 0 && item[0] <= 6) {
      // A command: (1|2|3|4, id, …) names a record, (6, 0, ids) a list of them.
      const [code, id, payload] = item as [number, unknown, unknown];
      if (code >= 1 && code <= 4) idsOf(id, into);
      if (code === 6) idsOf(payload, into);
    } else idsOf(item, into);
  }
}

/**
 * The names of the records the creates' values and the updates' before and after values point at, per field. A
 * many2one read as `[id, name]` brings its own name; the other ids are read, unless `known` (the dry run's cache)
 * has them.
 */
export async function readRecordNames(
  fields: Readonly<Record<string, FieldInfo>>,
  creates: readonly DiffCreate[],
  updates: readonly DiffUpdate[],
  reader: StateReader,
  signal?: AbortSignal,
  known: NameCache = new Map(),
): Promise<RecordNames | undefined> {
  const wanted = new Map<string, Set<number>>();
  const want = (field: string, value: unknown): void => {
    const info = fields[field];
    if (info === undefined || !RELATIONAL.has(info.type) || info.relation === undefined) return;
    let ids = wanted.get(field);
    if (ids === undefined) wanted.set(field, (ids = new Set()));
    idsOf(value, ids);
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string') {
      let names = known.get(info.relation);
      if (names === undefined) known.set(info.relation, (names = new Map()));
      names.set(value[0], value[1]);
    }
  };
  for (const create of creates) for (const [field, value] of Object.entries(create.values)) want(field, value);
  for (const update of updates) {
    for (const change of update.changes) {
      want(change.field, change.before);
      want(change.field, change.after);
    }
  }
  if (wanted.size === 0) return undefined;
  // One read per related model for the ids whose name is not known yet.
  const byModel = new Map<string, Set<number>>();
  for (const [field, ids] of wanted) {
    const relation = fields[field]!.relation!;
    const names = known.get(relation);
    let missing = byModel.get(relation);
    if (missing === undefined) byModel.set(relation, (missing = new Set()));
    for (const id of ids) if (!names?.has(id)) missing.add(id);
  }
  for (const [model, ids] of byModel) {
    const list = [...ids];
    if (list.length === 0) continue;
    let names = known.get(model);
    if (names === undefined) known.set(model, (names = new Map()));
    for (let start = 0; start < list.length; start += NAMES_PER_READ) {
      // Only the name: an empty field list would read every field of the record.
      const records = await reader.searchRead(
        model,
        [['id', 'in', list.slice(start, start + NAMES_PER_READ)]],
        ['display_name'],
        {
          context: { active_test: false },
          signal,
        },
      );
      for (const record of records) {
        if (typeof record['display_name'] === 'string') names.set(record.id, record['display_name']);
      }
    }
  }
  const result: Record<string, Record<string, string>> = {};
  for (const [field, ids] of wanted) {
    const names = known.get(fields[field]!.relation!);
    const entries = [...ids].flatMap((id) => {
      const name = names?.get(id);
      return name === undefined ? [] : [[String(id), name] as const];
    });
    if (entries.length > 0) result[field] = Object.fromEntries(entries);
  }
  return Object.keys(result).length > 0 ? result : undefined;
}
