import { describe, expect, it } from 'vitest';
import { KeyRowIndex } from '../../../src/util/key-row-index.js';

describe('KeyRowIndex', () => {
  it('returns the first row of a key given again, and undefined for a new key', () => {
    const keys = new KeyRowIndex();
    expect(keys.add('["C001"]', 1)).toBeUndefined();
    expect(keys.add('["C002"]', 2)).toBeUndefined();
    expect(keys.add('["C001"]', 7)).toBe(1);
    // The first row stays the one reported.
    expect(keys.add('["C001"]', 9)).toBe(1);
    expect(keys.size).toBe(2);
  });

  it('tells apart keys with the same hash, and keys that differ only beyond ASCII or in length', () => {
    const keys = new KeyRowIndex();
    // FNV-1a collisions over UTF-16 code units ("costarring" / "liquid" is the classic pair for 32-bit FNV-1a).
    expect(keys.add('costarring', 1)).toBeUndefined();
    expect(keys.add('liquid', 2)).toBeUndefined();
    expect(keys.add('["Zoë"]', 3)).toBeUndefined();
    expect(keys.add('["Zoe"]', 4)).toBeUndefined();
    expect(keys.add('["Zoë", 1]', 5)).toBeUndefined();
    expect(keys.add('', 6)).toBeUndefined();
    // Two lone surrogates are different keys, though UTF-8 would write both as U+FFFD.
    expect(keys.add('["\ud800"]', 7)).toBeUndefined();
    expect(keys.add('["\udbff"]', 8)).toBeUndefined();
    expect(keys.add('["\ufffd"]', 9)).toBeUndefined();
    expect(keys.add('["\udbff"]', 14)).toBe(8);
    expect(keys.add('liquid', 10)).toBe(2);
    expect(keys.add('costarring', 11)).toBe(1);
    expect(keys.add('["Zoë"]', 12)).toBe(3);
    expect(keys.add('', 13)).toBe(6);
    expect(keys.size).toBe(9);
  });

  it('agrees with a Map on 300,000 keys, through its growth', () => {
    const keys = new KeyRowIndex();
    const map = new Map<string, number>();
    for (let row = 1; row <= 300_000; row += 1) {
      // Every seventh row repeats the key of the row three before it; long keys make the byte buffer grow too.
      const of = (n: number): string => `["K${n}", "${'x'.repeat(n % 50)}"]`;
      const key = row % 7 === 0 ? of(row - 3) : of(row);
      const expected = map.get(key);
      if (expected === undefined) map.set(key, row);
      expect(keys.add(key, row)).toBe(expected);
    }
    expect(keys.size).toBe(map.size);
    expect(map.size).toBe(300_000 - Math.floor(300_000 / 7));
  });

  it('refuses a row it cannot store', () => {
    expect(() => new KeyRowIndex().add('a', -1)).toThrow(RangeError);
    expect(() => new KeyRowIndex().add('a', 1.5)).toThrow(RangeError);
  });
});
