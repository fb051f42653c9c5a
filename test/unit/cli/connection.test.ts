import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigurationError } from '../../../src/errors.js';
import { describeConnection, resolveConnection } from '../../../src/cli/connection.js';
import { errorMessage } from '../../../src/cli/commands/plan-target.js';

function configDir(yaml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'zenoo-conn-'));
  if (yaml !== undefined) writeFileSync(join(dir, 'zenoo.config.yaml'), yaml);
  return dir;
}

const PROFILES = `default_profile: staging
profiles:
  staging: { url: "https://staging.example", db: stage, user: bot, api_key: profile-key }
  prod: { url: "https://prod.example", db: prod, user: admin, password: profile-pass }
`;

describe('resolveConnection', () => {
  test('flags > environment > profile, per setting', async () => {
    const cwd = configDir(PROFILES);
    const env = { ZENOO_DB: 'env-db', ZENOO_PASSWORD: 'env-pass' };
    const resolved = await resolveConnection({ url: 'https://flag.example' }, { cwd, env });
    expect(resolved).toEqual({
      kind: 'remote',
      url: 'https://flag.example',
      db: 'env-db',
      user: 'bot',
      password: 'env-pass',
      apiKey: undefined,
      profile: 'staging',
      transport: 'auto',
      sources: { url: 'flag', db: 'env', user: 'profile', secret: 'env', transport: 'default' },
    });
    expect(describeConnection(resolved)).toBe(
      'https://flag.example db env-db as bot (password from env, profile staging)',
    );
    expect(describeConnection(resolved)).not.toContain('env-pass');
  });

  test('--profile and ZENOO_PROFILE choose the profile; the default profile applies otherwise', async () => {
    const cwd = configDir(PROFILES);
    expect(await resolveConnection({ profile: 'prod' }, { cwd, env: { ZENOO_PROFILE: 'staging' } })).toMatchObject({
      url: 'https://prod.example',
      password: 'profile-pass',
      apiKey: undefined,
    });
    expect(await resolveConnection({}, { cwd, env: { ZENOO_PROFILE: 'prod' } })).toMatchObject({ db: 'prod' });
    expect(await resolveConnection({}, { cwd, env: {} })).toMatchObject({
      db: 'stage',
      apiKey: 'profile-key',
      password: undefined,
    });
    await expect(resolveConnection({ profile: 'qa' }, { cwd, env: {} })).rejects.toThrow(
      /has no profile "qa" \(profiles: staging, prod\)/,
    );
  });

  test('a flag secret replaces a profile secret of the other kind', async () => {
    const cwd = configDir(PROFILES);
    expect(await resolveConnection({ password: 'flag-pass' }, { cwd, env: {} })).toMatchObject({
      password: 'flag-pass',
      apiKey: undefined,
      sources: { secret: 'flag' },
    });
    await expect(resolveConnection({ password: 'a', apiKey: 'b' }, { cwd, env: {} })).rejects.toThrow(
      'both --password and --api-key are given; give only one',
    );
  });

  test('no target, or an incomplete one, is a clear error saying how to give one', async () => {
    const cwd = configDir();
    const none = await resolveConnection({}, { cwd, env: {} }).catch((error: unknown) => error);
    expect(none).toBeInstanceOf(ConfigurationError);
    expect((none as Error).message).toMatch(/^no Odoo target: give --url, --db, --user and --password/);
    expect((none as Error).message).toContain('--sandbox');
    await expect(
      resolveConnection({ url: 'http://127.0.0.1:8069' }, { cwd, env: { ZENOO_USER: 'admin' } }),
    ).rejects.toThrow(
      'incomplete Odoo target: missing the database (--db or ZENOO_DB), the password (--password or ZENOO_PASSWORD) or API key (--api-key or ZENOO_API_KEY)',
    );
    await expect(resolveConnection({ profile: 'x' }, { cwd, env: {} })).rejects.toThrow(/does not exist/);
  });

  test('--sandbox [FILE] is exclusive with remote flags', async () => {
    const cwd = configDir();
    expect(await resolveConnection({ sandbox: true }, { cwd, env: { ZENOO_URL: 'ignored' } })).toEqual({
      kind: 'sandbox',
      file: join(cwd, '.zenoo/sandbox.sqlite'),
      transport: 'auto',
    });
    expect(await resolveConnection({ sandbox: 'data/s.sqlite' }, { cwd })).toEqual({
      kind: 'sandbox',
      file: join(cwd, 'data/s.sqlite'),
      transport: 'auto',
    });
    await expect(resolveConnection({ sandbox: true, url: 'http://x' }, { cwd })).rejects.toThrow(
      /--sandbox cannot be combined/,
    );
  });

  test("the transport: --transport > ZENOO_TRANSPORT > the profile's transport > auto, each value checked", async () => {
    const cwd = configDir(
      'profiles:\n  new: { url: "https://new.example", db: n, user: bot, api_key: k, transport: json2 }\n' +
        '  old: { url: "https://old.example", db: o, user: bot, password: p, transport: jsonrpc }\n',
    );
    expect(await resolveConnection({ profile: 'new' }, { cwd, env: {} })).toMatchObject({
      transport: 'json2',
      sources: { transport: 'profile' },
    });
    expect(await resolveConnection({ profile: 'new' }, { cwd, env: { ZENOO_TRANSPORT: 'auto' } })).toMatchObject({
      transport: 'auto',
      sources: { transport: 'env' },
    });
    expect(
      await resolveConnection({ profile: 'new', transport: 'jsonrpc' }, { cwd, env: { ZENOO_TRANSPORT: 'auto' } }),
    ).toMatchObject({ transport: 'jsonrpc', sources: { transport: 'flag' } });
    expect(await resolveConnection({ sandbox: true, transport: 'jsonrpc' }, { cwd, env: {} })).toMatchObject({
      kind: 'sandbox',
      transport: 'jsonrpc',
    });
    await expect(resolveConnection({ profile: 'new' }, { cwd, env: { ZENOO_TRANSPORT: 'xmlrpc' } })).rejects.toThrow(
      'ZENOO_TRANSPORT must be one of auto, json2, jsonrpc, got "xmlrpc"',
    );
    const password = await resolveConnection({ profile: 'old', transport: 'json2' }, { cwd, env: {} }).catch(
      (error: unknown) => error,
    );
    expect(password).toBeInstanceOf(ConfigurationError);
    expect((password as Error).message).toContain('transport json2 (Odoo 19 and later) authenticates with an API key');
    expect((password as Error).message).toContain('Preferences → Account Security → New API Key');
    expect((password as Error).message).not.toContain(': p');
  });

  test('a malformed config file is named', async () => {
    await expect(
      resolveConnection({}, { cwd: configDir('profiles:\n  a: { url: x, passwd: y }\n'), env: {} }),
    ).rejects.toThrow(/zenoo.config.yaml: profile "a" has unknown key "passwd"/);
  });
});

describe('a bad URL', () => {
  test('is refused where it was given, in words, without a class name', async () => {
    const cwd = configDir();
    const target = { db: 'd', user: 'u', password: 'p' };
    await expect(resolveConnection({ url: 'erp.example.com', ...target }, { cwd, env: {} })).rejects.toThrow(
      new ConfigurationError(
        '--url "erp.example.com" is not a usable Odoo URL: expected the URL to be an absolute http(s) URL, e.g. https://erp.example.com',
      ),
    );
    await expect(resolveConnection(target, { cwd, env: { ZENOO_URL: 'ftp://erp.example.com' } })).rejects.toThrow(
      'ZENOO_URL "ftp://erp.example.com" is not a usable Odoo URL: expected the URL to use http or https, got ftp:',
    );
    expect(errorMessage(new TypeError('Expected `x`'))).toBe('Expected `x`');
    expect(errorMessage(new TypeError('Expected `x`'))).not.toContain('TypeError');
  });
});
