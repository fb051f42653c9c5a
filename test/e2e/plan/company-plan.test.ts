/**
 * A plan over a company database, as a new user writes it (what they would type in each form), through the built
 * CLI against the company sandbox: product categories (a tree), product templates, customers with accounting
 * installed, departments, employees with managers and leads. It validates against the target (warnings at most),
 * applies, and a second dry run shows no change.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/run-cli.js';
import type { CliRun } from '../../helpers/run-cli.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

const odoo = withSandbox({ models: 'company' });
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zenoo-company-'));
  const files: Record<string, string> = {
    'products.csv': 'default_code,name,list_price,category\nCH-1,Office chair,120,Chairs\nTB-1,Desk,340,Tables\n',
    'customers.csv': 'ref,name,email\nC-1,Acme,sales@acme.example\nC-2,Globex,info@globex.example\n',
    'plan.yaml': [
      'version: 1',
      'name: company',
      'steps:',
      '  - id: roots',
      '    model: product.category',
      '    action: upsert',
      '    key: [name]',
      '    records: [{ name: Furniture }]',
      '  - id: categories',
      '    model: product.category',
      '    action: upsert',
      '    key: [name]',
      '    records: [{ name: Chairs }, { name: Tables }]',
      '    values: { parent_id: { ref: roots, key: Furniture } }',
      '  - id: products',
      '    model: product.template',
      '    action: upsert',
      '    key: [default_code]',
      '    records: { file: products.csv }',
      '    template_columns: [category]',
      "    values: { categ_id: { ref: categories, key: '${row.category}' } }",
      '  - id: customers',
      '    model: res.partner',
      '    action: upsert',
      '    key: [ref]',
      '    records: { file: customers.csv }',
      '    values: { is_company: true }',
      '  - id: departments',
      '    model: hr.department',
      '    action: upsert',
      '    key: [name]',
      '    records: [{ name: Sales }]',
      '  - id: managers',
      '    model: hr.employee',
      '    action: upsert',
      '    key: [work_email]',
      '    records: [{ work_email: ann@co.example, name: Ann }]',
      '    values: { department_id: { ref: departments, key: Sales } }',
      '  - id: staff',
      '    model: hr.employee',
      '    action: upsert',
      '    key: [work_email]',
      '    records: [{ work_email: bob@co.example, name: Bob }]',
      '    values:',
      '      department_id: { ref: departments, key: Sales }',
      '      parent_id: { ref: managers, key: ann@co.example }',
      '  - id: leads',
      '    model: crm.lead',
      '    action: upsert',
      '    key: [name]',
      '    records: [{ name: Office refit, expected_revenue: 5000 }]',
      '    values: { partner_id: { ref: customers, key: C-1 } }',
      '',
    ].join('\n'),
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
});

function zenoo(args: readonly string[]): Promise<CliRun> {
  return runCli(dir, args, {
    ZENOO_URL: odoo.url,
    ZENOO_DB: odoo.db,
    ZENOO_USER: odoo.sandbox.login,
    ZENOO_PASSWORD: odoo.sandbox.password,
  });
}

describe('a plan over a company database', () => {
  it('validates (warnings at most), applies, and a second dry run shows nothing', async () => {
    const validate = await zenoo(['plan', 'validate', 'plan.yaml', '--remote']);
    expect(validate.stderr).not.toContain('error');
    expect(validate.stdout).toContain('is valid');
    expect(validate.code).toBe(0);

    const apply = await zenoo(['plan', 'apply', 'plan.yaml', '--yes']);
    expect(apply.stderr).not.toMatch(/error|failed/i);
    expect(apply.code).toBe(0);

    const again = await zenoo(['plan', 'diff', 'plan.yaml', '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes');
    expect(again.code).toBe(0);

    // Every record as planned, with what the server filled itself (accounts, units, the employee's resource).
    const [chair] = await odoo.client.searchRead('product.template', [['default_code', '=', 'CH-1']], {
      fields: ['categ_id', 'uom_id', 'uom_po_id'],
    });
    expect((chair!['categ_id'] as [number, string])[1]).toBe('Furniture / Chairs');
    expect(chair!['uom_id']).toEqual(chair!['uom_po_id']);
    const [bob] = await odoo.client.searchRead('hr.employee', [['work_email', '=', 'bob@co.example']], {
      fields: ['parent_id', 'resource_id', 'department_id'],
    });
    expect((bob!['parent_id'] as [number, string])[1]).toBe('Ann');
    expect(bob!['resource_id']).not.toBe(false);
    const [acme] = await odoo.client.searchRead('res.partner', [['ref', '=', 'C-1']], {
      fields: ['property_account_receivable_id', 'property_account_payable_id'],
    });
    expect(acme!['property_account_receivable_id']).not.toBe(false);
    const leads = await odoo.client.searchRead('crm.lead', [['name', '=', 'Office refit']], { fields: ['partner_id'] });
    expect(leads).toHaveLength(1);
  });
});
