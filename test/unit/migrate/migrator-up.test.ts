import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlanValidationError } from '../../../src/errors.js';
import type { ApplyResult } from '../../../src/plan/apply/apply-events.js';
import type { Diff, StepDiff } from '../../../src/plan/model/diff-types.js';
import { summarize } from '../../../src/plan/model/diff-types.js';
import { loadPlan } from '../../../src/plan/load/load-plan.js';
import type { MigrateEvent } from '../../../src/migrate/migrate-events.js';
import type { MigrationEngine } from '../../../src/migrate/migration-engine.js';
import { memoryLedgerStore } from '../../../src/migrate/memory-ledger-store.js';
import { Migrator } from '../../../src/migrate/migrator.js';
import type { Plan } from '../../../src/plan/model/plan-types.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'zenoo-migrator-up-'));
  await mkdir(join(root, 'plans/migrations'), { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const tagsPlan = (name: string, tag: string) => `version: 1
name: ${name}
steps:
  - id: tags
    model: res.partner.category
    action: upsert
    key: [name]
    records: [{ name: ${tag} }]
`;

const lookupPlan = `version: 1
name: companies
steps:
  - id: companies
    model: res.partner
    action: upsert
    key: [ref]
    records: [{ ref: C1, name: One }]
    values:
      category_id: { set: [{ lookup: { model: res.partner.category, where: [[name, "=", Gold]] } }] }
  - id: contacts
    model: res.partner
    action: create
    key: [email]
    records: [{ email: a@x, name: A, company: C1 }]
    template_columns: [company]
    values: { parent_id: { ref: companies, key: "\${row.company}" } }
  - id: countries
    model: res.country
    action: update
    where: [[code, "=", BE]]
    values: { name: Belgium }
`;

async function write(fileName: string, body: string): Promise<void> {
  await writeFile(join(root, 'plans/migrations', fileName), body);
}

function stepDiff(step: string, model: string, creates: number): StepDiff {
  return {
    step,
    model,
    action: 'upsert',
    creates: Array.from({ length: creates }, (_, index) => ({ row: index + 1, values: {} })),
    updates: [],
    deletes: [],
    unchanged: 0,
  };
}

function diffOf(plan: Plan, steps: StepDiff[]): Diff {
  return {
    formatVersion: 1,
    plan: { name: plan.name, fingerprint: plan.fingerprint },
    target: { url: 'http://t', db: 'd' },
    createdAt: '2026-11-29T00:00:00.000Z',
    stateFingerprint: 'x',
    summary: summarize(steps),
    steps,
  };
}

function applyResult(status: ApplyResult['status'], rejected = 0): ApplyResult {
  return {
    status,
    steps: [
      {
        step: 'tags',
        model: 'res.partner.category',
        action: 'upsert',
        status: status === 'succeeded' ? 'done' : 'failed',
        counts: { created: 1, updated: 0, deleted: 0, unchanged: 0, rejected },
        durationMs: 3,
      },
    ],
    durationMs: 3,
    rate: 1,
    resumed: false,
    journal: '.zenoo/journal/x.jsonl',
    ...(status === 'succeeded' ? {} : { error: { code: 'ERR_X', message: `apply ${status}` } }),
  };
}

/** An engine that loads real plans and scripts diffs and applies. */
function scriptedEngine(script: {
  apply?: (plan: Plan) => ApplyResult;
  diff?: (plan: Plan) => Diff;
  check?: (plan: Plan) => PlanValidationError['problems'];
}) {
  const applied: string[] = [];
  const engine: MigrationEngine = {
    load: (file) => loadPlan(file, { cwd: root }),
    check: async (plan) => script.check?.(plan) ?? [],
    diff: async (plan) => script.diff?.(plan) ?? diffOf(plan, []),
    apply: async (plan, { onEvent }) => {
      applied.push(plan.name);
      onEvent?.({ type: 'run-start', plan: plan.name, url: 'u', db: 'd', resumed: false, steps: [] });
      return script.apply?.(plan) ?? applyResult('succeeded');
    },
  };
  return { engine, applied };
}

function migrator(engine: MigrationEngine, store = memoryLedgerStore()) {
  let clock = Date.parse('2026-11-29T10:00:00Z');
  return {
    store,
    migrator: new Migrator({
      store,
      engine,
      lock: false,
      cwd: root,
      appliedBy: 'me',
      zenooVersion: '1.2.3',
      now: () => (clock += 250),
    }),
  };
}

describe('Migrator.up', () => {
  it('applies pending migrations in order, recording each once its apply succeeded', async () => {
    await write('0002-b.yaml', tagsPlan('b', 'B'));
    await write('0001-a.yaml', tagsPlan('a', 'A'));
    const { engine, applied } = scriptedEngine({});
    const { migrator: m, store } = migrator(engine);
    const events: MigrateEvent[] = [];
    const result = await m.up({ onEvent: (event) => events.push(event) });
    expect(applied).toEqual(['a', 'b']);
    expect(result.status).toBe('succeeded');
    expect(result.migrations.map((r) => [r.version, r.status])).toEqual([
      ['0001', 'applied'],
      ['0002', 'applied'],
    ]);
    expect(store.snapshot().map((e) => [e.version, e.name, e.kind, e.durationMs, e.zenooVersion, e.appliedBy])).toEqual(
      [
        ['0001', 'a', 'apply', 250, '1.2.3', 'me'],
        ['0002', 'b', 'apply', 250, '1.2.3', 'me'],
      ],
    );
    expect(events.map((e) => (e.type === 'apply' ? `apply:${e.version}:${e.event.type}` : e.type))).toEqual([
      'migrate-start',
      'migration-start',
      'apply:0001:run-start',
      'migration-done',
      'migration-start',
      'apply:0002:run-start',
      'migration-done',
      'migrate-done',
    ]);
    expect((await m.up()).migrations).toEqual([]);
    expect(applied).toEqual(['a', 'b']);
  });

  it('stops at a failed or interrupted migration, records nothing for it, and runs nothing after', async () => {
    await write('0001-a.yaml', tagsPlan('a', 'A'));
    await write('0002-b.yaml', tagsPlan('b', 'B'));
    await write('0003-c.yaml', tagsPlan('c', 'C'));
    for (const status of ['failed', 'interrupted'] as const) {
      const { engine, applied } = scriptedEngine({
        apply: (plan) => applyResult(plan.name === 'b' ? status : 'succeeded'),
      });
      const { migrator: m, store } = migrator(engine);
      const result = await m.up();
      expect(result.status).toBe(status);
      expect(applied).toEqual(['a', 'b']);
      expect(result.migrations.map((r) => r.status)).toEqual(['applied', status, 'not-executed']);
      expect(result.migrations[1]?.error?.message).toBe(`apply ${status}`);
      expect(store.snapshot().map((e) => e.version)).toEqual(['0001']);
    }
  });

  it('does not record a migration whose apply rejected records', async () => {
    await write('0001-a.yaml', tagsPlan('a', 'A'));
    const { engine } = scriptedEngine({ apply: () => applyResult('succeeded', 2) });
    const { migrator: m, store } = migrator(engine);
    const result = await m.up();
    expect(result.status).toBe('failed');
    expect(result.migrations[0]?.error?.message).toMatch(/2 records were rejected; the migration is not recorded/);
    expect(store.snapshot()).toEqual([]);
  });

  it('checks every plan against the server before the first write', async () => {
    await write('0001-a.yaml', tagsPlan('a', 'A'));
    await write('0002-b.yaml', tagsPlan('b', 'B'));
    const { engine, applied } = scriptedEngine({
      check: (plan) => (plan.name === 'b' ? [{ file: plan.displayFile, message: 'field nope does not exist' }] : []),
    });
    const { migrator: m, store } = migrator(engine);
    await expect(m.up()).rejects.toThrow(/field nope does not exist/);
    expect(applied).toEqual([]);
    expect(store.snapshot()).toEqual([]);
  });

  it('needs an engine', async () => {
    const m = new Migrator({ store: memoryLedgerStore(), lock: false, cwd: root });
    await expect(m.up()).rejects.toThrow(/needs the plan engine/);
  });
});

describe('Migrator.preview', () => {
  it('shows independent migrations, and lists steps depending on an earlier pending one instead of guessing', async () => {
    await write('0001-tags.yaml', tagsPlan('tags', 'Gold'));
    await write('0002-companies.yaml', lookupPlan);
    const { engine, applied } = scriptedEngine({
      diff: (plan) =>
        plan.name === 'tags'
          ? diffOf(plan, [stepDiff('tags', 'res.partner.category', 1)])
          : diffOf(plan, [
              stepDiff('companies', 'res.partner', 1),
              stepDiff('contacts', 'res.partner', 1),
              stepDiff('countries', 'res.country', 0),
            ]),
    });
    const { migrator: m, store } = migrator(engine);
    const preview = await m.preview();
    expect(applied).toEqual([]);
    expect(store.snapshot()).toEqual([]);
    expect(preview.hasChanges).toBe(true);
    const [first, second] = preview.migrations;
    expect(first?.dependent).toEqual([]);
    expect(first?.diff?.summary.create).toBe(1);
    // companies looks up a tag 0001 creates; contacts uses companies' records; countries is independent.
    expect(second?.dependent.map((step) => [step.step, step.on])).toEqual([
      ['companies', ['0001']],
      ['contacts', ['0001']],
    ]);
    expect(second?.dependent[0]?.reasons).toEqual([
      'it looks up res.partner.category records, and pending migration 0001 (tags) creates 1 of them',
    ]);
    expect(second?.dependent[1]?.reasons).toEqual([
      'it uses the records of step companies, which depends on an earlier pending migration',
    ]);
    expect(second?.diff?.steps.map((step) => step.step)).toEqual(['countries']);
  });

  it('reports a failed read as blocked when the migration depends on an earlier one, as an error otherwise', async () => {
    await write('0001-tags.yaml', tagsPlan('tags', 'Gold'));
    await write('0002-companies.yaml', lookupPlan);
    const { engine } = scriptedEngine({
      diff: (plan) => {
        if (plan.name === 'companies') throw new Error('lookup of res.partner.category found no record');
        return diffOf(plan, [stepDiff('tags', 'res.partner.category', 1)]);
      },
    });
    const blocked = (await migrator(engine).migrator.preview()).migrations[1];
    expect(blocked?.blocked?.message).toMatch(/found no record/);
    expect(blocked?.error).toBeUndefined();
    expect(blocked?.dependent.map((step) => step.step)).toEqual(['companies', 'contacts', 'countries']);

    // Nothing pending before it: the same failure is a real error.
    const { migrator: alone, store } = migrator(engine);
    await alone.baseline('0001');
    const preview = await alone.preview();
    expect(store.snapshot()).toHaveLength(1);
    expect(preview.hasErrors).toBe(true);
    expect(preview.migrations[0]?.error?.message).toMatch(/found no record/);
  });

  it('flags an external id created by an earlier pending migration', async () => {
    await write('0001-tags.yaml', tagsPlan('tags', 'Gold'));
    await write(
      '0002-use.yaml',
      `version: 1
name: use
steps:
  - id: partner
    model: res.partner
    action: update
    where: [[ref, "=", X]]
    values: { category_id: { set: [{ xmlid: zenoo_tags.tags_0123456789abcdef }] } }
`,
    );
    const { engine } = scriptedEngine({});
    const preview = await migrator(engine).migrator.preview();
    expect(preview.migrations[1]?.dependent[0]?.reasons).toEqual([
      'it refers to zenoo_tags.tags_0123456789abcdef, which pending migration 0001 (tags) creates',
    ]);
  });
});
