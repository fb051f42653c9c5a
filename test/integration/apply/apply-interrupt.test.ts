/**
 * A Ctrl-C while a step is reading (its diff, in chunks, on a slow target) interrupts the step: its status is
 * `interrupted`, not `failed`, no error is recorded, and the next apply resumes it.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OdooClient } from '../../../src/client/odoo-client.js';
import { applyPlan } from '../../../src/plan/apply/apply.js';
import { MemoryJournalStore } from '../../../src/plan/checkpoint/memory-journal-store.js';
import { loadPlan } from '../../../src/plan/load/load-plan.js';
import { startSandbox } from '../../../src/sandbox/start-sandbox.js';
import type { Sandbox } from '../../../src/sandbox/start-sandbox.js';

let sandbox: Sandbox;
let client: OdooClient;
let file: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, latencyMs: 60 });
  client = new OdooClient({ url: sandbox.url, db: sandbox.db, username: sandbox.login, password: sandbox.password });
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-interrupt-'));
  file = join(dir, 'plan.yaml');
  const rows = Array.from({ length: 12 }, (_, index) => `{ ref: INT-${index}, name: Partner ${index} }`).join(', ');
  await writeFile(
    file,
    'version: 1\nname: interrupt\nsteps:\n  - id: partners\n    model: res.partner\n    action: upsert\n' +
      `    key: [ref]\n    chunk_size: 2\n    records: [${rows}]\n`,
  );
});

afterAll(async () => {
  client.close();
  await sandbox.close();
});

describe('Ctrl-C during a step', () => {
  it('leaves the step interrupted, not failed', async () => {
    const plan = await loadPlan(file);
    const controller = new AbortController();
    const journal = new MemoryJournalStore();
    const result = await applyPlan(plan, client, {
      target: { url: sandbox.url, db: sandbox.db },
      journalStore: journal,
      concurrency: 1,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'step-start') setTimeout(() => controller.abort(), 30);
      },
    });
    expect(result.status).toBe('interrupted');
    expect(result.steps[0]?.error).toBeUndefined();
    expect(result.steps[0]).toMatchObject({ step: 'partners', status: 'interrupted' });
    expect(result.steps[0]?.error).toBeUndefined();
    const again = await applyPlan(plan, client, {
      target: { url: sandbox.url, db: sandbox.db },
      journalStore: journal,
    });
    expect(again.status).toBe('succeeded');
    const partners = await client.searchRead('res.partner', [['ref', '=like', 'INT-%']], { fields: ['ref'] });
    expect(partners).toHaveLength(12);
  });
});
