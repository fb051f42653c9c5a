// A step that refers to itself, on the company sandbox through the library: an employee tree listed leaves first is
// written parents first, the dry run shows references to records the step itself creates as pending, a second dry
// run is empty, a move to another parent is one update, a saved diff applies level by level too, and a row whose
// parent was rejected is rejected with it.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyDiff, applyPlan } from '../../../src/plan/apply/apply.js';
import { computeDiff } from '../../../src/plan/diff/diff-plan.js';
import { loadPlan } from '../../../src/plan/load/load-plan.js';
import { hasChanges } from '../../../src/plan/model/diff-types.js';
import type { Diff } from '../../../src/plan/model/diff-types.js';
import { preparePlan } from '../../../src/plan/prepare/prepare-plan.js';
import { renderDiffText } from '../../../src/plan/render/render-text.js';
import { employeeManagers } from '../../helpers/employee-managers.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

const odoo = withSandbox({ models: 'company' });
const target = (): { url: string; db: string } => ({ url: odoo.url, db: odoo.db });

/** A plan of one self-referencing employee step over `rows` (`email,manager` pairs), under its own email domain. */
async function employeePlan(name: string, rows: readonly (readonly [string, string])[], chunkSize = 2) {
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-self-ref-'));
  const csv = ['name,work_email,manager', ...rows.map(([email, manager]) => `${email},${email},${manager}`)];
  await writeFile(join(dir, 'staff.csv'), `${csv.join('\n')}\n`);
  await writeFile(
    join(dir, 'plan.yaml'),
    [
      'version: 1',
      `name: ${name}`,
      `defaults: { chunk_size: ${chunkSize} }`,
      'steps:',
      '  - id: staff',
      '    model: hr.employee',
      '    action: upsert',
      '    key: [work_email]',
      '    records: { file: staff.csv }',
      '    template_columns: [manager]',
      "    values: { parent_id: { ref: staff, key: '${row.manager}' } }",
      '',
    ].join('\n'),
  );
  return { file: join(dir, 'plan.yaml'), dir };
}

/** work_email → the manager's work_email (or '' for none), for the employees whose email ends with `domain`. */
function managers(domain: string): Promise<Map<string, string>> {
  return employeeManagers(odoo.client, domain);
}

describe('a step that refers to itself', () => {
  it('writes a tree listed leaves first parents first; the dry run shows pending references; then nothing', async () => {
    const d = 'lf.example';
    const rows: [string, string][] = [
      [`e@${d}`, `c@${d}`],
      [`d@${d}`, `b@${d}`],
      [`c@${d}`, `b@${d}`],
      [`b@${d}`, `a@${d}`],
      [`a@${d}`, ''],
    ];
    const { file, dir } = await employeePlan('leaves-first', rows);
    const plan = await loadPlan(file);
    const prepared = await preparePlan(plan, odoo.client);
    const diff = await computeDiff(plan, odoo.client, { target: target(), prepared });
    expect(diff.summary.create).toBe(5);
    const text = renderDiffText(diff);
    expect(text).toContain(`parent_id: <new staff "b@${d}">`);
    // Written in level order: the root first, the leaves last.
    expect(diff.steps[0]!.creates.map((create) => create.row)).toEqual([6, 5, 3, 4, 2]);

    const result = await applyPlan(plan, odoo.client, { target: target(), prepared, stateDir: join(dir, '.zenoo') });
    expect(result.status).toBe('succeeded');
    expect(Object.fromEntries(await managers(d))).toEqual(Object.fromEntries(rows));
    expect(hasChanges(await computeDiff(plan, odoo.client, { target: target() }))).toBe(false);

    // Moving d under c is one update of parent_id; the rest is unchanged.
    const moved = await employeePlan(
      'leaves-first',
      rows.map(([email, manager]) => [email, email === `d@${d}` ? `c@${d}` : manager]),
    );
    const movePlan = await loadPlan(moved.file);
    const move = await computeDiff(movePlan, odoo.client, { target: target() });
    expect(move.summary).toMatchObject({ create: 0, update: 1, unchanged: 4 });
    expect(move.steps[0]!.updates[0]!.changes.map((change) => change.field)).toEqual(['parent_id']);
    expect(
      (await applyPlan(movePlan, odoo.client, { target: target(), stateDir: join(moved.dir, '.zenoo') })).status,
    ).toBe('succeeded');
    expect((await managers(d)).get(`d@${d}`)).toBe(`c@${d}`);
  });

  it('a saved diff with references to records of its own step applies level by level', async () => {
    const d = 'saved.example';
    const rows: [string, string][] = [
      [`c@${d}`, `b@${d}`],
      [`b@${d}`, `a@${d}`],
      [`a@${d}`, ''],
      [`x@${d}`, `a@${d}`],
    ];
    const { file, dir } = await employeePlan('saved-tree', rows, 1);
    const plan = await loadPlan(file);
    const diff = JSON.parse(JSON.stringify(await computeDiff(plan, odoo.client, { target: target() }))) as Diff;
    const result = await applyDiff(diff, odoo.client, { target: target(), stateDir: join(dir, '.zenoo') });
    expect(result.status).toBe('succeeded');
    expect(Object.fromEntries(await managers(d))).toEqual(Object.fromEntries(rows));
  });

  it('a row whose parent was rejected is rejected too, naming the parent', async () => {
    const d = 'rej.example';
    const dir = await mkdtemp(join(tmpdir(), 'zenoo-self-ref-'));
    // The root's name is empty: the server refuses it (name is required); its report is rejected with it.
    await writeFile(
      join(dir, 'cats.csv'),
      `name,code,parent\nLeaf,leaf@${d},root@${d}\n"",root@${d},\nOther,other@${d},\n`,
    );
    await writeFile(
      join(dir, 'plan.yaml'),
      [
        'version: 1',
        'name: rejected-parent',
        'defaults: { chunk_size: 1, on_error: continue }',
        'steps:',
        '  - id: staff',
        '    model: hr.employee',
        '    action: create',
        '    key: [work_email]',
        '    records: { file: cats.csv }',
        '    template_columns: [code, parent]',
        '    on_empty: clear',
        "    values: { work_email: '${row.code}', parent_id: { ref: staff, key: '${row.parent}' } }",
        '',
      ].join('\n'),
    );
    const plan = await loadPlan(join(dir, 'plan.yaml'));
    const result = await applyPlan(plan, odoo.client, { target: target(), stateDir: join(dir, '.zenoo') });
    expect(result.status).toBe('failed');
    const step = result.steps.find((one) => one.step === 'staff')!;
    expect(step.counts).toMatchObject({ created: 1, rejected: 2 });
    expect([...(await managers(d)).keys()]).toEqual([`other@${d}`]);
  });

  it('a reference to a key the file does not have fails the step as any reference does, naming the key', async () => {
    const d = 'ghost.example';
    const { file, dir } = await employeePlan('ghost-manager', [
      [`a@${d}`, ''],
      [`b@${d}`, `nobody@${d}`],
    ]);
    const plan = await loadPlan(file);
    await expect(computeDiff(plan, odoo.client, { target: target() })).rejects.toThrow(
      `step "staff" has no record with key ["nobody@${d}"]`,
    );
    const result = await applyPlan(plan, odoo.client, { target: target(), stateDir: join(dir, '.zenoo') });
    expect(result.status).toBe('failed');
    expect(result.steps[0]?.error?.message).toContain(`has no record with key ["nobody@${d}"]`);
  });

  // Each model with a parent_id on itself, as an upsert and as a create with a key: three levels listed leaves first.
  const trees = [
    { model: 'hr.employee', key: 'work_email', name: 'name' },
    { model: 'product.category', key: 'name', name: 'name' },
    { model: 'res.partner', key: 'ref', name: 'name' },
  ] as const;
  const cases = trees.flatMap((tree) => (['upsert', 'create'] as const).map((action) => ({ ...tree, action })));
  it.each(cases)('$model, $action with a key: every parent link right, then nothing to do', async (tree) => {
    const tag = `${tree.model.replace('.', '-')}-${tree.action}`;
    const k = (name: string): string => `${tag}-${name}`;
    const rows: [string, string][] = [
      [k('leaf1'), k('mid')],
      [k('leaf2'), k('mid')],
      [k('mid'), k('root')],
      [k('root'), ''],
    ];
    const dir = await mkdtemp(join(tmpdir(), 'zenoo-self-ref-'));
    const header = tree.key === tree.name ? `${tree.key},parent` : `${tree.key},${tree.name},parent`;
    const line = ([key, parent]: [string, string]): string =>
      tree.key === tree.name ? `${key},${parent}` : `${key},${key},${parent}`;
    await writeFile(join(dir, 'tree.csv'), `${[header, ...rows.map(line)].join('\n')}\n`);
    await writeFile(
      join(dir, 'plan.yaml'),
      [
        'version: 1',
        `name: ${tag}`,
        'steps:',
        '  - id: tree',
        `    model: ${tree.model}`,
        `    action: ${tree.action}`,
        `    key: [${tree.key}]`,
        '    records: { file: tree.csv }',
        '    template_columns: [parent]',
        "    values: { parent_id: { ref: tree, key: '${row.parent}' } }",
        '',
      ].join('\n'),
    );
    const plan = await loadPlan(join(dir, 'plan.yaml'));
    const result = await applyPlan(plan, odoo.client, { target: target(), stateDir: join(dir, '.zenoo') });
    expect(result.status).toBe('succeeded');
    const records = await odoo.client.searchRead<Record<string, unknown> & { id: number }>(
      tree.model,
      [[tree.key, '=like', `${tag}-%`]],
      { fields: [tree.key, 'parent_id'] },
    );
    const keyOf = new Map(records.map((record) => [record.id, record[tree.key] as string]));
    const links = records.map((record) => {
      const parent = record['parent_id'] as [number, string] | false;
      return [record[tree.key] as string, parent === false ? '' : keyOf.get(parent[0])] as const;
    });
    expect(Object.fromEntries(links)).toEqual(Object.fromEntries(rows));
    expect(hasChanges(await computeDiff(plan, odoo.client, { target: target() }))).toBe(false);
  });
});

describe('a self-referencing step on a server answering calls out of order', () => {
  // Up to 40 ms of random latency per call: calls in flight together are processed in any order, so only the levels
  // (each settled before the next is written) keep a move from meeting the record it moves under still below it.
  const jittery = withSandbox({ models: 'company', latencyMs: { jitter: 200 } });

  it('a category moved under one that was below it is written after that one moved away (no "Recursion Detected.")', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zenoo-self-ref-'));
    const plan = async (csv: string): Promise<Awaited<ReturnType<typeof loadPlan>>> => {
      await writeFile(join(dir, 'cats.csv'), csv);
      await writeFile(
        join(dir, 'plan.yaml'),
        [
          'version: 1',
          'name: swap',
          'defaults: { chunk_size: 1, concurrency: 4, on_empty: clear }',
          'steps:',
          '  - id: cats',
          '    model: product.category',
          '    action: upsert',
          '    key: [name]',
          '    records: { file: cats.csv }',
          '    template_columns: [parent]',
          "    values: { parent_id: { ref: cats, key: '${row.parent}' } }",
          '',
        ].join('\n'),
      );
      return loadPlan(join(dir, 'plan.yaml'));
    };
    const apply = async (csv: string): Promise<void> => {
      const result = await applyPlan(await plan(csv), jittery.client, {
        target: { url: jittery.url, db: jittery.db },
        stateDir: join(dir, '.zenoo'),
      });
      expect(result.status, JSON.stringify(result.steps)).toBe('succeeded');
    };
    // A chain of six, then turned upside down: each category moves under the one that was its child.
    const names = ['Swap 1', 'Swap 2', 'Swap 3', 'Swap 4', 'Swap 5', 'Swap 6'];
    const chain = (parents: readonly string[]): string =>
      `name,parent\n${names.map((name, i) => `${name},${parents[i]}`).join('\n')}\n`;
    await apply(chain(names.map((_, i) => (i === 0 ? '' : names[i - 1]!))));
    const upsideDown = chain(names.map((_, i) => (i === names.length - 1 ? '' : names[i + 1]!)));
    const diff = await computeDiff(await plan(upsideDown), jittery.client, {
      target: { url: jittery.url, db: jittery.db },
    });
    expect(diff.summary).toMatchObject({ create: 0, update: 6 });
    await apply(upsideDown);
    const categories = await jittery.client.searchRead<{ name: string; complete_name: string }>(
      'product.category',
      [['name', '=like', 'Swap %']],
      { fields: ['name', 'complete_name'] },
    );
    expect(Object.fromEntries(categories.map((category) => [category.name, category.complete_name]))).toEqual(
      Object.fromEntries(names.map((name, i) => [name, names.slice(i).reverse().join(' / ')])),
    );
  });
});
