import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxDatabase } from '../../../../src/sandbox/orm/sandbox-database.js';
import { openTestDb } from './orm-test-helpers.js';

describe('persistence', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zenoo-orm-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reopening a file keeps records, external ids, users and the API key', () => {
    const file = join(dir, 'sandbox.db');
    const first = openTestDb(file);
    const { ids } = first.call('res.partner', 'load', [
      ['id', 'name', 'country_id/id'],
      [['keep.p1', 'Kept', 'base.be']],
    ]);
    first.call('res.users', 'create', [{ name: 'Second', login: 'second', password: 'pw2' }]);
    first.call('ir.config_parameter', 'set_param', ['k', 'v']);
    const apiKey = first.db.apiKey;
    expect(apiKey).toMatch(/^[0-9a-f]{40}$/);
    first.db.close();

    const second = openTestDb(file);
    try {
      expect(second.db.apiKey).toBe(apiKey);
      expect(second.call('ir.model.data', 'check_object_reference', ['keep', 'p1'])).toEqual(['res.partner', ids[0]]);
      expect(second.call('res.partner', 'read', [ids, ['name', 'country_id']])).toEqual([
        { id: ids[0], name: 'Kept', country_id: [20, 'Belgium'] },
      ]);
      expect(second.call('ir.config_parameter', 'get_param', ['k'])).toBe('v');
      expect(second.db.authenticate('second', 'pw2', { allowApiKey: false })).toBe(6);
      expect(second.call('res.country', 'search_count', [[]])).toBe(250);
      // New ids continue after the old ones.
      expect(second.call('res.partner', 'create', [{ name: 'Next' }])).toBeGreaterThan(ids[0]);
    } finally {
      second.db.close();
    }
  });

  it('refuses a file that is not a sandbox database, and bad options', () => {
    const file = join(dir, 'other.db');
    const other = openTestDb(join(dir, 'scratch.db'));
    other.db.close();
    writeFileSync(file, '');
    const empty = SandboxDatabase.open({ file });
    empty.close();
    expect(() => SandboxDatabase.open({ file: '' })).toThrow(TypeError);
    expect(() => SandboxDatabase.open(42 as never)).toThrow(TypeError);
  });
});

describe('authentication', () => {
  it('accepts the admin password everywhere and the API key only where allowed', () => {
    const t = openTestDb();
    try {
      expect(t.db.authenticate('admin', 'admin', { allowApiKey: false })).toBe(2);
      expect(t.db.authenticate('admin', 'wrong', { allowApiKey: true })).toBe(false);
      expect(t.db.authenticate('admin', t.db.apiKey, { allowApiKey: false })).toBe(false);
      expect(t.db.authenticate('admin', t.db.apiKey, { allowApiKey: true })).toBe(2);
      expect(t.db.authenticate('nobody', 'admin', { allowApiKey: true })).toBe(false);
      expect(t.db.checkCredentials(2, 'admin', { allowApiKey: false })).toBe(true);
      expect(t.db.checkCredentials(2, '', { allowApiKey: true })).toBe(false);
      expect(t.db.checkCredentials(0, 'admin', { allowApiKey: true })).toBe(false);
      expect(t.db.checkCredentials(2, t.db.apiKey, { allowApiKey: true })).toBe(true);
      expect(t.db.loginOf(2)).toBe('admin');
      expect(t.db.loginOf(999)).toBeUndefined();
    } finally {
      t.db.close();
    }
  });
});

describe('speed on 100,000 partners', () => {
  it('creates 100,000 partners in chunks of 100 quickly and finds 100 refs in a few ms', () => {
    const t = openTestDb();
    try {
      const started = performance.now();
      for (let chunk = 0; chunk < 1000; chunk += 1) {
        const vals = Array.from({ length: 100 }, (_, i) => {
          const n = chunk * 100 + i;
          return {
            name: `Partner ${n}`,
            ref: `R${n}`,
            email: `p${n}@example.com`,
            country_id: 20,
            is_company: n % 10 === 0,
          };
        });
        t.call('res.partner', 'create', [vals], { context: { tracking_disable: true } });
      }
      const createMs = performance.now() - started;
      expect(t.call('res.partner', 'search_count', [[['ref', '=like', 'R%']]])).toBe(100_000);
      // Budget is 20 s of server time; leave room for a slow shared machine but catch accidental O(n²) behaviour.
      expect(createMs).toBeLessThan(15_000);

      const refs = Array.from({ length: 100 }, (_, i) => `R${i * 997}`);
      t.call('res.partner', 'search_read', [[['ref', 'in', refs]]], { fields: ['ref', 'name', 'country_id'] });
      const t0 = performance.now();
      const rows = t.call('res.partner', 'search_read', [[['ref', 'in', refs]]], {
        fields: ['ref', 'name', 'country_id'],
      });
      const readMs = performance.now() - t0;
      expect(rows).toHaveLength(100);
      expect(readMs).toBeLessThan(50);
    } finally {
      t.db.close();
    }
  }, 60_000);
});
