import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../../src/sandbox/fault-injector.js';
import { resolveFaults } from '../../../src/sandbox/sandbox-faults.js';

const noLatency = { fixed: 0, jitter: 0 };

function sequence(injector: FaultInjector, n: number, isObjectCall = true): (string | undefined)[] {
  return Array.from({ length: n }, () => injector.plan(isObjectCall).fault);
}

describe('FaultInjector', () => {
  it('gives the same fault sequence for the same seed, another for another seed', () => {
    const faults = resolveFaults('transient=0.3,drop=0.2,slow=0.2:50');
    const a = sequence(new FaultInjector(noLatency, faults, 7), 200);
    const b = sequence(new FaultInjector(noLatency, faults, 7), 200);
    const c = sequence(new FaultInjector(noLatency, faults, 8), 200);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('injects each kind at roughly its rate', () => {
    const injector = new FaultInjector(noLatency, resolveFaults('transient=0.3,drop=0.1,slow=0.1:5'), 1);
    const counts: Record<string, number> = {};
    for (const fault of sequence(injector, 10_000)) counts[fault ?? 'none'] = (counts[fault ?? 'none'] ?? 0) + 1;
    const transient = (counts['http-503'] ?? 0) + (counts['reset'] ?? 0) + (counts['serialization'] ?? 0);
    expect(transient / 10_000).toBeCloseTo(0.3, 1);
    expect((counts['drop'] ?? 0) / 10_000).toBeCloseTo(0.1, 1);
    expect((counts['slow'] ?? 0) / 10_000).toBeCloseTo(0.1, 1);
    for (const kind of ['http-503', 'reset', 'serialization']) expect(counts[kind]).toBeGreaterThan(700);
  });

  it('adds slowMs to slow calls and sometimes a Retry-After to 503s', () => {
    const injector = new FaultInjector(noLatency, resolveFaults('transient=0.5,kinds=503,slow=0.5:1234'), 3);
    const plans = Array.from({ length: 200 }, () => injector.plan(true));
    for (const plan of plans) {
      if (plan.fault === 'slow') expect(plan.delayMs).toBe(1234);
      else expect(plan.fault).toBe('http-503');
    }
    const retryAfter = plans.filter((p) => p.fault === 'http-503').map((p) => p.retryAfterSeconds);
    expect(retryAfter).toContain(1);
    expect(retryAfter).toContain(undefined);
  });

  it('leaves non-object calls clean with scope object, and faults them with scope all', () => {
    const clean = new FaultInjector(noLatency, resolveFaults('transient=1'), 1);
    expect(sequence(clean, 50, false).every((f) => f === undefined)).toBe(true);
    const all = new FaultInjector(noLatency, resolveFaults('transient=1,scope=all'), 1);
    expect(sequence(all, 50, false).every((f) => f !== undefined)).toBe(true);
  });

  it('restarts the fault sequence from its seed on setFaults, whatever happened before', () => {
    const faults = resolveFaults('transient=0.5,seed=11');
    const fresh = new FaultInjector(noLatency, resolveFaults({}), 99);
    // Calls without faults (data seeding) must not shift the sequence.
    sequence(fresh, 37);
    fresh.setFaults(faults);
    const reference = new FaultInjector(noLatency, faults, 5);
    expect(sequence(fresh, 100)).toEqual(sequence(reference, 100));
  });

  it('draws latency jitter within bounds, deterministically, without shifting faults', () => {
    const faults = resolveFaults('drop=0.5');
    const a = new FaultInjector({ fixed: 10, jitter: 20 }, faults, 4);
    const b = new FaultInjector({ fixed: 10, jitter: 20 }, faults, 4);
    const delaysA = Array.from({ length: 100 }, () => a.plan(false).delayMs);
    expect(Array.from({ length: 100 }, () => b.plan(false).delayMs)).toEqual(delaysA);
    expect(Math.min(...delaysA)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...delaysA)).toBeLessThanOrEqual(30);
    expect(new Set(delaysA).size).toBeGreaterThan(5);
    const withLatency = new FaultInjector({ fixed: 10, jitter: 20 }, faults, 4);
    const withoutLatency = new FaultInjector(noLatency, faults, 4);
    expect(sequence(withLatency, 100)).toEqual(sequence(withoutLatency, 100));
  });
});
