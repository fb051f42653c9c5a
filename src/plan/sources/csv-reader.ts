/**
 * A streaming RFC 4180 CSV reader for plan data files.
 *
 * It reads a file's byte chunks and yields its rows in batches (one batch per chunk that completed rows), so that a
 * consumer does one `await` per batch rather than per row: on a large file, the per-row cost of a general-purpose
 * parser behind a Transform stream and an async iterator was the largest single CPU item of a plan apply.
 *
 * The scan works on decoded text with `indexOf` (delimiters, line breaks and quotes are each searched for natively,
 * and the position of the next line break and quote is remembered, so a chunk with no quote or no CR is searched for
 * them once). A line with no quote is split directly into the row object; only quoted cells take the general,
 * resumable path. Memory stays bounded: the reader holds one chunk plus the record that spans into the next chunk.
 *
 * Rules: cells separated by a one-character delimiter; records end with LF, CRLF or a lone CR; quoted cells ("...")
 * may hold delimiters, line breaks and doubled quotes (`""` → `"`); a UTF-8 byte order mark at the start is skipped;
 * empty lines are skipped (but counted); a last record without a line break is read; whitespace is kept. The first
 * record is the header: its cells name the columns of every row.
 *
 * @packageDocumentation
 */
import { StringDecoder } from 'node:string_decoder';
import { AbortError, PlanValidationError } from '../../errors.js';
import type { PlanProblem } from '../../errors.js';

/** Delimiter used when none is given: a comma. */
export const DEFAULT_CSV_DELIMITER = ',';

/** Options of {@link readCsvRows}. */
export interface CsvReaderOptions {
  /** The file as named in error messages (e.g. `data/companies.csv`). */
  readonly file: string;
  /**
   * Cell delimiter: exactly one character, neither a quote nor a line break.
   * @default ','
   */
  readonly delimiter?: string | undefined;
  /** Stops reading between batches: the iteration throws an {@link AbortError}. */
  readonly signal?: AbortSignal | undefined;
}

/** One CSV record after the header. */
export interface CsvRow {
  /** The 1-based line the record starts on (the header is line 1, or later after leading empty lines). */
  readonly line: number;
  /** The record's cells by column name (header order), each exactly as written, unquoted. */
  readonly values: Record<string, string>;
}

interface ResolvedCsvReaderOptions {
  readonly file: string;
  readonly delimiter: string;
  readonly signal: AbortSignal | undefined;
}

function resolveOptions(options: CsvReaderOptions): ResolvedCsvReaderOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('readCsvRows: options must be an object with at least `file`.');
  }
  if (typeof options.file !== 'string' || options.file === '') {
    throw new TypeError('readCsvRows: `file` must be a non-empty string (the file as named in messages).');
  }
  const delimiter = options.delimiter ?? DEFAULT_CSV_DELIMITER;
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || '"\r\n'.includes(delimiter)) {
    throw new TypeError(
      `readCsvRows: \`delimiter\` must be exactly one character other than a quote or a line break, got ${JSON.stringify(delimiter)}.`,
    );
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError('readCsvRows: `signal` must be an AbortSignal.');
  }
  return Object.freeze({ file: options.file, delimiter, signal: options.signal });
}

const QUOTE = 34;
const LF = 10;
const CR = 13;
const BOM = 0xfeff;

/** Scanner modes between two calls of `feed`. */
const AT_CELL = 0; // at the start of a cell, or between records
const IN_QUOTES = 1; // inside a quoted cell's content
const AFTER_QUOTES = 2; // just after a quoted cell's closing quote
type Mode = typeof AT_CELL | typeof IN_QUOTES | typeof AFTER_QUOTES;

/** `text.indexOf(search, from)`, with "not found" as `text.length` so that positions compare without a special case. */
function find(text: string, search: string, from: number): number {
  const at = text.indexOf(search, from);
  return at < 0 ? text.length : at;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * The parser's state machine. `feed` receives decoded text chunk by chunk and appends completed rows to `out`; all
 * state that a record spanning two chunks needs is kept in fields between calls.
 */
class CsvScanner {
  private readonly file: string;
  private readonly delimiter: string;
  private readonly delimiterCode: number;
  /** Column names, once the header is read. */
  private names: readonly string[] | undefined;
  /** Whether the names can be assigned as plain properties (no `__proto__` column): the fast path needs it. */
  private plainNames = true;
  /** Cells of the record being read by the general path. */
  private cells: string[] = [];
  private inRecord = false;
  private recordLine = 1;
  /** The line at the scan position. */
  private line = 1;
  private mode: Mode = AT_CELL;
  /** Content of the quoted cell being read, unescaped. */
  private quoted = '';
  private quoteLine = 1;
  /** Text not consumed yet: the start of an unquoted cell, or a quote that may be the first of a doubled pair. */
  private leftover = '';
  /** A CR ended the previous text between records: an LF starting the next one belongs to it. */
  private pendingLF = false;
  /** The previous text ended inside quoted content with a CR: an LF starting the next one belongs to it. */
  private quotedCR = false;
  private started = false;

  constructor(file: string, delimiter: string) {
    this.file = file;
    this.delimiter = delimiter;
    this.delimiterCode = delimiter.charCodeAt(0);
  }

  /** Scans `chunk` (the next decoded text; `final` for the end of the file), appending completed rows to `out`. */
  feed(chunk: string, final: boolean, out: CsvRow[]): void {
    const text = this.leftover === '' ? chunk : this.leftover + chunk;
    this.leftover = '';
    const n = text.length;
    let pos = 0;
    if (!this.started) {
      if (n === 0) return;
      this.started = true;
      if (text.charCodeAt(0) === BOM) pos = 1;
    }
    if (this.pendingLF && pos < n) {
      this.pendingLF = false;
      if (text.charCodeAt(pos) === LF) pos += 1;
    }
    const delimiter = this.delimiter;
    const delimiterCode = this.delimiterCode;
    // Cached positions of the next LF, CR, quote and delimiter: each is the first occurrence at or after some point
    // before `pos`, so a value >= pos is still exact, and a value < pos is stale and searched again.
    let nextLF = -1;
    let nextCR = -1;
    let nextQuote = -1;
    let nextDelimiter = -1;
    let line = this.line;
    for (;;) {
      if (this.mode === AT_CELL) {
        if (pos >= n) break;
        if (!this.inRecord) {
          if (nextLF < pos) nextLF = find(text, '\n', pos);
          if (nextCR < pos) nextCR = find(text, '\r', pos);
          const end = nextLF < nextCR ? nextLF : nextCR;
          if (end === pos) {
            // An empty line: skipped, but counted.
            line += 1;
            pos += 1;
            if (end === nextCR) {
              if (pos < n) {
                if (text.charCodeAt(pos) === LF) pos += 1;
              } else if (!final) this.pendingLF = true;
            }
            continue;
          }
          const names = this.names;
          if (end < n && names !== undefined && this.plainNames) {
            if (nextQuote < pos) nextQuote = find(text, '"', pos);
            if (nextQuote > end) {
              // Fast path: a whole record on this line, without quotes: split it straight into the row object.
              const width = names.length;
              const values: Record<string, string> = {};
              let count = 0;
              let start = pos;
              for (;;) {
                if (nextDelimiter < start) nextDelimiter = find(text, delimiter, start);
                if (nextDelimiter >= end) break;
                if (count < width) values[names[count] as string] = text.slice(start, nextDelimiter);
                count += 1;
                start = nextDelimiter + 1;
              }
              if (count < width) values[names[count] as string] = text.slice(start, end);
              count += 1;
              if (count !== width) throw this.cellCountError(line, count, width);
              out.push({ line, values });
              line += 1;
              pos = end + 1;
              if (end === nextCR) {
                if (pos < n) {
                  if (text.charCodeAt(pos) === LF) pos += 1;
                } else if (!final) this.pendingLF = true;
              }
              continue;
            }
          }
          this.inRecord = true;
          this.recordLine = line;
          this.cells = [];
        }
        const code = text.charCodeAt(pos);
        if (code === QUOTE) {
          this.mode = IN_QUOTES;
          this.quoted = '';
          this.quoteLine = line;
          this.quotedCR = false;
          pos += 1;
          continue;
        }
        if (code === LF || code === CR) {
          // A line break right after a delimiter: the record's last cell is empty.
          this.cells.push('');
          this.endRecord(out);
          line += 1;
          pos += 1;
          if (code === CR) {
            if (pos < n) {
              if (text.charCodeAt(pos) === LF) pos += 1;
            } else if (!final) this.pendingLF = true;
          }
          continue;
        }
        // An unquoted cell: it ends at the next delimiter or line break.
        if (nextDelimiter < pos) nextDelimiter = find(text, delimiter, pos);
        if (nextLF < pos) nextLF = find(text, '\n', pos);
        if (nextCR < pos) nextCR = find(text, '\r', pos);
        let end = nextDelimiter < nextLF ? nextDelimiter : nextLF;
        if (nextCR < end) end = nextCR;
        if (end === n && !final) {
          // The cell may continue in the next chunk: keep it for then.
          this.leftover = text.slice(pos);
          pos = n;
          break;
        }
        if (nextQuote < pos) nextQuote = find(text, '"', pos);
        if (nextQuote < end) throw this.quoteInCellError(line);
        this.cells.push(text.slice(pos, end));
        if (end === n) {
          this.endRecord(out);
          pos = n;
          break;
        }
        pos = end + 1;
        if (end === nextDelimiter) continue;
        this.endRecord(out);
        line += 1;
        if (end === nextCR) {
          if (pos < n) {
            if (text.charCodeAt(pos) === LF) pos += 1;
          } else if (!final) this.pendingLF = true;
        }
        continue;
      }
      if (this.mode === IN_QUOTES) {
        if (nextQuote < pos) nextQuote = find(text, '"', pos);
        const quote = nextQuote;
        if (quote === n) {
          if (final) throw this.unclosedQuoteError();
          line += this.countBreaks(text, pos, n);
          if (n > pos) {
            this.quoted += text.slice(pos);
            this.quotedCR = text.charCodeAt(n - 1) === CR;
          }
          pos = n;
          break;
        }
        if (quote === n - 1 && !final) {
          // A closing quote or the first of a doubled pair: the next chunk tells.
          line += this.countBreaks(text, pos, quote);
          this.quoted += text.slice(pos, quote);
          this.leftover = '"';
          pos = n;
          break;
        }
        line += this.countBreaks(text, pos, quote);
        if (quote + 1 < n && text.charCodeAt(quote + 1) === QUOTE) {
          this.quoted += text.slice(pos, quote + 1);
          pos = quote + 2;
          continue;
        }
        this.cells.push(this.quoted + text.slice(pos, quote));
        this.quoted = '';
        this.mode = AFTER_QUOTES;
        pos = quote + 1;
        continue;
      }
      // AFTER_QUOTES: a delimiter, a line break or the end of the file must follow.
      if (pos >= n) break;
      const code = text.charCodeAt(pos);
      this.mode = AT_CELL;
      pos += 1;
      if (code === delimiterCode) continue;
      if (code === LF || code === CR) {
        this.endRecord(out);
        line += 1;
        if (code === CR) {
          if (pos < n) {
            if (text.charCodeAt(pos) === LF) pos += 1;
          } else if (!final) this.pendingLF = true;
        }
        continue;
      }
      throw this.afterQuoteError(line, text[pos - 1] as string);
    }
    this.line = line;
    if (final && this.inRecord) {
      // The last record has no line break after it. After a delimiter, its last cell is empty.
      if (this.mode === AT_CELL) this.cells.push('');
      this.mode = AT_CELL;
      this.endRecord(out);
    }
  }

  /** Line breaks in quoted content `text[from, to)`: CR, LF and CRLF count once each. */
  private countBreaks(text: string, from: number, to: number): number {
    let count = 0;
    for (let i = from; i < to; i += 1) {
      const code = text.charCodeAt(i);
      if (code === CR) count += 1;
      else if (code === LF) {
        const afterCR = i > 0 ? text.charCodeAt(i - 1) === CR : this.quotedCR;
        if (!afterCR) count += 1;
      }
    }
    return count;
  }

  /** Ends the record read by the general path: the header, or a row. */
  private endRecord(out: CsvRow[]): void {
    const cells = this.cells;
    this.inRecord = false;
    const names = this.names;
    if (names === undefined) {
      this.setHeader(cells);
      return;
    }
    const width = names.length;
    if (cells.length !== width) throw this.cellCountError(this.recordLine, cells.length, width);
    const values: Record<string, string> = {};
    for (let i = 0; i < width; i += 1) {
      const name = names[i] as string;
      const value = cells[i] as string;
      // A plain assignment to `__proto__` would change the object's prototype instead of adding the column.
      if (name === '__proto__') {
        Object.defineProperty(values, name, { value, enumerable: true, writable: true, configurable: true });
      } else values[name] = value;
    }
    out.push({ line: this.recordLine, values });
  }

  private setHeader(names: string[]): void {
    const seen = new Set<string>();
    for (const name of names) {
      if (name.trim() === '') {
        throw this.error('the header has an empty column name', 'give every column a unique, non-empty name');
      }
      if (seen.has(name)) {
        throw this.error(`the header names column "${name}" twice`, 'give every column a unique, non-empty name');
      }
      seen.add(name);
    }
    this.names = names;
    this.plainNames = !seen.has('__proto__');
  }

  private cellCountError(line: number, count: number, width: number): PlanValidationError {
    const quoteHint = `quote a value that contains ${JSON.stringify(this.delimiter)}`;
    return this.error(
      `CSV: the row has ${plural(count, 'cell')}, the header has ${width}`,
      count < width
        ? `every row needs as many cells as the header: add the missing cells (empty ones too), or check the delimiter`
        : `every row needs as many cells as the header: remove the extra cells, or ${quoteHint}`,
      line,
      line,
    );
  }

  private unclosedQuoteError(): PlanValidationError {
    return this.error(
      `CSV: the quoted cell starting on line ${this.quoteLine} is never closed`,
      'close the quote; a quote inside a quoted cell is written twice ("")',
      this.quoteLine,
      this.names === undefined ? undefined : this.recordLine,
    );
  }

  private quoteInCellError(line: number): PlanValidationError {
    return this.error(
      'CSV: a quote (") inside a cell that does not start with a quote',
      'quote the whole cell and write each quote inside it twice, e.g. "ab""c"',
      line,
      this.names === undefined ? undefined : this.recordLine,
    );
  }

  private afterQuoteError(line: number, char: string): PlanValidationError {
    return this.error(
      `CSV: unexpected ${JSON.stringify(char)} after the closing quote of a cell`,
      `a closing quote must be followed by the delimiter ${JSON.stringify(this.delimiter)} or a line break; a quote inside a quoted cell is written twice ("")`,
      line,
      this.names === undefined ? undefined : this.recordLine,
    );
  }

  /** A problem of the file, shaped like every data file problem: file, line, `row N` path, message, hint. */
  private error(message: string, hint: string, line = this.recordLine, row?: number): PlanValidationError {
    const problem: PlanProblem = {
      file: this.file,
      line,
      ...(row !== undefined ? { path: `row ${row}` } : {}),
      message,
      hint,
    };
    return new PlanValidationError([problem]);
  }
}

/**
 * Reads CSV rows from a file's byte chunks, in batches: each batch holds the rows completed by one chunk (empty
 * batches are not yielded). Multi-byte UTF-8 characters split across chunks are decoded correctly.
 *
 * Throws (from the iteration) a {@link PlanValidationError} naming the file, the line and the row for a malformed
 * file: a header with an empty or repeated column name, a row whose cell count differs from the header's, an
 * unclosed quote, a quote inside an unquoted cell, or characters after a closing quote. Rows before the error have
 * been yielded. Errors of `chunks` propagate unchanged; an aborted `signal` throws an {@link AbortError} before the
 * next chunk is read. Options are validated at the call, with a `TypeError`.
 *
 * @example
 * ```ts
 * for await (const batch of readCsvRows(createReadStream(path), { file: 'data/companies.csv', signal })) {
 *   for (const { line, values } of batch) importRow(line, values);
 * }
 * ```
 */
export function readCsvRows(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: CsvReaderOptions,
): AsyncGenerator<CsvRow[], void, undefined> {
  const resolved = resolveOptions(options);
  if (chunks === null || typeof chunks !== 'object') {
    throw new TypeError('readCsvRows: `chunks` must be an (async) iterable of Buffers.');
  }
  return scan(chunks, resolved);
}

async function* scan(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ResolvedCsvReaderOptions,
): AsyncGenerator<CsvRow[], void, undefined> {
  const { signal } = options;
  const scanner = new CsvScanner(options.file, options.delimiter);
  const decoder = new StringDecoder('utf8');
  const aborted = (): AbortError => new AbortError(`Reading ${options.file} was aborted.`);
  if (signal?.aborted) throw aborted();
  for await (const chunk of chunks) {
    if (signal?.aborted) throw aborted();
    yield* feedBatch(scanner, decoder.write(chunk), false);
  }
  if (signal?.aborted) throw aborted();
  yield* feedBatch(scanner, decoder.end(), true);
}

/** The rows `text` completes, as one batch (none if empty); on a syntax error, the rows before it, then the error. */
function* feedBatch(scanner: CsvScanner, text: string, final: boolean): Generator<CsvRow[], void, undefined> {
  const batch: CsvRow[] = [];
  let failure: unknown;
  try {
    scanner.feed(text, final, batch);
  } catch (error) {
    failure = error;
  }
  if (batch.length > 0) yield batch;
  if (failure !== undefined) throw failure;
}
