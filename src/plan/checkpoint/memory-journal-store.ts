/**
 * Journals in memory, for tests of the engine: the same contract as the file store, with the text of every journal
 * inspectable and settable (to start from a torn or damaged journal).
 *
 * @packageDocumentation
 */
import type { JournalAppender, JournalStore } from './journal-store.js';

/** Journals kept in a map, by location. A write is "durable" as soon as it resolves: it is in the map. */
export class MemoryJournalStore implements JournalStore {
  readonly #texts = new Map<string, string>();

  /** The text of the journal at `location`, as a crash would leave it. */
  text(location: string): string | undefined {
    return this.#texts.get(location);
  }

  /** Sets the text of the journal at `location` (e.g. a torn tail), as if a process had left it so. */
  setText(location: string, text: string): void {
    this.#texts.set(location, text);
  }

  /** The locations of every journal in the store. */
  locations(): string[] {
    return [...this.#texts.keys()];
  }

  read(location: string): Promise<string | undefined> {
    return Promise.resolve(this.#texts.get(location));
  }

  openAppender(location: string): Promise<JournalAppender> {
    const existing = this.#texts.get(location) ?? '';
    this.#texts.set(location, existing === '' || existing.endsWith('\n') ? existing : `${existing}\n`);
    let closed = false;
    const appender: JournalAppender = {
      write: (text) => {
        if (closed) return Promise.reject(new Error(`the journal ${location} is closed`));
        this.#texts.set(location, (this.#texts.get(location) ?? '') + text);
        return Promise.resolve();
      },
      close: () => {
        closed = true;
        return Promise.resolve();
      },
    };
    return Promise.resolve(appender);
  }

  remove(location: string): Promise<void> {
    this.#texts.delete(location);
    return Promise.resolve();
  }
}
