/**
 * Settles the chunks an earlier run left in doubt (sent, outcome unknown) before the resumed run diffs again: each is
 * looked up by external id or key (a delete by id), and the journal records what it found.
 *
 * @packageDocumentation
 */
import { Reconciler } from '../../batch/send/reconciler.js';
import { ApplyRun } from './apply-run.js';
import type { InDoubtChunk } from '../checkpoint/journal.js';

/**
 * Reconciles the in-doubt chunks of an unfinished journal: which of their records exist now. The {@link Reconciler}
 * is the batch engine's own, so a chunk is settled on resume exactly as it would have been had its answer been lost
 * mid-run.
 */
export async function reconcileInDoubt(
  run: ApplyRun,
  keyFieldsOf: (step: string) => readonly string[] | undefined,
  guardOf?: (step: string) => Promise<readonly unknown[] | undefined>,
): Promise<Map<string, Set<number>>> {
  const reconciler = new Reconciler(run.client);
  const call = { signal: run.options.signal };
  const called = new Map<string, Set<number>>();
  for (const chunk of run.journalState.chunksInDoubt) {
    if (chunk.action === 'call') {
      const settled = await reconcileCallInDoubt(run, reconciler, chunk, guardOf);
      const ids = called.get(chunk.step) ?? new Set<number>();
      for (const id of settled) ids.add(id);
      called.set(chunk.step, ids);
      continue;
    }
    let ids: (number | null)[] = chunk.rows.map(() => null);
    const keyFields = keyFieldsOf(chunk.step);
    if (chunk.action === 'create' && chunk.xmlids !== undefined) {
      const found = await reconciler.byXmlids(chunk.model, chunk.xmlids, call);
      // An external id whose record was deleted is dangling: the record does not exist.
      const alive = await reconciler.existing(
        chunk.model,
        found.filter((id) => id !== undefined),
        call,
      );
      ids = found.map((id) => (id !== undefined && alive.has(id) ? id : null));
    } else if (chunk.action === 'create' && chunk.keys !== undefined && keyFields !== undefined) {
      const keys = chunk.keys.map((key) => JSON.parse(key) as unknown[]);
      ids = (await reconciler.byKeys(chunk.model, keyFields, keys, call)).map((id) => id ?? null);
    } else if (chunk.ids !== undefined && chunk.action === 'delete') {
      const remaining = await reconciler.existing(chunk.model, chunk.ids, call);
      ids = chunk.ids.map((id) => (remaining.has(id) ? null : id));
    }
    await recordReconciled(run, chunk, ids);
  }
  return called;
}

/** Journals an in-doubt chunk as settled with the `ids` found (null: not written), and tells the run. */
async function recordReconciled(
  run: ApplyRun,
  chunk: InDoubtChunk,
  ids: (number | null)[],
  unknown: readonly number[] = [],
): Promise<void> {
  await run.journal.append({
    type: 'chunk-done',
    step: chunk.step,
    chunk: chunk.chunk,
    action: chunk.action,
    rows: chunk.rows,
    ids,
    reconciled: true,
    ofRun: chunk.run,
    ...(unknown.length > 0 ? { unknown: [...unknown] } : {}),
  });
  const found = ids.filter((id) => id !== null).length;
  run.emit({ type: 'reconciled', step: chunk.step, chunk: chunk.chunk, found, missing: ids.length - found });
}

/**
 * Settles a call chunk an earlier run left in doubt, and returns the ids that must not be called again. With the
 * step's domain, its ids are selected again: those that no longer match were called (the method moved them out of
 * it), those that still match were not (one call is one transaction) and the step selects them again. Without a
 * domain nothing tells whether the call ran: the ids are recorded as of unknown outcome, with an error line naming
 * them, and are never called again in this round (calling twice could confirm, post or apply twice).
 */
async function reconcileCallInDoubt(
  run: ApplyRun,
  reconciler: Reconciler,
  chunk: InDoubtChunk,
  guardOf: ((step: string) => Promise<readonly unknown[] | undefined>) | undefined,
): Promise<number[]> {
  const sent = chunk.ids ?? [];
  const guard = await guardOf?.(chunk.step);
  let ids: (number | null)[];
  let unknown: number[] = [];
  if (guard !== undefined) {
    const matching = await reconciler.matching(chunk.model, sent, guard, { signal: run.options.signal });
    ids = sent.map((id) => (matching.has(id) ? null : id));
  } else {
    ids = sent.map(() => null);
    unknown = [...sent];
    await run.journal.append({
      type: 'error',
      step: chunk.step,
      chunk: chunk.chunk,
      code: 'ERR_OUTCOME_UNKNOWN',
      message:
        `${chunk.model}: the call of step ${chunk.step} on ids [${sent.join(', ')}] was sent by an interrupted run and ` +
        'its outcome is unknown (the step has no where domain to tell). They are not called again: check them in ' +
        'Odoo, and give the step a where guard (the state the method moves records out of).',
    });
  }
  await recordReconciled(run, chunk, ids, unknown);
  return [...ids.filter((id): id is number => id !== null), ...unknown];
}
