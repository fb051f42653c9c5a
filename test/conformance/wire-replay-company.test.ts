// Replays EVERY exchange of the company capture (test/fixtures/odoo/wire-odoo-17.0-company.txt), in order, against a
// freshly started company sandbox, or against a real Odoo 17.0 company database when ZENOO_TEST_URL, ZENOO_TEST_USER,
// ZENOO_TEST_PASSWORD and ZENOO_TEST_COMPANY_DB are set (a fresh database with sale_management, stock, purchase, mrp,
// crm, hr and account installed, no demo data). With ZENOO_TEST_URL alone (a base database) the replay is skipped.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { loadWireFile } from './wire-file.js';
import { WireReplayer, type RecordedCredentials, type ReplayTarget } from './wire-replay.js';

const COMPANY_WIRE_FILE = fileURLToPath(new URL('../fixtures/odoo/wire-odoo-17.0-company.txt', import.meta.url));

/** Database, login and password of the company capture. */
const RECORDED_COMPANY: RecordedCredentials = Object.freeze({ db: 'zenoo_wide', login: 'admin', password: 'admin' });

const env = process.env;
const url = env['ZENOO_TEST_URL'] ?? '';
const companyDb = env['ZENOO_TEST_COMPANY_DB'] ?? '';
const realOdoo: ReplayTarget | undefined =
  url !== '' && companyDb !== ''
    ? {
        url: url.replace(/\/+$/, ''),
        db: companyDb,
        login: env['ZENOO_TEST_USER'] ?? '',
        password: env['ZENOO_TEST_PASSWORD'] ?? '',
        isRealOdoo: true,
      }
    : undefined;
const skip = url !== '' && companyDb === '';

const [capture] = loadWireFile(COMPANY_WIRE_FILE);
const exchanges = capture?.exchanges ?? [];

describe.skipIf(skip)(`company capture against ${realOdoo ? realOdoo.url : 'the company sandbox'}`, () => {
  let sandbox: Sandbox | undefined;
  let replayer: WireReplayer;

  beforeAll(async () => {
    let target = realOdoo;
    if (target === undefined) {
      sandbox = await startSandbox({ models: 'company' });
      target = {
        url: sandbox.url,
        db: sandbox.db,
        login: sandbox.login,
        password: sandbox.password,
        isRealOdoo: false,
      };
    }
    replayer = new WireReplayer(target, RECORDED_COMPANY);
    const auth = await fetch(`${target.url}/jsonrpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        method: 'call',
        id: 0,
        params: { service: 'common', method: 'authenticate', args: [target.db, target.login, target.password, {}] },
      }),
    });
    const uid = ((await auth.json()) as { result?: unknown }).result;
    if (typeof uid !== 'number')
      throw new Error(`cannot authenticate ${target.login} on ${target.url} (db ${target.db})`);
    replayer.ids.learn('res.users', 2, uid);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('holds every exchange of the capture', () => {
    expect(exchanges).toHaveLength(58);
  });

  for (const exchange of exchanges) {
    it(`${exchange.title} (wire line ${exchange.line})`, async () => {
      const outcome = await replayer.replay(exchange);
      expect(outcome.problems, `sent ${JSON.stringify(outcome.params)}\ngot ${JSON.stringify(outcome.body)}`).toEqual(
        [],
      );
    });
  }
});
