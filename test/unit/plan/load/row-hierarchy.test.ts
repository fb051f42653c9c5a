import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../../../src/plan/load/load-plan.js';
import { RowHierarchy } from '../../../../src/plan/load/row-hierarchy.js';
import type { PlanStep, SourceRow } from '../../../../src/plan/model/plan-types.js';

/** The `staff` step of a one-step plan (an employee tree keyed by email, `manager` naming the parent's email). */
async function staffStep(): Promise<PlanStep> {
  const dir = mkdtempSync(join(tmpdir(), 'zenoo-hierarchy-'));
  writeFileSync(
    join(dir, 'plan.yaml'),
    [
      'version: 1',
      'name: tree',
      'steps:',
      '  - id: staff',
      '    model: hr.employee',
      '    action: upsert',
      '    key: [work_email]',
      '    records: [{ work_email: a@x, manager: "" }]',
      '    template_columns: [manager]',
      "    values: { parent_id: { ref: staff, key: '${row.manager}' } }",
      '',
    ].join('\n'),
  );
  return (await loadPlan(join(dir, 'plan.yaml'))).steps[0]!;
}

function row(number: number, email: string, manager: string): SourceRow {
  return { row: number, source: 'staff.csv', values: { work_email: email, manager } };
}

describe('RowHierarchy', () => {
  it('orders rows by level whatever the file order; a parent outside the file is level 0', async () => {
    const hierarchy = new RowHierarchy<number>(await staffStep(), (source) => source.row);
    for (const source of [
      row(2, 'e@x', 'c@x'),
      row(3, 'd@x', 'b@x'),
      row(4, 'c@x', 'b@x'),
      row(5, 'b@x', 'a@x'),
      row(6, 'a@x', ''),
      row(7, 'z@x', 'elsewhere@x'),
    ])
      hierarchy.add(source);
    const { levels, cycles, declared } = hierarchy.finish();
    expect(cycles).toEqual([]);
    expect(levels).toEqual([[6, 7], [5], [3, 4], [2]]);
    expect(declared.has('["c@x"]')).toBe(true);
    expect(declared.has('["elsewhere@x"]')).toBe(false);
  });

  it('finds every cycle, from its first row in file order, and leaves out rows only downstream of one', async () => {
    const hierarchy = new RowHierarchy(await staffStep());
    for (const source of [
      row(2, 'a@x', 'c@x'),
      row(3, 'below@x', 'a@x'),
      row(4, 'b@x', 'a@x'),
      row(5, 'c@x', 'b@x'),
      row(6, 'self@x', 'self@x'),
      row(7, 'fine@x', ''),
    ])
      hierarchy.add(source);
    const { levels, cycles } = hierarchy.finish();
    expect(levels).toEqual([]);
    expect(cycles.map((cycle) => cycle.map((link) => `${link.row}→${link.toRow}`))).toEqual([
      ['2→5', '5→4', '4→2'],
      ['6→6'],
    ]);
    expect(cycles[0]![0]).toEqual({ row: 2, key: '["a@x"]', field: 'parent_id', toRow: 5, toKey: '["c@x"]' });
  });

  it('orders a chain of 200 000 rows listed leaves first, and finds a cycle as long, without recursion', async () => {
    const step = await staffStep();
    const count = 200_000;
    const chain = new RowHierarchy<number>(step, (source) => source.row);
    for (let i = count; i >= 1; i -= 1) chain.add(row(count - i + 1, `e${i}@x`, i === 1 ? '' : `e${i - 1}@x`));
    const ordered = chain.finish();
    expect(ordered.levels).toHaveLength(count);
    expect(ordered.levels[0]).toEqual([count]);
    const loop = new RowHierarchy(step);
    for (let i = 1; i <= count; i += 1) loop.add(row(i, `e${i}@x`, `e${i === count ? 1 : i + 1}@x`));
    const { cycles } = loop.finish();
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(count);
  });
});
