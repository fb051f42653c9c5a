import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { PlanValidationError, formatPlanProblem } from '../../../../src/errors.js';
import { loadPlan } from '../../../../src/plan/load/load-plan.js';
import { problemAt } from '../../../../src/plan/model/plan-positions.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** A copy of plans/ in a temporary directory, so tests can edit it. */
function copyOfExamples(): string {
  const dir = mkdtempSync(join(tmpdir(), 'zenoo-load-'));
  cpSync(join(root, 'plans'), join(dir, 'plans'), { recursive: true });
  return dir;
}

async function problems(file: string, cwd: string, env: Record<string, string> = {}): Promise<string[]> {
  try {
    await loadPlan(file, { cwd, env });
  } catch (error) {
    if (error instanceof PlanValidationError) return error.problems.map(formatPlanProblem);
    throw error;
  }
  return [];
}

describe('loadPlan', () => {
  test('normalises the example plan into a frozen Plan', async () => {
    const plan = await loadPlan('plans/example.yaml', { cwd: root });
    expect(plan).toMatchObject({
      name: 'crm-seed',
      version: 1,
      displayFile: 'plans/example.yaml',
      file: join(root, 'plans/example.yaml'),
      dir: join(root, 'plans'),
      defaults: { chunkSize: 200, concurrency: 4, context: { tracking_disable: true }, onError: 'stop' },
    });
    expect(plan.steps.map((step) => `${step.id}:${step.action}:${step.model}`)).toEqual([
      'tags:upsert:res.partner.category',
      'companies:upsert:res.partner',
      'contacts:create:res.partner',
      'archive-old:update:res.partner',
      'drop-obsolete-tags:delete:res.partner.category',
    ]);
    const companies = plan.steps[1]!;
    expect(companies.records).toMatchObject({
      kind: 'file',
      file: 'data/companies.csv',
      format: 'csv',
      rowCount: 5,
      columns: ['ref', 'name', 'email', 'phone', 'city', 'country', 'tier'],
    });
    expect(companies).toMatchObject({
      key: ['ref'],
      priority: 10,
      templateColumns: ['country', 'tier'],
      position: { line: 26, col: 5 },
    });
    expect(plan.steps[3]?.where).toMatchObject({ kind: 'list', path: 'steps[3].where' });
    expect(plan.positions['steps[2].values.parent_id']).toEqual({ line: 49, col: 7 });
    expect(plan.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.isFrozen(plan) && Object.isFrozen(plan.steps[1]) && Object.isFrozen(plan.steps[1]?.values)).toBe(
      true,
    );
    expect(() => {
      (plan.steps as unknown as unknown[]).push({});
    }).toThrow(TypeError);
    expect(problemAt(plan, 'steps[2].values.parent_id.key', 'no company "C9"', 'add it')).toEqual({
      file: 'plans/example.yaml',
      line: 49,
      col: 36,
      path: 'steps[2].values.parent_id.key',
      message: 'no company "C9"',
      hint: 'add it',
    });
  });

  test('the fingerprint ignores comments and location, and follows data and used environment variables', async () => {
    const dir = copyOfExamples();
    const base = (await loadPlan('plans/example.yaml', { cwd: dir })).fingerprint;
    expect((await loadPlan('example.yaml', { cwd: join(dir, 'plans') })).fingerprint).toBe(base);
    expect((await loadPlan('plans/example.yaml', { cwd: root })).fingerprint).toBe(base);

    const planFile = join(dir, 'plans/example.yaml');
    writeFileSync(planFile, `# another comment\n${readFileSync(planFile, 'utf8')}`);
    expect((await loadPlan('plans/example.yaml', { cwd: dir })).fingerprint).toBe(base);

    const csv = join(dir, 'plans/data/companies.csv');
    writeFileSync(csv, readFileSync(csv, 'utf8').replace('Brussels', 'Bruxelles'));
    const changedData = (await loadPlan('plans/example.yaml', { cwd: dir })).fingerprint;
    expect(changedData).not.toBe(base);

    writeFileSync(
      planFile,
      readFileSync(planFile, 'utf8').replace('{ active: false }', '{ active: false, comment: "${env.ZENOO_WHO}" }'),
    );
    const a = await loadPlan('plans/example.yaml', { cwd: dir, env: { ZENOO_WHO: 'a', UNUSED: '1' } });
    const b = await loadPlan('plans/example.yaml', { cwd: dir, env: { ZENOO_WHO: 'b', UNUSED: '1' } });
    const c = await loadPlan('plans/example.yaml', { cwd: dir, env: { ZENOO_WHO: 'a', UNUSED: '2' } });
    expect(a.fingerprint).not.toBe(b.fingerprint);
    expect(a.fingerprint).toBe(c.fingerprint);
    expect(a.steps[3]?.env).toEqual({ ZENOO_WHO: 'a' });
  });

  test('${env.NAME} inside inline records is filled, joins the fingerprint, and a missing one is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-inline-env-'));
    writeFileSync(
      join(dir, 'plan.yaml'),
      [
        'version: 1',
        'name: inline-env',
        'steps:',
        '  - id: partners',
        '    model: res.partner',
        '    action: upsert',
        '    key: [ref]',
        '    records:',
        '      - { ref: "${env.ZENOO_PREFIX}-1", name: "Shop of ${env.ZENOO_WHO}", comment: "costs $${price}" }',
        '      - { ref: P-2, name: Plain, tags: ["${env.ZENOO_WHO}"] }',
        '',
      ].join('\n'),
    );
    const env = { ZENOO_PREFIX: 'P', ZENOO_WHO: 'ops' };
    const plan = await loadPlan('plan.yaml', { cwd: dir, env });
    const records = plan.steps[0]!.records;
    expect(records?.kind === 'inline' ? records.rows : undefined).toEqual([
      { ref: 'P-1', name: 'Shop of ops', comment: 'costs ${price}' },
      { ref: 'P-2', name: 'Plain', tags: ['ops'] },
    ]);
    expect(plan.steps[0]!.env).toEqual(env);
    const other = await loadPlan('plan.yaml', { cwd: dir, env: { ...env, ZENOO_WHO: 'dev' } });
    expect(other.fingerprint).not.toBe(plan.fingerprint);

    expect(await problems('plan.yaml', dir, { ZENOO_PREFIX: 'P' })).toEqual([
      expect.stringMatching(
        /^plan\.yaml:9:41 {2}steps\[0\]\.records\[0\]\.name {2}environment variable ZENOO_WHO is not set/,
      ),
      expect.stringMatching(
        /^plan\.yaml:10:41 {2}steps\[0\]\.records\[1\]\.tags\[0\] {2}environment variable ZENOO_WHO/,
      ),
    ]);
    writeFileSync(
      join(dir, 'plan.yaml'),
      readFileSync(join(dir, 'plan.yaml'), 'utf8').replace('Plain', '"${row.ref}"'),
    );
    expect((await problems('plan.yaml', dir, env)).join('\n')).toMatch(/\$\{row\.ref\} is not filled inside records/);
  });

  test('reports plan and data problems together, plan file first', async () => {
    const dir = copyOfExamples();
    const planFile = join(dir, 'plans/example.yaml');
    writeFileSync(planFile, readFileSync(planFile, 'utf8').replace('action: create', 'action: craete'));
    writeFileSync(join(dir, 'plans/data/contacts.jsonl'), '{"name": "A", "company": "C001"}\n');
    expect(await problems('plans/example.yaml', dir)).toEqual([
      'plans/example.yaml:43:5  steps[2].action  text "craete" is not one of create, upsert, update, delete, call\n    hint: did you mean "create"?',
      'plans/data/contacts.jsonl:1  row 1  key field "email" is missing or empty\n    hint: every record of step "contacts" needs its key (email)',
    ]);
  });

  test('a data file reached through a symbolic link out of the plan directory is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-link-'));
    mkdirSync(join(dir, 'outside'));
    mkdirSync(join(dir, 'plan'));
    writeFileSync(join(dir, 'outside/secret.csv'), 'name\nA\n');
    symlinkSync(join(dir, 'outside/secret.csv'), join(dir, 'plan/rows.csv'));
    writeFileSync(
      join(dir, 'plan/plan.yaml'),
      'version: 1\nname: l\nsteps:\n  - { id: a, model: res.partner, action: create, records: { file: rows.csv } }\n',
    );
    expect(await problems('plan/plan.yaml', dir)).toEqual([
      `plan/plan.yaml:4:61  steps[0].records.file  data file "rows.csv" links outside the plan's directory\n    hint: data files must live in the plan's directory or below it`,
    ]);
  });

  test('a missing plan file is a clear problem; bad options are TypeErrors', async () => {
    expect(await problems('nope.yaml', root)).toEqual([
      'nope.yaml  plan file not found\n    hint: check the path of the plan file',
    ]);
    await expect(loadPlan('')).rejects.toThrow(TypeError);
    await expect(loadPlan('plans/example.yaml', { cwd: root, maxProblemsPerDataFile: 0 })).rejects.toThrow(
      'Expected `maxProblemsPerDataFile` to be an integer from 1 and up',
    );
  });

  test('an aborted signal stops loading', async () => {
    await expect(loadPlan('plans/example.yaml', { cwd: root, signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ERR_ABORTED',
    });
  });
});

describe('loadPlan: auto chunk size and concurrency', () => {
  test('defaults and steps take auto; a step without its own inherits it, and a step with a number keeps that', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-load-auto-'));
    writeFileSync(
      join(dir, 'plan.yaml'),
      'version: 1\nname: t\ndefaults: { chunk_size: auto, concurrency: auto }\nsteps:\n' +
        '  - { id: a, model: res.partner, action: create, records: [{ name: A }] }\n' +
        '  - { id: b, model: res.partner, action: create, records: [{ name: B }], chunk_size: 100, concurrency: 3 }\n',
    );
    const plan = await loadPlan('plan.yaml', { cwd: dir });
    expect(plan.defaults).toMatchObject({ chunkSize: 50, autoChunkSize: true, autoConcurrency: true });
    expect(plan.steps.map((step) => [step.chunkSize, step.autoChunkSize, step.autoConcurrency])).toEqual([
      [50, true, true],
      [100, false, false],
    ]);
  });
});
