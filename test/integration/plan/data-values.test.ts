/**
 * Values from data files against the sandbox: an empty cell leaves the field as it is (on create and on update, no
 * change in the diff) unless `on_empty: clear`; an empty key in a set, or an empty external id template, leaves the
 * field alone; one cell holding several keys feeds a many2many; a value that does not fit its field is refused by
 * `validate --remote` with its file, row and column, before anything is written.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatPlanProblem } from '../../../src/errors.js';
import { validatePlanRemote } from '../../../src/plan/check/check-plan-fields.js';
import { computeDiff } from '../../../src/plan/diff/diff-plan.js';
import { loadPlan } from '../../../src/plan/load/load-plan.js';
import type { Plan } from '../../../src/plan/model/plan-types.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

const odoo = withSandbox();
const target = { url: 'sandbox:test', db: 'sandbox' };
let counter = 0;

/** A plan over one CSV (tags VIP, Retail, B2B first), in a fresh directory. */
async function planWith(csv: string, step: string, defaults = ''): Promise<{ plan: Plan; name: string }> {
  counter += 1;
  const name = `dv-${counter}`;
  const dir = mkdtempSync(join(tmpdir(), 'zenoo-values-'));
  writeFileSync(join(dir, 'people.csv'), csv.replaceAll('NAME', name));
  writeFileSync(
    join(dir, 'plan.yaml'),
    `version: 1
name: ${name}
${defaults}
steps:
  - { id: tags, model: res.partner.category, action: upsert, key: [name], records: [{ name: VIP }, { name: Retail }, { name: B2B }] }
  - id: people
    model: res.partner
    action: upsert
    key: [ref]
    records: { file: people.csv }
${step.replaceAll('NAME', name)}
`,
  );
  return { plan: await loadPlan('plan.yaml', { cwd: dir }), name };
}

async function tag(name: string): Promise<number> {
  const [found] = await odoo.client.search('res.partner.category', [['name', '=', name]]);
  return found ?? (await odoo.client.create('res.partner.category', { name }));
}

async function partner(values: Record<string, unknown>): Promise<number> {
  return odoo.client.create('res.partner', values);
}

describe('values from data files', () => {
  test('an empty cell leaves the field as it is: not sent on create, no change on update', async () => {
    const vip = await tag('VIP');
    const be = (await odoo.client.search('res.country', [['code', '=', 'BE']]))[0]!;
    counter += 1;
    const ref = `dv-old-${counter}`;
    await partner({ name: 'Old', ref, city: 'Gent', is_company: true, category_id: [[6, 0, [vip]]], country_id: be });
    const { plan } = await planWith(
      `ref,name,city,is_company,tier,country\n${ref},Old,,,,\nNAME-new,New,,,,\n`,
      '    template_columns: [tier, country]\n' +
        "    values: { category_id: { set: [{ ref: tags, key: '${row.tier}' }] }, country_id: { xmlid: 'base.${row.country}' } }",
    );
    const diff = await computeDiff(plan, odoo.client, { target });
    const people = diff.steps.find((step) => step.step === 'people')!;
    expect(people.updates).toEqual([]);
    expect(people.unchanged).toBe(1);
    expect(people.creates).toHaveLength(1);
    expect(people.creates[0]!.values).toEqual({ ref: expect.stringMatching(/-new$/), name: 'New' });
  });

  test('on_empty: clear writes false for the empty cells, references and helpers instead', async () => {
    const vip = await tag('VIP');
    counter += 1;
    const ref = `dv-clear-${counter}`;
    await partner({ name: 'Old', ref, city: 'Gent', category_id: [[6, 0, [vip]]] });
    const { plan } = await planWith(
      `ref,name,city,tier\n${ref},Old,,\n`,
      "    template_columns: [tier]\n    on_empty: clear\n    values: { category_id: { set: [{ ref: tags, key: '${row.tier}' }] } }",
    );
    const diff = await computeDiff(plan, odoo.client, { target });
    const changes = diff.steps.find((step) => step.step === 'people')!.updates[0]!.changes;
    expect(changes).toEqual([
      { field: 'city', before: 'Gent', after: false },
      { field: 'category_id', before: [vip], after: false },
    ]);
  });

  test('a cell holding several keys (VIP;Retail) feeds a many2many through a split reference', async () => {
    const ids = { VIP: await tag('VIP'), Retail: await tag('Retail'), B2B: await tag('B2B') };
    counter += 1;
    const ref = `dv-split-${counter}`;
    await partner({ name: 'Old', ref, category_id: [[6, 0, [ids.B2B]]] });
    const { plan } = await planWith(
      `ref,name,tags\n${ref},Old,VIP; Retail\n`,
      "    template_columns: [tags]\n    values: { category_id: { set: [{ ref: tags, key: '${row.tags}', split: ';' }] } }",
    );
    const diff = await computeDiff(plan, odoo.client, { target });
    const [update] = diff.steps.find((step) => step.step === 'people')!.updates;
    expect(update!.changes).toEqual([
      { field: 'category_id', before: [ids.B2B], after: [[6, 0, [ids.VIP, ids.Retail]]] },
    ]);
  });

  test('validate --remote refuses values that do not fit, naming file, row and column, and writes nothing', async () => {
    const before = await odoo.client.searchCount('res.partner', []);
    const { plan } = await planWith(
      'ref,name,is_company,customer_rank,parent_id\nNAME-1,A,oui,3,\nNAME-2,B,yes,1.5,Acme\n',
      "    values: { comment: 'x' }",
    );
    const problems = (await validatePlanRemote(plan, odoo.client)).map(formatPlanProblem);
    expect(problems).toEqual([
      'people.csv:2  row 2  column "is_company": "oui" is not a boolean\n    hint: write true, 1, yes or false, 0, no (any case)',
      'people.csv:3  row 3  column "customer_rank": "1.5" is not an integer\n    hint: write a whole number such as 42 or -7 (digits only)',
      'people.csv:3  row 3  column "parent_id": "Acme" is not a record id\n    hint: give a database id (a positive whole number), or turn the column into a reference in values ({ ref }, { xmlid } or { lookup }) and list it in template_columns',
    ]);
    expect(await odoo.client.searchCount('res.partner', [])).toBe(before);
  });
});
