/**
 * Call steps through the library against the company sandbox: invoices posted by `action_post` and counted stock
 * applied by `action_apply_inventory` (a method returning None), each selected by a guard so that a second apply
 * calls nothing; server errors reported per chunk with the method, the ids and the server's message, and narrowed to
 * the failing records under `isolate`; positional arguments refused before any write over JSON-2; a key-only call
 * step warned about; a call whose answer was lost reconciled by its guard (never called twice), or, without a guard,
 * reported as of unknown outcome and never sent again.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OutcomeUnknownError, PlanValidationError } from '../../../src/errors.js';
import type { OdooClient } from '../../../src/client/odoo-client.js';
import { applyPlan } from '../../../src/plan/apply/apply.js';
import { computeDiff } from '../../../src/plan/diff/diff-plan.js';
import { hasChanges } from '../../../src/plan/model/diff-types.js';
import { loadPlan } from '../../../src/plan/load/load-plan.js';
import { preparePlan } from '../../../src/plan/prepare/prepare-plan.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

const target = { url: 'sandbox:test', db: 'sandbox' };

let counter = 0;

/** Writes `yaml` as a plan in a new directory. */
async function writePlan(yaml: string): Promise<{ dir: string; file: string }> {
  counter += 1;
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-calls-'));
  await writeFile(join(dir, 'plan.yaml'), yaml);
  return { dir, file: join(dir, 'plan.yaml') };
}

describe('call steps on the company sandbox', () => {
  const odoo = withSandbox({ models: 'company' });

  it('posts the imported invoices once: the second apply selects none and calls nothing', async () => {
    const { dir, file } = await writePlan(`version: 1
name: post-${counter + 1}
steps:
  - id: customers
    model: res.partner
    action: upsert
    key: [ref]
    records: [{ ref: POST-C, name: Posting customer }]
  - id: invoices
    model: account.move
    action: upsert
    key: [ref]
    values: { move_type: out_invoice, partner_id: { ref: customers, key: POST-C }, invoice_date: '2026-11-30' }
    records: [{ ref: POST-1 }, { ref: POST-2 }, { ref: POST-3 }]
    lines:
      invoice_line_ids:
        records: [{ parent: POST-1, name: Fee, quantity: 1, price_unit: 50 }, { parent: POST-2, name: Fee, quantity: 2, price_unit: 50 }, { parent: POST-3, name: Fee, quantity: 3, price_unit: 50 }]
        parent: '\${row.parent}'
        template_columns: [parent]
  - id: post
    model: account.move
    action: call
    method: action_post
    where: [[ref, '=like', 'POST-%'], [state, '=', draft]]
    chunk_size: 2
    depends_on: [invoices]
`);
    const stateDir = join(dir, '.zenoo');
    const result = await applyPlan(await loadPlan(file), odoo.client, { target, stateDir });
    expect(result.status).toBe('succeeded');
    expect(result.steps.find((step) => step.step === 'post')).toMatchObject({
      status: 'done',
      counts: { called: 3, rejected: 0 },
    });
    const moves = await odoo.client.searchRead('account.move', [['ref', '=like', 'POST-%']], {
      fields: ['state', 'name'],
      order: 'ref',
    });
    expect(moves.map((move) => move['state'])).toEqual(['posted', 'posted', 'posted']);
    expect(moves.every((move) => String(move['name']).startsWith('INV/2026/'))).toBe(true);

    const before = odoo.sandbox.stats.callsByMethod['account.move.action_post'] ?? 0;
    const again = await computeDiff(await loadPlan(file), odoo.client, { target });
    expect(hasChanges(again)).toBe(false);
    const second = await applyPlan(await loadPlan(file), odoo.client, { target, stateDir });
    expect(second.status).toBe('succeeded');
    expect(odoo.sandbox.stats.callsByMethod['account.move.action_post'] ?? 0).toBe(before);
  });

  it('applies counted stock: action_apply_inventory answers None, and the quantities are on hand', async () => {
    const [stock] = await odoo.client.searchRead('stock.location', [['complete_name', '=', 'WH/Stock']], {
      fields: ['id'],
    });
    expect(stock).toBeDefined();
    const { dir, file } = await writePlan(`version: 1
name: count-${counter + 1}
steps:
  - id: products
    model: product.product
    action: upsert
    key: [default_code]
    values: { type: product }
    records: [{ default_code: CNT-1, name: Counted one }, { default_code: CNT-2, name: Counted two }]
  - id: counts
    model: stock.quant
    action: create
    context: { inventory_mode: true }
    template_columns: [product]
    values:
      product_id: { ref: products, key: '\${row.product}' }
      location_id: ${String(stock!['id'])}
    records: [{ product: CNT-1, inventory_quantity: 12 }, { product: CNT-2, inventory_quantity: 4 }]
  - id: apply-counts
    model: stock.quant
    action: call
    method: action_apply_inventory
    where: [[product_id.default_code, '=like', 'CNT-%'], [inventory_quantity_set, '=', true]]
    depends_on: [counts]
`);
    const stateDir = join(dir, '.zenoo');
    const result = await applyPlan(await loadPlan(file), odoo.client, { target, stateDir });
    expect(result.status).toBe('succeeded');
    // None is an answer, not a lost one: the step is done, its two records called.
    expect(result.steps.find((step) => step.step === 'apply-counts')).toMatchObject({
      status: 'done',
      counts: { called: 2 },
    });
    const quants = await odoo.client.searchRead('stock.quant', [['product_id.default_code', '=like', 'CNT-%']], {
      fields: ['quantity', 'inventory_quantity_set'],
      order: 'id',
    });
    expect(quants.map((quant) => [quant['quantity'], quant['inventory_quantity_set']])).toEqual([
      [12, false],
      [4, false],
    ]);
  });

  it('reports a server error per chunk with the method, the ids and the message; isolate narrows it to the failing records', async () => {
    const [partner] = await odoo.client.search('res.partner', [['ref', '=', 'POST-C']]);
    const ids: number[] = [];
    for (let i = 1; i <= 5; i += 1) {
      ids.push(await odoo.client.create('sale.order', { client_order_ref: `ISO-${i}`, partner_id: partner! }));
    }
    // Two of the five are confirmed already: a key-only step calls them again, and Odoo refuses.
    await odoo.client.callMethod('sale.order', 'action_confirm', [ids[1]!, ids[3]!]);
    const yaml = (name: string): string => `version: 1
name: iso-${name}
steps:
  - id: confirm
    model: sale.order
    action: call
    method: action_confirm
    key: [client_order_ref]
    records: [{ client_order_ref: ISO-1 }, { client_order_ref: ISO-2 }, { client_order_ref: ISO-3 }, { client_order_ref: ISO-4 }, { client_order_ref: ISO-5 }]
`;
    const stopped = await writePlan(yaml('stop'));
    const plan = await loadPlan(stopped.file);
    const prepared = await preparePlan(plan, odoo.client);
    expect(prepared.warnings.map((warning) => warning.message)).toContainEqual(
      expect.stringMatching(/call step "confirm" selects its records by key only: every apply calls action_confirm/),
    );
    const failed = await applyPlan(plan, odoo.client, { target, stateDir: join(stopped.dir, '.zenoo') });
    expect(failed.status).toBe('failed');
    const message = failed.steps.find((step) => step.step === 'confirm')?.error?.message ?? '';
    expect(message).toContain('sale.order.action_confirm');
    expect(message).toContain(`on ids [${ids.join(', ')}]`);
    expect(message).toMatch(/not in a state requiring confirmation/);
    // One call, one transaction: nothing of the chunk was confirmed.
    const states = async (): Promise<unknown[]> =>
      (await odoo.client.read('sale.order', ids, ['state'])).map((order) => order['state']);
    expect(await states()).toEqual(['draft', 'sale', 'draft', 'sale', 'draft']);

    const isolated = await writePlan(yaml('isolate'));
    const result = await applyPlan(await loadPlan(isolated.file), odoo.client, {
      target,
      stateDir: join(isolated.dir, '.zenoo'),
      onError: 'isolate',
    });
    expect(result.steps.find((step) => step.step === 'confirm')).toMatchObject({ counts: { called: 3, rejected: 2 } });
    expect(await states()).toEqual(['sale', 'sale', 'sale', 'sale', 'sale']);
  });
});

describe('call steps over JSON-2', () => {
  const odoo = withSandbox({ models: 'company', odooVersion: '19.0' });

  it('calls with ids and keyword arguments, and refuses positional arguments before any write', async () => {
    const client = odoo.newClient({ apiKey: odoo.sandbox.apiKey, mode: 'json2' });
    const { dir, file } = await writePlan(`version: 1
name: json2-calls
steps:
  - id: leads
    model: crm.lead
    action: upsert
    key: [name]
    records: [{ name: J2 Lead A }, { name: J2 Lead B }]
  - id: won
    model: crm.lead
    action: call
    method: action_set_won
    key: [name]
    records: [{ name: J2 Lead A }]
    where: [[probability, '!=', 100]]
    kwargs: {}
    depends_on: [leads]
`);
    const stats = odoo.sandbox.stats;
    const jsonRpc = (): number =>
      Object.entries(stats.callsByEndpoint)
        .filter(([endpoint]) => !endpoint.startsWith('/json/2') && endpoint !== '/web/webclient/version_info')
        .reduce((sum, [, count]) => sum + count, 0);
    const [wins, rpc] = [stats.callsByMethod['crm.lead.action_set_won'] ?? 0, jsonRpc()];
    const result = await applyPlan(await loadPlan(file), client, { target, stateDir: join(dir, '.zenoo') });
    expect(result.status).toBe('succeeded');
    expect(stats.callsByMethod['crm.lead.action_set_won']).toBe(wins + 1);
    expect(jsonRpc()).toBe(rpc);
    const leads = await client.searchRead('crm.lead', [['name', 'like', 'J2 Lead']], {
      fields: ['name', 'probability'],
      order: 'name',
    });
    expect(leads.map((lead) => lead['probability'] === 100)).toEqual([true, false]);

    const positional = await writePlan(`version: 1
name: json2-positional
steps:
  - id: leads
    model: crm.lead
    action: upsert
    key: [name]
    records: [{ name: J2 Lead C }]
  - id: won
    model: crm.lead
    action: call
    method: action_set_won
    args: [true]
    where: [[name, '=', J2 Lead C]]
    depends_on: [leads]
`);
    // As every command does before it writes: the plan is prepared against the target.
    const error = await preparePlan(await loadPlan(positional.file), client).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlanValidationError);
    const [problem] = (error as PlanValidationError).problems;
    expect(problem).toMatchObject({ path: 'steps[1].args', line: 13, col: 5 });
    expect(problem!.message).toMatch(/JSON-2 API \(Odoo 19 and later\) takes named arguments only/);
    // Nothing was written: the lead of the first step does not exist.
    expect(await client.search('crm.lead', [['name', '=', 'J2 Lead C']])).toEqual([]);
  });
});

describe('call steps whose answers are lost', () => {
  const odoo = withSandbox({ models: 'company' }, { retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  afterEach(() => odoo.sandbox.setFaults({}));

  /** `n` draft orders with client_order_ref `${prefix}-1` … (written without faults). */
  async function orders(prefix: string, n: number): Promise<number[]> {
    const partner = await odoo.client.create('res.partner', { name: `${prefix} customer` });
    const ids: number[] = [];
    for (let i = 1; i <= n; i += 1) {
      ids.push(await odoo.client.create('sale.order', { client_order_ref: `${prefix}-${i}`, partner_id: partner }));
    }
    return ids;
  }
  const confirms = (): number => odoo.sandbox.stats.callsByMethod['sale.order.action_confirm'] ?? 0;
  /** The fixture's client, counting the method calls whose answer was lost (so that a test knows it saw some). */
  function countingClient(): { client: OdooClient; lost: () => number } {
    let lost = 0;
    const client = new Proxy(odoo.client, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        if (property !== 'callMethod') return method.bind(target);
        return async (...args: unknown[]) => {
          try {
            return await method.apply(target, args);
          } catch (error) {
            if (error instanceof OutcomeUnknownError) lost += 1;
            throw error;
          }
        };
      },
    });
    return { client, lost: () => lost };
  }

  it('with a guard: a chunk whose answer was lost is reconciled by selecting its ids again, never called twice', async () => {
    const ids = await orders('LOST', 40);
    const { dir, file } = await writePlan(`version: 1
name: lost-guarded
steps:
  - id: confirm
    model: sale.order
    action: call
    method: action_confirm
    where: [[client_order_ref, '=like', 'LOST-%'], [state, '=', draft]]
    chunk_size: 4
`);
    const plan = await loadPlan(file);
    const before = confirms();
    // A dropped call commits, then loses its answer: the records moved out of draft, so none is called again.
    const { client, lost } = countingClient();
    odoo.sandbox.setFaults({ drop: 0.3, seed: 23 });
    const result = await applyPlan(plan, client, { target, stateDir: join(dir, '.zenoo') });
    odoo.sandbox.setFaults({});
    expect(result.status).toBe('succeeded');
    expect(lost()).toBeGreaterThan(0);
    expect(confirms() - before).toBe(10);
    const states = await odoo.client.read('sale.order', ids, ['state']);
    expect(states.every((order) => order['state'] === 'sale')).toBe(true);
  });

  it('without a guard: a chunk whose answer was lost is of unknown outcome, reported and never sent again', async () => {
    await orders('BLIND', 12);
    const records = Array.from({ length: 12 }, (_, i) => `{ client_order_ref: BLIND-${i + 1} }`).join(', ');
    const { dir, file } = await writePlan(`version: 1
name: lost-blind
steps:
  - id: confirm
    model: sale.order
    action: call
    method: action_confirm
    key: [client_order_ref]
    records: [${records}]
    chunk_size: 3
`);
    const before = confirms();
    const { client, lost } = countingClient();
    odoo.sandbox.setFaults({ drop: 0.5, seed: 3 });
    const result = await applyPlan(await loadPlan(file), client, { target, stateDir: join(dir, '.zenoo') });
    odoo.sandbox.setFaults({});
    expect(lost()).toBeGreaterThan(0);
    expect(result.status).toBe('failed');
    expect(result.steps[0]!.error?.code).toBe('ERR_OUTCOME_UNKNOWN');
    // Four chunks of three, each sent once.
    expect(confirms() - before).toBe(4);
  });
});
