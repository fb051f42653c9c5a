/**
 * One apply at a time per plan and target: a lock stored in the target itself.
 *
 * The lock is the `ir.config_parameter` record with key `zenoo.lock.<plan name>`. Its key is unique in Odoo, so creating
 * it is an atomic acquire: of two applies started at once, exactly one create succeeds. The value is JSON naming the
 * holder (host, pid, user), its start time and an expiry that the holder pushes forward while it runs.
 *
 * A lock left behind by a killed run is not a dead end: when its holder is this host and that process no longer
 * exists, or its expiry has passed, the next acquire takes it over (deleting the stale record by id, then creating
 * its own, so that two takers still cannot both win) and reports whose lock it took.
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import {
  ConcurrencyError,
  LockHeldError,
  MissingError,
  OutcomeUnknownError,
  RpcFault,
  TransportError,
} from '../../errors.js';
import type { LockHolder } from '../../errors.js';

/** The model holding locks. */
export const LOCK_MODEL = 'ir.config_parameter';

/** Prefix of lock keys; the plan name follows. */
export const LOCK_KEY_PREFIX = 'zenoo.lock.';

/** How long a lock stays valid without a refresh, in milliseconds. */
export const DEFAULT_LOCK_TTL_MS = 5 * 60_000;

/** Rounds of create / look / take over before an acquire gives up. */
export const ACQUIRE_ATTEMPTS = 4;

/** Attempts to delete the lock at the end of an apply before giving up (it then expires on its own). */
export const RELEASE_ATTEMPTS = 4;

/** How often a running holder pushes its expiry forward, in milliseconds. */
export const DEFAULT_LOCK_REFRESH_MS = 60_000;

/** The slice of the Odoo client the lock needs (structurally satisfied by `OdooClient`). */
export interface LockClient {
  /** `execute_kw(model, method, args, kwargs)`. */
  executeKw(
    model: string,
    method: string,
    args: readonly unknown[],
    kwargs?: Record<string, unknown>,
    options?: { readonly signal?: AbortSignal },
  ): Promise<unknown>;
}

/** Options of {@link acquireLock}. */
export interface LockOptions {
  /** Lock lifetime without a refresh, in ms. @default DEFAULT_LOCK_TTL_MS */
  readonly ttlMs?: number;
  /** Refresh period, in ms; must be shorter than `ttlMs`. @default DEFAULT_LOCK_REFRESH_MS */
  readonly refreshMs?: number;
  /** Called when a refresh finds the lock gone or taken by someone else (the caller should stop writing). */
  readonly onLost?: (error: Error) => void;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
  /** Whether a process of this host is alive, for tests. @default a `process.kill(pid, 0)` probe */
  readonly isAlive?: (pid: number) => boolean;
  /** The holder identity, for tests. @default this host, process and OS user */
  readonly identity?: { readonly host: string; readonly pid: number; readonly user: string };
  /** Cancels the acquire. */
  readonly signal?: AbortSignal;
}

/** A lock record as stored: the holder plus a token that tells this acquisition apart from any other. */
interface StoredLock extends LockHolder {
  readonly token: string;
}

/** A lock held by this process. */
export interface HeldLock {
  /** The `ir.config_parameter` key. */
  readonly key: string;
  /** Id of the lock record. */
  readonly id: number;
  /** Who we are, as stored. */
  readonly holder: LockHolder;
  /** The stale holder whose lock was taken over, if any. */
  readonly tookOverFrom: LockHolder | undefined;
  /** Pushes the expiry forward now (also done every `refreshMs` automatically). */
  refresh(options?: { readonly signal?: AbortSignal }): Promise<void>;
  /** Stops refreshing and deletes the lock if it is still ours. Safe to call twice. */
  release(options?: { readonly signal?: AbortSignal }): Promise<void>;
}

/**
 * The name under which `zenoo migrate` takes the target's apply lock (`zenoo.lock._migrations`). Plan names start
 * with a letter or digit, so no plan can share it.
 */
export const MIGRATIONS_LOCK_NAME = '_migrations';

/** The lock key of a plan. */
export function lockKey(planName: string): string {
  return `${LOCK_KEY_PREFIX}${planName}`;
}

/** Whether a process with this pid exists on this host (EPERM means it exists but belongs to someone else). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function currentIdentity(): { host: string; pid: number; user: string } {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // Containers without a passwd entry for the uid.
    user = process.env['USER'] ?? process.env['USERNAME'] ?? 'unknown';
  }
  return { host: hostname(), pid: process.pid, user };
}

/** Reads the lock record of `key`, if any. */
export async function readLock(
  client: LockClient,
  key: string,
  options: { readonly signal?: AbortSignal } = {},
): Promise<{ id: number; holder: LockHolder | undefined; token: string | undefined } | undefined> {
  const rows = (await client.executeKw(
    LOCK_MODEL,
    'search_read',
    [[['key', '=', key]]],
    { fields: ['value'] },
    options,
  )) as {
    id: number;
    value: string | false;
  }[];
  const row = rows[0];
  if (row === undefined) {
    return undefined;
  }
  const stored = parseStored(row.value);
  return { id: row.id, holder: stored && toHolder(stored), token: stored?.token };
}

function parseStored(value: string | false): StoredLock | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  try {
    const parsed = JSON.parse(value) as Partial<StoredLock>;
    if (typeof parsed.host === 'string' && typeof parsed.pid === 'number' && typeof parsed.startedAt === 'string') {
      return {
        host: parsed.host,
        pid: parsed.pid,
        user: typeof parsed.user === 'string' ? parsed.user : 'unknown',
        startedAt: parsed.startedAt,
        expiresAt: typeof parsed.expiresAt === 'string' ? parsed.expiresAt : parsed.startedAt,
        token: typeof parsed.token === 'string' ? parsed.token : '',
      };
    }
  } catch {
    // Not ours or damaged: treated as a holder we cannot describe (never stale by pid, stale never by expiry).
  }
  return undefined;
}

function toHolder(stored: StoredLock): LockHolder {
  return {
    host: stored.host,
    pid: stored.pid,
    user: stored.user,
    startedAt: stored.startedAt,
    expiresAt: stored.expiresAt,
  };
}

/** Describes a holder for messages: `user@host (pid 123) since 2026-…`. */
export function describeHolder(holder: LockHolder): string {
  return `${holder.user}@${holder.host} (pid ${holder.pid}) since ${holder.startedAt}`;
}

/**
 * Why a lock is stale, or undefined when it is live: expired, or held by a process of this host that no longer exists.
 */
export function staleReason(
  holder: LockHolder,
  context: { readonly now: number; readonly host: string; readonly isAlive: (pid: number) => boolean },
): string | undefined {
  const expires = Date.parse(holder.expiresAt);
  if (Number.isFinite(expires) && expires <= context.now) {
    return `it expired at ${holder.expiresAt}`;
  }
  if (holder.host === context.host && !context.isAlive(holder.pid)) {
    return `its process ${holder.pid} no longer runs on this host`;
  }
  return undefined;
}

/**
 * Whether a lock read from the target is live: it exists and is not stale by the rules of {@link staleReason} (a lock
 * whose holder cannot be read counts as live: refusing is the safe side). The one check of "is someone else writing"
 * that apply (against `zenoo migrate`) and migrate (against applies) both use, with the same clock, host and process
 * probe as a lock takeover.
 */
export function isLockLive(
  lock: { readonly holder?: LockHolder | undefined } | undefined,
  options: Pick<LockOptions, 'now' | 'identity' | 'isAlive'> = {},
): boolean {
  if (lock === undefined) return false;
  if (lock.holder === undefined) return true;
  return (
    staleReason(lock.holder, {
      now: (options.now ?? Date.now)(),
      host: options.identity?.host ?? hostname(),
      isAlive: options.isAlive ?? processExists,
    }) === undefined
  );
}

function resolveOptions(options: LockOptions) {
  const ttlMs = options.ttlMs ?? DEFAULT_LOCK_TTL_MS;
  const refreshMs = options.refreshMs ?? DEFAULT_LOCK_REFRESH_MS;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new TypeError('Expected `ttlMs` to be a positive number of milliseconds');
  }
  if (!Number.isFinite(refreshMs) || refreshMs <= 0 || refreshMs >= ttlMs) {
    throw new TypeError('Expected `refreshMs` to be a positive number of milliseconds smaller than `ttlMs`');
  }
  return Object.freeze({
    ttlMs,
    refreshMs,
    onLost: options.onLost,
    now: options.now ?? Date.now,
    isAlive: options.isAlive ?? processExists,
    identity: options.identity ?? currentIdentity(),
    signal: options.signal,
  });
}

/**
 * Takes the lock of `planName` in the target, or throws {@link LockHeldError} naming the live holder.
 *
 * @example
 * ```ts
 * const lock = await acquireLock(client, 'crm-seed');
 * try { await work(); } finally { await lock.release(); }
 * ```
 */
export async function acquireLock(client: LockClient, planName: string, options: LockOptions = {}): Promise<HeldLock> {
  if (typeof planName !== 'string' || planName === '') {
    throw new TypeError('Expected `planName` to be a non-empty string');
  }
  const resolved = resolveOptions(options);
  const key = lockKey(planName);
  const signal = resolved.signal;
  let tookOverFrom: LockHolder | undefined;
  let lastError: unknown;

  // A few rounds: one may find a stale lock and remove it, the next creates ours; a transient failure costs a round.
  // Losing the race for a stale lock to another taker ends with that taker reported as the holder.
  for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt += 1) {
    const startedAt = new Date(resolved.now()).toISOString();
    const stored: StoredLock = {
      ...resolved.identity,
      startedAt,
      expiresAt: new Date(resolved.now() + resolved.ttlMs).toISOString(),
      token: randomUUID(),
    };
    try {
      const created = await client.executeKw(
        LOCK_MODEL,
        'create',
        [[{ key, value: JSON.stringify(stored) }]],
        {},
        { signal },
      );
      const id = Array.isArray(created) ? (created[0] as number) : (created as number);
      return startHeld(client, key, id, stored, tookOverFrom, resolved);
    } catch (error) {
      // A fault (the key exists, or a transient refusal), a lost answer or a transient transport failure: look.
      if (
        !(error instanceof OutcomeUnknownError) &&
        !(error instanceof RpcFault) &&
        !(error instanceof TransportError)
      ) {
        throw error;
      }
      const existing = await readLock(client, key, { signal });
      if (existing !== undefined && existing.token === stored.token) {
        // The create's answer was lost but it committed: the lock is ours.
        return startHeld(client, key, existing.id, stored, tookOverFrom, resolved);
      }
      if (existing === undefined) {
        // Either the create did not commit (unknown outcome) or the holder released between our create and our read.
        // A fault that repeats with no lock present is not about the lock (access rights, ...): report it.
        lastError = error;
        if (error instanceof RpcFault && !(error instanceof ConcurrencyError) && attempt > 0) {
          throw error;
        }
        continue;
      }
      const holder = existing.holder;
      const reason =
        holder === undefined
          ? undefined
          : staleReason(holder, { now: resolved.now(), host: resolved.identity.host, isAlive: resolved.isAlive });
      if (holder === undefined || reason === undefined || attempt === ACQUIRE_ATTEMPTS - 1) {
        throw new LockHeldError(
          holder === undefined
            ? `Another apply holds the lock ${key} in the target (its value cannot be read). ` +
                `If no apply is running, release it with \`zenoo plan unlock\`.`
            : `Another apply of plan "${planName}" is running: the lock ${key} is held by ${describeHolder(holder)}` +
                ` (expires ${holder.expiresAt}). Wait for it to finish, or release a stuck lock with \`zenoo plan unlock\`.`,
          key,
          holder,
        );
      }
      try {
        await client.executeKw(LOCK_MODEL, 'unlink', [[existing.id]], {}, { signal });
      } catch (unlinkError) {
        // Someone else removed it first (and may be creating theirs): the next round tells.
        if (!(unlinkError instanceof MissingError)) {
          throw unlinkError;
        }
      }
      tookOverFrom = holder;
    }
  }
  if (lastError instanceof TransportError || lastError instanceof ConcurrencyError) throw lastError;
  throw new LockHeldError(
    `Could not take the lock ${key}: another apply is taking it at the same time.`,
    key,
    undefined,
  );
}

function startHeld(
  client: LockClient,
  key: string,
  id: number,
  stored: StoredLock,
  tookOverFrom: LockHolder | undefined,
  options: ReturnType<typeof resolveOptions>,
): HeldLock {
  let current = stored;
  let released = false;
  let lost = false;

  const refresh = async (callOptions: { readonly signal?: AbortSignal } = {}): Promise<void> => {
    if (released || lost) {
      return;
    }
    const existing = await readLock(client, key, callOptions);
    if (existing?.token !== stored.token) {
      lost = true;
      const error = new LockHeldError(
        existing?.holder
          ? `The lock ${key} was taken over by ${describeHolder(existing.holder)} while this apply was running.`
          : `The lock ${key} was removed while this apply was running (zenoo plan unlock?).`,
        key,
        existing?.holder,
      );
      options.onLost?.(error);
      throw error;
    }
    current = { ...current, expiresAt: new Date(options.now() + options.ttlMs).toISOString() };
    await client.executeKw(LOCK_MODEL, 'write', [[id], { value: JSON.stringify(current) }], {}, callOptions);
  };

  const timer = setInterval(() => {
    // A failed refresh (a transient network error) is retried at the next tick; a lost lock is reported by refresh.
    refresh().catch(() => undefined);
  }, options.refreshMs);
  // The refresh must not keep a finished process alive.
  timer.unref();

  return {
    key,
    id,
    holder: toHolder(stored),
    tookOverFrom,
    refresh,
    async release(callOptions: { readonly signal?: AbortSignal } = {}): Promise<void> {
      clearInterval(timer);
      if (released) {
        return;
      }
      released = true;
      // The lock must not outlive the apply because of one lost answer: the release is checked and tried again
      // (unlink is idempotent, and the token makes sure only our own lock is removed).
      for (let attempt = 1; ; attempt += 1) {
        try {
          const existing = await readLock(client, key, callOptions);
          if (existing?.token !== stored.token) return;
          await client.executeKw(LOCK_MODEL, 'unlink', [[existing.id]], {}, callOptions);
          return;
        } catch (error) {
          if (error instanceof MissingError) return;
          if (attempt >= RELEASE_ATTEMPTS || callOptions.signal?.aborted) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
        }
      }
    },
  };
}

/**
 * Deletes the lock of `planName` whoever holds it (`zenoo plan unlock`). Resolves to the holder removed, or undefined
 * when there was no lock.
 */
export async function forceReleaseLock(
  client: LockClient,
  planName: string,
  options: { readonly signal?: AbortSignal } = {},
): Promise<{ removed: boolean; holder: LockHolder | undefined }> {
  const key = lockKey(planName);
  const existing = await readLock(client, key, options);
  if (existing === undefined) {
    return { removed: false, holder: undefined };
  }
  try {
    await client.executeKw(LOCK_MODEL, 'unlink', [[existing.id]], {}, options);
  } catch (error) {
    if (!(error instanceof MissingError)) {
      throw error;
    }
  }
  return { removed: true, holder: existing.holder };
}
