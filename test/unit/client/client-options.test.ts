import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_SOCKETS,
  DEFAULT_TIMEOUT_MS,
  normalizeBaseUrl,
  resolveClientOptions,
} from '../../../src/client/client-options.js';
import type { OdooClientOptions } from '../../../src/client/client-options.js';
import { DEFAULT_RETRY_OPTIONS } from '../../../src/client/retry-policy.js';

const base: OdooClientOptions = {
  url: 'http://127.0.0.1:8069/',
  db: 'zenoo',
  username: 'admin',
  password: 'pw-canary-1',
};

describe('resolveClientOptions', () => {
  it('applies defaults, freezes, and keeps the secret apart', () => {
    const { options, secret } = resolveClientOptions(base);
    expect(options).toEqual({
      url: 'http://127.0.0.1:8069',
      db: 'zenoo',
      username: 'admin',
      secretKind: 'password',
      mode: 'jsonrpc',
      timeoutMs: DEFAULT_TIMEOUT_MS,
      retry: DEFAULT_RETRY_OPTIONS,
      maxSockets: DEFAULT_MAX_SOCKETS,
      context: {},
    });
    expect(Object.isFrozen(options)).toBe(true);
    expect(secret).toBe('pw-canary-1');
    expect(JSON.stringify(options)).not.toContain('pw-canary-1');
  });

  it('accepts an API key', () => {
    const { options, secret } = resolveClientOptions({
      url: base.url,
      db: 'zenoo',
      username: 'admin',
      apiKey: 'key-1',
    });
    expect([options.secretKind, secret]).toEqual(['apiKey', 'key-1']);
  });

  it.each<[string, Partial<OdooClientOptions> & Record<string, unknown>, RegExp]>([
    ['no secret', { password: undefined }, /exactly one of `password` and `apiKey`/],
    ['two secrets', { apiKey: 'k' }, /exactly one of `password` and `apiKey`/],
    ['empty password', { password: '' }, /`password`/],
    ['empty db', { db: '' }, /`db`/],
    ['empty username', { username: ' ' }, /`username`/],
    ['bad mode', { mode: 'xmlrpc' as never }, /`mode`/],
    ['api key in session mode', { password: undefined, apiKey: 'k', mode: 'session' }, /passwords only/],
    ['bad timeout', { timeoutMs: 0 }, /`timeoutMs`/],
    ['bad maxSockets', { maxSockets: 1.5 }, /`maxSockets`/],
    ['bad context', { context: [] as never }, /`context`/],
    ['bad retry', { retry: { limit: -1 } }, /retry\.limit/],
  ])('rejects %s', (_name, override, message) => {
    expect(() => resolveClientOptions({ ...base, ...override } as OdooClientOptions)).toThrow(TypeError);
    expect(() => resolveClientOptions({ ...base, ...override } as OdooClientOptions)).toThrow(message);
  });
});

describe('normalizeBaseUrl', () => {
  it('keeps a path prefix and drops trailing slashes', () => {
    expect(normalizeBaseUrl('https://erp.example.com/odoo//')).toBe('https://erp.example.com/odoo');
  });

  it.each([
    ['not a url', /absolute http\(s\) URL/],
    ['ftp://x', /http or https/],
    ['http://user:secret-in-url@x', /without credentials/],
    ['http://x/?db=1', /without query/],
  ])('rejects %s without echoing it', (url, message) => {
    expect(() => normalizeBaseUrl(url)).toThrow(message);
    try {
      normalizeBaseUrl(url);
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-in-url');
    }
  });
});
