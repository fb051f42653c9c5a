import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catchOdoo, expectWireError, openTestDb, wire } from './orm-test-helpers.js';
import type { TestDb } from './orm-test-helpers.js';

/** Runs the execute_kw of a captured exchange against the sandbox, as `uid` with the captured arguments. */
function replay(t: TestDb, title: string, uid?: number): unknown {
  const [, capturedUid, , model, method, args, kwargs] = wire(title).request.args as unknown[];
  return t.call(
    model as string,
    method as string,
    args as unknown[],
    (kwargs ?? {}) as Record<string, unknown>,
    uid ?? (capturedUid as number),
  );
}

describe('ORM errors are exactly the captured Odoo 17.0 errors', () => {
  let t: TestDb;
  beforeEach(() => {
    t = openTestDb();
  });
  afterEach(() => t.db.close());

  it('write on deleted ids raises MissingError naming the first missing id', () => {
    const ids = t.call('res.partner', 'create', [[{ name: 'A' }, { name: 'B' }]]);
    t.call('res.partner', 'unlink', [ids]);
    const error = catchOdoo(() => t.call('res.partner', 'write', [ids, { email: 'x@example.com' }]));
    expect(error.odooName).toBe('odoo.exceptions.MissingError');
    expect(error.message).toBe(
      `Record does not exist or has been deleted.\n(Record: res.partner(${ids[0]},), User: 2)`,
    );
    expect(t.call('res.partner', 'read', [ids, ['name']])).toEqual([]);
    const again = catchOdoo(() => t.call('res.partner', 'unlink', [ids]));
    expect(again.message).toBe(error.message);
  });

  it('write on the captured ids 7 and 8 after unlink reproduces the capture', () => {
    expect(
      t.call('res.partner', 'create', [[{ name: 'Probe A', email: 'a@example.com' }, { name: 'Probe B' }]]),
    ).toEqual([7, 8]);
    t.call('res.partner', 'unlink', [[7, 8]]);
    expectWireError(
      catchOdoo(() => replay(t, 'ERROR write on deleted ids (MissingError)')),
      'ERROR write on deleted ids (MissingError)',
    );
    expectWireError(
      catchOdoo(() => replay(t, 'unlink on deleted ids')),
      'unlink on deleted ids',
    );
  });

  const simple = [
    'ERROR create with unknown field',
    'ERROR create res.partner.category missing required name',
    'ERROR create res.country missing required code',
    'ERROR create res.country duplicate code (unique constraint)',
    'ERROR create with dangling many2one',
    'ERROR create with bad selection value',
    'ERROR search on unknown field in domain',
    'ERROR unknown model',
    'ERROR unknown method',
    'ERROR private method',
    'ir.config_parameter duplicate key create',
    'create with a string for an integer field',
  ];
  for (const title of simple) {
    it(title, () => {
      if (title.startsWith('ir.config_parameter')) t.call('ir.config_parameter', 'set_param', ['zenoo.cap.test', 'v1']);
      expectWireError(
        catchOdoo(() => replay(t, title)),
        title,
      );
    });
  }

  it('a failed call changes nothing (the whole call is rolled back)', () => {
    const before = t.call('res.partner', 'search_count', [[]]);
    catchOdoo(() => t.call('res.partner', 'create', [[{ name: 'ok' }, { name: 'bad', type: 'nope' }]]));
    expect(t.call('res.partner', 'search_count', [[]])).toBe(before);
  });

  it('duplicate xmlid reproduces the unique index error', () => {
    t.call('ir.model.data', 'create', [[{ module: 'zenoo_test', name: 'partner_1', model: 'res.partner', res_id: 3 }]]);
    expectWireError(
      catchOdoo(() =>
        t.call('ir.model.data', 'create', [
          [{ module: 'zenoo_test', name: 'partner_1', model: 'res.partner', res_id: 3 }],
        ]),
      ),
      'ERROR ir.model.data duplicate xmlid',
    );
  });

  it('internal users may read but not create countries', () => {
    expect(replay(t, 'create internal user (for access-error test)')).toBe(6);
    expect(t.db.checkCredentials(6, 'probe_pw', { allowApiKey: false })).toBe(true);
    expect(t.call('res.country', 'search_count', [[['code', '=', 'BE']]], {}, 6)).toBe(1);
    expectWireError(
      catchOdoo(() => replay(t, 'ERROR access error (internal user creating res.country)')),
      'ERROR access error (internal user creating res.country)',
    );
    expect(t.call('res.country', 'search_count', [[['code', '=', 'QQ']]])).toBe(0);
    expect(replay(t, 'cleanup user')).toBe(true);
    expect(
      t.call('res.users', 'search', [[['login', '=', 'probe_user']]], { context: { active_test: false } }),
    ).toEqual([]);
  });

  it('contacts require a name on write', () => {
    const id = t.call('res.partner', 'create', [{ name: 'X' }]);
    expectWireError(
      catchOdoo(() => t.call('res.partner', 'write', [[id], { name: false }])),
      'write required name to false on contact',
    );
    expect(t.call('res.partner', 'read', [[id], ['name']])).toEqual([{ id, name: 'X' }]);
  });

  it('load with an unknown column fails with KeyError', () => {
    expectWireError(
      catchOdoo(() => replay(t, 'load with unknown field')),
      'load with unknown field',
    );
  });

  it('an unknown uid raises MissingError on the credential check', () => {
    expectWireError(
      catchOdoo(() => t.db.checkCredentials(999, 'admin', { allowApiKey: true })),
      'ERROR execute_kw with unknown uid',
    );
  });

  it('check_object_reference of an unknown external id raises ValueError', () => {
    const error = catchOdoo(() => t.call('ir.model.data', 'check_object_reference', ['base', 'zz']));
    expect([error.odooName, error.message]).toEqual([
      'builtins.ValueError',
      'External ID not found in the system: base.zz',
    ]);
  });
});
