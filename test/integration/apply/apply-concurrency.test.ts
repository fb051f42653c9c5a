/**
 * The apply engine runs the plan graph on the Batch API against a real sandbox: independent steps overlap under ONE
 * global concurrency limit, a step's own `concurrency` caps it within that limit, `stop` stops the other steps and
 * `continue` skips only the dependents of a failed step; and no apply starts while `zenoo migrate` holds the target's
 * migrations lock.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LockHeldError } from '../../../src/errors.js';
import { applyDiff, applyPlan } from '../../../src/plan/apply/apply.js';
import type { ApplyClient, ApplyOptions } from '../../../src/plan/apply/apply-options.js';
import type { ApplyEvent } from '../../../src/plan/apply/apply-events.js';
import { computeDiff } from '../../../src/plan/diff/diff-plan.js';
import { acquireLock, describeHolder, forceReleaseLock, lockKey, readLock } from '../../../src/plan/lock/lock.js';
import { loadPlan } from '../../../src/plan/load/load-plan.js';
import { MIGRATIONS_LOCK_NAME } from '../../../src/plan/lock/lock.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

const odoo = withSandbox();
const target = { url: 'sandbox:concurrency', db: 'sandbox' };
let dir: string;
let counter = 0;

afterEach(async () => {
  odoo.sandbox.setFaults('none');
  await forceReleaseLock(odoo.client, MIGRATIONS_LOCK_NAME);
});

/** Writes `body` (the steps, with NAME replaced by a fresh plan name) as a plan and loads it. */
async function plan(defaults: string, steps: string) {
  counter += 1;
  const name = `conc-${counter}`;
  dir = await mkdtemp(join(tmpdir(), 'zenoo-conc-'));
  await writeFile(
    join(dir, 'plan.yaml'),
    `version: 1\nname: ${name}\ndefaults: ${defaults}\nsteps:\n${steps.replaceAll('NAME', name)}`,
  );
  return { name, plan: await loadPlan(join(dir, 'plan.yaml')) };
}

function options(extra: Partial<ApplyOptions> = {}): ApplyOptions {
  return { target, stateDir: join(dir, '.zenoo'), ...extra };
}

function records(prefix: string, n: number, extra = ''): string {
  return `[${Array.from({ length: n }, (_, i) => `{ name: "${prefix} ${i}"${extra} }`).join(', ')}]`;
}

/** The client with its write calls (create/load/write/unlink outside the lock model) counted while in flight. */
function countingClient() {
  const inFlight = new Map<string, number>();
  const max = { total: 0, byModel: new Map<string, number>(), both: 0 };
  const writes = new Set(['create', 'load', 'write', 'unlink']);
  const total = (): number => [...inFlight.values()].reduce((sum, n) => sum + n, 0);
  const wrapped = new Proxy(odoo.client, {
    get(target, property) {
      if (property === 'executeKw') {
        return async (model: string, method: string, ...rest: unknown[]) => {
          const counted = writes.has(method) && model !== 'ir.config_parameter';
          if (counted) {
            inFlight.set(model, (inFlight.get(model) ?? 0) + 1);
            max.total = Math.max(max.total, total());
            max.byModel.set(model, Math.max(max.byModel.get(model) ?? 0, inFlight.get(model)!));
            if ([...inFlight.values()].filter((n) => n > 0).length >= 2) max.both += 1;
          }
          try {
            return await (target.executeKw as (...args: unknown[]) => Promise<unknown>)(model, method, ...rest);
          } finally {
            if (counted) inFlight.set(model, inFlight.get(model)! - 1);
          }
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as ApplyClient;
  return { client: wrapped, max };
}

async function count(model: string, prefix: string): Promise<number> {
  return (await odoo.client.searchRead(model, [['name', '=like', `${prefix} %`]], { fields: ['name'] })).length;
}

describe('concurrent steps under one global limit', () => {
  it('runs independent steps at the same time, never above the global limit, each step within its own cap', async () => {
    const { name, plan: loaded } = await plan(
      '{ chunk_size: 1, concurrency: 3 }',
      `  - id: tags
    model: res.partner.category
    action: create
    concurrency: 1
    records: ${records('NAME tag', 6)}
  - id: companies
    model: res.partner
    action: create
    records: ${records('NAME co', 10)}
`,
    );
    // Every ORM call takes 30 ms: chunks of both steps are in flight long enough to overlap.
    odoo.sandbox.setFaults('slow=1:30,seed=1');
    const events: { at: number; event: ApplyEvent }[] = [];
    const counting = countingClient();
    const result = await applyPlan(
      loaded,
      counting.client,
      options({ onEvent: (event) => events.push({ at: performance.now(), event }) }),
    );
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((step) => [step.step, step.status, step.counts.created])).toEqual([
      ['tags', 'done', 6],
      ['companies', 'done', 10],
    ]);

    // Overlap, from the events: each step started before the other finished, and their chunks interleaved.
    const at = (type: string, step: string): number =>
      events.find(
        ({ event }) =>
          event.type === type &&
          ('step' in event ? event.step : 'result' in event ? (event.result as { step?: string }).step : '') === step,
      )!.at;
    expect(at('step-start', 'companies')).toBeLessThan(at('step-done', 'tags'));
    expect(at('step-start', 'tags')).toBeLessThan(at('step-done', 'companies'));
    const chunkSteps = events.flatMap(({ event }) => (event.type === 'chunk-done' ? [event.step] : []));
    const switches = chunkSteps.filter((step, i) => i > 0 && step !== chunkSteps[i - 1]).length;
    expect(switches).toBeGreaterThanOrEqual(2);

    // The global limit held across both steps and was used; the per-step cap held for tags.
    expect(counting.max.total).toBe(3);
    expect(counting.max.byModel.get('res.partner.category')).toBe(1);
    expect(counting.max.byModel.get('res.partner')).toBeGreaterThanOrEqual(2);
    expect(counting.max.both).toBeGreaterThan(0);

    // Server state: every record exactly once.
    expect(await count('res.partner.category', `${name} tag`)).toBe(6);
    expect(await count('res.partner', `${name} co`)).toBe(10);
  });

  it('--concurrency 1 runs one chunk at a time in total, even with independent steps', async () => {
    const { name, plan: loaded } = await plan(
      '{ chunk_size: 2, concurrency: 4 }',
      `  - id: a
    model: res.partner.category
    action: create
    records: ${records('NAME a', 6)}
  - id: b
    model: res.partner
    action: create
    records: ${records('NAME b', 6)}
`,
    );
    odoo.sandbox.setFaults('slow=1:15,seed=2');
    const counting = countingClient();
    const result = await applyPlan(loaded, counting.client, options({ concurrency: 1 }));
    expect(result.status).toBe('succeeded');
    expect(counting.max.total).toBe(1);
    expect(await count('res.partner.category', `${name} a`)).toBe(6);
    expect(await count('res.partner', `${name} b`)).toBe(6);
  });

  it('runs a step only after the steps it depends on, higher priority first among ready ones', async () => {
    const { plan: loaded } = await plan(
      '{ chunk_size: 5, concurrency: 1 }',
      `  - id: low
    model: res.partner.category
    action: create
    records: ${records('NAME low', 2)}
  - id: high
    model: res.partner.category
    action: create
    priority: 10
    records: ${records('NAME high', 2)}
  - id: after
    model: res.partner
    action: create
    depends_on: [low, high]
    records: ${records('NAME after', 2)}
`,
    );
    const events: ApplyEvent[] = [];
    const result = await applyPlan(loaded, odoo.client, options({ onEvent: (event) => events.push(event) }));
    expect(result.status).toBe('succeeded');
    const chunks = events.flatMap((event) => (event.type === 'chunk-done' ? [event.step] : []));
    // With one global slot, the higher-priority ready step's chunk goes first; `after` waits for both.
    expect(chunks).toEqual(['high', 'low', 'after']);
    const starts = events.flatMap((event) => (event.type === 'step-start' ? [event.step] : []));
    const lastDone = Math.max(
      ...['low', 'high'].map((step) =>
        events.findIndex((event) => event.type === 'step-done' && event.result.step === step),
      ),
    );
    expect(events.findIndex((event) => event.type === 'step-start' && event.step === 'after')).toBeGreaterThan(
      lastDone,
    );
    expect(starts.indexOf('high')).toBeLessThan(starts.indexOf('low'));
  });

  it('runs independent steps on the same model one after the other, in graph order', async () => {
    const { name, plan: loaded } = await plan(
      '{ chunk_size: 1, concurrency: 2 }',
      `  - id: first
    model: res.partner
    action: create
    records: ${records('NAME first', 10)}
  - id: other-model
    model: res.partner.category
    action: create
    records: ${records('NAME cat', 10)}
  - id: second
    model: res.partner
    action: create
    records: ${records('NAME second', 4)}
`,
    );
    odoo.sandbox.setFaults('slow=1:20,seed=4');
    const events: ApplyEvent[] = [];
    const counting = countingClient();
    const result = await applyPlan(loaded, counting.client, options({ onEvent: (event) => events.push(event) }));
    expect(result.status).toBe('succeeded');
    const index = (type: 'step-start' | 'step-done', step: string): number =>
      events.findIndex((event) =>
        event.type === 'step-start'
          ? type === 'step-start' && event.step === step
          : event.type === type && event.result.step === step,
      );
    expect(index('step-start', 'second')).toBeGreaterThan(index('step-done', 'first'));
    // The other model's step overlapped the first one.
    expect(index('step-start', 'other-model')).toBeLessThan(index('step-done', 'first'));
    // Never two writes on res.partner at once beyond one step's share: the two res.partner steps did not overlap.
    expect(counting.max.byModel.get('res.partner')).toBeLessThanOrEqual(2);
    expect(await count('res.partner', `${name} second`)).toBe(4);
  });

  it('on_error stop: a failure stops the other running step and starts nothing more', async () => {
    const { name, plan: loaded } = await plan(
      '{ chunk_size: 1, concurrency: 2, on_error: stop }',
      `  - id: bad
    model: res.partner.category
    action: create
    records: [{ name: "NAME bad", parent_id: 999999999 }]
  - id: many
    model: res.partner
    action: create
    records: ${records('NAME many', 40)}
  - id: later
    model: res.partner
    action: create
    depends_on: [many]
    records: ${records('NAME later', 2)}
`,
    );
    odoo.sandbox.setFaults('slow=1:20,seed=3');
    const result = await applyPlan(loaded, odoo.client, options());
    expect(result.status).toBe('failed');
    const byStep = Object.fromEntries(result.steps.map((step) => [step.step, step]));
    expect(byStep['bad']!.status).toBe('failed');
    // Stopped part-way: not reported done (a later apply resumes it), and far from all of its 40 records sent.
    expect(byStep['many']!.status).toBe('interrupted');
    expect(byStep['later']!.status).toBe('not-executed');
    const many = await count('res.partner', `${name} many`);
    expect(many).toBeLessThan(40);
    expect(many).toBe(byStep['many']!.counts.created);
    expect(await count('res.partner', `${name} later`)).toBe(0);

    // A later apply (the failing row aside) resumes and completes the interrupted step without duplicates.
    odoo.sandbox.setFaults('none');
    const again = await applyPlan(loaded, odoo.client, options({ onError: 'continue' }));
    expect(again.steps.find((step) => step.step === 'many')!.status).toBe('done');
    expect(await count('res.partner', `${name} many`)).toBe(40);
    expect(await count('res.partner', `${name} later`)).toBe(2);
  });

  it('on_error continue: only the dependents of a failed step are skipped', async () => {
    const { name, plan: loaded } = await plan(
      '{ chunk_size: 2, concurrency: 2, on_error: continue }',
      `  - id: bad
    model: res.partner.category
    action: create
    records: [{ name: "NAME bad", parent_id: 999999999 }]
  - id: needs-bad
    model: res.partner
    action: create
    depends_on: [bad]
    records: ${records('NAME needs', 2)}
  - id: needs-needs
    model: res.partner
    action: create
    depends_on: [needs-bad]
    records: ${records('NAME needs2', 2)}
  - id: free
    model: res.partner
    action: create
    records: ${records('NAME free', 3)}
`,
    );
    const result = await applyPlan(loaded, odoo.client, options());
    expect(result.status).toBe('failed');
    expect(result.steps.map((step) => [step.step, step.status])).toEqual([
      ['bad', 'done'],
      ['needs-bad', 'not-executed'],
      ['needs-needs', 'not-executed'],
      ['free', 'done'],
    ]);
    expect(result.steps[0]!.counts.rejected).toBe(1);
    expect(result.steps[1]!.error?.code).toBe('ERR_DEPENDENCY_FAILED');
    expect(await count('res.partner', `${name} free`)).toBe(3);
    expect(await count('res.partner', `${name} needs`)).toBe(0);
  });
});

describe('the migrations lock', () => {
  const steps = `  - id: tags
    model: res.partner.category
    action: create
    records: ${records('NAME t', 2)}
`;

  it('refuses to apply while a live migrations lock exists, naming the holder; writes nothing', async () => {
    const { name, plan: loaded } = await plan('{ chunk_size: 5 }', steps);
    const held = await acquireLock(odoo.client, MIGRATIONS_LOCK_NAME, {
      identity: { host: 'ci-runner', pid: 4242, user: 'deploy' },
    });
    const error = (await applyPlan(loaded, odoo.client, options()).catch((caught: unknown) => caught)) as LockHeldError;
    expect(error).toBeInstanceOf(LockHeldError);
    expect(error.key).toBe(lockKey(MIGRATIONS_LOCK_NAME));
    expect(error.holder).toMatchObject({ host: 'ci-runner', pid: 4242, user: 'deploy' });
    expect(error.message).toContain(describeHolder(error.holder!));
    expect(error.message).toMatch(/zenoo migrate/);
    expect(await count('res.partner.category', `${name} t`)).toBe(0);
    // The plan's own lock was released; the migrations lock is untouched.
    expect(await readLock(odoo.client, lockKey(name))).toBeUndefined();
    expect((await readLock(odoo.client, lockKey(MIGRATIONS_LOCK_NAME)))?.id).toBe(held.id);

    // A saved diff is refused the same way.
    const diff = await computeDiff(loaded, odoo.client, { target });
    await expect(applyDiff(diff, odoo.client, options())).rejects.toBeInstanceOf(LockHeldError);
    expect(await count('res.partner.category', `${name} t`)).toBe(0);

    // The migrator's own applies run under it.
    const result = await applyPlan(loaded, odoo.client, options({ migration: true }));
    expect(result.status).toBe('succeeded');
    expect(await count('res.partner.category', `${name} t`)).toBe(2);
    await held.release();
  });

  it('ignores a stale migrations lock (expired, or of a dead process of this host)', async () => {
    const { name, plan: loaded } = await plan('{ chunk_size: 5 }', steps);
    await acquireLock(odoo.client, MIGRATIONS_LOCK_NAME, {
      identity: { host: 'ci-runner', pid: 4242, user: 'deploy' },
      now: () => Date.now() - 3_600_000,
    });
    expect((await applyPlan(loaded, odoo.client, options())).status).toBe('succeeded');
    await forceReleaseLock(odoo.client, MIGRATIONS_LOCK_NAME);

    const second = await plan('{ chunk_size: 5 }', steps);
    await acquireLock(odoo.client, MIGRATIONS_LOCK_NAME, { identity: { host: hostname(), pid: 999_999, user: 'me' } });
    const refused = applyPlan(second.plan, odoo.client, options({ lock: { isAlive: () => true } }));
    await expect(refused).rejects.toBeInstanceOf(LockHeldError);
    const result = await applyPlan(second.plan, odoo.client, options({ lock: { isAlive: () => false } }));
    expect(result.status).toBe('succeeded');
    expect(await count('res.partner.category', `${name} t`)).toBe(2);
    expect(await count('res.partner.category', `${second.name} t`)).toBe(2);
  });
});
