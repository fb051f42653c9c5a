/**
 * Journals as append-only files: each write is durable before it returns (O_DSYNC where the platform has it, an
 * fdatasync otherwise), so the journal's group commit costs one system call per batch of lines.
 *
 * @packageDocumentation
 */
import { constants } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JournalAppender, JournalStore } from './journal-store.js';

/**
 * O_DSYNC where the platform has it: each write returns once its bytes are durable, so a group commit is one system
 * call instead of a write and an fdatasync (the journal syncs before every chunk it sends). 0 elsewhere (Windows).
 */
const SYNC_ON_WRITE: number = constants.O_DSYNC ?? 0;
const JOURNAL_OPEN_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | SYNC_ON_WRITE;

/** Journals as files: the location is the file's path. Errors are the file system's (the journal wraps them). */
export class FileJournalStore implements JournalStore {
  async read(location: string): Promise<string | undefined> {
    try {
      return await readFile(location, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async openAppender(location: string): Promise<JournalAppender> {
    await mkdir(dirname(location), { recursive: true });
    const handle = await open(location, JOURNAL_OPEN_FLAGS);
    try {
      const { size } = await handle.stat();
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last.toString('utf8') !== '\n') {
          await handle.write('\n');
          await handle.sync();
        }
      }
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new FileAppender(handle);
  }

  async remove(location: string): Promise<void> {
    await rm(location, { force: true });
  }
}

class FileAppender implements JournalAppender {
  constructor(private readonly handle: FileHandle) {}

  async write(text: string): Promise<void> {
    await this.handle.write(text);
    // With O_DSYNC the write returned once its bytes were durable; otherwise fdatasync makes them so. Either way the
    // appended bytes and the size needed to read them back are on disk; timestamps need not be.
    if (SYNC_ON_WRITE === 0) await this.handle.datasync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** The store of journal files every apply uses unless given another. */
export const fileJournalStore: JournalStore = new FileJournalStore();
