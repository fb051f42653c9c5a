// Replays EVERY exchange of the JSON-2 capture (test/fixtures/odoo/wire-odoo-19.0-json2.txt), in order, against a
// freshly started sandbox posing as Odoo 19.0, or against a real Odoo 19 when ZENOO_TEST_URL and ZENOO_TEST_API_KEY
// are set (with ZENOO_TEST_DB, and ZENOO_TEST_USER / ZENOO_TEST_PASSWORD for the capture's common.login, which also
// accepts the API key). Use a fresh database with only the modules a new 19.0 database installs, no demo data: the
// capture counts records. With ZENOO_TEST_URL but no ZENOO_TEST_API_KEY (a 17.0 server) the replay is skipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { loadJson2WireFile } from './json2-wire-file.js';
import { Json2Replayer, type Json2ReplayTarget } from './json2-replay.js';

const env = process.env;
const url = env['ZENOO_TEST_URL'] ?? '';
const apiKey = env['ZENOO_TEST_API_KEY'] ?? '';
const realOdoo: Json2ReplayTarget | undefined =
  url !== '' && apiKey !== ''
    ? {
        url: url.replace(/\/+$/, ''),
        db: env['ZENOO_TEST_DB'] ?? '',
        login: env['ZENOO_TEST_USER'] ?? 'admin',
        password: env['ZENOO_TEST_PASSWORD'] ?? apiKey,
        apiKey,
      }
    : undefined;
const skip = url !== '' && apiKey === '';

const exchanges = loadJson2WireFile();

describe.skipIf(skip)(`JSON-2 capture against ${realOdoo ? realOdoo.url : 'a 19.0 sandbox'}`, () => {
  let sandbox: Sandbox | undefined;
  let replayer: Json2Replayer;

  beforeAll(async () => {
    let target = realOdoo;
    if (target === undefined) {
      sandbox = await startSandbox({ odooVersion: '19.0' });
      target = {
        url: sandbox.url,
        db: sandbox.db,
        login: sandbox.login,
        password: sandbox.password,
        apiKey: sandbox.apiKey,
      };
    }
    replayer = new Json2Replayer(target);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('holds every exchange of the capture', () => {
    expect(exchanges.map((exchange) => exchange.number)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
  });

  for (const exchange of exchanges) {
    it(`${exchange.number}. ${exchange.title} (wire line ${exchange.line})`, async () => {
      const outcome = await replayer.replay(exchange);
      expect(outcome.problems, `sent ${String(outcome.sent)}\ngot ${outcome.status} ${outcome.body}`).toEqual([]);
    });
  }

  it.skipIf(realOdoo !== undefined)('made every ORM call on /json/2 and only the login on /jsonrpc', () => {
    const byEndpoint = sandbox?.stats.callsByEndpoint ?? {};
    expect(byEndpoint['/jsonrpc']).toBe(2);
    expect(byEndpoint['/web/webclient/version_info']).toBe(1);
    expect(Object.keys(byEndpoint).sort()).toEqual(['/json/2', '/jsonrpc', '/web/webclient/version_info']);
  });
});
