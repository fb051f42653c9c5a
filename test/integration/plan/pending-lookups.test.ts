// Lookups of records an earlier step of the same plan creates, on the company sandbox: bills of materials looking up
// the product.template and the product.product (its variant, created with the template through `_inherits`) of
// products created two steps earlier. The check leaves them to the run, the dry run shows them pending, the apply
// resolves them when their step runs, and a row whose lookup still finds nothing is rejected with its file and row.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
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
import { withSandbox } from '../../helpers/with-sandbox.js';

const odoo = withSandbox({ models: 'company' });

async function writePlan(name: string, parts: string): Promise<{ file: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-pending-lookup-'));
  // Product codes are the plan's own, so that each test starts with products still to create.
  const code = (part: string): string => `${name}-${part}`;
  await writeFile(join(dir, 'lines.csv'), `bom,part,product_qty\nBOM-CH,${code('LG-1')},4\nBOM-CH,${code(parts)},1\n`);
  await writeFile(
    join(dir, 'plan.yaml'),
    [
      'version: 1',
      `name: ${name}`,
      'steps:',
      '  - id: templates',
      '    model: product.template',
      '    action: upsert',
      '    key: [default_code]',
      `    records: [{ default_code: ${code('CH-1')}, name: Office chair }, { default_code: ${code('LG-1')}, name: Chair leg }]`,
      '  - id: boms',
      '    model: mrp.bom',
      '    action: upsert',
      '    key: [code]',
      `    records: [{ code: BOM-CH-${name} }]`,
      '    values:',
      `      product_tmpl_id: { lookup: { model: product.template, where: [[default_code, "=", ${code('CH-1')}]] } }`,
      '  - id: lines',
      '    model: mrp.bom.line',
      '    action: create',
      '    records: { file: lines.csv }',
      '    template_columns: [bom, part]',
      '    values:',
      "      bom_id: { ref: boms, key: '${row.bom}-" + name + "' }",
      "      product_id: { lookup: { model: product.product, where: [[default_code, '=', '${row.part}']] } }",
      '',
    ].join('\n'),
  );
  return { file: join(dir, 'plan.yaml'), dir };
}

describe('lookups of records an earlier step creates', () => {
  it('are left to the run by the check, pending in the dry run, resolved by the apply; a second dry run is empty', async () => {
    const { file, dir } = await writePlan('boms', 'CH-1');
    const plan = await loadPlan(file);
    const prepared = await preparePlan(plan, odoo.client);
    // Through the delegation product.product ↔ product.template, the lines wait for the templates step.
    expect(prepared.graph.byId.lines?.dependsOn).toEqual(['templates', 'boms']);
    const target = { url: odoo.url, db: odoo.db };
    const diff = await computeDiff(plan, odoo.client, { target, prepared });
    const text = renderDiffText(diff);
    expect(text).toContain('<lookup product.template default_code = "boms-CH-1">');
    expect(text).toContain('<lookup product.product default_code = "boms-LG-1">');

    const result = await applyPlan(plan, odoo.client, { target, prepared, stateDir: join(dir, '.zenoo') });
    expect(result.status).toBe('succeeded');
    const [leg] = await odoo.client.searchRead<{ id: number }>(
      'product.product',
      [['default_code', '=', 'boms-LG-1']],
      {
        fields: ['id'],
      },
    );
    const lines = await odoo.client.searchRead<{ product_id: [number, string] }>('mrp.bom.line', [], {
      fields: ['product_id'],
    });
    expect(lines.map((line) => line.product_id[0])).toContain(leg!.id);
    expect(hasChanges(await computeDiff(plan, odoo.client, { target }))).toBe(false);
  });

  it('a saved diff with pending lookups runs them when their step is applied', async () => {
    const { file, dir } = await writePlan('boms-saved', 'CH-1');
    const plan = await loadPlan(file);
    const prepared = await preparePlan(plan, odoo.client);
    const target = { url: odoo.url, db: odoo.db };
    const saved = JSON.parse(JSON.stringify(await computeDiff(plan, odoo.client, { target, prepared }))) as Diff;
    expect(JSON.stringify(saved)).toContain('"lookup":{"model":"product.product"');
    const result = await applyDiff(saved, odoo.client, { target, stateDir: join(dir, '.zenoo') });
    expect(result.status).toBe('succeeded');
    expect(result.steps.find((step) => step.step === 'lines')!.counts.created).toBe(2);
    expect(hasChanges(await computeDiff(plan, odoo.client, { target }))).toBe(false);
  });

  it('a row whose lookup still finds nothing when its step runs is rejected with its file and row; the rest is applied', async () => {
    const { file, dir } = await writePlan('boms-missing', 'NOPE-9');
    const plan = await loadPlan(file);
    const prepared = await preparePlan(plan, odoo.client);
    const target = { url: odoo.url, db: odoo.db };
    const rejectsFile = join(dir, 'rejects.jsonl');
    const result = await applyPlan(plan, odoo.client, {
      target,
      prepared,
      stateDir: join(dir, '.zenoo'),
      rejectsFile,
    });
    expect(result.status).toBe('failed');
    const lines = result.steps.find((step) => step.step === 'lines')!;
    expect(lines.counts.rejected).toBe(1);
    // The line whose lookup found its product was created (this plan's own records: a new external id).
    expect(lines.counts.created).toBe(1);
    const rejects = (await readFile(rejectsFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rejects).toHaveLength(1);
    expect(JSON.stringify(rejects[0])).toMatch(/lines\.csv/);
    expect(JSON.stringify(rejects[0])).toMatch(/row 3/);
    expect(JSON.stringify(rejects[0])).toMatch(/lookup of product\.product .*found no record/);
  });
});
