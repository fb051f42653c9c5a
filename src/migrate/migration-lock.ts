/**
 * The target's migrations lock: `zenoo migrate` holds it for the whole run, and refuses to start while a plan apply
 * holds a live plan lock on the target.
 *
 * @packageDocumentation
 */
import { LockHeldError } from '../errors.js';
import type { HeldLock, LockClient, LockOptions } from '../plan/lock/lock.js';
import {
  LOCK_KEY_PREFIX,
  LOCK_MODEL,
  MIGRATIONS_LOCK_NAME,
  acquireLock,
  describeHolder,
  readLock,
  isLockLive,
} from '../plan/lock/lock.js';
import type { AcquireMigrationLock } from './migrator-options.js';

/**
 * The migrations lock of a target: the apply lock (`ir.config_parameter` `zenoo.lock.*`, see `lock.ts`) under
 * {@link MIGRATIONS_LOCK_NAME}, so that two `zenoo migrate` runs never change one ledger at once.
 */
export function targetMigrationLock(
  client: LockClient,
  options: Omit<LockOptions, 'signal'> = {},
): AcquireMigrationLock {
  return async ({ signal }) => {
    let held: HeldLock;
    try {
      held = await acquireLock(client, MIGRATIONS_LOCK_NAME, { ...options, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (error instanceof LockHeldError) {
        throw new LockHeldError(
          `Another \`zenoo migrate\` run holds the lock ${error.key} on this target` +
            (error.holder === undefined
              ? ''
              : `: ${describeHolder(error.holder)} (expires ${error.holder.expiresAt})`) +
            '. Wait for it to finish; if it died on another host, release the lock with `zenoo migrate unlock`.',
          error.key,
          error.holder,
          { cause: error },
        );
      }
      throw error;
    }
    try {
      await refuseRunningApplies(client, held.key, options, signal);
    } catch (error) {
      await held.release().catch(() => undefined);
      throw error;
    }
    return held;
  };
}

/**
 * Throws {@link LockHeldError} when a plan apply holds its lock in the target: a migration run must not start while
 * an apply writes (the apply of a migration's own plan would also be refused later by its plan lock, but only after
 * the earlier migrations ran). Stale locks (expired, or of a dead process of this host) do not count.
 */
export async function refuseRunningApplies(
  client: LockClient,
  ownKey: string,
  options: Omit<LockOptions, 'signal'>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const rows = (await client.executeKw(
    LOCK_MODEL,
    'search_read',
    [[['key', '=like', `${LOCK_KEY_PREFIX}%`]]],
    { fields: ['key'] },
    signal ? { signal } : {},
  )) as { key: string }[];
  for (const { key } of rows) {
    if (key === ownKey || !key.startsWith(LOCK_KEY_PREFIX)) {
      continue;
    }
    const lock = await readLock(client, key, signal ? { signal } : {});
    if (!isLockLive(lock, options)) continue;
    const holder = lock?.holder;
    throw new LockHeldError(
      `A plan apply is running on this target: the lock ${key} is held` +
        (holder === undefined ? '' : ` by ${describeHolder(holder)} (expires ${holder.expiresAt})`) +
        '. Migrations do not run while an apply writes: wait for it to finish, or release a stuck lock with `zenoo plan unlock`.',
      key,
      holder,
    );
  }
}
