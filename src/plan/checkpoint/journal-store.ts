/**
 * Where checkpoint journals are kept: the seam between the journal's format (entries, group commit, folding) and its
 * storage. A journal is named by its location (a file path for {@link FileJournalStore}); the store reads it whole,
 * appends to it durably and deletes it. `FileJournalStore` is the real one, `MemoryJournalStore` the one for tests,
 * and both satisfy the same contract (see the journal store tests).
 *
 * @packageDocumentation
 */

/** An open journal, appended to by one writer. */
export interface JournalAppender {
  /**
   * Appends `text` (whole lines) at the end. Resolves only once the text is durable: a crash after it resolved never
   * loses it. Never called again before the previous call settled.
   */
  write(text: string): Promise<void>;
  /** Releases the journal. Safe to call once writes have settled. */
  close(): Promise<void>;
}

/** The storage of checkpoint journals. */
export interface JournalStore {
  /** The whole text of the journal at `location`, or `undefined` when there is none. */
  read(location: string): Promise<string | undefined>;
  /**
   * Opens the journal at `location` for appending, creating it if needed. When its text does not end with a newline
   * (a crash mid-write tore the last line), a newline is appended first, so that the next entry starts on a line of
   * its own and the torn fragment stays recognisable.
   */
  openAppender(location: string): Promise<JournalAppender>;
  /** Deletes the journal at `location` (for `--restart`); a missing journal is fine. */
  remove(location: string): Promise<void>;
}
