import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { AbortError, PlanValidationError } from '../../../../src/errors.js';
import { loadPlan } from '../../../../src/plan/load/load-plan.js';
import type { SourceRow } from '../../../../src/plan/model/plan-types.js';
import { formatFromExtension, readDataFile } from '../../../../src/plan/sources/record-sources.js';
import { openRecords } from '../../../../src/plan/sources/record-provider.js';

const valid = fileURLToPath(new URL('../../../fixtures/plans/valid/', import.meta.url));

async function collect(rows: AsyncIterable<SourceRow>): Promise<SourceRow[]> {
  const all: SourceRow[] = [];
  for await (const row of rows) all.push(row);
  return all;
}

describe('openRecords', () => {
  test('CSV rows carry the line they start on (header is line 1), across empty lines and multi-line cells', async () => {
    const plan = await loadPlan('sources.yaml', { cwd: valid });
    const rows = await collect(openRecords(plan, plan.steps[0]!));
    expect(rows.map((row) => [row.row, row.values.code])).toEqual([
      [2, 'A1'],
      [5, 'B2'],
      [6, 'C3'],
    ]);
    expect(rows[0]?.values.note).toBe('first line\nsecond line');
    expect(rows[2]?.values).toEqual({ code: 'C3', name: 'Gamma, Inc.', note: '' });
    expect(rows[0]?.source).toBe('data/rows.csv');
  });

  test('JSONL rows carry their line; blank lines are skipped; JSON types are kept', async () => {
    const plan = await loadPlan('sources.yaml', { cwd: valid });
    const rows = await collect(openRecords(plan, plan.steps[1]!));
    expect(rows.map((row) => row.row)).toEqual([1, 3]);
    expect(rows[1]?.values).toEqual({ code: 'B2', n: 2.5, tags: ['x'] });
  });

  test('YAML rows are numbered by index + 1; inline rows name the plan file', async () => {
    const plan = await loadPlan('sources.yaml', { cwd: valid });
    const rows = await collect(openRecords(plan, plan.steps[2]!));
    expect(rows.map((row) => [row.row, row.values.name])).toEqual([
      [1, 'Alpha'],
      [2, 'Beta'],
    ]);
    const example = await loadPlan('plans/example.yaml', {
      cwd: fileURLToPath(new URL('../../../../', import.meta.url)),
    });
    const tags = await collect(openRecords(example, example.steps[0]!));
    expect(tags.map((row) => [row.row, row.source, row.values.name])).toEqual([
      [1, 'plans/example.yaml', 'VIP'],
      [2, 'plans/example.yaml', 'Wholesale'],
      [3, 'plans/example.yaml', 'Retail'],
    ]);
  });

  test('a large JSON array is streamed element by element across chunk boundaries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-json-'));
    const records = Array.from({ length: 3000 }, (_, i) => ({
      i,
      name: `n${i} ["]} {{ \\ é`,
      nested: { a: [1, { b: ']' }] },
    }));
    writeFileSync(join(dir, 'big.json'), `[\n${records.map((record) => JSON.stringify(record)).join(',\n')}\n]\n`);
    writeFileSync(
      join(dir, 'plan.yaml'),
      'version: 1\nname: big\nsteps:\n  - { id: big, model: res.partner, action: create, records: { file: big.json } }\n',
    );
    const plan = await loadPlan('plan.yaml', { cwd: dir });
    expect(plan.steps[0]?.records).toMatchObject({ kind: 'file', format: 'json', rowCount: 3000 });
    const rows = await collect(openRecords(plan, plan.steps[0]!));
    expect(rows).toHaveLength(3000);
    expect(rows[2999]).toEqual({ row: 3000, source: 'big.json', values: records[2999] });
    expect(rows.every((row, index) => row.values.i === index && row.row === index + 1)).toBe(true);
  });

  test('a data file changed after loading is refused at the end of the stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-changed-'));
    writeFileSync(join(dir, 'rows.csv'), 'name\nA\n');
    writeFileSync(
      join(dir, 'plan.yaml'),
      'version: 1\nname: c\nsteps:\n  - { id: a, model: res.partner, action: create, records: { file: rows.csv } }\n',
    );
    const plan = await loadPlan('plan.yaml', { cwd: dir });
    writeFileSync(join(dir, 'rows.csv'), 'name\nB\n');
    const error = await collect(openRecords(plan, plan.steps[0]!)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlanValidationError);
    expect((error as PlanValidationError).problems[0]?.message).toBe('the data file changed after the plan was loaded');
  });

  test('an aborted signal stops reading', async () => {
    const plan = await loadPlan('sources.yaml', { cwd: valid });
    const error = await collect(openRecords(plan, plan.steps[0]!, { signal: AbortSignal.abort() })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AbortError);
  });
});

describe('readDataFile', () => {
  test('names the file and line of a parse error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-bad-'));
    writeFileSync(join(dir, 'bad.jsonl'), '{"a": 1}\n{"a": }\n');
    const rows: SourceRow[] = [];
    const error = await (async () => {
      for await (const row of readDataFile({
        absolutePath: join(dir, 'bad.jsonl'),
        displayFile: 'bad.jsonl',
        format: 'jsonl',
      }))
        rows.push(row);
    })().catch((caught: unknown) => caught);
    expect(rows).toHaveLength(1);
    expect(error).toBeInstanceOf(PlanValidationError);
    expect((error as PlanValidationError).problems[0]).toMatchObject({ file: 'bad.jsonl', line: 2, path: 'row 2' });
  });

  test('the hash receives exactly the bytes of the file, in the same pass as the rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-hash-'));
    const csv = `code,note\n${Array.from({ length: 5000 }, (_, i) => `C${i},"multi\r\nline ${i}"`).join('\n')}\n`;
    const jsonl = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(i % 50) })).join('\n');
    writeFileSync(join(dir, 'rows.csv'), csv);
    writeFileSync(join(dir, 'rows.jsonl'), jsonl);
    for (const [file, format, text] of [
      ['rows.csv', 'csv', csv],
      ['rows.jsonl', 'jsonl', jsonl],
    ] as const) {
      const hash = createHash('sha256');
      const rows = await collect(readDataFile({ absolutePath: join(dir, file), displayFile: file, format }, { hash }));
      expect(rows).toHaveLength(5000);
      expect(hash.digest('hex')).toBe(createHash('sha256').update(text).digest('hex'));
    }
  });

  test('CSV row numbers stay exact across empty lines and quoted line breaks in a large file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-lines-'));
    const lines = ['code,note'];
    const numbers: number[] = [];
    let line = 2;
    for (let i = 0; i < 3000; i += 1) {
      if (i % 7 === 0) {
        lines.push('');
        line += 1;
      }
      numbers.push(line);
      // Every fifth row has a quoted cell holding two line breaks: the rows after it start two lines further down.
      lines.push(i % 5 === 0 ? `R${i},"a\nb\r\nc"` : `R${i},plain`);
      line += i % 5 === 0 ? 3 : 1;
    }
    writeFileSync(join(dir, 'rows.csv'), `${lines.join('\n')}\n`);
    const rows = await collect(
      readDataFile({ absolutePath: join(dir, 'rows.csv'), displayFile: 'rows.csv', format: 'csv' }),
    );
    expect(rows.map((row) => row.row)).toEqual(numbers);
    expect(rows[0]?.values).toEqual({ code: 'R0', note: 'a\nb\r\nc' });
  });

  test('CSV: a syntax error names the file, line and row, after the rows before it; a bad delimiter is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-csv-bad-'));
    writeFileSync(join(dir, 'rows.csv'), 'code;note\nA;"x\r\ny"\nB;ok;extra\n');
    const spec = {
      absolutePath: join(dir, 'rows.csv'),
      displayFile: 'data/rows.csv',
      format: 'csv',
      delimiter: ';',
    } as const;
    const rows: SourceRow[] = [];
    const error = await (async () => {
      for await (const row of readDataFile(spec)) rows.push(row);
    })().catch((caught: unknown) => caught);
    expect(rows).toEqual([{ row: 2, source: 'data/rows.csv', values: { code: 'A', note: 'x\r\ny' } }]);
    expect(error).toBeInstanceOf(PlanValidationError);
    expect((error as PlanValidationError).problems).toEqual([
      expect.objectContaining({
        file: 'data/rows.csv',
        line: 4,
        path: 'row 4',
        message: 'CSV: the row has 3 cells, the header has 2',
      }),
    ]);
    const quote = await collect(readDataFile({ ...spec, delimiter: '"' })).catch((caught: unknown) => caught);
    expect(quote).toBeInstanceOf(PlanValidationError);
    expect((quote as PlanValidationError).problems[0]).toMatchObject({
      file: 'data/rows.csv',
      message: 'the CSV delimiter "\\"" cannot separate cells',
    });
  });

  test('CSV: an abort takes effect at the next row, not at the end of the batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zenoo-csv-abort-'));
    writeFileSync(join(dir, 'rows.csv'), `n\n${Array.from({ length: 100 }, (_, i) => i).join('\n')}\n`);
    const controller = new AbortController();
    let read = 0;
    const error = await (async () => {
      for await (const _ of readDataFile(
        { absolutePath: join(dir, 'rows.csv'), displayFile: 'rows.csv', format: 'csv' },
        { signal: controller.signal },
      )) {
        read += 1;
        if (read === 3) controller.abort();
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortError);
    expect(read).toBe(3);
  });

  test('formats come from extensions', () => {
    expect(['a.csv', 'a.JSON', 'a.jsonl', 'a.ndjson', 'a.yml', 'a.yaml', 'a.txt'].map(formatFromExtension)).toEqual([
      'csv',
      'json',
      'jsonl',
      'jsonl',
      'yaml',
      'yaml',
      undefined,
    ]);
  });
});
