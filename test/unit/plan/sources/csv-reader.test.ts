import { describe, expect, test } from 'vitest';
import { AbortError, PlanValidationError } from '../../../../src/errors.js';
import type { PlanProblem } from '../../../../src/errors.js';
import { DEFAULT_CSV_DELIMITER, readCsvRows } from '../../../../src/plan/sources/csv-reader.js';
import type { CsvReaderOptions, CsvRow } from '../../../../src/plan/sources/csv-reader.js';

const FILE = 'data/rows.csv';

/** The file's bytes as chunks, split at the given byte offsets. */
function chunksOf(text: string | Buffer, cuts: readonly number[] = []): Buffer[] {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const chunks: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(start, cut));
    start = cut;
  }
  return chunks;
}

async function batchesOf(
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: Partial<CsvReaderOptions> = {},
): Promise<CsvRow[][]> {
  const batches: CsvRow[][] = [];
  for await (const batch of readCsvRows(chunks, { file: FILE, ...options })) batches.push(batch);
  return batches;
}

/** The rows of `text`, as `[line, values]` pairs. */
async function rowsOf(
  text: string | Buffer,
  options: Partial<CsvReaderOptions> = {},
  cuts: readonly number[] = [],
): Promise<(readonly [number, Record<string, string>])[]> {
  const batches = await batchesOf(chunksOf(text, cuts), options);
  return batches.flat().map((row) => [row.line, row.values] as const);
}

/** The problem `text` is refused with, and the rows read before it. */
async function problemOf(
  text: string,
  options: Partial<CsvReaderOptions> = {},
  cuts: readonly number[] = [],
): Promise<{ problem: PlanProblem; rowsBefore: number }> {
  let rowsBefore = 0;
  try {
    for await (const batch of readCsvRows(chunksOf(text, cuts), { file: FILE, ...options })) rowsBefore += batch.length;
  } catch (error) {
    expect(error).toBeInstanceOf(PlanValidationError);
    const problems = (error as PlanValidationError).problems;
    expect(problems).toHaveLength(1);
    return { problem: problems[0]!, rowsBefore };
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

/** Every way to cut `text` into two chunks, and a few into three. */
function splits(text: string): number[][] {
  const length = Buffer.byteLength(text);
  const all: number[][] = [];
  for (let cut = 0; cut <= length; cut += 1) all.push([cut]);
  for (let a = 1; a < length; a += 3) for (let b = a + 1; b < length; b += 5) all.push([a, b]);
  // One byte per chunk: every boundary at once.
  all.push(Array.from({ length: Math.max(0, length - 1) }, (_, i) => i + 1));
  return all;
}

describe('readCsvRows: records', () => {
  test('reads the header and each row as an object by column name, with the line the row starts on', async () => {
    expect(await rowsOf('code,name\nA1,Alpha\nB2,Beta\n')).toEqual([
      [2, { code: 'A1', name: 'Alpha' }],
      [3, { code: 'B2', name: 'Beta' }],
    ]);
  });

  test('records end with LF, CRLF or a lone CR, mixed in one file', async () => {
    expect(await rowsOf('a,b\r\n1,2\r3,4\n5,6\r\n7,8\r')).toEqual([
      [2, { a: '1', b: '2' }],
      [3, { a: '3', b: '4' }],
      [4, { a: '5', b: '6' }],
      [5, { a: '7', b: '8' }],
    ]);
  });

  test('a last record without a line break is read (unquoted, quoted, and with an empty last cell)', async () => {
    expect(await rowsOf('a,b\n1,2')).toEqual([[2, { a: '1', b: '2' }]]);
    expect(await rowsOf('a,b\n1,"2"')).toEqual([[2, { a: '1', b: '2' }]]);
    expect(await rowsOf('a,b\n1,')).toEqual([[2, { a: '1', b: '' }]]);
    expect(await rowsOf('a,b\n,')).toEqual([[2, { a: '', b: '' }]]);
  });

  test('empty cells, at the start, middle and end of a row, quoted or not', async () => {
    expect(await rowsOf('a,b,c\n,,\n"",x,""\n,"",\n')).toEqual([
      [2, { a: '', b: '', c: '' }],
      [3, { a: '', b: 'x', c: '' }],
      [4, { a: '', b: '', c: '' }],
    ]);
  });

  test('quoted cells hold delimiters, doubled quotes and line breaks; whitespace is kept', async () => {
    expect(await rowsOf('name,note\n"Gamma, Inc."," say ""hi"" "\n  x  ,"a\nb"\n"""",""""""\n" q ",\t\n')).toEqual([
      [2, { name: 'Gamma, Inc.', note: ' say "hi" ' }],
      [3, { name: '  x  ', note: 'a\nb' }],
      [5, { name: '"', note: '""' }],
      [6, { name: ' q ', note: '\t' }],
    ]);
  });

  test('line numbers count quoted CR, LF and CRLF breaks once each', async () => {
    const text = 'k,v\n1,"a\nb"\n2,"c\r\nd"\n3,"e\rf"\n4,"\r\n\r\n\n\r"\n5,"x"\n';
    expect(await rowsOf(text)).toEqual([
      [2, { k: '1', v: 'a\nb' }],
      [4, { k: '2', v: 'c\r\nd' }],
      [6, { k: '3', v: 'e\rf' }],
      [8, { k: '4', v: '\r\n\r\n\n\r' }],
      [13, { k: '5', v: 'x' }],
    ]);
  });

  test('empty lines are skipped but counted: before the header, between rows, at the end, with any line break', async () => {
    const text = '\n\r\n\rk,v\n\n1,a\r\n\r\n2,b\r\r3,c\n\n\n';
    expect(await rowsOf(text)).toEqual([
      [6, { k: '1', v: 'a' }],
      [8, { k: '2', v: 'b' }],
      [10, { k: '3', v: 'c' }],
    ]);
  });

  test('a line holding only whitespace is a record, not an empty line', async () => {
    expect(await rowsOf('k\n \n')).toEqual([[2, { k: ' ' }]]);
    const { problem } = await problemOf('a,b\n \n');
    expect(problem).toMatchObject({ line: 2, path: 'row 2', message: 'CSV: the row has 1 cell, the header has 2' });
  });

  test('a UTF-8 byte order mark at the start is skipped, also when it is split across chunks', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('code,name\nA,é\n')]);
    for (const cuts of [[], [1], [2], [3], [1, 2]]) {
      expect(await rowsOf(bytes, {}, cuts)).toEqual([[2, { code: 'A', name: 'é' }]]);
    }
    // Only at the start: elsewhere it is content.
    expect(await rowsOf('k\n\uFEFFx\n')).toEqual([[2, { k: '\uFEFFx' }]]);
  });

  test('multi-byte characters split across chunks are decoded whole', async () => {
    const text = 'k,v\né,"日本\n😀"\n';
    for (const cuts of splits(text)) {
      expect(await rowsOf(text, {}, cuts)).toEqual([[2, { k: 'é', v: '日本\n😀' }]]);
    }
  });

  test('a custom delimiter: ";" and tab; the comma is then plain content', async () => {
    expect(await rowsOf('a;b\n1,5;"x;y"\n', { delimiter: ';' })).toEqual([[2, { a: '1,5', b: 'x;y' }]]);
    expect(await rowsOf('a\tb\n1, 2\t"x\ty"\n\t\n', { delimiter: '\t' })).toEqual([
      [2, { a: '1, 2', b: 'x\ty' }],
      [3, { a: '', b: '' }],
    ]);
    expect(DEFAULT_CSV_DELIMITER).toBe(',');
  });

  test('a file with only a header, an empty file, a lone BOM, and only empty lines yield no rows', async () => {
    for (const text of ['a,b\n', 'a,b', '', '\uFEFF', '\n\n\r\n']) {
      expect(await batchesOf(chunksOf(text))).toEqual([]);
    }
  });

  test('a single-column file, and a column named __proto__ (kept as a column, not a prototype)', async () => {
    expect(await rowsOf('name\nA\n"B"\n')).toEqual([
      [2, { name: 'A' }],
      [3, { name: 'B' }],
    ]);
    const [[, values] = []] = await rowsOf('__proto__,x\np,1\n');
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect(Object.keys(values!)).toEqual(['__proto__', 'x']);
    expect(Object.getOwnPropertyDescriptor(values, '__proto__')?.value).toBe('p');
  });
});

describe('readCsvRows: errors name the line and say what to do', () => {
  test('a header with an empty column name, or one named twice, is refused on its line', async () => {
    for (const text of ['a,,b\n1,2,3\n', 'a, \n1,2\n', '"",a\n']) {
      const { problem, rowsBefore } = await problemOf(text);
      expect(rowsBefore).toBe(0);
      expect(problem).toEqual({
        file: FILE,
        line: 1,
        message: 'the header has an empty column name',
        hint: 'give every column a unique, non-empty name',
      });
    }
    expect((await problemOf('name,email,name\n')).problem).toEqual({
      file: FILE,
      line: 1,
      message: 'the header names column "name" twice',
      hint: 'give every column a unique, non-empty name',
    });
    // After leading empty lines, the header is not on line 1: the message says where it is.
    expect((await problemOf('\n\na,a\n')).problem.line).toBe(3);
  });

  test('a row with fewer or more cells than the header: its start line, row number, counts and a hint', async () => {
    const fewer = await problemOf('name,email\nA,a@x.example\nB\nC,c\n');
    expect(fewer.rowsBefore).toBe(1);
    expect(fewer.problem).toEqual({
      file: FILE,
      line: 3,
      path: 'row 3',
      message: 'CSV: the row has 1 cell, the header has 2',
      hint: 'every row needs as many cells as the header: add the missing cells (empty ones too), or check the delimiter',
    });
    const more = await problemOf('a;b\n1;2;3\n', { delimiter: ';' });
    expect(more.problem).toMatchObject({
      line: 2,
      path: 'row 2',
      message: 'CSV: the row has 3 cells, the header has 2',
      hint: 'every row needs as many cells as the header: remove the extra cells, or quote a value that contains ";"',
    });
    // The line the record starts on, even when a quoted cell made it span several lines.
    const spanning = await problemOf('a,b\n\n"x\ny\nz",1,2\n');
    expect(spanning.problem).toMatchObject({
      line: 3,
      path: 'row 3',
      message: 'CSV: the row has 3 cells, the header has 2',
    });
    const last = await problemOf('a,b\n1,2\n3');
    expect(last).toMatchObject({ rowsBefore: 1, problem: { line: 3, path: 'row 3' } });
  });

  test('an unclosed quote at the end of the file names the line where the quoted cell starts', async () => {
    const { problem, rowsBefore } = await problemOf('name,email\nA,a@x.example\n"B,b@x.example\nC,c\n');
    expect(rowsBefore).toBe(1);
    expect(problem).toEqual({
      file: FILE,
      line: 3,
      path: 'row 3',
      message: 'CSV: the quoted cell starting on line 3 is never closed',
      hint: 'close the quote; a quote inside a quoted cell is written twice ("")',
    });
    // The record starts on line 2; its second quoted cell starts on line 3.
    expect((await problemOf('a,b\n"x\r\n","y\nmore')).problem).toMatchObject({
      line: 3,
      path: 'row 2',
      message: 'CSV: the quoted cell starting on line 3 is never closed',
    });
    expect((await problemOf('a,b\n1,"')).problem).toMatchObject({ line: 2, path: 'row 2' });
    // In the header: there is no row yet.
    expect((await problemOf('a,"b\n1,2\n')).problem).toEqual({
      file: FILE,
      line: 1,
      message: 'CSV: the quoted cell starting on line 1 is never closed',
      hint: 'close the quote; a quote inside a quoted cell is written twice ("")',
    });
  });

  test('a quote inside an unquoted cell names its line', async () => {
    const { problem, rowsBefore } = await problemOf('a,b\n1,2\n3,ab"c\n');
    expect(rowsBefore).toBe(1);
    expect(problem).toEqual({
      file: FILE,
      line: 3,
      path: 'row 3',
      message: 'CSV: a quote (") inside a cell that does not start with a quote',
      hint: 'quote the whole cell and write each quote inside it twice, e.g. "ab""c"',
    });
    // On the second line of a record that a quoted cell made span two lines.
    expect((await problemOf('a,b,c\n"1\n2",x",3\n')).problem).toMatchObject({ line: 3, path: 'row 2' });
    // A quote right at the end of an unquoted last cell, in the last record.
    expect((await problemOf('a,b\n1,2"')).problem).toMatchObject({ line: 2, path: 'row 2' });
    expect((await problemOf('a"b\n')).problem).toMatchObject({ line: 1 });
    expect((await problemOf('a"b\n')).problem.path).toBeUndefined();
  });

  test('characters after a closing quote name their line', async () => {
    const { problem } = await problemOf('a,b\n1,2\n"ab"c,3\n');
    expect(problem).toEqual({
      file: FILE,
      line: 3,
      path: 'row 3',
      message: 'CSV: unexpected "c" after the closing quote of a cell',
      hint: 'a closing quote must be followed by the delimiter "," or a line break; a quote inside a quoted cell is written twice ("")',
    });
    expect((await problemOf('a,b\n"x\n\ny" ,2\n')).problem).toMatchObject({
      line: 4,
      path: 'row 2',
      message: 'CSV: unexpected " " after the closing quote of a cell',
    });
    expect((await problemOf('a\tb\n"1",2\n', { delimiter: '\t' })).problem.hint).toContain('the delimiter "\\t"');
  });

  test('the error is thrown as a PlanValidationError whose message names file:line and row', async () => {
    const error = await batchesOf(chunksOf('a,b\n1\n')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlanValidationError);
    expect((error as PlanValidationError).message).toContain('data/rows.csv:2  row 2  CSV: the row has 1 cell');
  });
});

describe('readCsvRows: chunk boundaries', () => {
  const sample =
    '\uFEFFcode;name;note\r\n' +
    'A1;Alpha;"first line\nsecond; line"\n' +
    '\n' +
    'B2;"Be""ta";plain\r\n' +
    '\r\n' +
    'C3;"Gamma, Inc.";"x\r\ny\rz"\r' +
    'D4;;""\r\n' +
    'E5;é😀;"""q"""\n' +
    'F6;last;';

  test('the same text split at every position gives the same rows and lines', async () => {
    const whole = await rowsOf(sample, { delimiter: ';' });
    expect(whole).toEqual([
      [2, { code: 'A1', name: 'Alpha', note: 'first line\nsecond; line' }],
      [5, { code: 'B2', name: 'Be"ta', note: 'plain' }],
      [7, { code: 'C3', name: 'Gamma, Inc.', note: 'x\r\ny\rz' }],
      [10, { code: 'D4', name: '', note: '' }],
      [11, { code: 'E5', name: 'é😀', note: '"q"' }],
      [12, { code: 'F6', name: 'last', note: '' }],
    ]);
    for (const cuts of splits(sample)) {
      expect(await rowsOf(sample, { delimiter: ';' }, cuts), `cut at ${cuts.join(',')}`).toEqual(whole);
    }
  });

  test('errors are the same wherever the text is split', async () => {
    const cases = [
      'a,b\n1,2\n"3\r\n,4\n',
      'a,b\n1,2\r\n\r\n"x""\ny",1,2\n',
      'a,b\n1,2\n3,ab"c\n',
      'a,b\n"x\r\ny"z,1\n',
      'a,a\n1,2\n',
      'a,b\n1,"x',
    ];
    for (const text of cases) {
      const whole = await problemOf(text);
      for (const cuts of splits(text)) {
        expect(await problemOf(text, {}, cuts), `${JSON.stringify(text)} cut at ${cuts.join(',')}`).toEqual(whole);
      }
    }
  });

  test('a quoted cell spanning many chunks, and a CRLF split between two chunks, count lines once', async () => {
    const long = 'x'.repeat(70_000);
    const text = `k,v\r\n1,"${long}\r\n${long}""${long}"\r\n2,b\r\n`;
    const bytes = Buffer.from(text);
    const cuts: number[] = [];
    for (let at = 7; at < bytes.length; at += 997) cuts.push(at);
    const rows = await rowsOf(text, {}, cuts);
    expect(rows).toEqual([
      [2, { k: '1', v: `${long}\r\n${long}"${long}` }],
      [4, { k: '2', v: 'b' }],
    ]);
    // The CR and LF that end the header in separate chunks.
    expect(await rowsOf('k\r\n1\r\n2', {}, [2])).toEqual([
      [2, { k: '1' }],
      [3, { k: '2' }],
    ]);
    // A CR and LF inside quotes, in separate chunks.
    expect(await rowsOf('k,v\n"a\r\nb",1\n2,3\n', {}, [7])).toEqual([
      [2, { k: 'a\r\nb', v: '1' }],
      [4, { k: '2', v: '3' }],
    ]);
  });

  test('an unquoted cell spanning many chunks is read whole; a stray quote far into one is caught', async () => {
    const long = 'y'.repeat(4_000_000);
    const text = `k,v\n1,${long}\n2,${long};${long}\n`;
    const bytes = Buffer.from(text);
    const cuts: number[] = [];
    for (let at = 5; at < bytes.length; at += 65_536) cuts.push(at);
    const rows = await rowsOf(text, {}, cuts);
    expect(rows.map(([line, values]) => [line, values.k, values.v?.length])).toEqual([
      [2, '1', long.length],
      [3, '2', 2 * long.length + 1],
    ]);
    // A quote far into a long unquoted cell, after several chunk boundaries, is still refused.
    const quoted = `k,v\n1,${'z'.repeat(200_000)}"z\n`;
    const quotedCuts = [5, 65_541, 131_077, 196_613];
    const { problem } = await problemOf(quoted, {}, quotedCuts);
    expect(problem.message).toContain('a quote (")');
    expect(problem.line).toBe(2);
  });
});

describe('readCsvRows: batches, streaming, abort', () => {
  /** An async source that records how many chunks were pulled. */
  function source(chunks: readonly Buffer[]): { iterable: AsyncIterable<Buffer>; pulled: () => number } {
    let pulled = 0;
    return {
      iterable: (async function* () {
        for (const chunk of chunks) {
          pulled += 1;
          await Promise.resolve();
          yield chunk;
        }
      })(),
      pulled: () => pulled,
    };
  }

  const lines = ['id,name', ...Array.from({ length: 300 }, (_, i) => `${i},n${i}`)];
  const text = `${lines.join('\n')}\n`;
  const cuts = [600, 1200, 1800];

  test('rows come in batches, one per chunk that completes rows, in order', async () => {
    expect(Buffer.byteLength(text)).toBeGreaterThan(cuts[2]! + 100);
    const batches = await batchesOf(chunksOf(text, cuts));
    expect(batches.length).toBe(4);
    expect(batches.every((batch) => batch.length > 1)).toBe(true);
    const rows = batches.flat();
    expect(rows.map((row) => row.line)).toEqual(Array.from({ length: 300 }, (_, i) => i + 2));
    expect(rows[299]?.values).toEqual({ id: '299', name: 'n299' });
    // A chunk that completes no row yields no (empty) batch.
    expect(await batchesOf(chunksOf('a,b\n1,2\n', [1, 2, 3, 6]))).toEqual([[{ line: 2, values: { a: '1', b: '2' } }]]);
  });

  test('streams: the first batch comes before the source is read to its end', async () => {
    const input = source(chunksOf(text, cuts));
    const iterator = readCsvRows(input.iterable, { file: FILE });
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect(first.value?.[0]).toEqual({ line: 2, values: { id: '0', name: 'n0' } });
    expect(input.pulled()).toBe(1);
    await iterator.return(undefined);
  });

  test('an aborted signal stops before the next chunk is read', async () => {
    const controller = new AbortController();
    const input = source(chunksOf(text, cuts));
    const seen: number[] = [];
    const error = await (async () => {
      for await (const batch of readCsvRows(input.iterable, { file: FILE, signal: controller.signal })) {
        seen.push(batch.length);
        controller.abort();
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortError);
    expect(seen).toHaveLength(1);
    expect(input.pulled()).toBe(2);
    const already = await batchesOf(chunksOf(text), { signal: AbortSignal.abort() }).catch((caught: unknown) => caught);
    expect(already).toBeInstanceOf(AbortError);
  });

  test('an error of the source propagates unchanged', async () => {
    const failure = new Error('disk on fire');
    const failing = (async function* () {
      yield Buffer.from('a\n1\n');
      throw failure;
    })();
    const rows: CsvRow[] = [];
    const error = await (async () => {
      for await (const batch of readCsvRows(failing, { file: FILE })) rows.push(...batch);
    })().catch((caught: unknown) => caught);
    expect(error).toBe(failure);
    expect(rows).toEqual([{ line: 2, values: { a: '1' } }]);
  });

  test('options are validated at the call with a precise TypeError', () => {
    const chunks = chunksOf('a\n');
    for (const delimiter of ['', ',,', '"', '\n', '\r']) {
      expect(() => readCsvRows(chunks, { file: FILE, delimiter })).toThrow(
        /readCsvRows: `delimiter` must be exactly one character other than a quote or a line break/,
      );
    }
    expect(() => readCsvRows(chunks, { file: '' })).toThrow(TypeError);
    expect(() => readCsvRows(chunks, undefined as unknown as CsvReaderOptions)).toThrow(TypeError);
    expect(() => readCsvRows(chunks, { file: FILE, signal: {} as AbortSignal })).toThrow(
      /`signal` must be an AbortSignal/,
    );
    expect(() => readCsvRows(null as unknown as Buffer[], { file: FILE })).toThrow(/`chunks` must be/);
  });
});
