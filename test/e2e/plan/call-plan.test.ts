/**
 * Call steps over the built CLI against the company sandbox: a plan creates quotations and leads, confirms the
 * quotations by domain and marks two leads won by key (with a guard). The first dry run names both calls, the apply
 * leaves the states right, the next dry run shows nothing and the next apply sends no call; a saved diff calls the
 * reviewed records and is refused once they left the selection; a run killed with SIGKILL during the call step
 * resumes and confirms every order exactly once. Each runs over JSON-RPC (the sandbox as Odoo 17) and JSON-2 (as
 * Odoo 19, API key), where the CLI must make no JSON-RPC call.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../../helpers/run-cli.js';
import type { CliRun } from '../../helpers/run-cli.js';
import { withSandbox } from '../../helpers/with-sandbox.js';
import { OdooClient } from '../../../src/client/odoo-client.js';
import { startSandbox } from '../../../src/sandbox/start-sandbox.js';
import type { Sandbox } from '../../../src/sandbox/start-sandbox.js';
import { TRANSPORTS, jsonRpcCalls, transportSandbox } from '../../chaos/chaos-core.mjs';
import type { Transport } from '../../chaos/chaos-core.mjs';

/** The CLI's environment for `sandbox` over `transport` (JSON-2 with the sandbox's API key, as Odoo 19 wants). */
function cliEnv(sandbox: Sandbox, transport: Transport): NodeJS.ProcessEnv {
  const base = { ZENOO_URL: sandbox.url, ZENOO_DB: sandbox.db, ZENOO_USER: 'admin' };
  return transport === 'json2'
    ? { ...base, ZENOO_API_KEY: sandbox.apiKey, ZENOO_TRANSPORT: 'json2' }
    : { ...base, ZENOO_PASSWORD: 'admin' };
}

/** A plan of quotations and leads, then the two call steps. */
function callPlan(name: string, orders: number, options: { chunk?: number } = {}): string {
  const quotations = Array.from({ length: orders }, (_, i) => `      - { client_order_ref: SO-LEGACY-${i + 1} }`);
  return [
    'version: 1',
    `name: ${name}`,
    `defaults: { chunk_size: ${options.chunk ?? 200}, concurrency: 1 }`,
    'steps:',
    '  - id: customers',
    '    model: res.partner',
    '    action: upsert',
    '    key: [ref]',
    '    records: [{ ref: C-1, name: Acme, is_company: true }]',
    '  - id: orders',
    '    model: sale.order',
    '    action: upsert',
    '    key: [client_order_ref]',
    '    values: { partner_id: { ref: customers, key: C-1 } }',
    '    records:',
    ...quotations,
    '  - id: leads',
    '    model: crm.lead',
    '    action: upsert',
    '    key: [name]',
    '    records: [{ name: Lead A }, { name: Lead B }, { name: Lead C }]',
    '  - id: confirm',
    '    model: sale.order',
    '    action: call',
    '    method: action_confirm',
    "    where: [[client_order_ref, '=like', 'SO-LEGACY-%'], [state, '=', draft]]",
    `    chunk_size: ${options.chunk ?? 200}`,
    '    depends_on: [orders]',
    '  - id: won',
    '    model: crm.lead',
    '    action: call',
    '    method: action_set_won',
    '    key: [name]',
    '    records: [{ name: Lead A }, { name: Lead B }]',
    "    where: [[probability, '!=', 100]]",
    '    depends_on: [leads]',
    '',
  ].join('\n');
}

describe.each(TRANSPORTS)('call steps on the company sandbox over %s', (transport) => {
  const odoo = withSandbox({ models: 'company', ...transportSandbox(transport) });
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zenoo-call-'));
    await writeFile(join(dir, 'plan.yaml'), callPlan('calls', 3));
  });

  /** Runs the CLI; over JSON-2 it must make no JSON-RPC call (the test's own client, between runs, may). */
  async function zenoo(args: readonly string[]): Promise<CliRun> {
    const before = jsonRpcCalls(odoo.sandbox);
    const run = await runCli(dir, args, cliEnv(odoo.sandbox, transport));
    if (transport === 'json2') expect(jsonRpcCalls(odoo.sandbox) - before, 'JSON-RPC calls of the CLI').toBe(0);
    return run;
  }
  const calls = (method: string): number => odoo.sandbox.stats.callsByMethod[method] ?? 0;
  // The sandbox counts calls as model.method.

  it('dry run names both calls, apply sets the states, the next dry run and apply call nothing', async () => {
    const first = await zenoo(['plan', 'diff', 'plan.yaml', '--detailed-exitcode']);
    // The company database's required fields that the server computes give warnings, nothing else.
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(2);
    expect(first.stdout).toMatch(/^confirm {2}sale\.order {2}call action_confirm on 0 records$/m);
    expect(first.stdout).toMatch(/^won {2}crm\.lead {2}call action_set_won on 0 records$/m);
    expect(first.stdout).toContain('the selection depends on records that earlier steps will create');

    const apply = await zenoo(['plan', 'apply', 'plan.yaml', '--yes']);
    expect(apply.stderr).not.toMatch(/error|failed/i);
    expect(apply.code).toBe(0);
    expect(apply.stdout + apply.stderr).toMatch(/confirm .*3 called/);
    const orders = await odoo.client.searchRead('sale.order', [['client_order_ref', '=like', 'SO-LEGACY-%']], {
      fields: ['state'],
    });
    expect(orders.map((order) => order['state'])).toEqual(['sale', 'sale', 'sale']);
    const leads = await odoo.client.searchRead('crm.lead', [], { fields: ['name', 'probability'], order: 'name' });
    expect(leads.map((lead) => [lead['name'], lead['probability']])).toEqual([
      ['Lead A', 100],
      ['Lead B', 100],
      ['Lead C', expect.any(Number)],
    ]);
    expect(leads[2]!['probability']).not.toBe(100);

    const again = await zenoo(['plan', 'diff', 'plan.yaml', '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes');
    expect(again.code).toBe(0);

    const [confirms, wins] = [calls('sale.order.action_confirm'), calls('crm.lead.action_set_won')];
    const second = await zenoo(['plan', 'apply', 'plan.yaml', '--yes']);
    expect(second.code).toBe(0);
    expect(calls('sale.order.action_confirm')).toBe(confirms);
    expect(calls('crm.lead.action_set_won')).toBe(wins);
  });

  it('lists the records a call would be called on, and a saved diff is refused once they left the selection', async () => {
    const [customer] = await odoo.client.search('res.partner', [['ref', '=', 'C-1']]);
    const id = await odoo.client.create('sale.order', { client_order_ref: 'SO-LEGACY-X', partner_id: customer! });
    const diff = await zenoo(['plan', 'diff', 'plan.yaml', '--out', 'd.json', '--detailed-exitcode']);
    expect(diff.code).toBe(2);
    const shown = await zenoo(['plan', 'diff', 'plan.yaml']);
    expect(shown.stdout).toMatch(/call action_confirm on 1 record$/m);
    expect(shown.stdout).toMatch(new RegExp(`\\* #${id} "`));

    // Someone confirms it meanwhile: the reviewed record no longer matches the selection, and the diff is refused.
    await odoo.client.callMethod('sale.order', 'action_confirm', [id]);
    const before = calls('sale.order.action_confirm');
    const stale = await zenoo(['plan', 'apply', 'd.json', '--yes']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(new RegExp(`sale\\.order #${id} .*no longer matches the selection of action_confirm`));
    expect(calls('sale.order.action_confirm')).toBe(before);
  });

  it('a saved diff calls exactly the reviewed records', async () => {
    const [customer] = await odoo.client.search('res.partner', [['ref', '=', 'C-1']]);
    const id = await odoo.client.create('sale.order', { client_order_ref: 'SO-LEGACY-Y', partner_id: customer! });
    expect((await zenoo(['plan', 'diff', 'plan.yaml', '--out', 'e.json'])).code).toBe(0);
    // Created after the review: not in the diff, so not called by it.
    const later = await odoo.client.create('sale.order', { client_order_ref: 'SO-LEGACY-Z', partner_id: customer! });
    const apply = await zenoo(['plan', 'apply', 'e.json', '--yes']);
    expect(apply.code).toBe(0);
    const states = await odoo.client.read('sale.order', [id, later], ['state']);
    expect(states.map((order) => order['state'])).toEqual(['sale', 'draft']);
  });
});

describe.each(TRANSPORTS)('a call step killed with SIGKILL resumes over %s', (transport) => {
  let sandbox: Sandbox;
  let dir: string;
  beforeAll(async () => {
    // Latency slows every call, so that the run is killed while the call step is running.
    sandbox = await startSandbox({ models: 'company', latencyMs: 15, ...transportSandbox(transport) });
    dir = await mkdtemp(join(tmpdir(), 'zenoo-call-kill-'));
    await writeFile(join(dir, 'plan.yaml'), callPlan('killed', 30, { chunk: 3 }));
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('confirms every order exactly once', async () => {
    const env = cliEnv(sandbox, transport);
    const apply = spawnCli(dir, ['plan', 'apply', 'plan.yaml', '--yes', '--json'], env);
    let callChunks = 0;
    for await (const line of createInterface({ input: apply.stdout })) {
      const event = JSON.parse(line) as { type: string; step?: string };
      if (event.type === 'chunk-done' && event.step === 'confirm') callChunks += 1;
      if (callChunks === 3) {
        apply.kill('SIGKILL');
        break;
      }
    }
    await new Promise((wait) => apply.once('close', wait));
    expect(callChunks).toBe(3);
    const confirmedBefore = sandbox.stats.callsByMethod['sale.order.action_confirm'] ?? 0;
    expect(confirmedBefore).toBeGreaterThanOrEqual(3);
    expect(confirmedBefore).toBeLessThan(10);

    const resumed = await runCli(dir, ['plan', 'apply', 'plan.yaml', '--yes'], env);
    expect(resumed.stderr).toContain('Resuming plan killed');
    // A second action_confirm on a confirmed order would fail with a UserError (as captured): none did.
    expect(resumed.stderr).not.toMatch(/not in a state requiring confirmation/);
    expect(resumed.code).toBe(0);
    const client = new OdooClient({ url: sandbox.url, db: sandbox.db, username: 'admin', password: 'admin' });
    const orders = await client.searchRead('sale.order', [], { fields: ['state'] });
    expect(orders).toHaveLength(30);
    expect(orders.every((order) => order['state'] === 'sale')).toBe(true);
    // 10 chunks of 3 in all, plus at most the one the kill cut short (sent again only for its records still draft).
    expect(sandbox.stats.callsByMethod['sale.order.action_confirm']).toBeLessThanOrEqual(11);
    expect((await runCli(dir, ['plan', 'diff', 'plan.yaml', '--detailed-exitcode'], env)).code).toBe(0);
  });
});
