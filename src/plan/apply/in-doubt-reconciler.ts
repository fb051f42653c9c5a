/**
 * Settles the chunks an earlier run left in doubt (sent, outcome unknown) before the resumed run diffs again: each is
 * looked up by external id or key, and the journal records what it found.
 *
 * @packageDocumentation
 */
import { keyPart, keyString } from '../model/record-key.js';
import { StateReader } from '../references/state-reader.js';
import { ApplyRun } from './apply-run.js';

/** Reconciles the in-doubt chunks of an unfinished journal: which of their records exist now. */
export async function reconcileInDoubt(
  run: ApplyRun,
  reader: StateReader,
  keyFieldsOf: (step: string) => readonly string[] | undefined,
): Promise<void> {
  for (const chunk of run.journalState.chunksInDoubt) {
    let ids: (number | null)[] = chunk.rows.map(() => null);
    const keyFields = keyFieldsOf(chunk.step);
    if (chunk.action === 'create' && chunk.xmlids !== undefined) {
      const names = chunk.xmlids.map((xmlid) => xmlid.slice(xmlid.indexOf('.') + 1));
      const module = chunk.xmlids[0]!.slice(0, chunk.xmlids[0]!.indexOf('.'));
      const found = await reader.readByXmlids(chunk.model, module, names, [], { signal: run.options.signal });
      ids = names.map((name) => found.get(name)?.id ?? null);
    } else if (chunk.action === 'create' && chunk.keys !== undefined && keyFields !== undefined) {
      const keys = chunk.keys.map((key) => JSON.parse(key) as unknown[]);
      const found = await reader.readByKeys(chunk.model, keyFields, keys, [], { signal: run.options.signal });
      const byKey = new Map(
        found.map((record) => [keyString(keyFields.map((field) => keyPart(record[field]))), record.id]),
      );
      ids = chunk.keys.map((key) => byKey.get(key) ?? null);
    } else if (chunk.ids !== undefined && chunk.action === 'delete') {
      const still = await reader.searchRead(chunk.model, [['id', 'in', [...chunk.ids]]], ['id'], {
        context: { active_test: false },
        signal: run.options.signal,
      });
      const remaining = new Set(still.map((record) => record.id));
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
