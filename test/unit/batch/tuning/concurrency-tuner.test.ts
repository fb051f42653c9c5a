// The concurrency tuner: climbs while throughput grows, holds the plateau, backs off on a busy server or a lost
// answer; on the modelled server it reaches 90 % of the best fixed setting for 2, 4 and 8 workers.
import { describe, expect, it } from 'vitest';
import { adaptiveTuning } from '../../../../src/batch/tuning/adaptive-tuning.js';
import { ChunkSizeTuner } from '../../../../src/batch/tuning/chunk-size-tuner.js';
import { ConcurrencyTuner } from '../../../../src/batch/tuning/concurrency-tuner.js';
import { fixedClient, simulate } from './tuning-simulation.js';
import type { ModelServer } from './tuning-simulation.js';

const ok = (records: number, durationMs = 10) => ({ records, durationMs, outcome: 'ok' as const });

describe('ConcurrencyTuner', () => {
  it('refuses bounds that do not hold', () => {
    expect(() => new ConcurrencyTuner({ initial: 0 })).toThrow(/initial/);
    expect(() => new ConcurrencyTuner({ initial: 8, max: 4 })).toThrow(/min ≤ initial ≤ max/);
  });

  it('doubles while each window is 5 % faster, then steps back to the best and holds', () => {
    const tuner = new ConcurrencyTuner({ initial: 2, minWindowMs: 0, holdWindows: 2 });
    let now = 0;
    // Throughput grows with the limit up to 4, then stays: records per ms = min(limit, 4).
    const window = (): void => {
      const limit = tuner.limit;
      // The answers of the previous setting are skipped first, then one window of max(6, 2 × limit) calls.
      for (let i = 0; i < limit + Math.max(6, 2 * limit) + 1; i += 1) {
        now += 100 / Math.min(limit, 4);
        tuner.observe(ok(100), now);
        if (tuner.limit !== limit) return;
      }
    };
    window();
    expect(tuner.limit).toBe(4);
    window();
    expect(tuner.limit).toBe(8);
    window(); // 8 is no faster than 4: back to 4, held
    expect(tuner.limit).toBe(4);
    expect(tuner.changes.map((change) => change.reason)).toEqual(['faster', 'faster', 'plateau']);
    window();
    window(); // the hold is over: probe one more
    expect(tuner.limit).toBe(5);
  });

  it('halves on a busy server or a lost answer, never below the minimum', () => {
    const tuner = new ConcurrencyTuner({ initial: 8 });
    expect(tuner.observe({ records: 0, durationMs: 0, outcome: 'overloaded' }, 1)).toMatchObject({
      from: 8,
      to: 4,
      reason: 'overloaded',
    });
    tuner.observe({ records: 50, durationMs: 900, outcome: 'lost' }, 2);
    tuner.observe({ records: 50, durationMs: 900, outcome: 'lost' }, 3);
    tuner.observe({ records: 50, durationMs: 900, outcome: 'lost' }, 4);
    expect(tuner.limit).toBe(1);
  });

  it('steps down when a held setting gets 30 % slower (rising latency)', () => {
    const tuner = new ConcurrencyTuner({ initial: 4, max: 4, minWindowMs: 0 });
    let now = 0;
    for (let i = 0; i < 30; i += 1) tuner.observe(ok(100), (now += 10)); // at the maximum: held
    expect(tuner.limit).toBe(4);
    for (let i = 0; i < 20; i += 1) tuner.observe(ok(100), (now += 20)); // half the throughput
    // One fewer in flight; from there the measure starts over (and may climb again).
    expect(tuner.changes.map((change) => [change.from, change.to, change.reason])).toContainEqual([4, 3, 'slower']);
  });

  it.each([2, 4, 8])(
    'reaches 90 %% of the best fixed setting on a modelled server with %i workers (and the chunk size with it)',
    (workers) => {
      const server: ModelServer = { workers, latencyMs: 10, callMs: 3, recordMs: 0.8 };
      const total = 100_000;
      let best = 0;
      for (const limit of [1, 2, 4, 8, 16, 32])
        for (const size of [50, 200, 1000]) best = Math.max(best, simulate(server, fixedClient(limit, size), total));
      let clock = 0;
      const tuning = adaptiveTuning({
        chunkSize: new ChunkSizeTuner(),
        concurrency: new ConcurrencyTuner(),
        now: () => clock,
      });
      const auto = simulate(
        server,
        {
          limit: () => tuning.concurrency!(),
          chunkSize: () => tuning.chunkSize!(),
          observe: (sample, now) => {
            clock = now;
            tuning.observe(sample);
          },
        },
        total,
      );
      expect(auto / best).toBeGreaterThanOrEqual(0.9);
    },
  );
});
