/**
 * A small seeded pseudo-random number generator for the sandbox's fault injection and latency jitter.
 *
 * Faults must be reproducible: a chaos test that fails under seed 7 must fail the same way when re-run under seed 7.
 * `Math.random()` cannot be seeded, so the sandbox uses mulberry32, a tiny 32-bit generator that is more than good
 * enough to spread faults over calls (it is not, and need not be, cryptographically secure).
 *
 * @packageDocumentation
 */

/** A function returning the next pseudo-random number in `[0, 1)`. */
export type RandomSource = () => number;

/**
 * Creates a deterministic random source: the same `seed` always yields the same sequence.
 *
 * @param seed - any finite number; it is truncated to an unsigned 32-bit integer.
 * @throws TypeError when `seed` is not a finite number.
 */
export function createSeededRandom(seed: number): RandomSource {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new TypeError(`Expected \`seed\` to be a finite number, got ${String(seed)}`);
  }
  let state = seed >>> 0;
  return () => {
    // mulberry32 (Tommy Ettinger): one add, three xor-shift-multiply rounds.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
