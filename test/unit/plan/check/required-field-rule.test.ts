/**
 * The required-field rule against every model of the company snapshot (`fields_get` + `default_get` of a real Odoo
 * 17 database with sale, stock, purchase, mrp, crm, hr, project and account): a create that gives only a model's
 * name is refused only for a required field nothing on the server can fill; what the server may fill is a warning.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FieldInfo } from '../../../../src/client/types.js';
import type { PlanProblem } from '../../../../src/errors.js';
import { checkPlanFields } from '../../../../src/plan/check/check-plan-fields.js';
import { delegatedParents, requiredFieldVerdict } from '../../../../src/plan/check/required-field-rule.js';
import { loadPlan } from '../../../../src/plan/load/load-plan.js';

interface SnapshotModel {
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly fields: Readonly<Record<string, FieldInfo>>;
}

const snapshot = JSON.parse(
  readFileSync(new URL('../../../../src/sandbox/company/fields-odoo-17.0-company.json', import.meta.url), 'utf8'),
) as { models: Record<string, SnapshotModel> };
const models = Object.entries(snapshot.models);

/** A plan with one create step per model, each record giving only the model's `name` (when it has one). */
async function namePlan() {
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-required-'));
  const steps = models.map(([model, { fields }], index) =>
    [
      `  - id: s${index}`,
      `    model: ${model}`,
      '    action: create',
      `    records: [${fields['name'] ? '{ name: Something }' : '{ }'}]`,
    ].join('\n'),
  );
  await writeFile(join(dir, 'plan.yaml'), `version: 1\nname: required\nsteps:\n${steps.join('\n')}\n`);
  return loadPlan(join(dir, 'plan.yaml'));
}

describe('the required-field rule over the company snapshot', () => {
  it('has the 37 business models of the snapshot', () => {
    expect(models).toHaveLength(37);
  });

  it('refuses only what nothing on the server fills; the rest are warnings', async () => {
    const plan = await namePlan();
    const warnings: PlanProblem[] = [];
    const problems = await checkPlanFields(plan, new Map(models.map(([model, { fields }]) => [model, fields])), {
      defaults: new Map(models.map(([model, { defaults }]) => [model, new Set(Object.keys(defaults))])),
      warnings,
    });
    const refused = (list: readonly PlanProblem[]) =>
      Object.fromEntries(
        plan.steps
          .map((step) => [
            step.model,
            list
              .filter((problem) => problem.path === step.path)
              .map((problem) => /required field "([^"]+)"/.exec(problem.message)?.[1]),
          ])
          .filter(([, fields]) => fields!.length > 0),
      );
    // Certain refusals: a user needs a login, a journal its type, a warehouse its short name.
    expect(refused(problems)).toEqual({
      'res.users': ['login'],
      'account.journal': ['type'],
      'stock.warehouse': ['code'],
    });
    // What the captures show the server filling by itself is not even a warning: hr.employee's resource (its name,
    // tz, calendar are related through resource_id), a product's template.
    const warned = refused(warnings);
    expect(warned['hr.employee']).toBeUndefined();
    expect(warned['product.product']).toEqual(['uom_po_id']); // related to the template's, computed there from uom_id
    // What only the server knows is a warning (a company's partner, made by res.company's create).
    // What only the server knows is a warning: a computed field (the purchase unit, from the unit), a many2one that the
    // model's create may fill (an order's customer, here left out on purpose).
    expect(warned['product.template']).toEqual(['uom_po_id']);
    expect(warned['sale.order']).toEqual(['partner_id', 'partner_invoice_id', 'partner_shipping_id', 'warehouse_id']);
    expect(warned['res.partner']).toBeUndefined(); // accounts are company-dependent with defaults
    expect(warned['product.category']).toBeUndefined();
    expect(warned['crm.lead']).toBeUndefined();
    expect(warned['hr.department']).toBeUndefined();
  });

  it('classifies by source: default, one2many and delegated parent fill; computed, related, company-dependent and many2one warn', () => {
    const product = snapshot.models['product.product']!.fields;
    const parents = delegatedParents(product);
    expect([...parents]).toEqual(['product_tmpl_id']);
    expect(requiredFieldVerdict('product_tmpl_id', product['product_tmpl_id']!, new Set(), parents).kind).toBe(
      'filled',
    );
    expect(requiredFieldVerdict('name', product['name']!, new Set(), parents)).toMatchObject({ kind: 'warning' });
    const template = snapshot.models['product.template']!.fields;
    expect(requiredFieldVerdict('uom_po_id', template['uom_po_id']!, new Set(), new Set())).toMatchObject({
      kind: 'warning',
      why: expect.stringContaining('computed'),
    });
    expect(requiredFieldVerdict('uom_po_id', template['uom_po_id']!, new Set(['uom_po_id']), new Set()).kind).toBe(
      'filled',
    );
    const partner = snapshot.models['res.partner']!.fields;
    expect(
      requiredFieldVerdict(
        'property_account_payable_id',
        partner['property_account_payable_id']!,
        new Set(),
        new Set(),
      ),
    ).toMatchObject({ kind: 'warning', why: expect.stringContaining('company-dependent') });
    expect(
      requiredFieldVerdict('name', { type: 'char', string: 'Name', required: true }, new Set(), new Set()),
    ).toEqual({
      kind: 'error',
    });
  });
});
