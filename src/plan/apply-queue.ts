/**
 * A bounded async queue: the diff of a step pushes records into it while a Batch API operation consumes it as its
 * `AsyncIterable` input, so an apply streams rows from the data file to Odoo with bounded memory.
 *
 * @packageDocumentation
 */

/** A single-consumer async queue with back-pressure. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #capacity: number;
  readonly #items: T[] = [];
  #closed = false;
  #error: unknown;
  #failed = false;
  /** The consumer stopped reading (the operation stopped): pushes are dropped instead of waiting forever. */
  #abandoned = false;
  /** `drop` discarded input: buffered items, or the rest of an input that had not ended. */
  #dropped = false;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducer: (() => void) | undefined;

  /** @param capacity - items buffered before `push` waits for the consumer. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new TypeError('Expected `capacity` to be an integer from 1 and up');
    }
    this.#capacity = capacity;
  }

  /** Adds an item, waiting while the queue is full. Resolves immediately once the consumer has gone. */
  async push(item: T): Promise<void> {
    while (this.#items.length >= this.#capacity && !this.#abandoned) {
      await new Promise<void>((resolve) => {
        this.#wakeProducer = resolve;
      });
    }
    if (this.#abandoned || this.#closed) return;
    this.#items.push(item);
    this.#wake();
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
      if (!this.#closed || this.#items.length > 0) {
        this.#abandoned = true;
        this.#items.length = 0;
        this.#wakeProducerNow();
      }
    }
  }
}
