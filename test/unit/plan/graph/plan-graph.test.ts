import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { PlanValidationError } from '../../../../src/errors.js';
import { buildPlanGraph, compilePlan } from '../../../../src/plan/graph/plan-graph.js';
import { loadPlan } from '../../../../src/plan/load/load-plan.js';
import type { Plan, PlanStep } from '../../../../src/plan/model/plan-types.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const valid = fileURLToPath(new URL('../../../fixtures/plans/valid/', import.meta.url));

describe('compilePlan', () => {
  test('a lookup on a model an earlier step writes waits for it, unless the plan orders them the other way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-graph-lookup-'));
    writeFileSync(
      join(dir, 'plan.yaml'),
      [
        'version: 1',
        'name: lookups',
        'steps:',
        '  - { id: tags, model: res.partner.category, action: upsert, key: [name], records: [{ name: VIP }] }',
        '  - id: people',
        '    model: res.partner',
        '    action: upsert',
        '    key: [ref]',
        '    records: [{ ref: P1, name: Ann }]',
        '    values: { category_id: { set: [{ lookup: { model: res.partner.category, where: [[name, "=", VIP]] } }] } }',
        '  - id: later',
        '    model: res.partner.category',
        '    action: upsert',
        '    key: [name]',
        '    records: [{ name: Late }]',
        '    values: { parent_id: { lookup: { model: res.partner.category, where: [[name, "=", VIP]] } } }',
        '    depends_on: []',
        '',
      ].join('\n'),
    );
    const graph = compilePlan(await loadPlan(join(dir, 'plan.yaml')));
    expect(graph.edges.map((edge) => `${edge.from}→${edge.to} ${edge.kind}`)).toEqual([
      'tags→people lookup',
      'tags→later lookup',
    ]);
    expect(graph.byId.people?.dependsOn).toEqual(['tags']);
    // A delegation-aware predicate (what a preparation knows from the fields) adds the edges it implies.
    const { graph: wider } = buildPlanGraph(
      graph.nodes.map((node) => node.step),
      {
        writesModel: (writer, model) => writer === model || writer === 'res.partner',
      },
    );
    expect(wider.edges.map((edge) => `${edge.from}→${edge.to} ${edge.kind}`)).toContain('people→later lookup');
  });

  test('example plan: order follows references, then priority, then file order', async () => {
    const graph = compilePlan(await loadPlan('plans/example.yaml', { cwd: root }));
    expect(graph.order).toEqual(['tags', 'companies', 'contacts', 'archive-old', 'drop-obsolete-tags']);
    expect(graph.levels).toEqual([['tags', 'drop-obsolete-tags'], ['companies'], ['contacts'], ['archive-old']]);
    expect(
      graph.edges.map(
        (edge) => `${edge.from}→${edge.to} ${edge.kind} ${edge.path} @${edge.position?.line}:${edge.position?.col}`,
      ),
    ).toEqual([
      'tags→companies ref steps[1].values.category_id.set[0].ref @38:30',
      'companies→contacts ref steps[2].values.parent_id.ref @49:20',
      'tags→contacts ref steps[2].values.category_id.add[0].ref @50:30',
      'contacts→archive-old depends_on steps[3].depends_on[0] @56:18',
    ]);
    expect(graph.byId.contacts?.dependsOn).toEqual(['tags', 'companies']);
    expect(graph.byId.tags?.dependents).toEqual(['companies', 'contacts']);
    // Each node carries its step compiled once for the apply: scheduling and sending attributes, nothing to re-derive.
    expect(graph.byId.contacts?.executable).toMatchObject({
      id: 'contacts',
      model: 'res.partner',
      dependsOn: ['tags', 'companies'],
      referenced: true,
      keyFields: ['email'],
    });
    expect(graph.byId['archive-old']?.executable.referenced).toBe(false);
    expect(Object.isFrozen(graph.byId.tags?.executable)).toBe(true);
  });

  test('priorities order ready steps; levels group steps that can run concurrently', async () => {
    const plan = await loadPlan('priorities.yaml', { cwd: valid });
    const graph = compilePlan(plan);
    // Ready at first: low-root (-1), high-root (5), plain-root (0) → high, plain, then urgent (100) becomes ready and
    // jumps ahead of low-root; partners waits for low-root.
    expect(graph.order).toEqual(['high-root', 'plain-root', 'urgent', 'low-root', 'partners', 'notes']);
    expect(graph.levels).toEqual([['high-root', 'plain-root', 'low-root'], ['urgent', 'partners'], ['notes']]);
    expect(graph.nodes.map((node) => [node.id, node.level])).toEqual([
      ['low-root', 0],
      ['high-root', 0],
      ['plain-root', 0],
      ['partners', 1],
      ['urgent', 1],
      ['notes', 2],
    ]);
    expect(Object.isFrozen(graph) && Object.isFrozen(graph.order) && Object.isFrozen(graph.nodes[0])).toBe(true);
  });

  test('settings are resolved per step (defaults, overrides, merged context)', async () => {
    const plan = await loadPlan('priorities.yaml', { cwd: valid });
    const partners = plan.steps[3] as PlanStep;
    expect(partners).toMatchObject({ chunkSize: 10, concurrency: 4, onError: 'stop', priority: 0 });
    expect(partners.context).toEqual({ tracking_disable: true, lang: 'en_US' });
    expect(plan.steps[0]).toMatchObject({ chunkSize: 50, priority: -1, context: { tracking_disable: true } });
  });

  test('a step referring to itself through ref is no cycle; depends_on on itself is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-graph-self-'));
    const step = (extra: string): string[] => [
      'version: 1',
      'name: self',
      'steps:',
      '  - { id: roots, model: res.partner, action: upsert, key: [ref], records: [{ ref: R }] }',
      '  - id: staff',
      '    model: res.partner',
      '    action: upsert',
      '    key: [ref]',
      '    records: [{ ref: A, boss: "" }]',
      '    template_columns: [boss]',
      extra,
      "    values: { parent_id: { ref: staff, key: '${row.boss}' }, company_id: { ref: roots, key: R } }",
      '',
    ];
    writeFileSync(join(dir, 'plan.yaml'), step('    priority: 0').join('\n'));
    const graph = compilePlan(await loadPlan(join(dir, 'plan.yaml')));
    expect(graph.order).toEqual(['roots', 'staff']);
    expect(graph.byId.staff?.dependsOn).toEqual(['roots']);
    expect(graph.byId.staff?.dependents).toEqual([]);
    // Its keys are kept for its own rows' references.
    expect(graph.byId.staff?.executable.referenced).toBe(true);
    expect(graph.edges.map((edge) => `${edge.from}→${edge.to} ${edge.kind}`)).toEqual([
      'staff→staff ref',
      'roots→staff ref',
    ]);
    writeFileSync(join(dir, 'plan.yaml'), step('    depends_on: [staff]').join('\n'));
    await expect(loadPlan(join(dir, 'plan.yaml'))).rejects.toThrow('dependency cycle: staff → staff');
  });

  test('a cycle is an error naming the whole cycle with the place of each edge', async () => {
    const plan = await loadPlan('priorities.yaml', { cwd: valid });
    // Make low-root wait for notes: low-root → partners → notes → low-root.
    const steps = plan.steps.map((step) => (step.id === 'low-root' ? { ...step, dependsOn: ['notes'] } : step));
    const cyclic: Plan = { ...plan, steps };
    const { graph, cycles } = buildPlanGraph(steps);
    expect(cycles.map((cycle) => cycle.steps.join(' → '))).toEqual(['low-root → partners → notes → low-root']);
    expect(graph.order).toEqual(['high-root', 'plain-root', 'urgent']);
    const error = (() => {
      try {
        compilePlan(cyclic);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PlanValidationError);
    const [problem] = (error as PlanValidationError).problems;
    expect(problem?.message).toBe('dependency cycle: low-root → partners → notes → low-root');
    expect(problem?.hint).toBe(
      'partners waits for low-root (steps[3].values.category_id.set[0].ref, line 32); notes waits for partners (steps[5].depends_on[0], line 43); low-root waits for notes (steps[0].depends_on[0], line 7). Remove one of these edges.',
    );
    expect(problem).toMatchObject({
      file: 'priorities.yaml',
      line: 32,
      path: 'steps[3].values.category_id.set[0].ref',
    });
  });
});
