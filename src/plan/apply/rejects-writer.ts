/**
 * The rejects file: rejected rows written as JSON lines (the row's columns plus `_error`, `_code`, `_step`, `_row`).
 *
 * @packageDocumentation
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Per input index of an operation: where the record came from (for the journal and the rejects file). */
export interface RecordOrigin {
  readonly row: number;
  readonly key?: string | undefined;
  readonly xmlid?: string | undefined;
  readonly id?: number | undefined;
  readonly source?: Readonly<Record<string, unknown>> | undefined;
}

/** Appends rejected rows to the rejects file as JSON lines. */
export class RejectsWriter {
  #ready: Promise<void> | undefined;
  count = 0;

  constructor(private readonly file: string | undefined) {}

  async write(step: string, origin: RecordOrigin | undefined, error: { code: string; message: string }): Promise<void> {
    if (this.file === undefined) return;
    this.#ready ??= mkdir(dirname(this.file), { recursive: true }).then(() => undefined);
    await this.#ready;
    const line = {
      ...(origin?.source ?? {}),
      _error: error.message,
      _code: error.code,
      _step: step,
      _row: origin?.row ?? null,
    };
    this.count += 1;
    await appendFile(this.file, `${JSON.stringify(line)}\n`);
  }
}
