/**
 * A bounded async queue: the diff of a step pushes records into it while a Batch API operation consumes it as its
 * `AsyncIterable` input, so an apply streams rows from the data file to Odoo with bounded memory.
 *
 * @packageDocumentation
 */
import type { BatchedRecordSource } from '../../batch/operations/batch-operation.js';

/**
 * A single-consumer async queue with back-pressure. The Batch API reads it a chunk at a time
 * ({@link BatchedRecordSource}); it is also a plain `AsyncIterable`.
 */
export class AsyncQueue<T> implements BatchedRecordSource<T> {
  readonly #capacity: number;
  readonly #items: T[] = [];
  #closed = false;
  #error: unknown;
  #failed = false;
  /** The consumer stopped reading (the operation stopped): pushes are dropped instead of waiting forever. */
  #abandoned = false;
  /** `drop` discarded input: buffered items, or the rest of an input that had not ended. */
  #dropped = false;
  /** Items at the head handed out without waiting for a full batch (see {@link flush}). */
  #flushing = 0;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducer: (() => void) | undefined;

  /** @param capacity - items buffered before `push` waits for the consumer. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new TypeError('Expected `capacity` to be an integer from 1 and up');
    }
    this.#capacity = capacity;
  }

  /**
   * Adds `items` in order, waiting whenever the queue is full (one await per wait, not per item). Resolves at once,
   * dropping the rest, when the consumer has gone or the queue was closed.
   */
  async pushAll(items: readonly T[]): Promise<void> {
    let next = 0;
    while (next < items.length) {
      while (this.#items.length >= this.#capacity && !this.#abandoned) {
        await new Promise<void>((resolve) => {
          this.#wakeProducer = resolve;
        });
      }
      if (this.#abandoned || this.#closed) return;
      const room = this.#capacity - this.#items.length;
      const end = Math.min(items.length, next + room);
      for (; next < end; next += 1) this.#items.push(items[next] as T);
      this.#wake();
    }
  }

  /**
   * The next `max` items, waiting until that many are buffered or the input ends (then fewer); `undefined` once the
   * input is exhausted. Throws the input's error after its buffered items.
   */
  async nextBatch(max: number): Promise<T[] | undefined> {
    // Never wait for more than the queue can hold: the producer could not supply it.
    const wanted = Math.min(max, this.#capacity);
    while (this.#items.length < wanted && !this.#closed && this.#flushing === 0) {
      await new Promise<void>((resolve) => {
        this.#wakeConsumer = resolve;
      });
    }
    if (this.#items.length === 0) {
      if (this.#failed) throw this.#error;
      return undefined;
    }
    const batch = this.#items.splice(0, max);
    this.#flushing = Math.max(0, this.#flushing - batch.length);
    this.#wakeProducerNow();
    return batch;
  }

  /**
   * Hands the items buffered now to the consumer without waiting for a full batch: a producer that needs them written
   * before it goes on (a self-referencing step between two levels) would otherwise wait for items it cannot give yet.
   */
  flush(): void {
    this.#flushing = this.#items.length;
    this.#wake();
  }

  /** The consumer stops before the end: buffered items are dropped and pushes no longer wait. */
  abandon(): void {
    if (!this.#closed || this.#items.length > 0) {
      this.#abandoned = true;
      this.#items.length = 0;
      this.#wakeProducerNow();
    }
  }

  /** Ends the input: the consumer finishes after the buffered items. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  /** Ends the input with an error: the consumer's iteration throws it after the buffered items. */
  fail(error: unknown): void {
    this.#failed = true;
    this.#error = error;
    this.close();
  }

  /** Drops the buffered items and ends the input (a stop: what was not yet taken is not sent). */
  drop(): void {
    if (!this.#closed || this.#items.length > 0) this.#dropped = true;
    this.#items.length = 0;
    this.close();
    this.#wakeProducerNow();
  }

  /** Whether {@link drop} discarded input (items buffered, or an input that had not ended yet). */
  get dropped(): boolean {
    return this.#dropped;
  }

  /** Whether the consumer stopped reading before the end. */
  get abandoned(): boolean {
    return this.#abandoned;
  }

  #wake(): void {
    const wake = this.#wakeConsumer;
    this.#wakeConsumer = undefined;
    wake?.();
  }

  #wakeProducerNow(): void {
    const wake = this.#wakeProducer;
    this.#wakeProducer = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    try {
      for (;;) {
        if (this.#items.length > 0) {
          const item = this.#items.shift() as T;
          this.#wakeProducerNow();
          yield item;
          continue;
        }
        if (this.#closed) {
          if (this.#failed) throw this.#error;
          return;
        }
        await new Promise<void>((resolve) => {
          this.#wakeConsumer = resolve;
        });
      }
    } finally {
      this.abandon();
    }
  }
}
