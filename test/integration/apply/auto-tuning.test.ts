/**
 * `chunk_size: auto` and `concurrency: auto` on a sandbox that costs like a loaded server (2 workers): the apply
 * writes every record once, grows the chunk size and the calls in flight from their small starts, says each change
 * in a `tuning` event, and a second dry run shows nothing. A time limit that cuts the big chunks shrinks them, and
 * the records of the cut calls are written once (they were never committed).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/plan/apply/apply.js';
import type { ApplyEvent } from '../../../src/plan/apply/apply-events.js';
import { computeDiff } from '../../../src/plan/diff/diff-plan.js';
import { hasChanges } from '../../../src/plan/model/diff-types.js';
import { loadPlan } from '../../../src/plan/load/load-plan.js';
import { withSandbox } from '../../helpers/with-sandbox.js';

const ROWS = 3000;

async function project(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-auto-'));
  const rows = ['ref,name'];
  for (let i = 1; i <= ROWS; i += 1) rows.push(`${name}-${i},Company ${i}`);
  await writeFile(join(dir, 'companies.csv'), `${rows.join('\n')}\n`);
  await writeFile(
    join(dir, 'plan.yaml'),
    `version: 1\nname: ${name}\ndefaults: { chunk_size: auto, concurrency: auto }\nsteps:\n` +
      '  - { id: companies, model: res.partner, action: upsert, key: [ref], records: { file: companies.csv } }\n',
  );
  return dir;
}

describe('auto chunk size and concurrency', () => {
  const odoo = withSandbox({ capacity: { workers: 2, recordCostMs: 0.05, callCostMs: 2 } });

  it('tunes both from small starts, writes each record once, and says what it chose', async () => {
    const dir = await project('auto');
    const plan = await loadPlan(join(dir, 'plan.yaml'));
    const events: ApplyEvent[] = [];
    const result = await applyPlan(plan, odoo.client, {
      target: { url: odoo.url, db: odoo.db },
      stateDir: join(dir, '.zenoo'),
      onEvent: (event) => events.push(event),
    });
    expect(result.status).toBe('succeeded');
    expect(result.steps[0]?.counts.created).toBe(ROWS);
    expect(await odoo.client.searchCount('res.partner', [['ref', '=like', 'auto-%']])).toBe(ROWS);
    const tuning = events.flatMap((event) => (event.type === 'tuning' ? [event] : []));
    const sizes = tuning.flatMap((event) => (event.chunkSize === undefined ? [] : [event.chunkSize]));
    const limits = tuning.flatMap((event) => (event.concurrency === undefined ? [] : [event.concurrency]));
    expect(sizes[0]).toMatchObject({ from: 50, to: 100, reason: 'faster' });
    expect(limits[0]).toMatchObject({ from: 4, to: 8, reason: 'faster' });
    expect(tuning.every((event) => event.step === 'companies')).toBe(true);
    const diff = await computeDiff(plan, odoo.client, { target: { url: odoo.url, db: odoo.db } });
    expect(hasChanges(diff)).toBe(false);
  });
});

describe('auto chunk size under a time limit', () => {
  // 20 ms per call and 2 ms per record, cut after 300 ms: chunks of more than 140 records are cut. The call cost makes
  // each doubling from 50 clearly faster per record (2.4, 2.2, 2.1 ms), so the tuner reaches a size that is cut.
  const odoo = withSandbox({ capacity: { workers: 2, callCostMs: 20, recordCostMs: 2, timeLimitMs: 300 } });

  it('shrinks a chunk the server cut, and writes its records once', async () => {
    const dir = await project('limited');
    const plan = await loadPlan(join(dir, 'plan.yaml'));
    const events: ApplyEvent[] = [];
    const result = await applyPlan(plan, odoo.client, {
      target: { url: odoo.url, db: odoo.db },
      stateDir: join(dir, '.zenoo'),
      concurrency: 2,
      onEvent: (event) => events.push(event),
    });
    expect(result.status).toBe('succeeded');
    expect(odoo.sandbox.stats.faults['time-limit']).toBeGreaterThan(0);
    const lost = events.flatMap((event) =>
      event.type === 'tuning' && event.chunkSize?.reason === 'lost' ? [event.chunkSize] : [],
    );
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((change) => change.to <= 140)).toBe(true);
    const refs = await odoo.client.searchRead<{ ref: string }>('res.partner', [['ref', '=like', 'limited-%']], {
      fields: ['ref'],
    });
    expect(refs).toHaveLength(ROWS);
    expect(new Set(refs.map((record) => record.ref)).size).toBe(ROWS);
  });
});
