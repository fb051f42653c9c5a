import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PlanValidationError, formatPlanProblem } from '../../../../src/errors.js';
import type { ReferenceResolver } from '../../../../src/plan/evaluate/evaluate-record.js';
import { evaluateRecord } from '../../../../src/plan/evaluate/evaluate-record.js';
import { rowEvaluator } from '../../../../src/plan/evaluate/row-evaluator.js';
import { loadPlan } from '../../../../src/plan/load/load-plan.js';
import type { Plan, PlanStep, SourceRow } from '../../../../src/plan/model/plan-types.js';

const TAGS: Record<string, number> = { VIP: 7, Retail: 8, B2B: 9 };
const calls: string[] = [];
const resolver: ReferenceResolver = {
  ref: (_step, key) => {
    calls.push(`ref ${String(key[0])}`);
    return TAGS[String(key[0])] ?? 0;
  },
  xmlid: (xmlid) => {
    calls.push(`xmlid ${xmlid}`);
    return TAGS[xmlid.slice(xmlid.indexOf('_') + 1)] ?? 0;
  },
  lookup: (_model, where) => {
    calls.push(`lookup ${JSON.stringify(where)}`);
    return TAGS[String((where[0] as unknown[])[2])] ?? 0;
  },
};

async function planFrom(values: string, extra = '', columns = '[tags, country]'): Promise<Plan> {
  const dir = mkdtempSync(join(tmpdir(), 'zenoo-values-'));
  writeFileSync(
    join(dir, 'plan.yaml'),
    `version: 1
name: values
steps:
  - { id: tags, model: res.partner.category, action: upsert, key: [name], records: [{ name: VIP }, { name: Retail }] }
  - id: people
    model: res.partner
    action: upsert
    key: [ref]
    records: [{ ref: P1, name: A, tags: "", country: "" }]
${columns ? `    template_columns: ${columns}\n` : ''}${extra}    values:
${values}
`,
  );
  return loadPlan('plan.yaml', { cwd: dir });
}

function row(values: Record<string, unknown>): SourceRow {
  return { row: 2, source: 'people.csv', values };
}

async function problems(load: Promise<unknown>): Promise<string[]> {
  try {
    await load;
  } catch (error) {
    if (error instanceof PlanValidationError) return error.problems.map(formatPlanProblem);
    throw error;
  }
  return [];
}

describe('empty values', () => {
  test('an empty cell, an all-empty template, an empty key and an empty xmlid leave their fields out', async () => {
    const plan = await planFrom(
      `      category_id: { set: [{ ref: tags, key: "\${row.tags}" }] }
      country_id: { xmlid: "base.\${row.country}" }
      title: { lookup: { model: res.partner.title, where: [[name, "=", "\${row.country}"]] } }
      comment: "\${row.tags} \${row.country}"`,
    );
    const step = plan.steps[1] as PlanStep;
    calls.length = 0;
    const record = await evaluateRecord(step, row({ ref: 'P1', name: 'A', city: '', tags: '', country: '' }), resolver);
    expect(record).toEqual({ ref: 'P1', name: 'A' });
    expect(calls).toEqual([]);
  });

  test('on_empty: clear writes false for each of them; a key field is never left out', async () => {
    const plan = await planFrom(
      `      category_id: { set: [{ ref: tags, key: "\${row.tags}" }] }
      country_id: { xmlid: "base.\${row.country}" }`,
      '    on_empty: clear\n',
    );
    const step = plan.steps[1] as PlanStep;
    expect(step.onEmpty).toBe('clear');
    const record = await evaluateRecord(step, row({ ref: 'P1', city: '', tags: '', country: '' }), resolver);
    expect(record).toEqual({ ref: 'P1', city: false, category_id: false, country_id: false });
    const leave = (await planFrom('      comment: x', '', '')).steps[1] as PlanStep;
    expect(await evaluateRecord(leave, row({ ref: '', city: '' }), resolver)).toEqual({ ref: false, comment: 'x' });
  });

  test('on_empty is a plan default that a step overrides', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-values-'));
    writeFileSync(
      join(dir, 'plan.yaml'),
      'version: 1\nname: e\ndefaults: { on_empty: clear }\nsteps:\n' +
        '  - { id: a, model: res.partner, action: create, records: [{ name: A }] }\n' +
        '  - { id: b, model: res.partner, action: create, records: [{ name: B }], on_empty: leave }\n',
    );
    const plan = await loadPlan('plan.yaml', { cwd: dir });
    expect(plan.steps.map((step) => step.onEmpty)).toEqual(['clear', 'leave']);
    writeFileSync(
      join(dir, 'bad.yaml'),
      'version: 1\nname: e\nsteps:\n  - { id: a, model: res.partner, action: create, records: [{ name: A }], on_empty: blank }\n',
    );
    expect(await problems(loadPlan('bad.yaml', { cwd: dir }))).toEqual([
      'bad.yaml:4:74  steps[0].on_empty  text "blank" is not one of leave, clear\n    hint: use one of leave, clear',
    ]);
  });
});

describe('several keys in one cell', () => {
  test('split feeds a many2many through refs, xmlids and lookups (keys trimmed, empty keys skipped)', async () => {
    const plan = await planFrom(
      `      category_id: { set: [{ ref: tags, key: "\${row.tags}", split: ";" }] }
      child_ids: { add: [{ xmlid: "base.tag_\${row.tags}", split: ";" }] }
      user_ids: { remove: [{ lookup: { model: res.partner.category, where: [[name, "=", "\${row.tags}"]] }, split: ";" }] }`,
      '',
      '[tags]',
    );
    const step = plan.steps[1] as PlanStep;
    calls.length = 0;
    const record = await evaluateRecord(step, row({ ref: 'P1', tags: 'VIP; Retail;;' }), resolver);
    expect(record).toEqual({
      ref: 'P1',
      category_id: [[6, 0, [7, 8]]],
      child_ids: [
        [4, 7, 0],
        [4, 8, 0],
      ],
      user_ids: [
        [3, 7, 0],
        [3, 8, 0],
      ],
    });
    expect(calls).toContain('xmlid base.tag_VIP');
    expect(calls).toContain('lookup [["name","=","Retail"]]');
    // An empty cell gives no key: the field is left as it is.
    expect(await evaluateRecord(step, row({ ref: 'P1', tags: '' }), resolver)).toEqual({ ref: 'P1' });
  });

  test('split is refused outside a helper, without one row column, or empty', async () => {
    const found = await problems(
      planFrom(
        `      parent_id: { ref: tags, key: "\${row.tags}", split: ";" }
      category_id: { set: [{ ref: tags, key: VIP, split: ";" }, { xmlid: "base.\${row.tags}", split: "" }] }`,
        '',
        '[tags]',
      ),
    );
    expect(found.map((problem) => problem.split('\n')[0]).filter((line) => line?.includes('.split'))).toEqual([
      'plan.yaml:12:51  steps[1].values.parent_id.split  split gives several records, so it is only allowed in an item of { set | add | remove: [...] }',
      'plan.yaml:13:51  steps[1].values.category_id.set[0].split  split needs a reference that reads exactly one ${row.COLUMN}, not 0',
      'plan.yaml:13:94  steps[1].values.category_id.set[1].split  split must be the text between keys, not empty text',
    ]);
  });
});

describe('conversion in the row evaluation', () => {
  test('a value that does not fit its field stops the row, naming the file, row and column', async () => {
    const plan = await planFrom('      comment: "${row.name}"', '', '');
    const step = plan.steps[1] as PlanStep;
    const fields = {
      ref: { type: 'char' },
      name: { type: 'char' },
      comment: { type: 'text' },
      is_company: { type: 'boolean' },
    };
    const evaluate = rowEvaluator(step, fields, resolver);
    const good = await evaluate(row({ ref: 'P1', name: 'A', is_company: 'Yes' }));
    expect(good.record).toEqual({ ref: 'P1', name: 'A', comment: 'A', is_company: true });
    expect(await problems(Promise.resolve(evaluate(row({ ref: 'P2', name: 'B', is_company: 'oui' }))))).toEqual([
      'people.csv  row 2  column "is_company": "oui" is not a boolean\n    hint: write true, 1, yes or false, 0, no (any case)',
    ]);
  });
});
