/**
 * The apply engine against a real sandbox over HTTP: dry run → apply → dry run shows nothing; only changed fields
 * are written; resume after an interrupt (and reconciliation of an in-doubt chunk); a changed plan refused; the lock;
 * saved diffs applied as reviewed and refused when stale; rejected rows.
 */
import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OdooClient } from '../../../src/client/odoo-client.js';
import { LockHeldError, PlanChangedError, PlanValidationError, StaleDiffError } from '../../../src/errors.js';
import { applyDiff, applyPlan } from '../../../src/plan/apply/apply.js';
import type { ApplyOptions } from '../../../src/plan/apply/apply-options.js';
import type { ApplyEvent } from '../../../src/plan/apply/apply-events.js';
import { computeDiff } from '../../../src/plan/diff/diff-plan.js';
import { hasChanges } from '../../../src/plan/model/diff-types.js';
import { journalPath, readJournal } from '../../../src/plan/checkpoint/journal.js';
import { MemoryJournalStore } from '../../../src/plan/checkpoint/memory-journal-store.js';
import { existsSync } from 'node:fs';
import { LOCK_MODEL, acquireLock, forceReleaseLock, lockKey, readLock } from '../../../src/plan/lock/lock.js';
import { loadPlan } from '../../../src/plan/load/load-plan.js';
import { StateReader } from '../../../src/plan/references/state-reader.js';
import { startSandbox } from '../../../src/sandbox/start-sandbox.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

const odoo = withSandbox();
let dir: string;
const target = { url: 'sandbox:test', db: 'sandbox' };

let planCounter = 0;
let planName: string;

/** Writes a plan (3 tags, N companies from CSV, contacts referencing them) into a fresh directory. */
async function writePlan(companies: number, options: { chunk?: number } = {}): Promise<string> {
  planCounter += 1;
  planName = `it-${planCounter}`;
  dir = await mkdtemp(join(tmpdir(), 'zenoo-apply-'));
  const rows = ['ref,name,tier,city'];
  for (let i = 1; i <= companies; i += 1)
    rows.push(`${planName}-C${i},Company ${i},${i % 2 === 0 ? 'VIP' : 'Retail'},City ${i}`);
  await writeFile(join(dir, 'companies.csv'), `${rows.join('\n')}\n`);
  await writeFile(
    join(dir, 'plan.yaml'),
    `version: 1
name: ${planName}
defaults: { chunk_size: ${options.chunk ?? 3}, concurrency: 2 }
steps:
  - id: tags
    model: res.partner.category
    action: upsert
    key: [name]
    records: [{ name: "${planName} VIP" }, { name: "${planName} Retail" }]
  - id: companies
    model: res.partner
    action: upsert
    key: [ref]
    records: { file: companies.csv }
    template_columns: [tier]
    values:
      is_company: true
      category_id: { set: [{ ref: tags, key: "${planName} \${row.tier}" }] }
  - id: contacts
    model: res.partner
    action: create
    key: [email]
    records:
      - { name: Ann, email: ann@${planName}.example, company: ${planName}-C1 }
      - { name: Bob, email: bob@${planName}.example, company: ${planName}-C2 }
    template_columns: [company]
    values:
      parent_id: { ref: companies, key: "\${row.company}" }
  - id: labels
    model: res.partner.category
    action: create
    records: [{ name: "${planName} label 1" }, { name: "${planName} label 2" }]
`,
  );
  return join(dir, 'plan.yaml');
}

function options(extra: Partial<ApplyOptions> = {}): ApplyOptions {
  return { target, stateDir: join(dir, '.zenoo'), ...extra };
}

async function partners(domain: unknown[]): Promise<Record<string, unknown>[]> {
  return odoo.client.searchRead('res.partner', domain as never, {
    fields: ['name', 'ref', 'email', 'parent_id', 'category_id', 'city', 'is_company'],
    order: 'id',
    context: { active_test: false },
  });
}

describe('diff → apply → diff', () => {
  it('creates every record once, with external ids, and a second diff shows nothing', async () => {
    const plan = await loadPlan(await writePlan(7));
    const reader = new StateReader(odoo.client);
    const before = await computeDiff(plan, odoo.client, { target, reader });
    expect(before.summary).toEqual({ create: 2 + 7 + 2 + 2, update: 0, delete: 0, unchanged: 0 });
    // References to records an earlier step will create are shown as such.
    expect(before.steps[2]!.creates[0]!.values['parent_id']).toEqual({
      $pending: { step: 'companies', key: `["${planName}-C1"]` },
    });
    // Reads are chunked: 7 companies at chunk 3 → 3 reads, + 1 for tags, + 1 for contacts, + fields_get per model.
    expect(reader.readCalls).toBeLessThanOrEqual(3 + 1 + 1 + 2 + 2 + 2);

    const events: ApplyEvent[] = [];
    const result = await applyPlan(plan, odoo.client, options({ onEvent: (event) => events.push(event) }));
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((step) => step.counts.created)).toEqual([2, 7, 2, 2]);
    expect(events.map((event) => event.type)).toContain('chunk-done');

    const companies = await partners([['ref', '=like', `${planName}-C%`]]);
    expect(companies).toHaveLength(7);
    const contacts = await partners([['email', '=like', `%@${planName}.example`]]);
    expect(contacts.map((contact) => (contact['parent_id'] as [number, string])[0])).toEqual([
      companies[0]!['id'],
      companies[1]!['id'],
    ]);
    const tags = await odoo.client.searchRead('res.partner.category', [['name', '=like', `${planName}%`]], {
      fields: ['name'],
    });
    expect(companies[1]!['category_id'] as number[]).toEqual([
      tags.find((tag) => tag['name'] === `${planName} VIP`)!['id'],
    ]);
    // Keyed records are found by their key; records without key get deterministic external ids (by row).
    const xmlids = await odoo.client.searchRead(
      'ir.model.data',
      [['module', '=', `zenoo_${planName.replace(/-/g, '_')}`]],
      {
        fields: ['name', 'model'],
      },
    );
    expect(xmlids.map((row) => [String(row['name']).replace(/_[0-9a-f]{16}$/, ''), row['model']])).toEqual([
      ['labels', 'res.partner.category'],
      ['labels', 'res.partner.category'],
    ]);

    const after = await computeDiff(plan, odoo.client, { target });
    expect(hasChanges(after)).toBe(false);
    expect(after.summary.unchanged).toBe(13);
    // The journal recorded a complete run; the lock was released.
    const journal = await readJournal(journalPath(planName, target.url, target.db, join(dir, '.zenoo')));
    expect(journal.complete).toBe(true);
    expect(journal.stepsDone.size).toBe(4);
    expect(journal.chunksInDoubt).toEqual([]);
    // Every chunk was journaled in doubt before its done line, and a step is done only after all of its chunks.
    const lines = (await readFile(journal.file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; step?: string; action?: string; chunk?: number });
    const position = (type: string, step?: string, action?: string, chunk?: number): number =>
      lines.findIndex(
        (line) => line.type === type && line.step === step && line.action === action && line.chunk === chunk,
      );
    const doneLines = lines.filter((line) => line.type === 'chunk-done');
    expect(doneLines).toHaveLength(1 + 3 + 1 + 1);
    for (const done of doneLines) {
      const inDoubt = position('chunk-in-doubt', done.step, done.action, done.chunk);
      expect(inDoubt).toBeGreaterThanOrEqual(0);
      expect(inDoubt).toBeLessThan(lines.indexOf(done));
      expect(lines.indexOf(done)).toBeLessThan(position('step-done', done.step));
    }
    expect(await readLock(odoo.client, lockKey(planName))).toBeUndefined();
  });

  it('keeps its journal in the store it is given (here in memory): a run, then a resume that finds it complete', async () => {
    const plan = await loadPlan(await writePlan(2));
    const journalStore = new MemoryJournalStore();
    const result = await applyPlan(plan, odoo.client, options({ journalStore }));
    expect(result.status).toBe('succeeded');
    const file = journalPath(planName, target.url, target.db, join(dir, '.zenoo'));
    expect(result.journal).toBe(file);
    expect(existsSync(file)).toBe(false);
    const journal = await readJournal(file, journalStore);
    expect(journal.complete).toBe(true);
    expect(journal.stepsDone.size).toBe(4);
    const again = await applyPlan(plan, odoo.client, options({ journalStore }));
    expect(again.resumed).toBe(false);
    expect(again.steps.map((step) => step.counts.created)).toEqual([0, 0, 0, 0]);
    expect(journalStore.text(file)!.match(/"type":"run-started"/g)).toHaveLength(2);
  });

  it('updates only the fields that differ', async () => {
    const plan = await loadPlan(await writePlan(3));
    await applyPlan(plan, odoo.client, options());
    const [first] = await partners([['ref', '=', `${planName}-C1`]]);
    await odoo.client.write('res.partner', [first!['id'] as number], { city: 'Elsewhere', email: 'kept@x.example' });
    const diff = await computeDiff(plan, odoo.client, { target });
    expect(diff.summary).toMatchObject({ create: 0, update: 1, delete: 0 });
    expect(diff.steps[1]!.updates[0]!.changes).toEqual([{ field: 'city', before: 'Elsewhere', after: 'City 1' }]);

    odoo.sandbox.resetStats();
    const result = await applyPlan(plan, odoo.client, options());
    expect(result.steps[1]!.counts).toMatchObject({ updated: 1, created: 0 });
    expect(odoo.sandbox.stats.writes['res.partner']).toEqual({ write: 1 });
    const [after] = await partners([['ref', '=', `${planName}-C1`]]);
    // The field the plan does not touch is left alone.
    expect(after).toMatchObject({ city: 'City 1', email: 'kept@x.example' });
  });
});

describe('resume', () => {
  it('continues an interrupted apply and reconciles an in-doubt chunk, without duplicates', async () => {
    const file = await writePlan(9, { chunk: 2 });
    const plan = await loadPlan(file);
    const controller = new AbortController();
    const first = await applyPlan(
      plan,
      odoo.client,
      options({
        concurrency: 1,
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'chunk-done' && event.step === 'companies' && event.chunk === 1) controller.abort();
        },
      }),
    );
    expect(first.status).toBe('interrupted');
    const written = await partners([['ref', '=like', `${planName}-C%`]]);
    expect(written.length).toBeGreaterThanOrEqual(4);
    expect(written.length).toBeLessThan(9);

    const journalFile = journalPath(planName, target.url, target.db, join(dir, '.zenoo'));
    let journal = await readJournal(journalFile);
    expect(journal.complete).toBe(false);
    expect(journal.lastStatus).toBe('interrupted');
    // Simulate a crash after a chunk was sent: an in-doubt line for records that did commit.
    const sent = journal.chunksSent.find((chunk) => chunk.step === 'companies')!;
    await appendFile(journalFile, `${JSON.stringify({ ...sent, at: new Date().toISOString(), chunk: 99 })}\n`);
    journal = await readJournal(journalFile);
    expect(journal.chunksInDoubt).toHaveLength(1);

    const events: ApplyEvent[] = [];
    const second = await applyPlan(plan, odoo.client, options({ onEvent: (event) => events.push(event) }));
    expect(second.status).toBe('succeeded');
    expect(second.resumed).toBe(true);
    expect(events.find((event) => event.type === 'reconciled')).toMatchObject({
      step: 'companies',
      chunk: 99,
      found: sent.rows.length,
      missing: 0,
    });
    const all = await partners([['ref', '=like', `${planName}-C%`]]);
    expect(all).toHaveLength(9);
    expect(new Set(all.map((partner) => partner['ref'])).size).toBe(9);
    expect(second.steps[1]!.counts.created).toBe(9 - written.length);
    journal = await readJournal(journalFile);
    expect(journal.chunksInDoubt).toEqual([]);
    expect(journal.complete).toBe(true);
  });

  it('refuses to resume a plan that changed, and --restart starts over', async () => {
    const file = await writePlan(6, { chunk: 2 });
    const controller = new AbortController();
    const first = await applyPlan(
      await loadPlan(file),
      odoo.client,
      options({
        concurrency: 1,
        signal: controller.signal,
        onEvent: (event) => event.type === 'chunk-done' && event.step === 'companies' && controller.abort(),
      }),
    );
    expect(first.status).toBe('interrupted');
    await appendFile(join(dir, 'companies.csv'), `${planName}-C99,Late Company,VIP,Late\n`);
    const changed = await loadPlan(file);
    await expect(applyPlan(changed, odoo.client, options())).rejects.toThrow(PlanChangedError);
    await expect(applyPlan(changed, odoo.client, options())).rejects.toThrow(
      /changed since its unfinished apply.*--restart/s,
    );
    expect(await readLock(odoo.client, lockKey(planName))).toBeUndefined();
    const restarted = await applyPlan(changed, odoo.client, options({ restart: true }));
    expect(restarted.status).toBe('succeeded');
    expect(await partners([['ref', '=like', `${planName}-C%`]])).toHaveLength(7);
  });
});

describe('lock', () => {
  beforeEach(async () => {
    await writePlan(2);
  });
  afterEach(async () => {
    const lock = await readLock(odoo.client, lockKey(planName));
    if (lock) await odoo.client.unlink(LOCK_MODEL, [lock.id]);
  });

  it('a second apply of the same plan exits with the holder and start time, writing nothing', async () => {
    const plan = await loadPlan(join(dir, 'plan.yaml'));
    const held = await acquireLock(odoo.client, plan.name, {
      identity: { host: 'other-host', pid: 4242, user: 'ops' },
    });
    odoo.sandbox.resetStats();
    await expect(applyPlan(plan, odoo.client, options())).rejects.toThrow(
      new RegExp(
        `plan "${planName}" is running: the lock zenoo.lock.${planName} is held by ops@other-host \\(pid 4242\\) since \\d{4}-`,
      ),
    );
    await expect(applyPlan(plan, odoo.client, options())).rejects.toBeInstanceOf(LockHeldError);
    expect(odoo.sandbox.stats.writes['res.partner']).toBeUndefined();
    await held.release();
  });

  it('takes over a lock left by a dead process of this host, and says so', async () => {
    const plan = await loadPlan(join(dir, 'plan.yaml'));
    const { hostname } = await import('node:os');
    await acquireLock(odoo.client, plan.name, {
      identity: { host: hostname(), pid: 999_999, user: 'ghost' },
      isAlive: () => false,
    });
    const events: ApplyEvent[] = [];
    const result = await applyPlan(plan, odoo.client, options({ onEvent: (event) => events.push(event) }));
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('succeeded');
    expect(events.find((event) => event.type === 'lock-taken-over')).toMatchObject({
      holder: { pid: 999_999, user: 'ghost' },
    });
  });
});

describe('lock lost while running', () => {
  it('stops feeding chunks and reports the run as interrupted when the lock is released under it', async () => {
    const slow = await startSandbox({ port: 0, latencyMs: 15 });
    const slowClient = new OdooClient({ url: slow.url, db: slow.db, username: slow.login, password: slow.password });
    try {
      const plan = await loadPlan(await writePlan(40, { chunk: 1 }));
      let released = false;
      const result = await applyPlan(
        plan,
        slowClient,
        options({
          concurrency: 1,
          lock: { refreshMs: 30, ttlMs: 5_000 },
          onEvent: (event) => {
            if (event.type === 'chunk-done' && event.step === 'companies' && !released) {
              released = true;
              void forceReleaseLock(slowClient, plan.name);
            }
          },
        }),
      );
      expect(result.status).toBe('interrupted');
      expect(result.error?.message).toMatch(/removed while this apply was running/);
      const written = await slowClient.searchRead('res.partner', [['ref', '=like', `${planName}-C%`]], {
        fields: ['id'],
      });
      expect(written.length).toBeLessThan(40);
    } finally {
      slowClient.close();
      await slow.close();
    }
  });
});

describe('lost answers', () => {
  it('reconciles writes whose answer was dropped after commit: no duplicate, nothing missing', async () => {
    const faulty = await startSandbox({ port: 0, faults: 'drop=0.25,transient=0.1,seed=11' });
    const faultyClient = new OdooClient({
      url: faulty.url,
      db: faulty.db,
      username: faulty.login,
      password: faulty.password,
    });
    try {
      const plan = await loadPlan(await writePlan(30, { chunk: 2 }));
      let result = await applyPlan(plan, faultyClient, options());
      // A chunk whose outcome could not be settled fails the run; running it again resumes and settles it.
      for (let attempt = 0; attempt < 5 && result.status !== 'succeeded'; attempt += 1) {
        result = await applyPlan(plan, faultyClient, options());
      }
      expect(result.status).toBe('succeeded');
      expect(faulty.stats.faults['drop'] ?? 0).toBeGreaterThan(0);
      faulty.setFaults('');
      const companies = await faultyClient.searchRead('res.partner', [['ref', '=like', `${planName}-C%`]], {
        fields: ['ref'],
        context: { active_test: false },
      });
      expect(companies).toHaveLength(30);
      expect(new Set(companies.map((company) => company['ref'])).size).toBe(30);
      const contacts = await faultyClient.searchRead('res.partner', [['email', '=like', `%@${planName}.example`]], {
        fields: ['id'],
      });
      expect(contacts).toHaveLength(2);
      expect(hasChanges(await computeDiff(plan, faultyClient, { target }))).toBe(false);
    } finally {
      faultyClient.close();
      await faulty.close();
    }
  });
});

describe('saved diffs', () => {
  it('applies exactly the reviewed diff, resolving references to records it creates', async () => {
    const plan = await loadPlan(await writePlan(4));
    const diff = JSON.parse(JSON.stringify(await computeDiff(plan, odoo.client, { target }))) as Awaited<
      ReturnType<typeof computeDiff>
    >;
    const result = await applyDiff(diff, odoo.client, options());
    expect(result.status).toBe('succeeded');
    const contacts = await partners([['email', '=like', `%@${planName}.example`]]);
    const companies = await partners([['ref', '=like', `${planName}-C%`]]);
    expect(contacts.map((contact) => (contact['parent_id'] as [number, string])[0])).toEqual([
      companies[0]!['id'],
      companies[1]!['id'],
    ]);
    expect(hasChanges(await computeDiff(plan, odoo.client, { target }))).toBe(false);
  });

  it('refuses a stale diff, naming the records that changed, and writes nothing', async () => {
    const plan = await loadPlan(await writePlan(3));
    await applyPlan(plan, odoo.client, options());
    const [first] = await partners([['ref', '=', `${planName}-C1`]]);
    await odoo.client.write('res.partner', [first!['id'] as number], { city: 'Moved' });
    const diff = await computeDiff(plan, odoo.client, { target });
    expect(diff.summary.update).toBe(1);
    // Someone edits the record after the review (in the same second too: the sandbox moves write_date forward).
    await odoo.client.write('res.partner', [first!['id'] as number], { name: 'Renamed meanwhile' });
    odoo.sandbox.resetStats();
    const refused = applyDiff(diff, odoo.client, options());
    await expect(refused).rejects.toBeInstanceOf(StaleDiffError);
    await expect(applyDiff(diff, odoo.client, options())).rejects.toThrow(
      new RegExp(`res.partner #${String(first!['id'])} "Company 1" \\(step companies\\) changed at`),
    );
    expect(odoo.sandbox.stats.writes['res.partner']).toBeUndefined();
    const [after] = await partners([['ref', '=', `${planName}-C1`]]);
    expect(after!['city']).toBe('Moved');
  });

  it('a saved diff applied twice says it was already applied the second time, and keeps the edits made since', async () => {
    const plan = await loadPlan(await writePlan(3));
    await applyPlan(plan, odoo.client, options());
    const [first] = await partners([['ref', '=', `${planName}-C1`]]);
    await odoo.client.write('res.partner', [first!['id'] as number], { city: 'Moved' });
    const saved = JSON.parse(JSON.stringify(await computeDiff(plan, odoo.client, { target }))) as Awaited<
      ReturnType<typeof computeDiff>
    >;
    expect(
      (await applyDiff(saved, odoo.client, options())).steps.find((s) => s.step === 'companies')!.counts.updated,
    ).toBe(1);
    // Someone changes the record in Odoo after the saved diff was applied.
    await odoo.client.write('res.partner', [first!['id'] as number], { city: 'Edited in Odoo' });
    odoo.sandbox.resetStats();
    await expect(applyDiff(saved, odoo.client, options())).rejects.toThrow(/This diff was already applied/);
    expect(odoo.sandbox.stats.writes['res.partner']).toBeUndefined();
    expect((await partners([['ref', '=', `${planName}-C1`]]))[0]!['city']).toBe('Edited in Odoo');
  });

  it('a saved diff is checked in full after another run of the plan: records that run wrote are stale, not exempt', async () => {
    const plan = await loadPlan(await writePlan(3));
    await applyPlan(plan, odoo.client, options());
    const [first] = await partners([['ref', '=', `${planName}-C1`]]);
    await odoo.client.write('res.partner', [first!['id'] as number], { city: 'Moved' });
    const saved = await computeDiff(plan, odoo.client, { target });
    // The plan is applied again (it puts the city back), then the record is edited in Odoo.
    await applyPlan(plan, odoo.client, options());
    await odoo.client.write('res.partner', [first!['id'] as number], { city: 'Edited in Odoo' });
    odoo.sandbox.resetStats();
    await expect(applyDiff(saved, odoo.client, options())).rejects.toBeInstanceOf(StaleDiffError);
    expect(odoo.sandbox.stats.writes['res.partner']).toBeUndefined();
    expect((await partners([['ref', '=', `${planName}-C1`]]))[0]!['city']).toBe('Edited in Odoo');
  });
});

describe('bad references', () => {
  it('are all reported before the lock and the first write', async () => {
    await writePlan(2);
    await writeFile(
      join(dir, 'refs.yaml'),
      `version: 1
name: ${planName}-refs
steps:
  - id: tags
    model: res.partner.category
    action: upsert
    key: [name]
    records: [{ name: "${planName} A" }]
  - id: people
    model: res.partner
    action: upsert
    key: [ref]
    records:
      - { ref: "${planName}-P1", name: P1, tag: "${planName} A", country: be }
      - { ref: "${planName}-P2", name: P2, tag: "${planName} Missing", country: be }
      - { ref: "${planName}-P3", name: P3, tag: "${planName} A", country: nowhere }
    template_columns: [tag, country]
    values:
      category_id: { set: [{ ref: tags, key: "\${row.tag}" }] }
      country_id: { xmlid: "base.\${row.country}" }
`,
    );
    const plan = await loadPlan(join(dir, 'refs.yaml'));
    odoo.sandbox.resetStats();
    const failure = applyPlan(plan, odoo.client, options());
    await expect(failure).rejects.toBeInstanceOf(PlanValidationError);
    const error = (await failure.catch((caught: unknown) => caught)) as PlanValidationError;
    // Inline rows are located at their node in the plan (file:line:col), like the other plan problems.
    expect(error.problems.map((problem) => [problem.path, problem.line])).toEqual([
      ['steps[1].records[1]', 15],
      ['steps[1].records[2]', 16],
    ]);
    expect(error.message).toContain(`step "tags" has no record with key ["${planName} Missing"]`);
    expect(error.message).toContain('external id base.nowhere does not exist in the target');
    expect(odoo.sandbox.stats.writes).toEqual({});
  });
});

describe('rejected rows', () => {
  it('isolates bad rows, applies the rest, and writes them to the rejects file', async () => {
    await writePlan(2);
    await writeFile(
      join(dir, 'bad.yaml'),
      `version: 1
name: ${planName}-bad
steps:
  - id: tags
    model: res.partner.category
    action: upsert
    key: [name]
    records: [{ name: "${planName} ok1", color: 1 }, { name: "${planName} bad", parent_id: 999999999 }, { name: "${planName} ok2", color: 2 }]
`,
    );
    const plan = await loadPlan(join(dir, 'bad.yaml'));
    const rejects = join(dir, 'rejects.jsonl');
    const result = await applyPlan(plan, odoo.client, options({ onError: 'isolate', rejectsFile: rejects }));
    expect(result.status).toBe('failed');
    expect(result.steps[0]!.counts).toMatchObject({ created: 2, rejected: 1 });
    const lines = (await readFile(rejects, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ name: `${planName} bad`, parent_id: 999999999, _step: 'tags', _row: 2 });
    // The server refuses the link to a record that does not exist.
    expect(String(lines[0]!['_error'])).toMatch(/res.partner.category.create/);
    const tags = await odoo.client.searchRead('res.partner.category', [['name', '=like', `${planName} %`]], {
      fields: ['name'],
    });
    expect(tags.map((tag) => tag['name']).sort()).toEqual([`${planName} ok1`, `${planName} ok2`]);
  });
});
