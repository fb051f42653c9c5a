import { describe, expect, it } from 'vitest';
import { MigrationError, OutcomeUnknownError, ValidationError } from '../../../src/errors.js';
import { ConfigParameterLedgerStore, ledgerKey } from '../../../src/migrate/config-parameter-ledger-store.js';
import type { LedgerClient } from '../../../src/migrate/config-parameter-ledger-store.js';
import { parseLedgerEntry, serializeLedgerEntry, verifyLedgerStore } from '../../../src/migrate/ledger.js';
import type { LedgerEntry, LedgerStore } from '../../../src/migrate/ledger.js';
import { memoryLedgerStore } from '../../../src/migrate/memory-ledger-store.js';

function entry(version: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    version,
    name: `m${version}`,
    checksum: `sum-${version}`,
    appliedAt: '2026-11-29T08:00:00.000Z',
    durationMs: 12,
    zenooVersion: '0.1.0',
    appliedBy: 'alice@h1 (odoo: admin)',
    kind: 'apply',
    ...overrides,
  };
}

const uniqueKeyFault = () =>
  new ValidationError({
    code: 200,
    message: 'Odoo Server Error',
    data: {
      name: 'odoo.exceptions.ValidationError',
      message: 'The operation cannot be completed: Key must be unique.',
    },
  });

/** An in-memory ir.config_parameter with Odoo's unique key, `=` and `=like` on key, and scripted failures. */
function fakeTarget() {
  const rows = new Map<number, { key: string; value: string }>();
  let next = 1;
  const failures: ('lost-after-commit' | 'lost-before-commit')[] = [];
  const client: LedgerClient = {
    async executeKw(model, method, args) {
      expect(model).toBe('ir.config_parameter');
      switch (method) {
        case 'create': {
          const [vals] = args[0] as { key: string; value: string }[];
          const failure = failures.shift();
          if (failure === 'lost-before-commit') {
            throw new OutcomeUnknownError('socket hang up', [vals]);
          }
          if ([...rows.values()].some((row) => row.key === vals!.key)) {
            throw uniqueKeyFault();
          }
          const id = next++;
          rows.set(id, { ...vals! });
          if (failure === 'lost-after-commit') {
            throw new OutcomeUnknownError('socket hang up', [vals]);
          }
          return [id];
        }
        case 'search_read': {
          const [[[, operator, pattern]]] = args as [[[string, string, string]]];
          const match =
            operator === '=like'
              ? (key: string) =>
                  new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/%/g, '.*').replace(/_/g, '.')}$`).test(key)
              : (key: string) => key === pattern;
          return [...rows.entries()].filter(([, row]) => match(row.key)).map(([id, row]) => ({ id, ...row }));
        }
        case 'write': {
          const [[id], vals] = args as [[number], { value: string }];
          rows.get(id)!.value = vals.value;
          return true;
        }
        default:
          throw new Error(`unexpected ${method}`);
      }
    },
  };
  return { client, rows, failures };
}

function contract(name: string, make: () => { store: LedgerStore; stored: () => LedgerEntry[] }) {
  describe(`${name} ledger store`, () => {
    it('inserts, lists in version order, and replaces', async () => {
      const { store, stored } = make();
      verifyLedgerStore(store);
      await store.insert(entry('0010'));
      await store.insert(entry('0002'));
      expect((await store.list()).map((e) => e.version)).toEqual(['0002', '0010']);
      await store.replace(entry('0002', { checksum: 'new', repairedAt: '2026-11-30T00:00:00.000Z' }));
      expect(stored().find((e) => e.version === '0002')).toEqual(
        entry('0002', { checksum: 'new', repairedAt: '2026-11-30T00:00:00.000Z' }),
      );
    });

    it('refuses to record a version twice and to replace an unknown one', async () => {
      const { store, stored } = make();
      await store.insert(entry('0001'));
      const error = await store.insert(entry('0001', { checksum: 'other' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).code).toBe('ERR_MIGRATION_LEDGER');
      expect(stored()).toEqual([entry('0001')]);
      await expect(store.replace(entry('0009'))).rejects.toThrow(/not recorded/);
    });
  });
}

contract('memory', () => {
  const store = memoryLedgerStore();
  return { store, stored: () => store.snapshot() };
});

contract('ir.config_parameter', () => {
  const target = fakeTarget();
  return {
    store: new ConfigParameterLedgerStore(target.client),
    stored: () => [...target.rows.values()].map((row) => parseLedgerEntry(JSON.parse(row.value), row.key)),
  };
});

describe('ConfigParameterLedgerStore', () => {
  it('stores one key per migration with the entry as JSON', async () => {
    const target = fakeTarget();
    const store = new ConfigParameterLedgerStore(target.client);
    await store.insert(entry('0001'));
    const [row] = [...target.rows.values()];
    expect(row?.key).toBe('zenoo.migration.0001');
    expect(JSON.parse(row!.value)).toEqual({ format: 1, ...entry('0001') });
  });

  it('ignores other parameters and reports a damaged entry by key', async () => {
    const target = fakeTarget();
    target.rows.set(100, { key: 'zenoo.lock.x', value: '{}' });
    target.rows.set(101, { key: 'web.base.url', value: 'http://x' });
    const store = new ConfigParameterLedgerStore(target.client);
    expect(await store.list()).toEqual([]);
    target.rows.set(102, { key: ledgerKey('0003'), value: 'not json' });
    await expect(store.list()).rejects.toThrow(/zenoo\.migration\.0003" is damaged: it is not a JSON object/);
    target.rows.set(102, { key: ledgerKey('0003'), value: serializeLedgerEntry(entry('0004')) });
    await expect(store.list()).rejects.toThrow(/records version 0004/);
  });

  it('treats a lost answer of a committed create as success, without a second record', async () => {
    const target = fakeTarget();
    target.failures.push('lost-after-commit');
    await new ConfigParameterLedgerStore(target.client).insert(entry('0001'));
    expect(target.rows.size).toBe(1);
  });

  it('creates again when a lost create did not commit', async () => {
    const target = fakeTarget();
    target.failures.push('lost-before-commit');
    await new ConfigParameterLedgerStore(target.client).insert(entry('0001'));
    expect([...target.rows.values()].map((row) => row.key)).toEqual(['zenoo.migration.0001']);
  });

  it('validates its client', () => {
    expect(() => new ConfigParameterLedgerStore({} as LedgerClient)).toThrow(TypeError);
  });
});

describe('parseLedgerEntry', () => {
  it('defaults kind to apply and rejects bad fields', () => {
    const { kind: _kind, ...old } = entry('0001');
    expect(parseLedgerEntry(old, 'k').kind).toBe('apply');
    expect(() => parseLedgerEntry({ ...old, durationMs: -1 }, 'k')).toThrow(/durationMs/);
    expect(() => parseLedgerEntry({ ...old, version: 'v1' }, 'k')).toThrow(/not a migration version/);
    expect(() => parseLedgerEntry({ ...old, checksum: '' }, 'k')).toThrow(/"checksum" is missing/);
  });
});
