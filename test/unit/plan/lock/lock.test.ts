import { describe, expect, it } from 'vitest';
import { LockHeldError, ValidationError } from '../../../../src/errors.js';
import { acquireLock, forceReleaseLock, lockKey, readLock, staleReason } from '../../../../src/plan/lock/lock.js';
import type { LockClient } from '../../../../src/plan/lock/lock.js';

/** An in-memory ir.config_parameter with Odoo's unique key constraint. */
function fakeTarget() {
  const rows = new Map<number, { key: string; value: string }>();
  let next = 1;
  const calls: string[] = [];
  const client: LockClient = {
    async executeKw(model, method, args) {
      calls.push(method);
      expect(model).toBe('ir.config_parameter');
      switch (method) {
        case 'create': {
          const [vals] = args[0] as { key: string; value: string }[];
          if ([...rows.values()].some((row) => row.key === vals!.key)) {
            throw new ValidationError({
              code: 200,
              message: 'Odoo Server Error',
              data: {
                name: 'odoo.exceptions.ValidationError',
                message: 'The operation cannot be completed: Key must be unique.',
              },
            });
          }
          const id = next++;
          rows.set(id, { ...vals! });
          return [id];
        }
        case 'search_read': {
          const [[[, , key]]] = args as [[[string, string, string]]];
          return [...rows.entries()]
            .filter(([, row]) => row.key === key)
            .map(([id, row]) => ({ id, value: row.value }));
        }
        case 'write': {
          const [[id], vals] = args as [[number], { value: string }];
          rows.get(id)!.value = vals.value;
          return true;
        }
        case 'unlink': {
          const [[id]] = args as [[number]];
          rows.delete(id);
          return true;
        }
        default:
          throw new Error(`unexpected ${method}`);
      }
    },
  };
  return { client, rows, calls };
}

const me = { host: 'h1', pid: 100, user: 'alice' };

describe('plan lock', () => {
  it('acquires by creating the unique key, stores the holder, and releases', async () => {
    const target = fakeTarget();
    const lock = await acquireLock(target.client, 'crm-seed', {
      identity: me,
      now: () => Date.parse('2026-01-01T00:00:00Z'),
    });
    expect(lock.key).toBe('zenoo.lock.crm-seed');
    expect(lock.tookOverFrom).toBeUndefined();
    const stored = JSON.parse([...target.rows.values()][0]!.value);
    expect(stored).toMatchObject({
      host: 'h1',
      pid: 100,
      user: 'alice',
      startedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-01T00:05:00.000Z',
    });
    await lock.release();
    await lock.release();
    expect(target.rows.size).toBe(0);
  });

  it('refuses a second holder, naming the holder and start time', async () => {
    const target = fakeTarget();
    const first = await acquireLock(target.client, 'p', { identity: me, isAlive: () => true });
    const second = acquireLock(target.client, 'p', { identity: { ...me, pid: 200 }, isAlive: () => true });
    await expect(second).rejects.toThrow(LockHeldError);
    await expect(acquireLock(target.client, 'p', { identity: { ...me, host: 'h2' } })).rejects.toThrow(
      /held by alice@h1 \(pid 100\) since \d{4}-/,
    );
    expect(target.rows.size).toBe(1);
    await first.release();
  });

  it('takes over a lock whose process is gone on this host, saying whose', async () => {
    const target = fakeTarget();
    await acquireLock(target.client, 'p', { identity: me });
    const lock = await acquireLock(target.client, 'p', {
      identity: { ...me, pid: 200 },
      isAlive: (pid) => pid !== 100,
    });
    expect(lock.tookOverFrom).toMatchObject({ pid: 100, host: 'h1' });
    expect(target.rows.size).toBe(1);
    expect((await readLock(target.client, lockKey('p')))?.holder?.pid).toBe(200);
    await lock.release();
  });

  it('takes over an expired lock from another host, but not a live one', async () => {
    const target = fakeTarget();
    let now = Date.parse('2026-01-01T00:00:00Z');
    await acquireLock(target.client, 'p', { identity: { ...me, host: 'other' }, now: () => now });
    await expect(acquireLock(target.client, 'p', { identity: me, now: () => now })).rejects.toThrow(LockHeldError);
    now += 6 * 60_000;
    const lock = await acquireLock(target.client, 'p', { identity: me, now: () => now });
    expect(lock.tookOverFrom?.host).toBe('other');
    await lock.release();
  });

  it('refresh pushes the expiry and reports a lost lock', async () => {
    const target = fakeTarget();
    let now = 0;
    const lost: Error[] = [];
    const lock = await acquireLock(target.client, 'p', {
      identity: me,
      now: () => now,
      onLost: (error) => lost.push(error),
    });
    now = 60_000;
    await lock.refresh();
    expect(JSON.parse([...target.rows.values()][0]!.value).expiresAt).toBe(new Date(360_000).toISOString());
    const forced = await forceReleaseLock(target.client, 'p');
    expect(forced).toMatchObject({ removed: true, holder: { pid: 100 } });
    await expect(lock.refresh()).rejects.toThrow(/removed while this apply was running/);
    expect(lost).toHaveLength(1);
    expect(await forceReleaseLock(target.client, 'p')).toEqual({ removed: false, holder: undefined });
    await lock.release();
  });

  it('does not release a lock that is no longer its own', async () => {
    const target = fakeTarget();
    const lock = await acquireLock(target.client, 'p', { identity: me });
    await forceReleaseLock(target.client, 'p');
    const other = await acquireLock(target.client, 'p', { identity: { ...me, host: 'h2' } });
    await lock.release();
    expect((await readLock(target.client, lockKey('p')))?.holder?.host).toBe('h2');
    await other.release();
  });

  it('validates its options', async () => {
    const target = fakeTarget();
    await expect(acquireLock(target.client, 'p', { ttlMs: 1000, refreshMs: 1000 })).rejects.toThrow(TypeError);
    await expect(acquireLock(target.client, '')).rejects.toThrow(TypeError);
    expect(
      staleReason(
        { host: 'h', pid: 1, user: 'u', startedAt: 'x', expiresAt: '2000-01-01T00:00:00Z' },
        { now: Date.now(), host: 'z', isAlive: () => true },
      ),
    ).toMatch(/expired/);
  });
});
