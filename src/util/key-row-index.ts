/**
 * {@link KeyRowIndex}: the first row of each key of a step, for the "key given twice" checks of the loader and the
 * diff, held off the JavaScript heap.
 *
 * A step of a million rows has a million keys, and the check must remember all of them. As a `Map<string, number>`
 * they take about 60 bytes each on the heap, and a heap that holds that much lets V8 grow its collection limits until
 * the process peaks far above what the apply keeps (the memory target of a plan of any size). Here the keys' UTF-8
 * bytes go into one growing buffer and an open-addressing table of typed arrays points at them: about 30 bytes per key,
 * outside the heap, and exact (keys with the same hash are compared byte by byte).
 *
 * @packageDocumentation
 */

/** Slot fields in {@link KeyRowIndex}'s table: hash, row + 1 (0 = empty slot), offset of the key in the buffer. */
const STRIDE = 3;
/** The table doubles when it is more than half full, so that probes stay short. */
const MAX_LOAD = 0.5;
const INITIAL_SLOTS = 1024;
const INITIAL_BYTES = 16 * 1024;
/** The length word's flag of a key stored as UTF-16 (see {@link KeyRowIndex.add}). */
const UTF16 = 0x80000000;

/** FNV-1a over the UTF-16 code units of `text` (fast, no allocation; collisions are resolved by comparing bytes). */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Remembers the first row of each key. Keys are compared exactly; memory is about 30 bytes per key plus the key's
 * UTF-8 length, in buffers outside the JavaScript heap.
 *
 * @example
 * ```ts
 * const keys = new KeyRowIndex();
 * keys.add('["C001"]', 1); // undefined: first time
 * keys.add('["C001"]', 7); // 1: the row that had it first
 * ```
 */
export class KeyRowIndex {
  #table = new Uint32Array(INITIAL_SLOTS * STRIDE);
  #mask = INITIAL_SLOTS - 1;
  #size = 0;
  #bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  #used = 0;

  /** The number of distinct keys. */
  get size(): number {
    return this.#size;
  }

  /**
   * Records `key` at `row` unless it is known already.
   *
   * @returns the row that had `key` first, or `undefined` when `key` is new (and is now recorded at `row`).
   */
  add(key: string, row: number): number | undefined {
    if (!Number.isInteger(row) || row < 0 || row >= 0xffffffff) {
      throw new RangeError(`Expected the row to be a whole number from 0 to 4294967294, got ${row}`);
    }
    // The key is written after the used bytes: kept when it is new, overwritten by the next key when it is not. UTF-8
    // unless the text holds a lone surrogate, which UTF-8 cannot keep apart from another: then UTF-16, flagged in the
    // length word, so that two keys are the same only when their texts are.
    this.#reserve(key.length * 3 + 4);
    const wellFormed = key.isWellFormed();
    const length = this.#bytes.write(key, this.#used + 4, wellFormed ? 'utf8' : 'utf16le');
    this.#bytes.writeUInt32LE(wellFormed ? length : (length | UTF16) >>> 0, this.#used);
    const hash = hashOf(key);
    const table = this.#table;
    for (let slot = hash & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const at = slot * STRIDE;
      const stored = table[at + 1]!;
      if (stored === 0) {
        table[at] = hash;
        table[at + 1] = row + 1;
        table[at + 2] = this.#used;
        this.#used += 4 + length;
        this.#size += 1;
        if (this.#size > (this.#mask + 1) * MAX_LOAD) this.#grow();
        return undefined;
      }
      if (table[at] === hash && this.#sameKey(table[at + 2]!, length)) return stored - 1;
    }
  }

  /** Whether the key stored at `offset` has the encoding and the `length` bytes just written after the used ones. */
  #sameKey(offset: number, length: number): boolean {
    if (this.#bytes.readUInt32LE(offset) !== this.#bytes.readUInt32LE(this.#used)) return false;
    const start = this.#used + 4;
    return this.#bytes.compare(this.#bytes, start, start + length, offset + 4, offset + 4 + length) === 0;
  }

  /** Makes room for `extra` more bytes after the used ones. */
  #reserve(extra: number): void {
    if (this.#used + extra <= this.#bytes.length) return;
    let capacity = this.#bytes.length * 2;
    while (capacity < this.#used + extra) capacity *= 2;
    const bytes = Buffer.allocUnsafe(capacity);
    this.#bytes.copy(bytes, 0, 0, this.#used);
    this.#bytes = bytes;
  }

  /** Doubles the table, placing every slot again by its stored hash. */
  #grow(): void {
    const old = this.#table;
    const slots = (this.#mask + 1) * 2;
    const table = new Uint32Array(slots * STRIDE);
    const mask = slots - 1;
    for (let at = 0; at < old.length; at += STRIDE) {
      if (old[at + 1] === 0) continue;
      let slot = old[at]! & mask;
      while (table[slot * STRIDE + 1] !== 0) slot = (slot + 1) & mask;
      table.set(old.subarray(at, at + STRIDE), slot * STRIDE);
    }
    this.#table = table;
    this.#mask = mask;
  }
}
