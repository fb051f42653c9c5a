/**
 * An apply never writes while `zenoo migrate` holds the target's migrations lock (a live one: stale locks do not
 * count, by the same rules as a lock takeover).
 *
 * @packageDocumentation
 */
import { LockHeldError } from '../../errors.js';
import { MIGRATIONS_LOCK_NAME, describeHolder, isLockLive, lockKey, readLock } from '../lock/lock.js';
import type { ApplyClient, ApplyOptions } from './apply-options.js';

/**
 * Throws {@link LockHeldError} when `zenoo migrate` holds the target's migrations lock (and it is live: stale locks,
 * expired or of a dead process of this host, do not count, by the same rules as a lock takeover).
 */
export async function refuseDuringMigrations(client: ApplyClient, options: ApplyOptions): Promise<void> {
  const key = lockKey(MIGRATIONS_LOCK_NAME);
  const existing = await readLock(client, key, options.signal ? { signal: options.signal } : {});
  if (!isLockLive(existing, options.lock === false ? {} : (options.lock ?? {}))) return;
  const holder = existing?.holder;
  throw new LockHeldError(
    `A \`zenoo migrate\` run is in progress on this target: the lock ${key} is held` +
      (holder === undefined ? '' : ` by ${describeHolder(holder)} (expires ${holder.expiresAt})`) +
      '. Plans are not applied while migrations run: wait for it to finish, or release a stuck lock with ' +
      '`zenoo migrate unlock`.',
    key,
    holder,
  );
}
