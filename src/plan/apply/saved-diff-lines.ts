/**
 * The staleness check of a saved diff's line changes: a document's lines must be as they were read (the same line
 * ids), and every line it changes or deletes must still exist with the same `write_date`. A document that an
 * interrupted apply of the same diff already wrote is recognised by its lines: its line ids changed (lines added or
 * deleted in that one call), so it is done and must not be sent again (`(0, 0, vals)` would add its lines twice);
 * with the same ids, its call did not commit or held only in-place updates, and sending it again is safe.
 *
 * @packageDocumentation
 */
import type { DiffUpdate, StepDiff } from '../model/diff-types.js';
import type { ReadRecord, StateReader } from '../references/state-reader.js';

/** Records read per call. */
const CHUNK = 500;

/** What the check found: why the diff is stale, and the documents an earlier run of this diff already wrote. */
export interface SavedLinesCheck {
  readonly stale: string[];
  readonly done: ReadonlySet<number>;
}

function sameIds(left: readonly number[], right: readonly number[]): boolean {
  if (left.length !== right.length) return false;
  const set = new Set(left);
  return right.every((id) => set.has(id));
}

async function readIds(
  reader: StateReader,
  model: string,
  ids: readonly number[],
  fields: readonly string[],
  context: Readonly<Record<string, unknown>>,
  signal: AbortSignal | undefined,
): Promise<Map<number, ReadRecord>> {
  const found = new Map<number, ReadRecord>();
  for (let start = 0; start < ids.length; start += CHUNK) {
    const rows = await reader.searchRead(model, [['id', 'in', ids.slice(start, start + CHUNK)]], fields, {
      context: { ...context, active_test: false },
      signal,
    });
    for (const row of rows) found.set(row.id, row);
  }
  return found;
}

/** Checks the line changes of a saved diff's step (see the module comment). */
export async function checkSavedLines(
  step: StepDiff,
  reader: StateReader,
  touched: ReadonlySet<number>,
  signal?: AbortSignal,
): Promise<SavedLinesCheck> {
  const stale: string[] = [];
  const done = new Set<number>();
  const withLines = step.updates.filter((update): update is DiffUpdate & Required<Pick<DiffUpdate, 'lines'>> =>
    Boolean(update.lines),
  );
  if (withLines.length === 0) return { stale, done };
  const fields = [...new Set(withLines.flatMap((update) => Object.keys(update.lines)))];
  const documents = await readIds(
    reader,
    step.model,
    withLines.map((update) => update.id),
    fields,
    step.context ?? {},
    signal,
  );
  // Lines changed or deleted, per lines model, to check their write dates.
  const byModel = new Map<string, { id: number; writeDate: string | false; document: DiffUpdate }[]>();
  for (const update of withLines) {
    const now = documents.get(update.id);
    // A document deleted since is reported by the documents' own check.
    if (now === undefined) continue;
    const label = `${step.model} #${update.id} "${update.displayName}" (step ${step.step})`;
    const changedIds = Object.entries(update.lines).some(([field, lines]) => {
      const current = Array.isArray(now[field]) ? (now[field] as number[]) : [];
      return lines.lineIds !== undefined && !sameIds(current, lines.lineIds);
    });
    if (touched.has(update.id)) {
      if (changedIds) done.add(update.id);
      continue;
    }
    if (changedIds) {
      stale.push(`${label} has other lines than when read (lines were added or deleted)`);
      continue;
    }
    for (const lines of Object.values(update.lines)) {
      const list = byModel.get(lines.model) ?? [];
      for (const line of [...lines.updates, ...lines.deletes])
        list.push({ id: line.id, writeDate: line.writeDate, document: update });
      byModel.set(lines.model, list);
    }
  }
  for (const [model, lines] of byModel) {
    const current = await readIds(
      reader,
      model,
      lines.map((line) => line.id),
      ['write_date'],
      step.context ?? {},
      signal,
    );
    for (const line of lines) {
      const now = current.get(line.id);
      const label = `${model} #${line.id} (a line of ${step.model} #${line.document.id} "${line.document.displayName}", step ${step.step})`;
      if (now === undefined) stale.push(`${label} was deleted`);
      else if (now['write_date'] !== line.writeDate)
        stale.push(`${label} changed at ${String(now['write_date'])} (read at ${String(line.writeDate)})`);
    }
  }
  return { stale, done };
}
