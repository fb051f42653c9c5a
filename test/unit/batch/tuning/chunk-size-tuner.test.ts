// The chunk size tuner: doubles while the time per record improves, undoes a size that made things worse, halves on
// slow calls and on a lost answer (and never grows back past that).
import { describe, expect, it } from 'vitest';
import { ChunkSizeTuner } from '../../../../src/batch/tuning/chunk-size-tuner.js';

/** Three full chunks at the tuner's size, each taking `fixedMs + size × perRecordMs`. */
function calls(tuner: ChunkSizeTuner, fixedMs: number, perRecordMs: number): void {
  const size = tuner.size;
  for (let i = 0; i < 3; i += 1)
    tuner.observe({ records: size, durationMs: fixedMs + size * perRecordMs, outcome: 'ok' });
}

describe('ChunkSizeTuner', () => {
  it('refuses bounds that do not hold', () => {
    expect(() => new ChunkSizeTuner({ initial: 5, min: 10 })).toThrow(/min ≤ initial ≤ max/);
    expect(() => new ChunkSizeTuner({ targetMs: 0 })).toThrow(/targetMs/);
  });

  it('doubles while the time per record improves by 3 % or more, then keeps the size', () => {
    const tuner = new ChunkSizeTuner({ initial: 50 });
    // 10 ms per call, 0.8 ms per record: 1.0, 0.9, 0.85 and 0.825 ms per record at 50, 100, 200 and 400; 400 is
    // less than 3 % better than 200, so growth stops there (and 400 is kept: it is not worse).
    for (let i = 0; i < 6; i += 1) calls(tuner, 10, 0.8);
    expect(tuner.size).toBe(400);
    expect(tuner.changes.map((change) => change.to)).toEqual([100, 200, 400]);
  });

  it('goes back to the smaller size when the bigger one is worse', () => {
    const tuner = new ChunkSizeTuner({ initial: 100 });
    calls(tuner, 10, 0.8); // 0.9 ms per record
    calls(tuner, 200, 0.8); // at 200: 1.8 ms per record
    expect(tuner.size).toBe(100);
    expect(tuner.changes.at(-1)).toEqual({ from: 200, to: 100, reason: 'worse' });
  });

  it('only counts full chunks at its current size', () => {
    const tuner = new ChunkSizeTuner({ initial: 50 });
    for (let i = 0; i < 10; i += 1) tuner.observe({ records: 20, durationMs: 1, outcome: 'ok' });
    tuner.observe({ records: 0, durationMs: 0, outcome: 'overloaded' });
    expect(tuner.size).toBe(50);
  });

  it('halves a size whose calls take longer than the target', () => {
    const tuner = new ChunkSizeTuner({ initial: 400, targetMs: 1000 });
    calls(tuner, 100, 5); // 2.1 s per call
    expect(tuner.size).toBe(200);
    expect(tuner.changes[0]?.reason).toBe('slow-calls');
  });

  it('halves on a lost answer and never grows back past that half', () => {
    const tuner = new ChunkSizeTuner({ initial: 400 });
    tuner.observe({ records: 400, durationMs: 30_000, outcome: 'lost' });
    expect(tuner.size).toBe(200);
    for (let i = 0; i < 5; i += 1) calls(tuner, 10, 0.1);
    expect(tuner.size).toBe(200);
  });
});
