/**
 * validatePlanRemote's reference checks against the sandbox: literal external ids (one batched ir.model.data read),
 * row-independent lookups (search_count), `{ ref }` keys against the referenced step's declared records (literal keys
 * and `${row...}` keys of every data-file row), all reported at once with their place, before anything is written; and
 * a wrong database or login surfacing as itself rather than as missing models.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { AuthenticationError, ConfigurationError, RpcFault, formatPlanProblem } from '../../../src/errors.js';
import { validatePlanRemote } from '../../../src/plan/check/check-plan-fields.js';
import type { FieldsGetClient } from '../../../src/plan/check/check-plan-fields.js';
import { loadPlan } from '../../../src/plan/load/load-plan.js';
import type { Plan } from '../../../src/plan/model/plan-types.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

const odoo = withSandbox();

beforeAll(async () => {
  // Two tags with the same colour, so that a lookup on colour matches several records.
  await odoo.client.create('res.partner.category', [
    { name: 'Existing A', color: 7 },
    { name: 'Existing B', color: 7 },
  ]);
});

/** Writes `files` (plan.yaml and data files) into a new directory and loads plan.yaml from there. */
async function planFrom(files: Record<string, string>): Promise<Plan> {
  const dir = mkdtempSync(join(tmpdir(), 'zenoo-refs-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return loadPlan('plan.yaml', { cwd: dir });
}

function writesSoFar(): number {
  return Object.values(odoo.sandbox.stats.writes).reduce(
    (sum, byMethod) => sum + Object.values(byMethod).reduce((a, b) => a + b, 0),
    0,
  );
}

function calls(method: string): number {
  return odoo.sandbox.stats.callsByMethod[method] ?? 0;
}

describe('references checked before the first write', () => {
  test('missing external ids, lookups matching 0 or 2 records, and missing ref keys are reported at once', async () => {
    const companies = ['ref,name', ...Array.from({ length: 3 }, (_, i) => `C${i + 1},Company ${i + 1}`)].join('\n');
    // Rows 3..10 point at companies that are not declared; a handful are reported, the rest counted.
    const contacts = [
      'email,name,company',
      'a1@x.example,A1,C1',
      ...Array.from({ length: 8 }, (_, i) => `m${i}@x.example,M${i},C${90 + i}`),
      'e@x.example,Empty company,',
    ].join('\n');
    const plan = await planFrom({
      'data/companies.csv': `${companies}\n`,
      'data/contacts.csv': `${contacts}\n`,
      'plan.yaml': [
        'version: 1',
        'name: refs',
        'steps:',
        '  - id: companies',
        '    model: res.partner',
        '    action: upsert',
        '    key: [ref]',
        '    records: { file: data/companies.csv }',
        '    values:',
        '      country_id: { xmlid: base.atlantis }',
        '      category_id: { set: [{ xmlid: base.be }, { lookup: { model: res.partner.category, where: [[color, "=", 7]] } }] }',
        '  - id: contacts',
        '    model: res.partner',
        '    action: create',
        '    key: [email]',
        '    records: { file: data/contacts.csv }',
        '    template_columns: [company]',
        '    values:',
        '      parent_id: { ref: companies, key: "${row.company}" }',
        '      country_id: { lookup: { model: res.country, where: [[code, "=", ZZ]] } }',
        '  - id: boss',
        '    model: res.partner',
        '    action: upsert',
        '    key: [ref]',
        '    records: [{ ref: B1, name: Boss, company: C1 }, { ref: B2, name: Other, company: C404 }]',
        '    template_columns: [company]',
        '    values: { parent_id: { ref: companies, key: "${row.company}" } }',
        '  - id: branch',
        '    model: res.partner',
        '    action: upsert',
        '    key: [ref]',
        '    records: [{ ref: X1, name: Branch }]',
        '    values: { parent_id: { ref: companies, key: C77 } }',
        '',
      ].join('\n'),
    });
    const before = writesSoFar();
    const xmlidReads = calls('ir.model.data.search_read');
    const problems = (await validatePlanRemote(plan, odoo.client)).map(formatPlanProblem);
    const hint = (key: string): string =>
      `    hint: add a record whose key (ref) is ${key} to step "companies" (data/companies.csv), or fix the key`;
    expect(problems).toEqual([
      'plan.yaml:10:21  steps[0].values.country_id.xmlid  external id base.atlantis does not exist in the target\n' +
        '    hint: check the module and name, and that the module defining it is installed',
      'plan.yaml:11:30  steps[0].values.category_id.set[0].xmlid  external id base.be is a res.country record, but "category_id" points to res.partner.category\n' +
        '    hint: use the external id of a res.partner.category record',
      'plan.yaml:11:50  steps[0].values.category_id.set[1].lookup  lookup of res.partner.category where [["color","=",7]] found 2 records\n' +
        '    hint: a lookup must match exactly one record: make the domain more precise',
      'plan.yaml:20:21  steps[1].values.country_id.lookup  lookup of res.country where [["code","=","ZZ"]] found no record\n' +
        '    hint: a lookup must match exactly one existing res.country record: fix the domain, or create the record first',
      ...[90, 91, 92, 93, 94].map(
        (n, i) =>
          `data/contacts.csv:${i + 3}  row ${i + 3}  step "companies" has no record with key ["C${n}"] (referenced by steps[1].values.parent_id)\n${hint(`["C${n}"]`)}`,
      ),
      'plan.yaml:12:5  steps[1]  ... and 3 more references to missing keys in step "contacts"\n' +
        '    hint: fix the ones above and validate again',
      `plan.yaml:25:53  steps[2].records[1]  step "companies" has no record with key ["C404"] (referenced by steps[2].values.parent_id)\n${hint('["C404"]')}`,
      `plan.yaml:33:44  steps[3].values.parent_id.key  step "companies" has no record with key ["C77"]\n${hint('["C77"]')}`,
    ]);
    // All external ids in one read; nothing written.
    expect(calls('ir.model.data.search_read') - xmlidReads).toBe(1);
    expect(writesSoFar()).toBe(before);
    expect(await odoo.client.searchCount('res.partner', [['ref', 'in', ['C1', 'B1', 'X1']]])).toBe(0);
  });

  test('a valid plan passes: keys the plan will create, one-match lookups, existing external ids', async () => {
    const plan = await planFrom({
      'data/companies.jsonl': '{"ref": 42, "name": "Answer Ltd"}\n{"ref": "ACME", "name": "Acme"}\n',
      'data/contacts.csv': 'email,name,company\nj@x.example,Jane,42\nk@x.example,Kim,ACME\nn@x.example,Nobody,\n',
      'plan.yaml': [
        'version: 1',
        'name: refs-ok',
        'steps:',
        '  - id: tags',
        '    model: res.partner.category',
        '    action: upsert',
        '    key: [name]',
        '    records: [{ name: Brand new }]',
        '  - id: companies',
        '    model: res.partner',
        '    action: upsert',
        '    key: [ref]',
        '    depends_on: [tags]',
        '    records: { file: data/companies.jsonl }',
        '    values:',
        '      country_id: { xmlid: base.be }',
        // Created by the step above, so not on the server yet: not checked against the server's state.
        '      category_id: { set: [{ lookup: { model: res.partner.category, where: [[name, "=", Brand new]] } }] }',
        '  - id: contacts',
        '    model: res.partner',
        '    action: create',
        '    key: [email]',
        '    records: { file: data/contacts.csv }',
        '    template_columns: [company]',
        '    values:',
        '      parent_id: { ref: companies, key: "${row.company}" }',
        '      country_id: { lookup: { model: res.country, where: [[code, "=", FR]] } }',
        '  - id: branch',
        '    model: res.partner',
        '    action: upsert',
        '    key: [ref]',
        '    records: [{ ref: X1, name: Branch }]',
        '    values: { parent_id: { ref: companies, key: "42" } }',
        '  - id: main-branch',
        '    model: res.partner',
        '    action: upsert',
        '    key: [ref]',
        '    records: [{ ref: X2, name: Main branch }]',
        '    values: { parent_id: { xmlid: base.main_partner } }',
        '  - id: archive',
        '    model: res.partner',
        '    action: update',
        '    where: [[ref, "=", ACME]]',
        '    values: { active: false }',
        '',
      ].join('\n'),
    });
    const before = writesSoFar();
    expect((await validatePlanRemote(plan, odoo.client)).map(formatPlanProblem)).toEqual([]);
    expect(writesSoFar()).toBe(before);
  });
});

test('targetState: false skips the checks against the current state, not the plan-only { ref } keys', async () => {
  const plan = await planFrom({
    'plan.yaml': [
      'version: 1',
      'name: later-migration',
      'steps:',
      '  - id: tags',
      '    model: res.partner.category',
      '    action: upsert',
      '    key: [name]',
      '    records: [{ name: Fine }]',
      '  - id: partners',
      '    model: res.partner',
      '    action: upsert',
      '    key: [ref]',
      '    records: [{ ref: P1, name: Ann }]',
      '    values:',
      '      parent_id: { xmlid: zenoo_earlier.partner_x }',
      '      country_id: { lookup: { model: res.country, where: [[code, "=", XX]] } }',
      '      category_id: { set: [{ ref: tags, key: Fin }] }',
      '',
    ].join('\n'),
  });
  const reads = calls('ir.model.data.search_read') + calls('res.country.search_count');
  expect((await validatePlanRemote(plan, odoo.client, { targetState: false })).map(formatPlanProblem)).toEqual([
    'plan.yaml:17:41  steps[1].values.category_id.set[0].key  step "tags" has no record with key ["Fin"]\n' +
      '    hint: add a record whose key (name) is ["Fin"] to step "tags" (its inline records), or fix the key',
  ]);
  expect(calls('ir.model.data.search_read') + calls('res.country.search_count')).toBe(reads);
  // With the default, both are checked against the target.
  expect((await validatePlanRemote(plan, odoo.client)).map((problem) => problem.message)).toEqual([
    'external id zenoo_earlier.partner_x does not exist in the target',
    'lookup of res.country where [["code","=","XX"]] found no record',
    'step "tags" has no record with key ["Fin"]',
  ]);
});

describe('target errors surface as themselves', () => {
  const plan = (): Promise<Plan> =>
    planFrom({
      'plan.yaml':
        'version: 1\nname: t\nsteps:\n  - { id: p, model: res.partner, action: create, records: [{ name: A }] }\n',
    });

  test('a database that does not exist is named, not reported as missing models', async () => {
    const wrong = odoo.newClient({ db: 'no_such_db' });
    const error = await validatePlanRemote(await plan(), wrong).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(
      `The database "no_such_db" does not exist on ${odoo.url}. Check the database name of the target (list the databases with the server's database manager).`,
    );
    expect((error as Error).cause).toBeInstanceOf(RpcFault);
  });

  test('wrong credentials reject with AuthenticationError', async () => {
    const wrong = odoo.newClient({ password: 'not-it' });
    await expect(validatePlanRemote(await plan(), wrong)).rejects.toBeInstanceOf(AuthenticationError);
  });

  test('a fields_get fault other than an unknown model is rethrown, not turned into "model does not exist"', async () => {
    const failing: FieldsGetClient = {
      authenticate: (options) => odoo.client.authenticate(options),
      searchRead: (model, domain, options) => odoo.client.searchRead(model, domain, options),
      searchCount: (model, domain, options) => odoo.client.searchCount(model, domain, options),
      // res.partner answers with the unknown-method fault: a server error that is not about the model.
      fieldsGet: () => odoo.client.executeKw('res.partner', 'no_such_method', []) as never,
      defaultGet: (model, fields, options) => odoo.client.defaultGet(model, fields, options),
    };
    const error = await validatePlanRemote(await plan(), failing).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RpcFault);
    expect((error as RpcFault).faultMessage).toBe("The method 'res.partner.no_such_method' does not exist");
  });
});
