/**
 * Hierarchies inside one step, through the built CLI against the company sandbox: a 40-employee tree listed leaves
 * first, a three-level product category tree (a create step with a key) and a partners file mixing companies and
 * their contacts apply with every link right, and a second dry run shows nothing (a saved diff of a tree applies
 * too); a file whose rows form a cycle is refused by validate, diff and apply, naming its rows, with nothing written
 * (not even the plan's other steps); a run killed with SIGKILL mid-apply resumes to exactly the tree.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../../helpers/run-cli.js';
import type { CliRun } from '../../helpers/run-cli.js';
import { employeeManagers } from '../../helpers/employee-managers.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

// A little latency per call, so that a SIGKILL lands while the tree is being written.
const odoo = withSandbox({ models: 'company', latencyMs: 5 });
let dir: string;
/**
 * Where the killed runs are killed, in chunks done (chunk size 3: level 0 is one chunk, level 1 one, level 2 three,
 * level 3 nine): right after the first level, inside level 2, inside the last level.
 */
const KILL_AFTER = [1, 3, 8] as const;

/**
 * A tree of 40 employees under `domain`: one head, 3 under it, 9 under those, 27 leaves; listed leaves first. The
 * email of each employee's manager, by email ('' for the head).
 */
function employeeTree(domain: string): Map<string, string> {
  const tree = new Map<string, string>();
  const head = `head@${domain}`;
  const levels: string[][] = [[head]];
  for (let depth = 1; depth < 4; depth += 1) {
    levels.push(levels[depth - 1]!.flatMap((parent, i) => [0, 1, 2].map((k) => `e${depth}-${i * 3 + k}@${domain}`)));
  }
  levels.forEach((level, depth) =>
    level.forEach((email, i) => tree.set(email, depth === 0 ? '' : levels[depth - 1]![Math.floor(i / 3)]!)),
  );
  // Leaves first: the file lists the deepest level first.
  return new Map([...tree].reverse());
}

function employeesCsv(tree: ReadonlyMap<string, string>): string {
  return `name,work_email,manager\n${[...tree].map(([email, manager]) => `${email.split('@')[0]},${email},${manager}`).join('\n')}\n`;
}

function staffPlan(name: string, file: string): string {
  return [
    'version: 1',
    `name: ${name}`,
    'defaults: { chunk_size: 3, concurrency: 2 }',
    'steps:',
    '  - id: staff',
    '    model: hr.employee',
    '    action: upsert',
    '    key: [work_email]',
    `    records: { file: ${file} }`,
    '    template_columns: [manager]',
    "    values: { parent_id: { ref: staff, key: '${row.manager}' } }",
    '',
  ].join('\n');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zenoo-hierarchy-'));
  const files: Record<string, string> = {
    'staff.csv': employeesCsv(employeeTree('tree.example')),
    'staff.yaml': staffPlan('staff', 'staff.csv'),
    'saved.csv': employeesCsv(employeeTree('saved.example')),
    'saved.yaml': staffPlan('saved', 'saved.csv'),
    ...Object.fromEntries(
      KILL_AFTER.flatMap((chunks) => [
        [`killed-${chunks}.csv`, employeesCsv(employeeTree(`killed-${chunks}.example`))],
        [`killed-${chunks}.yaml`, staffPlan(`killed-${chunks}`, `killed-${chunks}.csv`)],
      ]),
    ),
    // Leaves first, three levels, a create step with a key.
    'categories.csv':
      'name,parent\nOffice chairs,Chairs\nStools,Chairs\nDesks,Tables\nChairs,Furniture\nTables,Furniture\nFurniture,\n',
    // Contacts before their companies, in one file.
    'partners.csv': [
      'ref,name,is_company,company',
      'P-ANN,Ann,false,P-ACME',
      'P-BOB,Bob,false,P-ACME',
      'P-CID,Cid,false,P-GLOBEX',
      'P-ACME,Acme,true,',
      'P-GLOBEX,Globex,true,',
      'P-SOLO,Solo,false,',
      '',
    ].join('\n'),
    'tree.yaml': [
      'version: 1',
      'name: trees',
      'steps:',
      '  - id: categories',
      '    model: product.category',
      '    action: create',
      '    key: [name]',
      '    records: { file: categories.csv }',
      '    template_columns: [parent]',
      "    values: { parent_id: { ref: categories, key: '${row.parent}' } }",
      '  - id: partners',
      '    model: res.partner',
      '    action: upsert',
      '    key: [ref]',
      '    records: { file: partners.csv }',
      '    template_columns: [company]',
      "    values: { parent_id: { ref: partners, key: '${row.company}' } }",
      '',
    ].join('\n'),
    // b manages a, c manages b, a manages c; the departments step would be written first if the plan were accepted.
    'cycle.csv':
      'name,work_email,manager\nBoss,boss@cycle.example,\nA,a@cycle.example,b@cycle.example\nB,b@cycle.example,c@cycle.example\nC,c@cycle.example,a@cycle.example\n',
    'cycle.yaml': [
      'version: 1',
      'name: cycle',
      'steps:',
      '  - { id: departments, model: hr.department, action: upsert, key: [name], records: [{ name: Cycle dept }] }',
      '  - id: staff',
      '    model: hr.employee',
      '    action: upsert',
      '    key: [work_email]',
      '    records: { file: cycle.csv }',
      '    template_columns: [manager]',
      '    values:',
      "      parent_id: { ref: staff, key: '${row.manager}' }",
      '      department_id: { ref: departments, key: Cycle dept }',
      '',
    ].join('\n'),
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
});

function env(): NodeJS.ProcessEnv {
  return {
    ZENOO_URL: odoo.url,
    ZENOO_DB: odoo.db,
    ZENOO_USER: odoo.sandbox.login,
    ZENOO_PASSWORD: odoo.sandbox.password,
  };
}

function zenoo(args: readonly string[]): Promise<CliRun> {
  return runCli(dir, args, env());
}

/** work_email → the manager's work_email ('' for none), for the employees under `domain`. */
function managers(domain: string): Promise<Map<string, string>> {
  return employeeManagers(odoo.client, domain);
}

function sorted(map: ReadonlyMap<string, string>): [string, string][] {
  return [...map].sort(([a], [b]) => a.localeCompare(b));
}

describe('hierarchies inside one step', () => {
  it('a 40-employee tree listed leaves first: the dry run shows the new managers, the apply writes every link', async () => {
    const validate = await zenoo(['plan', 'validate', 'staff.yaml', '--remote']);
    expect(validate.stdout).toContain('is valid');
    expect(validate.code).toBe(0);

    const diff = await zenoo(['plan', 'diff', 'staff.yaml', '--limit', '100']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('parent_id: <new staff "head@tree.example">');
    expect(diff.stdout).toContain('parent_id: <new staff "e1-0@tree.example">');

    const apply = await zenoo(['plan', 'apply', 'staff.yaml', '--yes']);
    expect(apply.stderr).not.toMatch(/error|failed/i);
    expect(apply.code).toBe(0);
    expect(sorted(await managers('tree.example'))).toEqual(sorted(employeeTree('tree.example')));

    const again = await zenoo(['plan', 'diff', 'staff.yaml', '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes');
    expect(again.code).toBe(0);

    // Moving one employee to another manager is an update of that one field.
    const tree = employeeTree('tree.example');
    tree.set('e3-0@tree.example', 'e2-8@tree.example');
    await writeFile(join(dir, 'moved.csv'), employeesCsv(tree));
    await writeFile(join(dir, 'moved.yaml'), staffPlan('staff', 'moved.csv'));
    const move = await zenoo(['plan', 'diff', 'moved.yaml', '--detailed-exitcode']);
    expect(move.code).toBe(2);
    expect(move.stdout).toMatch(/1 to update/);
    expect(move.stdout).toMatch(/parent_id: .*e2-0.* → .*e2-8/);
    expect((await zenoo(['plan', 'apply', 'moved.yaml', '--yes'])).code).toBe(0);
    expect(sorted(await managers('tree.example'))).toEqual(sorted(tree));
  });

  it('a diff of a tree saved with --out applies parents first, exactly as reviewed', async () => {
    const diff = await zenoo(['plan', 'diff', 'saved.yaml', '--out', 'saved.json']);
    expect(diff.code).toBe(0);
    const apply = await zenoo(['plan', 'apply', 'saved.json', '--yes']);
    expect(apply.stderr).not.toMatch(/error|failed/i);
    expect(apply.code).toBe(0);
    expect(sorted(await managers('saved.example'))).toEqual(sorted(employeeTree('saved.example')));
    expect((await zenoo(['plan', 'diff', 'saved.yaml', '--detailed-exitcode'])).code).toBe(0);
  });

  it('a three-level category tree and companies with their contacts in one file apply with every link right', async () => {
    const apply = await zenoo(['plan', 'apply', 'tree.yaml', '--yes']);
    expect(apply.stderr).not.toMatch(/error|failed/i);
    expect(apply.code).toBe(0);

    const categories = await odoo.client.searchRead<{ name: string; complete_name: string }>(
      'product.category',
      [['name', 'in', ['Furniture', 'Chairs', 'Tables', 'Office chairs', 'Stools', 'Desks']]],
      { fields: ['name', 'complete_name'] },
    );
    expect(Object.fromEntries(categories.map((category) => [category.name, category.complete_name]))).toEqual({
      Furniture: 'Furniture',
      Chairs: 'Furniture / Chairs',
      Tables: 'Furniture / Tables',
      'Office chairs': 'Furniture / Chairs / Office chairs',
      Stools: 'Furniture / Chairs / Stools',
      Desks: 'Furniture / Tables / Desks',
    });

    const partners = await odoo.client.searchRead<{
      ref: string;
      display_name: string;
      parent_id: [number, string] | false;
    }>('res.partner', [['ref', '=like', 'P-%']], { fields: ['ref', 'display_name', 'parent_id'] });
    expect(Object.fromEntries(partners.map((partner) => [partner.ref, partner.display_name]))).toEqual({
      'P-ACME': 'Acme',
      'P-GLOBEX': 'Globex',
      'P-ANN': 'Acme, Ann',
      'P-BOB': 'Acme, Bob',
      'P-CID': 'Globex, Cid',
      'P-SOLO': 'Solo',
    });

    const again = await zenoo(['plan', 'diff', 'tree.yaml', '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes');
    expect(again.code).toBe(0);
  });

  it('a cycle among rows is refused by validate, diff and apply, naming its rows, with nothing written', async () => {
    const counts = async (): Promise<number[]> => [
      await odoo.client.searchCount('hr.employee', []),
      await odoo.client.searchCount('hr.department', []),
    ];
    const before = await counts();
    for (const args of [
      ['plan', 'validate', 'cycle.yaml'],
      ['plan', 'diff', 'cycle.yaml'],
      ['plan', 'apply', 'cycle.yaml', '--yes'],
    ]) {
      const run = await zenoo(args);
      expect(run.code, args.join(' ')).toBe(1);
      // validate prints its verdict on stdout, the commands that would write print their errors on stderr.
      const output = run.stdout + run.stderr;
      for (const [row, key, to] of [
        [3, 'a@cycle.example', 4],
        [4, 'b@cycle.example', 5],
        [5, 'c@cycle.example', 3],
      ] as const) {
        expect(output).toContain(
          `cycle.csv:${row}  row ${row}  key ["${key}"] (step "staff"): its parent_id refers to row ${to}`,
        );
      }
      expect(output).toContain('a cycle of 3 rows (rows 3 → 4 → 5 → 3)');
      expect(output).not.toContain('row 2 ');
    }
    expect(await counts()).toEqual(before);
    expect(await odoo.client.searchCount('hr.department', [['name', '=', 'Cycle dept']])).toBe(0);
  });

  it.each(KILL_AFTER)('a run killed with SIGKILL after %i chunks resumes to exactly the tree', async (after) => {
    const name = `killed-${after}`;
    const domain = `${name}.example`;
    const apply = spawnCli(dir, ['plan', 'apply', `${name}.yaml`, '--yes', '--json'], env());
    let chunks = 0;
    for await (const line of createInterface({ input: apply.stdout })) {
      if ((JSON.parse(line) as { type: string }).type === 'chunk-done') chunks += 1;
      if (chunks === after) {
        apply.kill('SIGKILL');
        break;
      }
    }
    await new Promise((wait) => apply.once('close', wait));
    const written = (await managers(domain)).size;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(40);

    const resumed = await zenoo(['plan', 'apply', `${name}.yaml`, '--yes']);
    expect(resumed.stderr).toContain(`Resuming plan ${name}`);
    expect(resumed.code).toBe(0);
    expect(sorted(await managers(domain))).toEqual(sorted(employeeTree(domain)));
    expect(await odoo.client.searchCount('hr.employee', [['work_email', '=like', `%@${domain}`]])).toBe(40);
    expect((await zenoo(['plan', 'diff', `${name}.yaml`, '--detailed-exitcode'])).code).toBe(0);
  });
});
