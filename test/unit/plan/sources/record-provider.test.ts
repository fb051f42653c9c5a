// The contract every record provider keeps, run against each of them: the same rows give the same stream (order,
// numbering, source), batches are never empty, an abort stops the stream, and a file provider refuses a changed file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AbortError, PlanValidationError } from '../../../../src/errors.js';
import { loadPlan } from '../../../../src/plan/load/load-plan.js';
import type { Plan, SourceRow } from '../../../../src/plan/model/plan-types.js';
import { openRecordBatches, openRecords } from '../../../../src/plan/sources/record-provider.js';

const ROWS = 1200; // more than one batch of inline rows

async function planWithBothSources(): Promise<{ plan: Plan; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'zenoo-provider-'));
  const rows = Array.from({ length: ROWS }, (_, i) => ({ ref: `R${i}`, name: `Name ${i}` }));
  writeFileSync(join(dir, 'rows.jsonl'), rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
  writeFileSync(
    join(dir, 'plan.yaml'),
    [
      'version: 1',
      'name: providers',
      'steps:',
      '  - { id: inline, model: res.partner, action: upsert, key: [ref], records: ' + JSON.stringify(rows) + ' }',
      '  - { id: file, model: res.partner, action: upsert, key: [ref], records: { file: rows.jsonl } }',
      '',
    ].join('\n'),
  );
  return { plan: await loadPlan(join(dir, 'plan.yaml')), dir };
}

async function collect(plan: Plan, stepId: string, signal?: AbortSignal): Promise<SourceRow[][]> {
  const step = plan.steps.find((candidate) => candidate.id === stepId)!;
  const batches: SourceRow[][] = [];
  for await (const batch of openRecordBatches(plan, step, { signal })) batches.push(batch);
  return batches;
}

describe('record providers keep one contract', () => {
  it('inline and file give the same rows, in order, numbered from 1, in non-empty batches', async () => {
    const { plan } = await planWithBothSources();
    for (const id of ['inline', 'file']) {
      const batches = await collect(plan, id);
      expect(batches.length).toBeGreaterThan(1);
      expect(batches.every((batch) => batch.length > 0)).toBe(true);
      const rows = batches.flat();
      expect(rows).toHaveLength(ROWS);
      expect(rows.map((row) => row.row)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
      expect(rows[7]!.values).toEqual({ ref: 'R7', name: 'Name 7' });
    }
    const step = plan.steps[0]!;
    let count = 0;
    for await (const row of openRecords(plan, step)) count += row.row > 0 ? 1 : 0;
    expect(count).toBe(ROWS);
  });

  it('an abort stops either stream with an AbortError', async () => {
    const { plan } = await planWithBothSources();
    for (const id of ['inline', 'file']) {
      await expect(collect(plan, id, AbortSignal.abort())).rejects.toBeInstanceOf(AbortError);
    }
  });

  it('a data file changed after the plan was loaded ends the stream with a PlanValidationError', async () => {
    const { plan, dir } = await planWithBothSources();
    writeFileSync(join(dir, 'rows.jsonl'), '{"ref":"X","name":"changed"}\n');
    await expect(collect(plan, 'file')).rejects.toBeInstanceOf(PlanValidationError);
    await expect(collect(plan, 'file')).rejects.toThrow(/the data file changed after the plan was loaded/);
    // Inline rows are part of the plan's own fingerprint: nothing to re-check.
    expect((await collect(plan, 'inline')).flat()).toHaveLength(ROWS);
  });
});
