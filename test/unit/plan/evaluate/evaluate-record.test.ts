import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PlanValidationError } from '../../../../src/errors.js';
import { evaluateRecord, evaluateWhere } from '../../../../src/plan/evaluate/evaluate-record.js';
import { stepReferences } from '../../../../src/plan/model/template-walk.js';
import { recordKey } from '../../../../src/plan/model/record-key.js';
import { keyString } from '../../../../src/batch/send/record-keys.js';
import type { ReferenceResolver } from '../../../../src/plan/evaluate/evaluate-record.js';
import type { KeyValue } from '../../../../src/batch/send/record-keys.js';
import { loadPlan } from '../../../../src/plan/load/load-plan.js';
import type { Plan, PlanStep } from '../../../../src/plan/model/plan-types.js';

/** A resolver over fixed maps that records every request. */
function mapResolver() {
  const calls: string[] = [];
  const refs: Record<string, number> = {
    [`companies:${keyString(['C1'])}`]: 41,
    [`tags:${keyString(['VIP'])}`]: 7,
    [`tags:${keyString(['B2B'])}`]: 8,
  };
  const resolver: ReferenceResolver = {
    ref(step: string, key: readonly KeyValue[]) {
      calls.push(`ref ${step} ${JSON.stringify(key)}`);
      const id = refs[`${step}:${keyString(key)}`];
      if (id === undefined) throw new Error(`no ${step} ${JSON.stringify(key)}`);
      return Promise.resolve(id);
    },
    xmlid(xmlid: string) {
      calls.push(`xmlid ${xmlid}`);
      return xmlid === 'base.be' ? 21 : 22;
    },
    lookup(model: string, where: readonly unknown[]) {
      calls.push(`lookup ${model} ${JSON.stringify(where)}`);
      return 99;
    },
  };
  return { resolver, calls };
}

async function planFrom(yaml: string, env: Record<string, string> = {}): Promise<Plan> {
  const dir = mkdtempSync(join(tmpdir(), 'zenoo-eval-'));
  writeFileSync(join(dir, 'plan.yaml'), yaml);
  return loadPlan('plan.yaml', { cwd: dir, env });
}

const PLAN = `version: 1
name: eval
steps:
  - { id: tags, model: res.partner.category, action: upsert, key: [name], records: [{ name: VIP }, { name: B2B }] }
  - { id: companies, model: res.partner, action: upsert, key: [ref], records: [{ ref: C1 }] }
  - id: contacts
    model: res.partner
    action: create
    key: [email]
    template_columns: [company, country, tier]
    records:
      - { name: Jane, email: jane@x.example, company: C1, country: be, tier: VIP, age: 41 }
      - { name: Solo, email: solo@x.example, company: "", country: "", tier: null, age: 7 }
    values:
      parent_id: { ref: companies, key: "\${row.company}" }
      country_id: { xmlid: "base.\${row.country}" }
      category_id: { set: [{ ref: tags, key: "\${row.tier}" }, 5] }
      comment: "\${row.name} (\${row.age}) by \${env.ZENOO_AUTHOR}"
      color: "\${row.age}"
      title: { lookup: { model: res.partner.title, where: [[name, "=", "Dr \${row.name}"]] } }
      child_ids: [[0, 0, { name: "Assistant of \${row.name}", type: contact }], [4, { ref: companies, key: C1 }, 0], [5, 0, 0]]
  - id: retag
    model: res.partner
    action: update
    key: [email]
    records: [{ email: jane@x.example }]
    values:
      category_id: { add: [{ ref: tags, key: B2B }] }
  - id: untag
    model: res.partner
    action: update
    key: [email]
    records: [{ email: jane@x.example }]
    values:
      category_id: { remove: [{ ref: tags, key: VIP }, { xmlid: base.other }] }
  - id: archive
    model: res.partner
    action: update
    where: ["|", [parent_id, "=", { ref: companies, key: C1 }], [email, "=like", "%@\${env.ZENOO_DOMAIN}"]]
    values: { active: false }
`;

describe('evaluateRecord', () => {
  test('row columns minus template columns, overridden by evaluated values', async () => {
    const plan = await planFrom(PLAN, { ZENOO_AUTHOR: 'ops', ZENOO_DOMAIN: 'old.example' });
    const step = plan.steps[2] as PlanStep;
    const { resolver, calls } = mapResolver();
    const row = { row: 1, source: 'plan.yaml', values: step.records?.kind === 'inline' ? step.records.rows[0]! : {} };
    const record = await evaluateRecord(step, row, resolver);
    expect(record).toEqual({
      name: 'Jane',
      email: 'jane@x.example',
      age: 41,
      parent_id: 41,
      country_id: 21,
      category_id: [[6, 0, [7, 5]]],
      comment: 'Jane (41) by ops',
      color: 41, // a single placeholder keeps the JSON number
      title: 99,
      child_ids: [
        [0, 0, { name: 'Assistant of Jane', type: 'contact' }],
        [4, 41, 0],
        [5, 0, 0],
      ],
    });
    expect(calls).toEqual([
      'ref companies ["C1"]',
      'xmlid base.be',
      'ref tags ["VIP"]',
      'lookup res.partner.title [["name","=","Dr Jane"]]',
      'ref companies ["C1"]',
    ]);
  });

  // Was `parent_id: false, country_id: false`: an empty key cleared the field (the silent coercion).
  test('empty reference keys leave the field out of the record, and are left out of x2many helpers', async () => {
    const plan = await planFrom(PLAN, { ZENOO_AUTHOR: 'ops', ZENOO_DOMAIN: 'old.example' });
    const step = plan.steps[2] as PlanStep;
    const { resolver, calls } = mapResolver();
    const row = { row: 2, source: 'plan.yaml', values: step.records?.kind === 'inline' ? step.records.rows[1]! : {} };
    const record = await evaluateRecord(step, row, resolver);
    expect(record).toMatchObject({ category_id: [[6, 0, [5]]] });
    expect(record).not.toHaveProperty('parent_id');
    expect(record).not.toHaveProperty('country_id');
    expect(calls.filter((call) => call.startsWith('ref tags') || call.startsWith('xmlid'))).toEqual([]);
  });

  test('add and remove helpers compile to link and unlink commands', async () => {
    const plan = await planFrom(PLAN, { ZENOO_AUTHOR: 'ops', ZENOO_DOMAIN: 'old.example' });
    const { resolver } = mapResolver();
    const row = { row: 1, source: 'plan.yaml', values: { email: 'jane@x.example' } };
    expect(await evaluateRecord(plan.steps[3]!, row, resolver)).toEqual({
      email: 'jane@x.example',
      category_id: [[4, 8, 0]],
    });
    expect(await evaluateRecord(plan.steps[4]!, row, resolver)).toEqual({
      email: 'jane@x.example',
      category_id: [
        [3, 7, 0],
        [3, 22, 0],
      ],
    });
  });

  test('a missing column names the source, row and template', async () => {
    const plan = await planFrom(PLAN, { ZENOO_AUTHOR: 'ops', ZENOO_DOMAIN: 'old.example' });
    const { resolver } = mapResolver();
    const error = await evaluateRecord(
      plan.steps[2]!,
      { row: 9, source: 'data/x.csv', values: { name: 'A', company: 'C1', country: 'be', tier: 'VIP' } },
      resolver,
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlanValidationError);
    expect((error as PlanValidationError).problems).toEqual([
      {
        file: 'data/x.csv',
        path: 'row 9',
        message: 'steps[2].values.comment: the row has no column "age" (used as ${row.age})',
      },
    ]);
  });

  test('where domains resolve references and environment variables once', async () => {
    const plan = await planFrom(PLAN, { ZENOO_AUTHOR: 'ops', ZENOO_DOMAIN: 'old.example' });
    const { resolver } = mapResolver();
    expect(await evaluateWhere(plan.steps[5]!, resolver)).toEqual([
      '|',
      ['parent_id', '=', 41],
      ['email', '=like', '%@old.example'],
    ]);
    expect(await evaluateWhere(plan.steps[0]!, resolver)).toBeUndefined();
    expect(await evaluateRecord(plan.steps[5]!, undefined, resolver)).toEqual({ active: false });
  });

  test('an aborted signal stops before resolving', async () => {
    const plan = await planFrom(PLAN, { ZENOO_AUTHOR: 'ops', ZENOO_DOMAIN: 'old.example' });
    const { resolver, calls } = mapResolver();
    const row = { row: 1, source: 'plan.yaml', values: { email: 'jane@x.example' } };
    await expect(evaluateRecord(plan.steps[3]!, row, resolver, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ERR_ABORTED',
    });
    expect(calls).toEqual([]);
  });
});

describe('static references and keys', () => {
  test('stepReferences lists every reference with its path, nested ones included', async () => {
    const plan = await planFrom(PLAN, { ZENOO_AUTHOR: 'ops', ZENOO_DOMAIN: 'old.example' });
    expect(stepReferences(plan.steps[2]!).map((reference) => `${reference.kind} ${reference.path}`)).toEqual([
      'ref steps[2].values.parent_id',
      'xmlid steps[2].values.country_id',
      'ref steps[2].values.category_id.set[0]',
      'lookup steps[2].values.title',
      'ref steps[2].values.child_ids[1][1]',
    ]);
    expect(stepReferences(plan.steps[5]!).map((reference) => reference.kind)).toEqual(['ref']);
  });

  test('keyString matches CSV text and JSON numbers; recordKey follows the key order', async () => {
    expect(keyString(['42'])).toBe(keyString([42]));
    expect(keyString(['a', 'b'])).not.toBe(keyString(['b', 'a']));
    expect(keyString([null])).toBe(keyString(['']));
    const plan = await planFrom(PLAN, { ZENOO_AUTHOR: 'ops', ZENOO_DOMAIN: 'old.example' });
    expect(recordKey(plan.steps[2]!, { email: 'e', name: 'n' })).toEqual(['e']);
  });
});
