/**
 * The checkpoint journal of a plan apply: one append-only JSONL journal per plan and target (a file under `.zenoo/`
 * by default; the storage is a {@link JournalStore}).
 *
 * Every line is one {@link JournalEntry}, written and fsynced before the code that wrote it goes on, so that after a
 * crash at any point the file says exactly what was sent and what is known to have committed:
 *
 * - `run-started`: a run began (plan fingerprint, zenoo version);
 * - `chunk-in-doubt`: written BEFORE a write chunk is sent (rows, keys and external ids it will create, ids it will
 *   write, delete or call a method on); if no matching `chunk-done` follows, the chunk's outcome is unknown and must be reconciled;
 * - `chunk-done`: the chunk's outcome is known (ids by row, rejected rows);
 * - `step-done`, `error`, `run-finished` (succeeded, failed or interrupted).
 *
 * {@link readJournal} folds the file into a {@link JournalState}; a torn last line (the process died mid-write) is
 * ignored, a corrupt line anywhere else is an error because the file can no longer be trusted.
 *
 * The journal never holds secrets: the target is identified by url and database, and the file name carries only a
 * hash of them.
 *
 * @packageDocumentation
 */
import type { OperationType } from '../../batch/operations/operation-result.js';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { JournalError } from '../../errors.js';
import { fileJournalStore } from './file-journal-store.js';
import type { JournalAppender, JournalStore } from './journal-store.js';

/** The journal line format version; bumped if a line's meaning changes. */
export const JOURNAL_FORMAT_VERSION = 1;

/** Directory (relative to the working directory) holding journals and other local state. */
export const DEFAULT_STATE_DIR = '.zenoo';

/** Fields common to every journal line. */
interface EntryBase {
  /** ISO timestamp of the line. */
  readonly at: string;
  /** Id of the run that wrote the line (one per `zenoo plan apply` invocation). */
  readonly run: string;
}

/** A run of the plan began. */
export interface RunStartedEntry extends EntryBase {
  readonly type: 'run-started';
  /** {@link JOURNAL_FORMAT_VERSION} of the writer. */
  readonly format: number;
  /** Plan name. */
  readonly plan: string;
  /** Fingerprint of the plan (and its data files) this journal belongs to. */
  readonly fingerprint: string;
  /** zenoo version that wrote the run. */
  readonly zenooVersion: string;
  /** Target URL (never with credentials). */
  readonly url: string;
  /** Target database. */
  readonly db: string;
}

/** A write chunk is about to be sent; its outcome is unknown until a `chunk-done` with the same step/chunk follows. */
export interface ChunkInDoubtEntry extends EntryBase {
  readonly type: 'chunk-in-doubt';
  /** Step id. */
  readonly step: string;
  /** Chunk index within the step's writes of this action (0-based, stable for a given plan and state). */
  readonly chunk: number;
  /** What the chunk writes. */
  readonly action: OperationType;
  /** Model written. */
  readonly model: string;
  /** Input row numbers (1-based, as in the plan's data) of the chunk's records. */
  readonly rows: readonly number[];
  /** For creates: the external id (`module.name`) each row will get, in row order. */
  readonly xmlids?: readonly string[];
  /** For creates and upserts: the step key of each row, in row order (as the canonical key string). */
  readonly keys?: readonly string[];
  /** For updates, deletes and calls: the record ids written, deleted or called, in row order. */
  readonly ids?: readonly number[];
}

/** A rejected row of a chunk, with the error that rejected it. */
export interface RejectedRow {
  /** Input row number (1-based). */
  readonly row: number;
  /** Error message (never holds secrets). */
  readonly message: string;
  /** Stable error code, when known. */
  readonly code?: string;
}

/** A chunk's outcome is known. */
export interface ChunkDoneEntry extends EntryBase {
  readonly type: 'chunk-done';
  /** Step id. */
  readonly step: string;
  /** Chunk index. */
  readonly chunk: number;
  /** What the chunk wrote. */
  readonly action: OperationType;
  /** Input row numbers, as in the in-doubt line. */
  readonly rows: readonly number[];
  /** Record id of each row (null for a rejected row), in row order. */
  readonly ids: readonly (number | null)[];
  /** Rows the server refused. */
  readonly rejected?: readonly RejectedRow[];
  /** True when the outcome was established by reconciliation after a crash or an unknown outcome. */
  readonly reconciled?: boolean;
  /** For a reconciled chunk: the run that sent it (chunk indexes are per run). @default this line's run */
  readonly ofRun?: string;
  /**
   * For a call chunk reconciled without a guard: the ids whose call may or may not have run (nothing tells). They are
   * never called again in this round; the error line next to it names them.
   */
  readonly unknown?: readonly number[];
}

/** Per-step counts, as journaled when a step finishes. */
export interface StepCounts {
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly unchanged: number;
  readonly rejected: number;
  /** Records a call step called its method on (absent in journals written before call steps existed). */
  readonly called?: number;
}

/** A step finished (every chunk has a known outcome). */
export interface StepDoneEntry extends EntryBase {
  readonly type: 'step-done';
  /** Step id. */
  readonly step: string;
  /** What the step did in this run. */
  readonly counts: StepCounts;
}

/** An error stopped a step or the run. */
export interface ErrorEntry extends EntryBase {
  readonly type: 'error';
  /** Step id, when the error belongs to a step. */
  readonly step?: string;
  /** Chunk index, when the error belongs to a chunk. */
  readonly chunk?: number;
  /** Stable error code (e.g. `ERR_ODOO_VALIDATION`). */
  readonly code: string;
  /** Error message (never holds secrets). */
  readonly message: string;
}

/** How a run ended. */
export type RunStatus = 'succeeded' | 'failed' | 'interrupted';

/** A run ended. */
export interface RunFinishedEntry extends EntryBase {
  readonly type: 'run-finished';
  /** How it ended. */
  readonly status: RunStatus;
  /** Duration of the run in milliseconds. */
  readonly durationMs: number;
}

/** One line of the journal. */
export type JournalEntry =
  RunStartedEntry | ChunkInDoubtEntry | ChunkDoneEntry | StepDoneEntry | ErrorEntry | RunFinishedEntry;

/** A journal entry as passed to {@link JournalWriter.append}: `at` and `run` are filled in by the writer. */
export type NewJournalEntry = JournalEntry extends infer E
  ? E extends JournalEntry
    ? Omit<E, 'at' | 'run'>
    : never
  : never;

/**
 * The journal file name for a plan and a target: `<plan name>-<hash of url and db>.jsonl`. The hash keeps two targets
 * apart without writing their url or database (or any secret) into a file name.
 */
export function journalFileName(planName: string, url: string, db: string): string {
  const safeName = planName.replace(/[^A-Za-z0-9._-]+/g, '_');
  const hash = createHash('sha256').update(`${url}\n${db}`).digest('hex').slice(0, 12);
  return `${safeName}-${hash}.jsonl`;
}

/** Full path of the journal of a plan and target under `stateDir` (default {@link DEFAULT_STATE_DIR}). */
export function journalPath(planName: string, url: string, db: string, stateDir: string = DEFAULT_STATE_DIR): string {
  return join(stateDir, 'journal', journalFileName(planName, url, db));
}

/** Options of {@link JournalWriter.append}. */
export interface AppendOptions {
  /**
   * Wait for the next write instead of starting one (see {@link JournalWriter.append}). For lines whose loss in a crash
   * costs nothing but a reconciliation, such as a chunk's done line. @default false
   */
  readonly defer?: boolean;
}

/**
 * Appends entries to a journal file in call order, each durable before its `append()` resolves.
 *
 * `append()` resolves only once the line is on disk: the apply engine awaits the in-doubt line before sending a chunk.
 * Lines appended while a write is in progress are written and synced together in the next write (group commit): with
 * several chunks in flight this costs one sync per batch instead of one per line, with the same guarantee for each.
 */
export class JournalWriter {
  readonly #file: string;
  readonly #appender: JournalAppender;
  readonly #run: string;
  /** Lines waiting for the next write, with the callers to settle once they are durable. */
  #pending: { line: string; resolve: () => void; reject: (error: JournalError) => void }[] = [];
  /** The write loop, while it runs. */
  #flushing: Promise<void> | undefined;
  #closed = false;

  private constructor(file: string, appender: JournalAppender, run: string) {
    this.#file = file;
    this.#appender = appender;
    this.#run = run;
  }

  /**
   * Opens (creating it if needed) the journal at `file` in `store` for appending as run `run`. If the journal ends
   * with a torn line (a crash mid-write), the store starts the next entry on a line of its own, so that the torn
   * fragment stays recognisable as such.
   */
  static async open(file: string, run: string, store: JournalStore = fileJournalStore): Promise<JournalWriter> {
    if (typeof run !== 'string' || run === '') {
      throw new TypeError('Expected `run` to be a non-empty string');
    }
    try {
      return new JournalWriter(file, await store.openAppender(file), run);
    } catch (error) {
      throw new JournalError(
        `Cannot open the journal ${file}: ${(error as Error).message}. Check that the directory is writable.`,
        file,
        { cause: error },
      );
    }
  }

  /** Path of the journal file. */
  get file(): string {
    return this.#file;
  }

  /** Id of the run this writer writes for. */
  get run(): string {
    return this.#run;
  }

  /**
   * Appends one entry and resolves once it is synced to disk. Entries are written in call order.
   *
   * With `defer`, the line starts no write of its own: it goes out with the next write (that of a line appended
   * without `defer`, or of {@link flush} or {@link close}), which saves a sync per line for lines nothing waits on.
   */
  append(entry: NewJournalEntry, options: AppendOptions = {}): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new JournalError(`The journal ${this.#file} is closed.`, this.#file));
    }
    const line = `${JSON.stringify({ at: new Date().toISOString(), run: this.#run, ...entry })}\n`;
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ line, resolve, reject });
      if (options.defer !== true) this.#flushing ??= this.#flush();
    });
  }

  /** Writes and syncs every line appended so far (deferred ones included); resolves once the writes are done. */
  async flush(): Promise<void> {
    if (this.#pending.length > 0) this.#flushing ??= this.#flush();
    await this.#flushing;
  }

  /** Writes and syncs everything pending, batch after batch, until nothing is left. */
  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0);
      try {
        // Durable once it resolves (the store's contract): the in-doubt line of a chunk is on disk before it is sent.
        await this.#appender.write(batch.map((pending) => pending.line).join(''));
        for (const pending of batch) pending.resolve();
      } catch (error) {
        // Each caller of the batch sees the failure; later appends still try their own write.
        const failure = new JournalError(
          `Cannot write to the journal ${this.#file}: ${(error as Error).message}`,
          this.#file,
          { cause: error },
        );
        for (const pending of batch) pending.reject(failure);
      }
    }
    this.#flushing = undefined;
  }

  /** Waits for pending writes and closes the file. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    await this.flush();
    await this.#appender.close();
  }
}

/** A chunk whose outcome is unknown (in-doubt line without a matching done line). */
export type InDoubtChunk = ChunkInDoubtEntry;

/** What a journal says, folded over all its runs. */
export interface JournalState {
  /** Path of the journal. */
  readonly file: string;
  /** False when no journal exists yet (nothing has been applied). */
  readonly exists: boolean;
  /** Plan fingerprint of the first run (every later run must have the same one). */
  readonly fingerprint: string | undefined;
  /** Plan name, url and db from the first run. */
  readonly plan: string | undefined;
  readonly url: string | undefined;
  readonly db: string | undefined;
  /**
   * Runs of the current round (since the last succeeded run) in file order: id, start, end status (undefined when the
   * run ended without a line: a crash, or still running).
   */
  readonly runs: readonly { readonly run: string; readonly startedAt: string; readonly status?: RunStatus }[];
  /** Steps whose `step-done` line exists, with the counts of the last such line. */
  readonly stepsDone: ReadonlyMap<string, StepCounts>;
  /** Finished chunks per step, by chunk key `<action>:<index>`. */
  readonly chunksDone: ReadonlyMap<string, ReadonlyMap<string, ChunkDoneEntry>>;
  /**
   * Per call step, the ids its method was called on in the current round, or whose call has an unknown outcome:
   * a resumed run never calls them again.
   */
  readonly calledIds: ReadonlyMap<string, ReadonlySet<number>>;
  /** Chunks sent whose outcome is not known, in file order. */
  readonly chunksInDoubt: readonly InDoubtChunk[];
  /** Every chunk sent in the current round (whatever its outcome), in file order. */
  readonly chunksSent: readonly ChunkInDoubtEntry[];
  /** The last error line, if any. */
  readonly lastError: ErrorEntry | undefined;
  /** Status of the last run: `running` when it has no end line (crashed or still running). */
  readonly lastStatus: RunStatus | 'running' | undefined;
  /** True when the last run succeeded: a new apply starts a fresh run over the whole plan. */
  readonly complete: boolean;
  /** True when the file ended with a torn line (ignored). */
  readonly tornTail: boolean;
}

/** Key of a chunk inside a step: `<action>:<index>`. */
export function chunkKey(action: OperationType, chunk: number): string {
  return `${action}:${chunk}`;
}

/** Parses journal text into entries. A torn last line is dropped (and reported); any other bad line throws. */
export function parseJournal(text: string, file = '<journal>'): { entries: JournalEntry[]; tornTail: boolean } {
  const lines = text.split('\n');
  const entries: JournalEntry[] = [];
  let tornTail = false;
  lines.forEach((line, index) => {
    if (line.trim() === '') {
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    const valid =
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as { type?: unknown }).type === 'string' &&
      typeof (parsed as { run?: unknown }).run === 'string';
    if (valid) {
      entries.push(parsed as JournalEntry);
      return;
    }
    // A torn line (the process died mid-write) is either the last non-empty line of the file, or is followed by the
    // `run-started` line of the next run (the writer starts the next line on a fresh line). Anything else means the file
    // was edited or damaged, and resuming from it could duplicate or lose records.
    const next = lines.slice(index + 1).find((rest) => rest.trim() !== '');
    if (next === undefined || startsRun(next)) {
      tornTail = true;
      return;
    }
    throw new JournalError(
      `${file}:${index + 1}: the journal line is not valid JSON. The journal is damaged; ` +
        'inspect it, or run the apply with --restart to start over.',
      file,
    );
  });
  return { entries, tornTail };
}

/** Whether a raw line is a valid `run-started` entry. */
function startsRun(line: string): boolean {
  try {
    return (JSON.parse(line) as { type?: unknown }).type === 'run-started';
  } catch {
    return false;
  }
}

/** Folds parsed entries into a {@link JournalState}. */
export function foldJournal(entries: readonly JournalEntry[], file = '<journal>', tornTail = false): JournalState {
  let fingerprint: string | undefined;
  let plan: string | undefined;
  let url: string | undefined;
  let db: string | undefined;
  const runs: { run: string; startedAt: string; status?: RunStatus }[] = [];
  const stepsDone = new Map<string, StepCounts>();
  const chunksDone = new Map<string, Map<string, ChunkDoneEntry>>();
  const calledIds = new Map<string, Set<number>>();
  const inDoubt = new Map<string, ChunkInDoubtEntry>();
  const sent: ChunkInDoubtEntry[] = [];
  let lastError: ErrorEntry | undefined;
  for (const entry of entries) {
    switch (entry.type) {
      case 'run-started':
        // A run after a succeeded one starts a new round: the journal describes the rounds since the last success.
        if (runs.at(-1)?.status === 'succeeded') {
          fingerprint = undefined;
          runs.length = 0;
          stepsDone.clear();
          chunksDone.clear();
          calledIds.clear();
          inDoubt.clear();
          sent.length = 0;
          lastError = undefined;
        }
        if (fingerprint === undefined) {
          fingerprint = entry.fingerprint;
          plan = entry.plan;
          url = entry.url;
          db = entry.db;
        }
        runs.push({ run: entry.run, startedAt: entry.at });
        break;
      case 'chunk-in-doubt':
        sent.push(entry);
        inDoubt.set(`${entry.run}\u0000${entry.step}\u0000${chunkKey(entry.action, entry.chunk)}`, entry);
        break;
      case 'chunk-done': {
        inDoubt.delete(`${entry.ofRun ?? entry.run}\u0000${entry.step}\u0000${chunkKey(entry.action, entry.chunk)}`);
        let byStep = chunksDone.get(entry.step);
        if (byStep === undefined) {
          byStep = new Map();
          chunksDone.set(entry.step, byStep);
        }
        byStep.set(chunkKey(entry.action, entry.chunk), entry);
        if (entry.action === 'call') {
          let called = calledIds.get(entry.step);
          if (called === undefined) {
            called = new Set();
            calledIds.set(entry.step, called);
          }
          for (const id of entry.ids) if (id !== null) called.add(id);
          for (const id of entry.unknown ?? []) called.add(id);
        }
        break;
      }
      case 'step-done':
        stepsDone.set(entry.step, entry.counts);
        break;
      case 'error':
        lastError = entry;
        break;
      case 'run-finished': {
        const run = runs.find((candidate) => candidate.run === entry.run);
        if (run) {
          run.status = entry.status;
        }
        break;
      }
      default:
        // Lines of a newer format are skipped rather than failing: an older zenoo can still show the status.
        break;
    }
  }
  const last = runs.at(-1);
  const lastStatus = last === undefined ? undefined : (last.status ?? 'running');
  return {
    file,
    exists: entries.length > 0,
    fingerprint,
    plan,
    url,
    db,
    runs,
    stepsDone,
    chunksDone,
    calledIds,
    chunksInDoubt: [...inDoubt.values()],
    chunksSent: sent,
    lastError,
    lastStatus,
    complete: lastStatus === 'succeeded',
    tornTail,
  };
}

/** Reads and folds the journal at `file` in `store`. A missing journal gives an empty state (`exists: false`). */
export async function readJournal(file: string, store: JournalStore = fileJournalStore): Promise<JournalState> {
  let text: string | undefined;
  try {
    text = await store.read(file);
  } catch (error) {
    throw new JournalError(`Cannot read the journal ${file}: ${(error as Error).message}`, file, { cause: error });
  }
  if (text === undefined) return foldJournal([], file);
  const { entries, tornTail } = parseJournal(text, file);
  return foldJournal(entries, file, tornTail);
}

/** Deletes the journal at `file` in `store` (for `--restart`). A missing journal is fine. */
export async function removeJournal(file: string, store: JournalStore = fileJournalStore): Promise<void> {
  await store.remove(file);
}
