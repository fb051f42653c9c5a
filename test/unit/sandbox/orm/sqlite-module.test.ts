import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../../src/errors.js';
import { sqliteModule } from '../../../../src/sandbox/orm/sqlite-module.js';

describe('sqliteModule', () => {
  it('loads better-sqlite3 once', () => {
    expect(typeof sqliteModule()).toBe('function');
    expect(sqliteModule()).toBe(sqliteModule());
  });

  it('says how to install the optional module when it is missing, and that the rest works without it', () => {
    const missing = (): never => {
      throw Object.assign(new Error("Cannot find module 'better-sqlite3'"), { code: 'MODULE_NOT_FOUND' });
    };
    expect(() => sqliteModule(missing)).toThrow(ConfigurationError);
    expect(() => sqliteModule(missing)).toThrow(/npm install better-sqlite3/);
    expect(() => sqliteModule(missing)).toThrow(/Everything but the sandbox works without it/);
    expect(() => sqliteModule(missing)).toThrow(/Cannot find module 'better-sqlite3'/);
  });
});
