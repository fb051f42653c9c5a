import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../src/sandbox/seeded-random.js';

describe('createSeededRandom', () => {
  it('yields the same sequence for the same seed and another for another seed', () => {
    const a = createSeededRandom(7);
    const b = createSeededRandom(7);
    const c = createSeededRandom(8);
    const seqA = Array.from({ length: 20 }, a);
    expect(Array.from({ length: 20 }, b)).toEqual(seqA);
    expect(Array.from({ length: 20 }, c)).not.toEqual(seqA);
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const random = createSeededRandom(123);
    const values = Array.from({ length: 10_000 }, random);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });

  it('rejects a non-finite seed', () => {
    expect(() => createSeededRandom(Number.NaN)).toThrow(TypeError);
  });
});
