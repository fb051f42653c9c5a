/**
 * The staleness check of a saved diff (`zenoo plan apply plan.json`): the diff is applied only if the target still
 * is as it was read. Every record it would update or delete must still exist with the same `write_date`; every record
 * it would create must still be absent (by external id, and by key); every record it would call a method on must
 * still match the step's domain. Records that an interrupted apply of the same diff
 * already wrote are not stale: they are what the diff asked for.
 *
 * @packageDocumentation
 */
import { StaleDiffError } from '../../errors.js';
import type { Diff, DiffCalls, StepDiff } from '../model/diff-types.js';
import { stillMatching } from '../diff/diff-call.js';
import { keyString } from '../../batch/send/record-keys.js';
import { keyPart } from '../../batch/send/record-keys.js';
import type { ReadRecord, StateReader } from '../references/state-reader.js';
import { checkSavedLines } from './saved-diff-lines.js';

/** How many records are read per call when checking a saved diff. */
export const STALE_CHECK_CHUNK = 500;

/** At most this many stale records are listed in the error message (all are in `StaleDiffError.records`). */
const LISTED = 20;

/** Options of {@link prepareSavedDiff}. */
export interface PrepareSavedDiffOptions {
  /** True when an unfinished journal of this diff exists (records it wrote are done, not stale). */
  readonly resumed: boolean;
  /** Per step, ids that earlier runs of this diff sent updates or deletes for. */
  readonly touched: ReadonlyMap<string, ReadonlySet<number>>;
  /** Per step, keys that earlier runs of this diff sent creates for. @default none */
  readonly sentKeys?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Cancels the reads. */
  readonly signal?: AbortSignal | undefined;
}

/** What remains to apply of a saved diff, and the records earlier runs already created (step → key → id). */
export interface SavedDiffWork {
  readonly steps: readonly StepDiff[];
  readonly existing: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/**
 * The reviewed records of a call step that still match its selection (its domain, or just existing without one).
 * Those an interrupted run of this diff called are done (they left the domain because of that run); any other that
 * no longer matches makes the diff stale, named in `stale`. A pending selection is made again when the step runs.
 */
async function checkSavedCalls(
  step: StepDiff,
  calls: DiffCalls,
  reader: StateReader,
  touched: ReadonlySet<number>,
  stale: string[],
  signal: AbortSignal | undefined,
): Promise<DiffCalls> {
  if (calls.pendingSelection === true) return calls;
  const matching = new Set<number>();
  for (const part of chunks(calls.records, STALE_CHECK_CHUNK)) {
    const found = await stillMatching(
      { model: step.model, context: step.context ?? {}, where: calls.where, reader, signal },
      part.map((record) => record.id),
    );
    for (const id of found.keys()) matching.add(id);
  }
  const records = calls.records.filter((record) => {
    if (matching.has(record.id)) return true;
    if (!touched.has(record.id))
      stale.push(
        `${step.model} #${record.id} "${record.displayName}" (step ${step.step}) no longer matches the selection of ${calls.method}` +
          (calls.where === undefined ? ' (it was deleted)' : ` (${JSON.stringify(calls.where)})`),
      );
    return false;
  });
  return { ...calls, records };
}

/**
 * Checks a saved diff against the target and returns what remains to apply.
 *
 * @throws StaleDiffError naming every record that changed, disappeared or appeared since the diff was made.
 */
export async function prepareSavedDiff(
  diff: Diff,
  reader: StateReader,
  options: PrepareSavedDiffOptions,
): Promise<SavedDiffWork> {
  const stale: string[] = [];
  const steps: StepDiff[] = [];
  const existing = new Map<string, Map<string, number>>();
  const { signal } = options;
  for (const step of diff.steps) {
    const touched = options.touched.get(step.step) ?? new Set<number>();
    const label = (id: number, name: string): string => `${step.model} #${id} "${name}" (step ${step.step})`;

    // Updates and deletes: same write_date as when read.
    const ids = [...step.updates.map((update) => update.id), ...step.deletes.map((remove) => remove.id)];
    const current = new Map<number, ReadRecord>();
    for (const part of chunks(ids, STALE_CHECK_CHUNK)) {
      const rows = await reader.searchRead(step.model, [['id', 'in', part]], ['write_date', 'display_name'], {
        context: { ...step.context, active_test: false },
        signal,
      });
      for (const row of rows) current.set(row.id, row);
    }
    const updates = step.updates.filter((update) => {
      const now = current.get(update.id);
      if (now === undefined) {
        stale.push(`${label(update.id, update.displayName)} was deleted`);
        return false;
      }
      if (now['write_date'] !== update.writeDate && !touched.has(update.id)) {
        stale.push(
          `${label(update.id, update.displayName)} changed at ${String(now['write_date'])} (read at ${String(update.writeDate)})`,
        );
      }
      return true;
    });
    const deletes = step.deletes.filter((remove) => {
      const now = current.get(remove.id);
      if (now === undefined) {
        // Deleted by an earlier run of this diff: done. Deleted by someone else: the target changed.
        if (!touched.has(remove.id)) stale.push(`${label(remove.id, remove.displayName)} was already deleted`);
        return false;
      }
      if (now['write_date'] !== remove.writeDate && !touched.has(remove.id)) {
        stale.push(
          `${label(remove.id, remove.displayName)} changed at ${String(now['write_date'])} (read at ${String(remove.writeDate)})`,
        );
      }
      return true;
    });

    // Creates: still absent by external id (an earlier run of this diff may have created them: then they are done).
    const created = new Map<string, number>();
    const byModule = new Map<string, string[]>();
    for (const create of step.creates) {
      if (create.xmlid === undefined) continue;
      const dot = create.xmlid.indexOf('.');
      const list = byModule.get(create.xmlid.slice(0, dot)) ?? [];
      list.push(create.xmlid.slice(dot + 1));
      byModule.set(create.xmlid.slice(0, dot), list);
    }
    for (const [module, names] of byModule) {
      for (const part of chunks(names, STALE_CHECK_CHUNK)) {
        const found = await reader.readByXmlids(step.model, module, part, [], { context: step.context, signal });
        for (const [name, record] of found) created.set(`${module}.${name}`, record.id);
      }
    }
    const keyed = step.creates.filter((create) => create.key !== undefined);
    const keyFields = keyed.length > 0 ? step.keyFields : undefined;
    const byKey = new Map<string, number>();
    if (keyFields !== undefined) {
      for (const part of chunks(keyed, STALE_CHECK_CHUNK)) {
        const rows = await reader.readByKeys(
          step.model,
          keyFields,
          part.map((create) => JSON.parse(create.key!) as unknown[]),
          [],
          {
            context: step.context,
            signal,
          },
        );
        for (const row of rows) byKey.set(keyString(keyFields.map((field) => keyPart(row[field]))), row.id);
      }
    }
    const keys = new Map<string, number>();
    const creates = step.creates.filter((create) => {
      const id = create.xmlid === undefined ? undefined : created.get(create.xmlid);
      const sameKey = create.key === undefined ? undefined : byKey.get(create.key);
      // Created by an earlier run of this diff (its journal sent that external id or key): done, not stale.
      const ours =
        options.resumed &&
        (id !== undefined || (create.key !== undefined && options.sentKeys?.get(step.step)?.has(create.key) === true));
      if (ours && (id ?? sameKey) !== undefined) {
        if (create.key !== undefined) keys.set(create.key, (id ?? sameKey)!);
        return false;
      }
      if (id !== undefined || sameKey !== undefined) {
        stale.push(
          `${step.model} ${create.key === undefined ? `row ${create.row}` : `key ${create.key}`} (step ${step.step}) now exists as #${id ?? sameKey}`,
        );
        return false;
      }
      return true;
    });
    if (keys.size > 0) existing.set(step.step, keys);
    // Documents with lines: their lines as read, and those an interrupted run of this diff already wrote (done).
    const lines = await checkSavedLines(step, reader, touched, signal);
    stale.push(...lines.stale);
    const remaining = lines.done.size === 0 ? updates : updates.filter((update) => !lines.done.has(update.id));
    const calls =
      step.calls === undefined ? undefined : await checkSavedCalls(step, step.calls, reader, touched, stale, signal);
    steps.push({ ...step, creates, updates: remaining, deletes, ...(calls === undefined ? {} : { calls }) });
  }
  if (stale.length > 0) {
    const more = stale.length > LISTED ? `\n  … and ${stale.length - LISTED} more` : '';
    throw new StaleDiffError(
      `The saved diff of plan "${diff.plan.name}" (read at ${diff.createdAt}) is stale: ${stale.length} record${stale.length === 1 ? '' : 's'} changed since:\n  ` +
        `${stale.slice(0, LISTED).join('\n  ')}${more}\nMake a new diff (zenoo plan diff PLAN --out FILE), review it, and apply that one.`,
      stale,
    );
  }
  return { steps, existing };
}
