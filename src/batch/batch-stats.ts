/**
 * Counters of batch runs.
 *
 * @packageDocumentation
 */

/** Counters of one run (or, from {@link BatchManager.getStats}, of every run of a manager). */
export interface BatchStats {
  /** Operations started. */
  readonly operations: number;
  /** Operations that applied every record. */
  readonly completedOperations: number;
  /** Operations that ended `failed`, `partial` or `cancelled`. */
  readonly failedOperations: number;
  /** Chunks sent (a bisected chunk counts once, its parts are `calls`). */
  readonly chunks: number;
  /** RPC calls made for the writes, including bisection parts, reconciliation look-ups and resends. */
  readonly calls: number;
  /** Records applied. */
  readonly records: number;
  /** Records rejected, failed or of unknown outcome. */
  readonly failedRecords: number;
  /** Calls retried by the client (as far as the client reports them) and chunks resent after reconciliation. */
  readonly retries: number;
  /** Chunk failures (whole chunks failed, outcome-unknown chunks, and bisection leaves rejected). */
  readonly failures: number;
  /** Records applied per second of wall time (0 before anything ran). */
  readonly recordsPerSecond: number;
  /** Wall time, in ms. */
  readonly durationMs: number;
}

/** Mutable counters behind {@link BatchStats}. @internal */
export class StatsCounter {
  operations = 0;
  completedOperations = 0;
  failedOperations = 0;
  chunks = 0;
  calls = 0;
  records = 0;
  failedRecords = 0;
  retries = 0;
  failures = 0;
  durationMs = 0;

  /** Adds the counters of a finished run into this one (used to aggregate the runs of a manager). */
  add(other: BatchStats): void {
    this.operations += other.operations;
    this.completedOperations += other.completedOperations;
    this.failedOperations += other.failedOperations;
    this.chunks += other.chunks;
    this.calls += other.calls;
    this.records += other.records;
    this.failedRecords += other.failedRecords;
    this.retries += other.retries;
    this.failures += other.failures;
    this.durationMs += other.durationMs;
  }

  /** A frozen snapshot; `elapsedMs` overrides the stored duration for a run still going. */
  snapshot(elapsedMs = this.durationMs): BatchStats {
    return Object.freeze({
      operations: this.operations,
      completedOperations: this.completedOperations,
      failedOperations: this.failedOperations,
      chunks: this.chunks,
      calls: this.calls,
      records: this.records,
      failedRecords: this.failedRecords,
      retries: this.retries,
      failures: this.failures,
      recordsPerSecond: elapsedMs > 0 ? (this.records * 1000) / elapsedMs : 0,
      durationMs: elapsedMs,
    });
  }
}
