/**
 * What every ORM operation of one call shares: the user, the context, the call's timestamp and the log of writes.
 *
 * @packageDocumentation
 */

/** One entry of {@link WriteLog}: records written by a call, per model and low-level operation. */
export interface WriteCount {
  /** Model written, e.g. `res.partner`. */
  readonly model: string;
  /** `create`, `write` or `unlink`. */
  readonly method: string;
  /** Number of records. */
  readonly count: number;
}

/** Counts the records a call creates, writes and deletes, per model and operation. */
export class WriteLog {
  private readonly counts = new Map<string, { model: string; method: string; count: number }>();

  /** Records `count` records of `model` written by `method` (ignored when `count` is 0). */
  add(model: string, method: string, count: number): void {
    if (count <= 0) return;
    const key = `${model}\u0000${method}`;
    const entry = this.counts.get(key);
    if (entry) entry.count += count;
    else this.counts.set(key, { model, method, count });
  }

  /** A copy of the current counts, to restore after a rolled-back savepoint. */
  snapshot(): WriteCount[] {
    return [...this.counts.values()].map((e) => ({ ...e }));
  }

  /** Restores counts taken by {@link WriteLog.snapshot}. */
  restore(snapshot: readonly WriteCount[]): void {
    this.counts.clear();
    for (const e of snapshot) this.counts.set(`${e.model}\u0000${e.method}`, { ...e });
  }

  /** The counts, in the order they were first written. */
  list(): WriteCount[] {
    return this.snapshot();
  }
}

/** The environment of one ORM call. */
export interface CallEnv {
  /** The calling user. */
  readonly uid: number;
  /** `kwargs.context` (empty object when absent). */
  readonly context: Readonly<Record<string, unknown>>;
  /** The call's timestamp (`YYYY-MM-DD HH:MM:SS` UTC), shared by all records it writes, as Odoo's `cr.now()`. */
  readonly now: string;
  /** Writes performed so far. */
  readonly writes: WriteLog;
}

/** Whether archived records are hidden (`active_test`, default true). */
export function activeTest(env: CallEnv): boolean {
  return env.context['active_test'] !== false;
}
