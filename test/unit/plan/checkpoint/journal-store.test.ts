/**
 * The journal store contract, run against both implementations: a missing journal reads as none, appends come back
 * in order and whole, a torn tail gets its own line before the next entry, remove forgets. Then the journal's writer
 * and reader over the memory store, as an apply uses them.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileJournalStore } from '../../../../src/plan/checkpoint/file-journal-store.js';
import { JournalWriter, readJournal } from '../../../../src/plan/checkpoint/journal.js';
import type { JournalStore } from '../../../../src/plan/checkpoint/journal-store.js';
import { MemoryJournalStore } from '../../../../src/plan/checkpoint/memory-journal-store.js';

interface Subject {
  readonly store: JournalStore;
  readonly location: string;
  /** Leaves `text` at `location` as a crashed process would. */
  readonly leave: (text: string) => Promise<void>;
}

const subjects: [string, () => Promise<Subject>][] = [
  [
    'FileJournalStore',
    async () => {
      const location = join(await mkdtemp(join(tmpdir(), 'zenoo-store-')), 'journal', 'p.jsonl');
      const store = new FileJournalStore();
      return {
        store,
        location,
        leave: async (text) => {
          await (await store.openAppender(location)).close();
          await writeFile(location, text);
        },
      };
    },
  ],
  [
    'MemoryJournalStore',
    async () => {
      const store = new MemoryJournalStore();
      return { store, location: 'p.jsonl', leave: async (text) => store.setText('p.jsonl', text) };
    },
  ],
];

describe.each(subjects)('%s keeps the journal store contract', (_, make) => {
  it('reads a missing journal as none, and appends in order', async () => {
    const { store, location } = await make();
    expect(await store.read(location)).toBeUndefined();
    const appender = await store.openAppender(location);
    await appender.write('{"a":1}\n');
    await appender.write('{"b":2}\n{"c":3}\n');
    expect(await store.read(location)).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
    await appender.close();
    const again = await store.openAppender(location);
    await again.write('{"d":4}\n');
    await again.close();
    expect(await store.read(location)).toBe('{"a":1}\n{"b":2}\n{"c":3}\n{"d":4}\n');
  });

  it('starts the next entry on its own line after a torn tail', async () => {
    const { store, location, leave } = await make();
    await leave('{"a":1}\n{"b":');
    const appender = await store.openAppender(location);
    await appender.write('{"c":3}\n');
    await appender.close();
    expect(await store.read(location)).toBe('{"a":1}\n{"b":\n{"c":3}\n');
  });

  it('removes a journal, and a missing one without complaint', async () => {
    const { store, location } = await make();
    const appender = await store.openAppender(location);
    await appender.write('{"a":1}\n');
    await appender.close();
    await store.remove(location);
    expect(await store.read(location)).toBeUndefined();
    await expect(store.remove(location)).resolves.toBeUndefined();
  });

  it('carries the journal writer and reader: entries, group commit, runs', async () => {
    const { store, location } = await make();
    const writer = await JournalWriter.open(location, 'r1', store);
    const started = {
      type: 'run-started',
      format: 1,
      plan: 'p',
      fingerprint: 'f',
      zenooVersion: '0',
      url: 'u',
      db: 'd',
    };
    await writer.append(started as Parameters<JournalWriter['append']>[0]);
    await Promise.all([
      writer.append({ type: 'error', code: 'ERR_X', message: 'first' }),
      writer.append({ type: 'error', code: 'ERR_X', message: 'second' }, { defer: true }),
    ]);
    await writer.close();
    const state = await readJournal(location, store);
    expect(state).toMatchObject({ exists: true, fingerprint: 'f', plan: 'p', complete: false, tornTail: false });
    expect((await store.read(location))!.split('\n').filter(Boolean)).toHaveLength(3);
  });
});

it('the file store writes where it is told, and nowhere else', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'zenoo-store-'));
  const location = join(dir, 'deep', 'er', 'p.jsonl');
  const appender = await new FileJournalStore().openAppender(location);
  await appender.write('{"a":1}\n');
  await appender.close();
  expect(await readFile(location, 'utf8')).toBe('{"a":1}\n');
});
