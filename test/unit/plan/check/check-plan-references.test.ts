/**
 * The pre-write reference check offline (captured Odoo 17 field metadata, a scripted client): which references it
 * reads and which it leaves to the run, unknown fields, option validation, and the reference cache it fills.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { Domain, FieldInfo } from '../../../../src/client/types.js';
import { formatPlanProblem } from '../../../../src/errors.js';
import { checkPlanReferences } from '../../../../src/plan/check/check-plan-references.js';
import type { ReferenceCheckClient } from '../../../../src/plan/check/reference-check-options.js';
import { loadPlan } from '../../../../src/plan/load/load-plan.js';
import type { Plan } from '../../../../src/plan/model/plan-types.js';
import { ReferenceCache } from '../../../../src/plan/references/reference-cache.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const captured = JSON.parse(readFileSync(join(root, 'test/fixtures/odoo/fields-odoo-17.0.json'), 'utf8')) as Record<
  string,
  Record<string, FieldInfo>
>;
const models = new Map(Object.entries(captured).filter(([model]) => !model.includes(':')));

async function planOf(yaml: string): Promise<Plan> {
  const dir = mkdtempSync(join(tmpdir(), 'zenoo-refcheck-'));
  writeFileSync(join(dir, 'plan.yaml'), yaml);
  return loadPlan('plan.yaml', { cwd: dir });
}

/** A client answering every search_read with `rows` (by model), recording the calls. */
function scripted(rows: Record<string, Record<string, unknown>[]> = {}) {
  const calls: { method: string; model: string; domain: Domain }[] = [];
  const client: ReferenceCheckClient = {
    searchRead: async (model, domain) => {
      calls.push({ method: 'search_read', model, domain });
      return rows[model] ?? [];
    },
    searchCount: async (model, domain) => {
      calls.push({ method: 'search_count', model, domain });
      return (rows[model] ?? []).length;
    },
    fieldsGet: async (model) => {
      calls.push({ method: 'fields_get', model, domain: [] });
      return models.get(model) ?? {};
    },
  };
  return { client, calls };
}

describe('checkPlanReferences', () => {
  test('lookups on a model an earlier step writes, or holding a reference, are left to the run', async () => {
    const plan = await planOf(`version: 1
name: later
steps:
  - { id: tags, model: res.partner.category, action: upsert, key: [name], records: [{ name: New }] }
  - id: companies
    model: res.partner
    action: upsert
    key: [ref]
    depends_on: [tags]
    records: [{ ref: C1, name: One }]
    values:
      category_id: { set: [{ lookup: { model: res.partner.category, where: [[name, "=", New]] } }] }
  - id: contacts
    model: res.partner
    action: upsert
    key: [ref]
    records: [{ ref: P1, name: Ann }]
    values:
      country_id: { lookup: { model: res.country, where: [[name, "=", { ref: tags, key: New }]] } }
`);
    const { client, calls } = scripted();
    expect(await checkPlanReferences(plan, client, models)).toEqual([]);
    expect(calls).toEqual([]);
  });

  test('targetState: false reads nothing, and still checks { ref } keys, also those computed from a row', async () => {
    const plan = await planOf(`version: 1
name: offline
steps:
  - { id: tags, model: res.partner.category, action: upsert, key: [name], records: [{ name: A }, { name: B }] }
  - id: people
    model: res.partner
    action: upsert
    key: [ref]
    template_columns: [tag]
    records: [{ ref: P1, name: Ann, tag: A }, { ref: P2, name: Bob, tag: C }]
    values:
      country_id: { xmlid: base.atlantis }
      category_id: { set: [{ ref: tags, key: "\${row.tag}" }] }
`);
    const { client, calls } = scripted();
    const problems = await checkPlanReferences(plan, client, models, { targetState: false });
    expect(problems.map(formatPlanProblem)).toEqual([
      'plan.yaml:10:47  steps[1].records[1]  step "tags" has no record with key ["C"] (referenced by steps[1].values.category_id.set[0])\n' +
        '    hint: add a record whose key (name) is ["C"] to step "tags" (its inline records), or fix the key',
    ]);
    expect(calls).toEqual([]);
  });

  test('a step with columns that are not fields is reported once, and its rows are not evaluated', async () => {
    const plan = await planOf(`version: 1
name: typo
steps:
  - id: people
    model: res.partner
    action: upsert
    key: [ref]
    records: [{ ref: P1, name: Ann, emial: a@x.example, cc: BE }, { ref: P2, name: Bob, emial: b@x.example, cc: FR }]
    values:
      country_id: { lookup: { model: res.country, where: [[code, "=", "\${row.cc}"]] } }
`);
    const { client, calls } = scripted();
    const problems = await checkPlanReferences(plan, client, models);
    expect(problems.map(formatPlanProblem)).toEqual([
      'plan.yaml:8:5  steps[0].records  fields emial, cc do not exist on res.partner\n' +
        '    hint: check the column names of the data, or list columns used only in templates in template_columns',
    ]);
    expect(calls).toEqual([]);
    // validatePlanRemote reports them itself, with suggestions.
    expect(await checkPlanReferences(plan, client, models, { reportUnknownFields: false })).toEqual([]);
  });

  test('fills the cache, and a second check with it reads nothing', async () => {
    const plan = await planOf(`version: 1
name: cached
steps:
  - id: people
    model: res.partner
    action: upsert
    key: [ref]
    records: [{ ref: P1, name: Ann, cc: BE }]
    template_columns: [cc]
    values:
      parent_id: { xmlid: base.main_partner }
      country_id: { lookup: { model: res.country, where: [[code, "=", "\${row.cc}"]] } }
`);
    const { client, calls } = scripted({
      'ir.model.data': [{ module: 'base', name: 'main_partner', model: 'res.partner', res_id: 1 }],
      'res.country': [{ id: 20 }],
    });
    const referenceCache = new ReferenceCache();
    expect(await checkPlanReferences(plan, client, models, { referenceCache })).toEqual([]);
    expect(calls.map((call) => `${call.model}.${call.method}`)).toEqual([
      'ir.model.data.search_read',
      'res.country.search_read',
    ]);
    expect(referenceCache.xmlid('base.main_partner')).toEqual({ id: 1, model: 'res.partner' });
    expect(referenceCache.lookup('people', 'res.country', [['code', '=', 'BE']])).toEqual([20]);
    expect(referenceCache.size).toBe(2);
    calls.length = 0;
    expect(await checkPlanReferences(plan, client, models, { referenceCache })).toEqual([]);
    expect(calls).toEqual([]);
  });

  test('fetches field metadata itself when none is given', async () => {
    const plan = await planOf(
      'version: 1\nname: meta\nsteps:\n  - { id: t, model: res.partner.category, action: create, records: [{ name: A }] }\n',
    );
    const { client, calls } = scripted();
    expect(await checkPlanReferences(plan, client)).toEqual([]);
    expect(calls.map((call) => `${call.model}.${call.method}`)).toEqual(['res.partner.category.fields_get']);
  });

  test('rejects bad options with a TypeError', async () => {
    const plan = await planOf(
      'version: 1\nname: opts\nsteps:\n  - { id: t, model: res.partner.category, action: create, records: [{ name: A }] }\n',
    );
    const { client } = scripted();
    const bad = [
      [{ maxProblems: 0 }, 'Expected `maxProblems` to be an integer from 1 and up, got 0'],
      [{ maxMissingKeysPerStep: 1.5 }, 'Expected `maxMissingKeysPerStep` to be an integer from 1 and up, got 1.5'],
      [{ concurrency: -1 }, 'Expected `concurrency` to be an integer from 1 and up, got -1'],
      [{ targetState: 'no' }, 'Expected `targetState` to be a boolean, got string'],
      [{ reportUnknownFields: 1 }, 'Expected `reportUnknownFields` to be a boolean, got number'],
      [{ referenceCache: new Map() }, 'Expected `referenceCache` to be a ReferenceCache'],
    ] as const;
    for (const [options, message] of bad) {
      await expect(checkPlanReferences(plan, client, models, options as never)).rejects.toThrow(new TypeError(message));
    }
  });
});
