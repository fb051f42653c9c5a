import { mkdtemp, readFile, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalError } from '../../../../src/errors.js';
import {
  JournalWriter,
  chunkKey,
  foldJournal,
  journalFileName,
  journalPath,
  parseJournal,
  readJournal,
} from '../../../../src/plan/checkpoint/journal.js';

async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-journal-'));
  return join(dir, 'nested', 'j.jsonl');
}

const started = {
  type: 'run-started',
  format: 1,
  plan: 'crm-seed',
  fingerprint: 'fp1',
  zenooVersion: '0.1.0',
  url: 'http://127.0.0.1:1',
  db: 'zenoo',
} as const;

describe('journal file name', () => {
  it('uses the plan name and a hash of url and db, never the url itself', () => {
    const name = journalFileName('crm seed/x', 'http://user:secret@h:8069', 'prod');
    expect(name).toMatch(/^crm_seed_x-[0-9a-f]{12}\.jsonl$/);
    expect(name).not.toContain('secret');
    expect(journalFileName('p', 'http://a', 'db1')).not.toBe(journalFileName('p', 'http://a', 'db2'));
    expect(journalPath('p', 'http://a', 'db1', '/s')).toBe(
      join('/s', 'journal', journalFileName('p', 'http://a', 'db1')),
    );
  });
});

describe('JournalWriter + readJournal', () => {
  it('writes one line per entry in call order and folds them into state', async () => {
    const file = await tempFile();
    const writer = await JournalWriter.open(file, 'r1');
    await writer.append(started);
    // Appends without awaiting each one still land in call order.
    const pending = [
      writer.append({
        type: 'chunk-in-doubt',
        step: 'tags',
        chunk: 0,
        action: 'create',
        model: 'res.partner.category',
        rows: [1, 2],
        xmlids: ['zenoo_crm_seed.tags_a', 'zenoo_crm_seed.tags_b'],
        keys: ['["VIP"]', '["W"]'],
      }),
      writer.append({ type: 'chunk-done', step: 'tags', chunk: 0, action: 'create', rows: [1, 2], ids: [7, 8] }),
      writer.append({
        type: 'step-done',
        step: 'tags',
        counts: { created: 2, updated: 0, deleted: 0, unchanged: 0, rejected: 0 },
      }),
      writer.append({
        type: 'chunk-in-doubt',
        step: 'companies',
        chunk: 3,
        action: 'update',
        model: 'res.partner',
        rows: [4],
        ids: [12],
      }),
      writer.append({ type: 'error', step: 'companies', chunk: 3, code: 'ERR_TIMEOUT', message: 'timed out' }),
    ];
    await Promise.all(pending);
    await writer.close();

    const text = await readFile(file, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines.map((line) => (JSON.parse(line) as { type: string }).type)).toEqual([
      'run-started',
      'chunk-in-doubt',
      'chunk-done',
      'step-done',
      'chunk-in-doubt',
      'error',
    ]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ run: 'r1', fingerprint: 'fp1' });

    const state = await readJournal(file);
    expect(state.exists).toBe(true);
    expect(state.fingerprint).toBe('fp1');
    expect([...state.stepsDone.keys()]).toEqual(['tags']);
    expect(state.chunksDone.get('tags')?.get(chunkKey('create', 0))?.ids).toEqual([7, 8]);
    expect(state.chunksInDoubt).toHaveLength(1);
    expect(state.chunksInDoubt[0]).toMatchObject({ step: 'companies', chunk: 3, ids: [12] });
    expect(state.lastError?.code).toBe('ERR_TIMEOUT');
    expect(state.lastStatus).toBe('running');
    expect(state.complete).toBe(false);
  });

  it('gives an empty state for a missing journal', async () => {
    const state = await readJournal(join(tmpdir(), 'does-not-exist-zenoo.jsonl'));
    expect(state.exists).toBe(false);
    expect(state.fingerprint).toBeUndefined();
    expect(state.chunksInDoubt).toEqual([]);
  });

  it('writes a deferred line with the next write, in order, and on flush or close', async () => {
    const file = await tempFile();
    const writer = await JournalWriter.open(file, 'r1');
    await writer.append(started);
    const done = { type: 'chunk-done', step: 's', chunk: 0, action: 'create', rows: [1], ids: [5] } as const;
    let durable = false;
    const deferred = writer.append(done, { defer: true }).then(() => (durable = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Nothing started a write: the line is not in the file yet, and its promise is pending.
    expect(durable).toBe(false);
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(1);
    // The next plain append writes both, in call order.
    await writer.append({ type: 'chunk-in-doubt', step: 's', chunk: 1, action: 'create', model: 'm', rows: [2] });
    await deferred;
    expect(durable).toBe(true);
    expect(
      (await readFile(file, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).type),
    ).toEqual(['run-started', 'chunk-done', 'chunk-in-doubt']);
    // flush() and close() write what is left.
    const second = writer.append({ ...done, chunk: 1, ids: [6] }, { defer: true });
    await writer.flush();
    await second;
    const third = writer.append({ ...done, chunk: 2, ids: [7] }, { defer: true });
    await writer.close();
    await third;
    const state = await readJournal(file);
    expect([...(state.chunksDone.get('s')?.keys() ?? [])]).toEqual(['create:0', 'create:1', 'create:2']);
    expect(state.chunksInDoubt).toEqual([]);
  });

  it('tolerates a torn last line and starts the next run on a fresh line', async () => {
    const file = await tempFile();
    const writer = await JournalWriter.open(file, 'r1');
    await writer.append(started);
    await writer.append({ type: 'chunk-in-doubt', step: 's', chunk: 0, action: 'create', model: 'm', rows: [1] });
    await writer.close();
    // A crash mid-write leaves a prefix of a line without its newline.
    await appendFile(file, '{"at":"2026-01-01T00:00:00.000Z","run":"r1","type":"chunk-do');

    let state = await readJournal(file);
    expect(state.tornTail).toBe(true);
    expect(state.chunksInDoubt).toHaveLength(1);

    const again = await JournalWriter.open(file, 'r2');
    await again.append(started);
    await again.append({
      type: 'chunk-done',
      step: 's',
      chunk: 0,
      action: 'create',
      rows: [1],
      ids: [5],
      reconciled: true,
      ofRun: 'r1',
    });
    await again.append({ type: 'run-finished', status: 'succeeded', durationMs: 3 });
    await again.close();

    state = await readJournal(file);
    expect(state.tornTail).toBe(true);
    expect(state.runs.map((run) => [run.run, run.status])).toEqual([
      ['r1', undefined],
      ['r2', 'succeeded'],
    ]);
    expect(state.chunksInDoubt).toEqual([]);
    expect(state.complete).toBe(true);
  });

  it('refuses a journal damaged in the middle, naming the line', async () => {
    const file = await tempFile();
    const writer = await JournalWriter.open(file, 'r1');
    await writer.append(started);
    await writer.close();
    const text = await readFile(file, 'utf8');
    await writeFile(file, `${text}garbage\n${text.replace('run-started', 'error')}`);
    await expect(readJournal(file)).rejects.toThrow(JournalError);
    await expect(readJournal(file)).rejects.toThrow(/:2: the journal line is not valid JSON/);
  });

  it('starts a new round after a succeeded run', () => {
    const line = (entry: object, run: string): string => JSON.stringify({ at: 't', run, ...entry });
    const text = [
      line(started, 'r1'),
      line(
        { type: 'step-done', step: 'a', counts: { created: 1, updated: 0, deleted: 0, unchanged: 0, rejected: 0 } },
        'r1',
      ),
      line({ type: 'run-finished', status: 'succeeded', durationMs: 1 }, 'r1'),
      line({ ...started, fingerprint: 'fp2' }, 'r2'),
    ].join('\n');
    const { entries } = parseJournal(text);
    expect(entries).toHaveLength(4);
    const state = foldJournal(entries);
    expect(state.fingerprint).toBe('fp2');
    expect(state.stepsDone.size).toBe(0);
    expect(state.runs.map((run) => run.run)).toEqual(['r2']);
    expect(state.lastStatus).toBe('running');
  });

  it('closes idempotently and refuses appends after close', async () => {
    const file = await tempFile();
    const writer = await JournalWriter.open(file, 'r1');
    await writer.close();
    await writer.close();
    await expect(writer.append(started)).rejects.toThrow(JournalError);
    await expect(JournalWriter.open(file, '')).rejects.toThrow(TypeError);
  });
});
