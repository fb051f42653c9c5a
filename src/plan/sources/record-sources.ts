/**
 * Streams the rows of a step: inline records, or a data file (CSV, JSON, JSONL, YAML) read incrementally so that a
 * large file is never held in memory whole (YAML excepted: the `yaml` package parses whole documents, so use CSV or
 * JSONL for large data).
 *
 * Every row carries the number a user sees in the file: the CSV line the record starts on (the header is line 1),
 * the JSONL line, or the array index + 1 for JSON, YAML and inline records.
 *
 * @packageDocumentation
 */
import { throwIfAborted } from '../../util/abort.js';
import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { readBatches } from '../../batch/read-batches.js';
import { AbortError, PlanValidationError } from '../../errors.js';
import type { PlanProblem } from '../../errors.js';
import { DEFAULT_CSV_DELIMITER, readCsvRows } from './csv-reader.js';
import type { CsvRow } from './csv-reader.js';
import type { Plan, RecordsFormat, SourceRow } from '../model/plan-types.js';
import { parseYamlDocument } from './yaml-document.js';

/** Options of `openRecords` and `openRecordBatches` (see `record-provider`). */
export interface OpenRecordsOptions {
  /** Stops reading (the iteration throws an `AbortError`). */
  readonly signal?: AbortSignal | undefined;
}

/** A data file to read, as {@link readDataFile} needs it. */
export interface DataFileSpec {
  /** Absolute path. */
  readonly absolutePath: string;
  /** The file as named in messages. */
  readonly displayFile: string;
  /** Format. */
  readonly format: RecordsFormat;
  /** CSV delimiter. @default ',' */
  readonly delimiter?: string;
}

/** Options of {@link readDataFile}. */
export interface ReadDataFileOptions {
  /** Stops reading. */
  readonly signal?: AbortSignal | undefined;
  /** Receives every byte read (e.g. to fingerprint the file while streaming it). */
  readonly hash?: Hash | undefined;
}

/** The format implied by a file name's extension, or `undefined`. */
export function formatFromExtension(file: string): RecordsFormat | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(file)?.[1]?.toLowerCase();
  switch (extension) {
    case 'csv':
      return 'csv';
    case 'json':
      return 'json';
    case 'jsonl':
    case 'ndjson':
      return 'jsonl';
    case 'yaml':
    case 'yml':
      return 'yaml';
    default:
      return undefined;
  }
}

function dataError(
  spec: DataFileSpec,
  message: string,
  hint: string,
  line?: number,
  row?: number,
): PlanValidationError {
  const problem: PlanProblem = {
    file: spec.displayFile,
    ...(line !== undefined ? { line } : {}),
    ...(row !== undefined ? { path: `row ${row}` } : {}),
    message,
    hint,
  };
  return new PlanValidationError([problem]);
}

function ioError(spec: DataFileSpec, error: unknown): PlanValidationError {
  const code = (error as NodeJS.ErrnoException).code;
  const message =
    code === 'ENOENT'
      ? 'data file not found'
      : code === 'EISDIR'
        ? 'data file is a directory'
        : `cannot read data file: ${(error as Error).message}`;
  return dataError(spec, message, 'check the `file:` path (relative to the plan file)');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `a ${typeof value}`;
}

/**
 * The file's bytes as a stream, each chunk also fed to `hash` (when given) in the same pass; read errors surface on
 * the consumer's iteration. The hash is fed where chunks enter the stream rather than by a transform stage, so that
 * bytes do not go through extra stream buffers.
 */
function openBytes(spec: DataFileSpec, hash: Hash | undefined): Readable {
  const stream = createReadStream(spec.absolutePath);
  if (hash !== undefined) {
    // A `data` listener would switch the stream to flowing mode before the consumer attaches; wrapping `push`
    // instead sees every chunk exactly when it enters the stream, in order, whoever reads it.
    const push = stream.push.bind(stream);
    stream.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
      if (chunk !== null && chunk !== undefined) hash.update(chunk as Buffer);
      return push(chunk, encoding);
    };
  }
  return stream;
}

/** Whether `delimiter` can separate CSV cells: one character, neither a quote nor a line break. */
function isCsvDelimiter(delimiter: string): boolean {
  return delimiter.length === 1 && !'"\r\n'.includes(delimiter);
}

async function* readCsvBatches(spec: DataFileSpec, options: ReadDataFileOptions): AsyncGenerator<SourceRow[]> {
  const delimiter = spec.delimiter ?? DEFAULT_CSV_DELIMITER;
  if (!isCsvDelimiter(delimiter)) {
    throw dataError(
      spec,
      `the CSV delimiter ${JSON.stringify(delimiter)} cannot separate cells`,
      'set `delimiter:` to one character other than a quote or a line break, e.g. ";"',
    );
  }
  const source = spec.displayFile;
  const signal = options.signal;
  const bytes = openBytes(spec, options.hash);
  try {
    // The parser yields a batch of rows per chunk of the file: one await per batch, then a plain loop per row.
    for await (const batch of readCsvRows(bytes as AsyncIterable<Buffer>, {
      file: source,
      delimiter,
      signal,
    })) {
      const rows: SourceRow[] = new Array<SourceRow>(batch.length);
      for (let i = 0; i < batch.length; i += 1) {
        const { line, values } = batch[i] as CsvRow;
        rows[i] = { row: line, source, values };
      }
      yield rows;
    }
  } catch (error) {
    if (error instanceof PlanValidationError || error instanceof AbortError) throw error;
    throwIfAborted(options.signal, 'Reading the data file');
    throw ioError(spec, error);
  } finally {
    bytes.destroy();
  }
}

async function* readJsonl(spec: DataFileSpec, options: ReadDataFileOptions): AsyncGenerator<SourceRow> {
  const bytes = openBytes(spec, options.hash);
  const lines = createInterface({ input: bytes, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const raw of lines) {
      line += 1;
      throwIfAborted(options.signal, 'Reading the data file');
      const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw dataError(spec, `JSON: ${(error as Error).message}`, 'each line must be one JSON object', line, line);
      }
      if (!isRecord(value)) {
        throw dataError(
          spec,
          `a record must be a JSON object, not ${describe(value)}`,
          'write one object per line, e.g. {"name": "Jane"}',
          line,
          line,
        );
      }
      yield { row: line, source: spec.displayFile, values: value };
    }
  } catch (error) {
    if (error instanceof PlanValidationError) throw error;
    throwIfAborted(options.signal, 'Reading the data file');
    throw ioError(spec, error);
  } finally {
    lines.close();
    bytes.destroy();
  }
}

/**
 * Streams the elements of a top-level JSON array without holding the whole text: a small scanner finds where each
 * element ends (tracking nesting and strings), and each element is parsed on its own.
 */
async function* readJson(spec: DataFileSpec, options: ReadDataFileOptions): AsyncGenerator<SourceRow> {
  const bytes = openBytes(spec, options.hash);
  const decoder = new StringDecoder('utf8');
  let state = 'start' as 'start' | 'before-element' | 'element' | 'end';
  let element = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let index = 0;
  let line = 1;
  let elementLine = 1;
  let first = true;
  const syntax = (message: string): PlanValidationError =>
    dataError(
      spec,
      `JSON: ${message}`,
      'a JSON data file must hold one list of objects: [{"name": "A"}, {"name": "B"}]',
      line,
    );
  const finish = (): SourceRow => {
    index += 1;
    let value: unknown;
    try {
      value = JSON.parse(element.trim());
    } catch (error) {
      throw dataError(spec, `JSON: ${(error as Error).message}`, 'fix the JSON of this record', elementLine, index);
    }
    if (!isRecord(value)) {
      throw dataError(
        spec,
        `a record must be a JSON object, not ${describe(value)}`,
        'the list must hold objects',
        elementLine,
        index,
      );
    }
    element = '';
    return { row: index, source: spec.displayFile, values: value };
  };
  try {
    for await (const chunk of bytes as AsyncIterable<Buffer>) {
      throwIfAborted(options.signal, 'Reading the data file');
      let text = decoder.write(chunk);
      if (first) {
        text = text.replace(/^\uFEFF/, '');
        first = false;
      }
      const ready: SourceRow[] = [];
      let elementStart = 0;
      for (let i = 0; i < text.length; i += 1) {
        const char = text[i] as string;
        if (char === '\n') line += 1;
        if (state === 'element') {
          if (inString) {
            if (escaped) escaped = false;
            else if (char === '\\') escaped = true;
            else if (char === '"') inString = false;
            continue;
          }
          if (char === '"') inString = true;
          else if (char === '[' || char === '{') depth += 1;
          else if (char === ']' || char === '}') {
            if (depth === 0) {
              if (char === '}') throw syntax(`unexpected "}"`);
              element += text.slice(elementStart, i);
              ready.push(finish());
              state = 'end';
              continue;
            }
            depth -= 1;
          } else if (char === ',' && depth === 0) {
            element += text.slice(elementStart, i);
            ready.push(finish());
            state = 'before-element';
          }
          continue;
        }
        if (/\s/.test(char)) continue;
        if (state === 'start') {
          if (char !== '[') throw syntax('the file must hold a list of records (start with "[")');
          state = 'before-element';
        } else if (state === 'before-element') {
          if (char === ']' && index === 0 && element === '') {
            state = 'end';
            continue;
          }
          if (char === ',' || char === ']') throw syntax(`unexpected "${char}" where a record was expected`);
          state = 'element';
          elementStart = i;
          elementLine = line;
          i -= 1; // scan this character again as the element's first
        } else {
          throw syntax(`unexpected "${char}" after the end of the list`);
        }
      }
      if (state === 'element') element += text.slice(elementStart);
      for (const row of ready) yield row;
    }
    if (state !== 'end') throw syntax('the list is not closed (missing "]")');
  } catch (error) {
    if (error instanceof PlanValidationError) throw error;
    throwIfAborted(options.signal, 'Reading the data file');
    throw ioError(spec, error);
  } finally {
    bytes.destroy();
  }
}

async function* readYaml(spec: DataFileSpec, options: ReadDataFileOptions): AsyncGenerator<SourceRow> {
  let bytes: Buffer;
  try {
    bytes = await readFile(spec.absolutePath, { signal: options.signal });
  } catch (error) {
    throwIfAborted(options.signal, 'Reading the data file');
    throw ioError(spec, error);
  }
  options.hash?.update(bytes);
  const parsed = parseYamlDocument(bytes.toString('utf8').replace(/^\uFEFF/, ''), spec.displayFile);
  if (!parsed.ok) throw new PlanValidationError(parsed.problems);
  const { value, positions } = parsed.document;
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    throw dataError(
      spec,
      `a YAML data file must hold a list of records, not ${describe(value)}`,
      'write a list: - { name: A }',
      1,
    );
  }
  for (const [index, item] of value.entries()) {
    throwIfAborted(options.signal, 'Reading the data file');
    if (!isRecord(item)) {
      throw dataError(
        spec,
        `a record must be a map, not ${describe(item)}`,
        'each list item must be a map of column to value',
        positions[`[${index}]`]?.line,
        index + 1,
      );
    }
    yield { row: index + 1, source: spec.displayFile, values: item };
  }
}

/** Rows per batch of the formats read row by row (JSON, JSONL, YAML, inline records). */
const ROWS_PER_BATCH = 512;

/** The rows of `batches` one by one, checking `signal` before each (a batch may be long). */
export async function* rowsOfBatches(
  batches: AsyncIterable<SourceRow[]>,
  signal: AbortSignal | undefined,
): AsyncGenerator<SourceRow> {
  for await (const batch of batches) {
    for (const row of batch) {
      throwIfAborted(signal, 'Reading the data file');
      yield row;
    }
  }
}

/**
 * Streams the rows of one data file in batches (non-empty arrays, in file order): a CSV file gives the rows of each
 * chunk read at once, so that a consumer of a large file awaits per batch rather than per row. Throws like
 * {@link readDataFile}.
 */
export function readDataFileBatches(
  spec: DataFileSpec,
  options: ReadDataFileOptions = {},
): AsyncGenerator<SourceRow[]> {
  return spec.format === 'csv'
    ? readCsvBatches(spec, options)
    : readBatches(readDataFile(spec, options), ROWS_PER_BATCH);
}

/**
 * Streams the rows of one data file. Throws {@link PlanValidationError} naming the file (and line / row) when it
 * cannot be read or parsed; rows before the error have already been yielded.
 */
export function readDataFile(spec: DataFileSpec, options: ReadDataFileOptions = {}): AsyncGenerator<SourceRow> {
  switch (spec.format) {
    case 'csv':
      return rowsOfBatches(readCsvBatches(spec, options), options.signal);
    case 'json':
      return readJson(spec, options);
    case 'jsonl':
      return readJsonl(spec, options);
    case 'yaml':
      return readYaml(spec, options);
    default:
      return spec.format satisfies never;
  }
}

/** How a data file of `plan` is named in messages: relative to the working directory, like the plan file itself. */
export function displayDataFile(plan: Pick<Plan, 'displayFile'>, file: string): string {
  return join(dirname(plan.displayFile), file);
}
