/**
 * Settles the chunks an earlier run left in doubt (sent, outcome unknown) before the resumed run diffs again: each is
 * looked up by external id or key (a delete by id), and the journal records what it found.
 *
 * @packageDocumentation
 */
import { Reconciler } from '../../batch/send/reconciler.js';
import { ApplyRun } from './apply-run.js';

/**
 * Reconciles the in-doubt chunks of an unfinished journal: which of their records exist now. The {@link Reconciler}
 * is the batch engine's own, so a chunk is settled on resume exactly as it would have been had its answer been lost
 * mid-run.
 */
export async function reconcileInDoubt(
  run: ApplyRun,
  keyFieldsOf: (step: string) => readonly string[] | undefined,
): Promise<void> {
  const reconciler = new Reconciler(run.client);
  const call = { signal: run.options.signal };
  for (const chunk of run.journalState.chunksInDoubt) {
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
    const found = ids.filter((id) => id !== null).length;
    await run.journal.append({
      type: 'chunk-done',
      step: chunk.step,
      chunk: chunk.chunk,
      action: chunk.action,
      rows: chunk.rows,
      ids,
      reconciled: true,
      ofRun: chunk.run,
    });
    run.emit({ type: 'reconciled', step: chunk.step, chunk: chunk.chunk, found, missing: ids.length - found });
  }
}
