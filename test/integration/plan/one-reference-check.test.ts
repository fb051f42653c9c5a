/**
 * One pre-write reference check per apply: `zenoo plan apply` prepares the plan once (fields, checks, references)
 * and the preview and the apply take that preparation instead of checking again; `applyPlan` called alone runs the
 * same check once. The calls of one CLI apply are pinned: one login, one `fields_get` per model, no read repeated.
 * Every external id is read once and every lookup domain once, all before the first write, and nothing is written
 * when the check finds a problem.
 */
import { EventEmitter } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, test, vi } from 'vitest';
import { runApply } from '../../../src/cli/commands/plan-apply.js';
import type { PlanCommandIo } from '../../../src/cli/commands/plan-target.js';
import { OdooClient } from '../../../src/client/odoo-client.js';
import { PlanValidationError, formatPlanProblem } from '../../../src/errors.js';
import { applyPlan } from '../../../src/plan/apply/apply.js';
import type { ApplyOptions } from '../../../src/plan/apply/apply-options.js';
import { validatePlanRemote } from '../../../src/plan/check/check-plan-fields.js';
import { checkPlanReferences } from '../../../src/plan/check/check-plan-references.js';
import { loadPlan } from '../../../src/plan/load/load-plan.js';
import type { Plan } from '../../../src/plan/model/plan-types.js';
import { ReferenceCache } from '../../../src/plan/references/reference-cache.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

// What every applyPlan and applyDiff call receives (the CLI's included); the real functions run.
const applied = vi.hoisted(() => ({ calls: [] as { fn: string; first: unknown; options: unknown }[] }));
vi.mock('../../../src/plan/apply/apply.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/plan/apply/apply.js')>();
  return {
    ...original,
    applyPlan: (...args: Parameters<typeof original.applyPlan>) => {
      applied.calls.push({ fn: 'applyPlan', first: args[0], options: args[2] });
      return original.applyPlan(...args);
    },
    applyDiff: (...args: Parameters<typeof original.applyDiff>) => {
      applied.calls.push({ fn: 'applyDiff', first: args[0], options: args[2] });
      return original.applyDiff(...args);
    },
  };
});

const odoo = withSandbox();
const cwd = process.cwd();

/** Writes `files` into a new directory; returns it. */
async function directory(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-one-check-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

/**
 * A plan with a literal external id (used by two steps), an external id computed per row (three distinct values over
 * six rows), a lookup that does not depend on the row (used by two steps), and `{ ref }`s to earlier steps.
 */
function planFiles(name: string): Record<string, string> {
  return {
    'companies.csv': [
      'ref,name,country,tier',
      ...['be', 'fr', 'be', 'fr', 'be', 'de'].map(
        (country, i) => `${name}-C${i + 1},${name} company ${i + 1},${country},${i % 2 === 0 ? 'Gold' : 'Silver'}`,
      ),
      '',
    ].join('\n'),
    'plan.yaml': [
      'version: 1',
      `name: ${name}`,
      'steps:',
      '  - id: tags',
      '    model: res.partner.category',
      '    action: upsert',
      '    key: [name]',
      `    records: [{ name: "${name} Gold" }, { name: "${name} Silver" }]`,
      '  - id: companies',
      '    model: res.partner',
      '    action: upsert',
      '    key: [ref]',
      '    records: { file: companies.csv }',
      '    template_columns: [country, tier]',
      '    values:',
      '      is_company: true',
      '      parent_id: { xmlid: base.main_partner }',
      '      country_id: { xmlid: "base.${row.country}" }',
      `      category_id: { set: [{ ref: tags, key: "${name} \${row.tier}" }] }`,
      '  - id: contacts',
      '    model: res.partner',
      '    action: upsert',
      '    key: [email]',
      '    records:',
      `      - { name: Ann, email: ann@${name}.example, company: ${name}-C1 }`,
      `      - { name: Bob, email: bob@${name}.example, company: ${name}-C6 }`,
      '    template_columns: [company]',
      '    values:',
      '      parent_id: { ref: companies, key: "${row.company}" }',
      '  - id: branches',
      '    model: res.partner',
      '    action: upsert',
      '    key: [ref]',
      `    records: [{ ref: ${name}-B1, name: Branch }]`,
      '    values:',
      '      is_company: true',
      '      parent_id: { xmlid: base.main_partner }',
      '      country_id: { lookup: { model: res.country, where: [[code, "=", FR]] } }',
      '  - id: shops',
      '    model: res.partner',
      '    action: upsert',
      '    key: [ref]',
      `    records: [{ ref: ${name}-S1, name: Shop }]`,
      '    values:',
      '      is_company: true',
      '      country_id: { lookup: { model: res.country, where: [[code, "=", FR]] } }',
      '',
    ].join('\n'),
  };
}

interface Call {
  readonly model: string;
  readonly method: string;
  readonly args: readonly unknown[];
}

const WRITES = new Set(['create', 'write', 'unlink', 'load']);

/** Records every `execute_kw` of `target` (every client method goes through it). */
function recordCalls(target: OdooClient): Call[] {
  const calls: Call[] = [];
  const original = target.executeKw.bind(target);
  target.executeKw = ((model: string, method: string, args: readonly unknown[], ...rest: unknown[]) => {
    calls.push({ model, method, args });
    return (original as (...all: unknown[]) => Promise<unknown>)(model, method, args, ...rest);
  }) as typeof target.executeKw;
  return calls;
}

function callsByMethod(): Readonly<Record<string, number>> {
  return { ...odoo.sandbox.stats.callsByMethod };
}

/** Every call made since `before`, by method. */
function callsSince(before: Readonly<Record<string, number>>): Record<string, number> {
  const now = odoo.sandbox.stats.callsByMethod;
  return Object.fromEntries(
    Object.keys(now)
      .filter((method) => now[method]! > (before[method] ?? 0))
      .sort()
      .map((method) => [method, now[method]! - (before[method] ?? 0)]),
  );
}

/**
 * The calls of one CLI `plan apply --yes` of {@link planFiles} on a fresh plan name: one login; one `fields_get` per
 * model; the literal external id in one read and the per-row ones once each; the shared lookup once; one read and one
 * create per step (4 partner steps, 1 tag step); the lock: the migrations lock and the plan lock read, then taken and
 * released; and one version request (transport `auto` asks it before the login to choose, and the run header reuses
 * it).
 */
const PINNED_YES = {
  'common.authenticate': 1,
  'ir.config_parameter.create': 1,
  'ir.config_parameter.search_read': 2,
  'ir.config_parameter.unlink': 1,
  'ir.model.data.search_read': 4,
  'res.country.fields_get': 1,
  'res.country.search_read': 1,
  'res.partner.category.create': 1,
  'res.partner.category.fields_get': 1,
  'res.partner.category.search_read': 1,
  'res.partner.create': 4,
  'res.partner.fields_get': 1,
  'res.partner.search_read': 4,
  'webclient.version_info': 1,
};
/**
 * The same through the prompt: the preview diff reads each step once, and the confirmed diff is checked once more
 * under the lock (records it would create still absent), as a saved diff is: one more read per step, nothing else.
 */
// The prompt's preview diff also reads the names it shows: one read per related model (countries, partners) for all
// of its steps.
const PINNED_PROMPT = {
  ...PINNED_YES,
  'res.country.search_read': 2,
  'res.partner.category.search_read': 2,
  'res.partner.search_read': 9,
};

function delta(before: Readonly<Record<string, number>>, method: string): number {
  return (odoo.sandbox.stats.callsByMethod[method] ?? 0) - (before[method] ?? 0);
}

/** In-process streams; with `answer`, a terminal that answers the confirmation prompt. */
function io(answer?: string): { io: PlanCommandIo; stderr: () => string } {
  const err: string[] = [];
  const stdin = Object.assign(new PassThrough(), { isTTY: answer !== undefined });
  return {
    io: {
      stdout: { write: () => true, isTTY: false },
      stderr: {
        write: (text: string) => {
          err.push(text);
          // The operator answers once the question is on the screen.
          if (answer !== undefined && text.endsWith('[y/N] ')) stdin.write(`${answer}\n`);
          return true;
        },
        isTTY: answer !== undefined,
      },
      stdin,
      signals: new EventEmitter(),
      env: { NO_COLOR: '1' },
    },
    stderr: () => err.join(''),
  };
}

/** What the plan must have written: companies with their country, parent and tag; contacts; branch and shop in France. */
async function expectApplied(name: string): Promise<void> {
  const partners = await odoo.client.searchRead(
    'res.partner',
    ['|', ['ref', '=like', `${name}-%`], ['email', '=like', `%@${name}.example`]],
    { fields: ['ref', 'email', 'country_id', 'parent_id', 'category_id'], order: 'id' },
  );
  const countries = await odoo.client.searchRead('res.country', [['code', 'in', ['BE', 'FR', 'DE']]], {
    fields: ['code'],
  });
  const country = (code: string): number => countries.find((one) => one['code'] === code)!['id'] as number;
  const [be, fr, de] = [country('BE'), country('FR'), country('DE')];
  const tags = await odoo.client.searchRead('res.partner.category', [['name', 'like', `${name} `]], {
    fields: ['name'],
  });
  const tagId = (tier: string): number => tags.find((tag) => tag['name'] === `${name} ${tier}`)!['id'] as number;
  const byRef = new Map(partners.map((partner) => [partner['ref'] || partner['email'], partner] as const));
  const m2o = (value: unknown): unknown => (Array.isArray(value) ? value[0] : value);
  expect(partners).toHaveLength(6 + 2 + 1 + 1);
  ['be', 'fr', 'be', 'fr', 'be', 'de'].forEach((country, i) => {
    const company = byRef.get(`${name}-C${i + 1}`)!;
    expect(m2o(company['country_id'])).toBe({ be, fr, de }[country]);
    expect(m2o(company['parent_id'])).toBe(1); // base.main_partner
    expect(company['category_id']).toEqual([tagId(i % 2 === 0 ? 'Gold' : 'Silver')]);
  });
  const c1 = byRef.get(`${name}-C1`)!['id'];
  const c6 = byRef.get(`${name}-C6`)!['id'];
  expect(m2o(byRef.get(`ann@${name}.example`)!['parent_id'])).toBe(c1);
  expect(m2o(byRef.get(`bob@${name}.example`)!['parent_id'])).toBe(c6);
  expect(m2o(byRef.get(`${name}-B1`)!['parent_id'])).toBe(1);
  for (const key of [`${name}-B1`, `${name}-S1`]) expect(m2o(byRef.get(key)!['country_id'])).toBe(fr);
}

describe('zenoo plan apply checks references once', () => {
  test.each([
    ['--yes', 'oneyes', true],
    ['the confirmation prompt and its preview diff', 'oneask', false],
  ])('each external id is read once and the lookup once, for the whole run (%s)', async (_, name, yes) => {
    const dir = await directory(planFiles(name));
    const before = callsByMethod();
    const run = io(yes ? undefined : 'y');
    process.chdir(dir);
    try {
      const code = await runApply(
        'plan.yaml',
        { yes, url: odoo.url, db: odoo.db, user: odoo.sandbox.login, password: odoo.sandbox.password },
        run.io,
      );
      expect(run.stderr()).not.toContain('error');
      expect(run.stderr()).toContain(`Applying plan ${name}`);
      expect(code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    // base.main_partner (one batched read of the literal ids), then base.be, base.fr and base.de (per row): 4 reads.
    // Checked twice (validation, then apply) and resolved again by the run, this was 1 + 4 + 4 (+ 4 for a preview).
    expect(delta(before, 'ir.model.data.search_read')).toBe(1 + 3);
    // The lookup shared by two steps: one read, never counted again by the apply. The prompt's preview adds one read
    // of the countries' names, for all steps at once, so that it shows "Belgium" rather than #20.
    expect(delta(before, 'res.country.search_read')).toBe(yes ? 1 : 1 + 1);
    expect(delta(before, 'res.country.search_count')).toBe(0);
    // One login, and the fields of each model read once (it was 2 logins and 2 or 3 fields_get per model).
    expect(delta(before, 'common.authenticate')).toBe(1);
    for (const model of ['res.partner.category', 'res.partner', 'res.country']) {
      expect(delta(before, `${model}.fields_get`)).toBe(1);
    }
    // The apply was given the command's preparation: it neither checks nor reads the fields again.
    const last = applied.calls.at(-1)!;
    const options = last.options as ApplyOptions;
    expect(options.prepared?.references.xmlid('base.fr')).toEqual({ id: 75, model: 'res.country' });
    expect(options.prepared?.references.lookup('shops', 'res.country', [['code', '=', 'FR']])).toEqual([75]);
    // --yes applies the plan; the prompt applies exactly the diff it showed.
    expect(last.fn).toBe(yes ? 'applyPlan' : 'applyDiff');
    if (!yes) expect(run.stderr()).toContain(`${name} company 1`);
    // Every call of the run, pinned: reading a record twice shows up here.
    expect(callsSince(before)).toEqual(yes ? PINNED_YES : PINNED_PROMPT);
    await expectApplied(name);
  });

  test('applyPlan alone runs the same check once, before the lock and the first write', async () => {
    const dir = await directory(planFiles('onelib'));
    const plan = await loadPlan('plan.yaml', { cwd: dir });
    const calls = recordCalls(odoo.client);
    const result = await applyPlan(plan, odoo.client, {
      target: { url: 'sandbox:one', db: 'sandbox' },
      stateDir: join(dir, '.zenoo'),
    });
    expect(result.status).toBe('succeeded');
    const firstWrite = calls.findIndex((call) => WRITES.has(call.method));
    expect(firstWrite).toBeGreaterThan(0);
    const xmlidReads = calls.filter((call) => call.model === 'ir.model.data' && call.method === 'search_read');
    expect(xmlidReads.map((call) => call.args[0])).toEqual([
      [
        ['module', 'in', ['base']],
        ['name', 'in', ['main_partner']],
      ],
      ...['be', 'fr', 'de'].map((country) => [
        ['module', '=', 'base'],
        ['name', '=', country],
      ]),
    ]);
    const lookups = calls.filter((call) => call.model === 'res.country' && call.method !== 'fields_get');
    expect(lookups.map((call) => [call.method, call.args[0]])).toEqual([['search_read', [['code', '=', 'FR']]]]);
    // All of them before anything was written (the lock included).
    for (const call of [...xmlidReads, ...lookups]) expect(calls.indexOf(call)).toBeLessThan(firstWrite);
    await expectApplied('onelib');
  });

  test('referencesChecked skips the check: the caller vouches for it', async () => {
    const files = planFiles('onetrust');
    files['companies.csv'] = files['companies.csv']!.replace(',de,', ',atlantis,');
    const dir = await directory(files);
    const plan = await loadPlan('plan.yaml', { cwd: dir });
    const options = {
      target: { url: 'sandbox:one', db: 'sandbox' },
      stateDir: join(dir, '.zenoo'),
      lock: false,
    } as const;
    // Checked: refused before anything is written.
    const writes = odoo.sandbox.stats.commits;
    const error = await applyPlan(plan, odoo.client, options).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PlanValidationError);
    expect((error as PlanValidationError).problems.map(formatPlanProblem)).toEqual([
      'companies.csv:7  row 7  external id base.atlantis does not exist in the target (referenced by steps[1].values.country_id)\n' +
        '    hint: check the module and name, and that the module defining it is installed',
    ]);
    expect(odoo.sandbox.stats.commits).toBe(writes);
    // Not checked: the run starts writing and the step fails when it reaches the row.
    const result = await applyPlan(plan, odoo.client, { ...options, referencesChecked: true });
    expect(result.status).toBe('failed');
    expect(odoo.sandbox.stats.commits).toBeGreaterThan(writes);
  });
});

describe('validatePlanRemote checks every row of referencing steps', () => {
  async function plan(files: Record<string, string>): Promise<Plan> {
    return loadPlan('plan.yaml', { cwd: await directory(files) });
  }

  test('external ids and lookups computed per row are reported at their rows, and nothing is written', async () => {
    const bad = await plan({
      'people.csv': [
        'ref,name,cc,boss',
        'P1,Ann,BE,main_partner',
        'P2,Bob,ZZ,main_partner',
        'P3,Cid,FR,atlantis',
        'P4,Dan,B%,',
        'P5,Eve,BE,',
        '',
      ].join('\n'),
      'plan.yaml': [
        'version: 1',
        'name: rows',
        'steps:',
        '  - id: people',
        '    model: res.partner',
        '    action: upsert',
        '    key: [ref]',
        '    records: { file: people.csv }',
        '    template_columns: [cc, boss]',
        '    values:',
        '      country_id: { lookup: { model: res.country, where: [[code, "=like", "${row.cc}"]] } }',
        '      parent_id: { xmlid: "base.${row.boss}" }',
        '',
      ].join('\n'),
    });
    const cache = new ReferenceCache();
    const commits = odoo.sandbox.stats.commits;
    const problems = (await validatePlanRemote(bad, odoo.client, { referenceCache: cache })).map(formatPlanProblem);
    const belgium = await odoo.client.searchCount('res.country', [['code', '=like', 'B%']]);
    expect(belgium).toBeGreaterThan(2);
    expect(problems).toEqual([
      'people.csv:3  row 3  lookup of res.country where [["code","=like","ZZ"]] found no record (referenced by steps[0].values.country_id)\n' +
        '    hint: a lookup must match exactly one existing res.country record: fix the domain, or create the record first',
      'people.csv:4  row 4  external id base.atlantis does not exist in the target (referenced by steps[0].values.parent_id)\n' +
        '    hint: check the module and name, and that the module defining it is installed',
      `people.csv:5  row 5  lookup of res.country where [["code","=like","B%"]] found ${belgium} records (referenced by steps[0].values.country_id)\n` +
        '    hint: a lookup must match exactly one record: make the domain more precise',
    ]);
    expect(odoo.sandbox.stats.commits).toBe(commits);
    // What was found is kept for the apply: base.be exists, base.atlantis does not.
    expect(cache.xmlid('base.main_partner')).toEqual({ id: 1, model: 'res.partner' });
    expect(cache.xmlid('base.atlantis')).toBeNull();
    expect(cache.lookup('people', 'res.country', [['code', '=like', 'BE']])).toHaveLength(1);
  });

  test('stops reading rows after maxProblems problems, and says so', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `T${i},Tag ${i},nowhere${i}`);
    const many = await plan({
      'tags.csv': ['ref,name,country', ...rows, ''].join('\n'),
      'plan.yaml': [
        'version: 1',
        'name: many',
        'steps:',
        '  - id: people',
        '    model: res.partner',
        '    action: upsert',
        '    key: [ref]',
        '    records: { file: tags.csv }',
        '    template_columns: [country]',
        '    values: { country_id: { xmlid: "base.${row.country}" } }',
        '',
      ].join('\n'),
    });
    const reads = (): number => odoo.sandbox.stats.callsByMethod['ir.model.data.search_read'] ?? 0;
    // By default: five row problems per step, the rest counted; every row read (one read per distinct id).
    let before = reads();
    const problems = await validatePlanRemote(many, odoo.client);
    expect(problems.map((problem) => problem.path)).toEqual(['row 2', 'row 3', 'row 4', 'row 5', 'row 6', 'steps[0]']);
    expect(problems.at(-1)!.message).toBe('... and 35 more row problems in step "people"');
    expect(reads() - before).toBe(40);
    // With a lower cap, the check stops reading rows once it is reached.
    before = reads();
    const capped = await checkPlanReferences(many, odoo.client, undefined, { maxProblems: 3 });
    expect(capped.map(formatPlanProblem).slice(3)).toEqual([
      'plan.yaml:4:5  steps[0]  stopped checking after 3 problems at row 4 of step "people": the rest was not checked\n' +
        '    hint: fix the ones above and validate again',
    ]);
    expect(capped.slice(0, 3).map((problem) => problem.message)).toEqual(
      [0, 1, 2].map(
        (i) => `external id base.nowhere${i} does not exist in the target (referenced by steps[0].values.country_id)`,
      ),
    );
    expect(reads() - before).toBe(3);
  });
});
