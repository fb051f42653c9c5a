import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { formatPlanProblem } from '../../../src/errors.js';
import { validatePlanRemote } from '../../../src/plan/check/check-plan-fields.js';
import { loadPlan } from '../../../src/plan/load/load-plan.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const odoo = withSandbox();

describe('validatePlanRemote against the sandbox', () => {
  test('the example plan fits the target', async () => {
    const plan = await loadPlan('plans/example.yaml', { cwd: root });
    expect(await validatePlanRemote(plan, odoo.client)).toEqual([]);
  });

  test('unknown models and misspelt columns are reported, and nothing is written', async () => {
    const before = await odoo.client.searchCount('res.partner', []);
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-remote-'));
    writeFileSync(join(dir, 'people.csv'), 'name,emali\nJane,jane@x.example\n');
    writeFileSync(
      join(dir, 'plan.yaml'),
      'version: 1\nname: r\nsteps:\n  - { id: people, model: res.partner, action: create, records: { file: people.csv } }\n  - { id: ghosts, model: x_ghost.record, action: create, records: [{ name: Boo }] }\n',
    );
    const plan = await loadPlan('plan.yaml', { cwd: dir });
    const problems = (await validatePlanRemote(plan, odoo.client)).map(formatPlanProblem);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^plan\.yaml:5:19 {2}steps\[1\]\.model {2}model x_ghost\.record does not exist on the server \(.+\)\n/,
    );
    expect(problems[0]).toContain('hint: check the model name');
    expect(problems[1]).toBe(
      'plan.yaml:4:55  steps[0].records  column "emali" of people.csv is not a field of res.partner\n    hint: did you mean "email"? If it only feeds templates, list it in template_columns.',
    );
    expect(await odoo.client.searchCount('res.partner', [])).toBe(before);
  });
});
