import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { FieldInfo } from '../../../../src/client/types.js';
import { formatPlanProblem } from '../../../../src/errors.js';
import { checkPlanFields, planModels } from '../../../../src/plan/check/check-plan-fields.js';
import { loadPlan } from '../../../../src/plan/load/load-plan.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const captured = JSON.parse(readFileSync(join(root, 'test/fixtures/odoo/fields-odoo-17.0.json'), 'utf8')) as Record<
  string,
  Record<string, FieldInfo>
>;
const models = new Map(Object.entries(captured).filter(([model]) => !model.includes(':')));

const PLAN = `version: 1
name: fields
steps:
  - { id: tags, model: res.partner.category, action: upsert, key: [name], records: [{ name: VIP, colour: 3 }] }
  - id: partners
    model: res.partner
    action: upsert
    key: [ref]
    template_columns: [tier]
    records: { file: partners.csv }
    values:
      is_company: "yes"
      type: company
      category_id: { ref: tags, key: "\${row.tier}" }
      parent_id: { set: [{ ref: tags, key: VIP }] }
      title: { ref: tags, key: VIP }
      emial_verified: true
  - id: cleanup
    model: res.partner
    action: delete
    where: [[emial, "=like", "%@old.example"], [country_id.code, "=", BE]]
`;

describe('checkPlanFields', () => {
  test('the example plan fits Odoo 17 field metadata', async () => {
    const plan = await loadPlan('plans/example.yaml', { cwd: root });
    expect(planModels(plan)).toEqual(['res.partner.category', 'res.partner']);
    expect(await checkPlanFields(plan, models)).toEqual([]);
  });

  test('typos, wrong types, misused references and bad selection values are named with the closest fields', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-fields-'));
    writeFileSync(
      join(dir, 'partners.csv'),
      'ref,name,emial,tier,company_type\nC1,Acme,a@x.example,VIP,company\nC2,Bcme,b@x.example,VIP,shop\n',
    );
    writeFileSync(join(dir, 'plan.yaml'), PLAN);
    const plan = await loadPlan('plan.yaml', { cwd: dir });
    const problems = (await checkPlanFields(plan, models)).map(formatPlanProblem);
    expect(problems).toEqual([
      'plan.yaml:4:75  steps[0].records  column "colour" of the inline records is not a field of res.partner.category\n    hint: did you mean "color"? If it only feeds templates, list it in template_columns.',
      'plan.yaml:12:7  steps[1].values.is_company  "yes" does not fit field "is_company" of type boolean\n    hint: write a boolean value',
      'plan.yaml:13:7  steps[1].values.type  "company" is not a value of selection field "type"\n    hint: use one of contact, invoice, delivery, other',
      'plan.yaml:14:7  steps[1].values.category_id  a reference gives one record id, but "category_id" is a many2many field\n    hint: wrap it: { set: [ ... ] } or { add: [ ... ] }',
      'plan.yaml:15:7  steps[1].values.parent_id  { set: [...] } writes x2many fields, but "parent_id" is a many2one field\n    hint: give one reference, without set/add/remove',
      'plan.yaml:16:16  steps[1].values.title.ref  "title" points to res.partner.title, but step "tags" holds res.partner.category records\n    hint: reference a step of model res.partner.title',
      'plan.yaml:17:7  steps[1].values.emial_verified  "emial_verified" is not a field of res.partner\n    hint: check the field names with fields_get',
      'plan.yaml:10:5  steps[1].records  column "emial" of partners.csv is not a field of res.partner\n    hint: did you mean "email"? If it only feeds templates, list it in template_columns.',
      'partners.csv:3  row 3  "shop" is not a value of selection field "company_type"\n    hint: use one of person, company',
      'plan.yaml:21:14  steps[2].where[0][0]  "emial" is not a field of res.partner\n    hint: did you mean "email"?',
    ]);
  });

  test('required fields must be given to creates, and not left empty in rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-required-'));
    writeFileSync(join(dir, 'tags.jsonl'), '{"name": "A", "color": 1}\n{"name": "", "color": 2}\n');
    writeFileSync(
      join(dir, 'plan.yaml'),
      'version: 1\nname: r\nsteps:\n  - { id: countries, model: res.country, action: create, records: [{ name: Atlantis }] }\n  - { id: tags, model: res.partner.category, action: create, records: { file: tags.jsonl } }\n',
    );
    const plan = await loadPlan('plan.yaml', { cwd: dir });
    expect((await checkPlanFields(plan, models)).map(formatPlanProblem)).toEqual([
      'plan.yaml:4:5  steps[0]  required field "code" (Country Code) of res.country is not given\n    hint: add a "code" column to the records or set it in values',
      'tags.jsonl:2  row 2  required field "name" is empty\n    hint: every record of step "tags" needs a name',
    ]);
  });
});
