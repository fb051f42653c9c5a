// A dry run shows related records by name on both sides: countries and tags as a reviewer knows them, read once per
// related model for the whole diff, ids kept in the values.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { computeDiff } from '../../../src/plan/diff/diff-plan.js';
import { loadPlan } from '../../../src/plan/load/load-plan.js';
import { renderDiffMarkdown } from '../../../src/plan/render/render-markdown.js';
import { renderDiffText } from '../../../src/plan/render/render-text.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

const odoo = withSandbox();

it('a dry run names the countries and tags before and after', async () => {
  const client = odoo.client;
  const nl = await client.resolveXmlId('base.nl');
  const [vip] = await client.create('res.partner.category', [{ name: 'Names VIP' }]);
  await client.create('res.partner.category', [{ name: 'Names Retail' }]);
  await client.create('res.partner', [
    { name: 'Named One', ref: 'NAMES-1', country_id: nl, category_id: [[6, 0, [vip]]] },
  ]);
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-diff-names-'));
  await writeFile(
    join(dir, 'plan.yaml'),
    [
      'version: 1',
      'name: names',
      'steps:',
      '  - id: partners',
      '    model: res.partner',
      '    action: upsert',
      '    key: [ref]',
      '    records: [{ ref: NAMES-1, name: Named One }, { ref: NAMES-2, name: Named Two }]',
      '    values:',
      '      country_id: { xmlid: base.de }',
      '      category_id: { set: [{ lookup: { model: res.partner.category, where: [[name, "=", Names Retail]] } }] }',
      '',
    ].join('\n'),
  );
  const plan = await loadPlan(join(dir, 'plan.yaml'));
  odoo.sandbox.resetStats();
  const diff = await computeDiff(plan, client, { target: { url: odoo.url, db: odoo.db } });
  const text = renderDiffText(diff);
  expect(text).toContain('country_id: "Netherlands" → "Germany"');
  expect(text).toContain('category_id: {"Names VIP"} → = {"Names Retail"}');
  expect(text).toContain('country_id: "Germany", category_id: = {"Names Retail"}');
  expect(renderDiffMarkdown(diff)).toContain('`"Netherlands"` → `"Germany"`');
  // Ids stay in the values (what the apply writes); the names travel beside them.
  expect(diff.steps[0]!.updates[0]!.changes.find((change) => change.field === 'country_id')!.after).toBeTypeOf(
    'number',
  );
  expect(Object.values(diff.steps[0]!.names!['country_id']!)).toEqual(
    expect.arrayContaining(['Germany', 'Netherlands']),
  );
  // One read of names per related model.
  expect(odoo.sandbox.stats.callsByMethod['res.country.search_read']).toBe(1);
});
