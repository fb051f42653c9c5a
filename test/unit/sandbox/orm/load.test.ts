import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDb, wire } from './orm-test-helpers.js';
import type { Json, TestDb } from './orm-test-helpers.js';

describe('load', () => {
  let t: TestDb;
  const count = (model: string, domain: unknown[] = []): number =>
    t.call(model, 'search_count', [domain], { context: { active_test: false } });

  beforeEach(() => {
    t = openTestDb();
  });
  afterEach(() => t.db.close());

  it('creates records and their external ids, then updates them by external id', () => {
    const first = wire('load 2 rows with xmlids').request.args[5];
    const result = t.call('res.partner', 'load', first);
    expect(result).toEqual({ ids: [7, 8], messages: [], nextrow: 0 });
    expect(
      t
        .call('ir.model.data', 'search_read', [[['module', '=', 'zenoo_test']]], {
          fields: ['name', 'model', 'res_id', 'complete_name', 'noupdate'],
        })
        .map(({ id: _id, ...rest }: Json) => rest),
    ).toEqual([
      { name: 'imp_1', model: 'res.partner', res_id: 7, complete_name: 'zenoo_test.imp_1', noupdate: false },
      { name: 'imp_2', model: 'res.partner', res_id: 8, complete_name: 'zenoo_test.imp_2', noupdate: false },
    ]);
    expect(t.call('res.partner', 'load', wire('load again same xmlid (update)').request.args[5])).toEqual({
      ids: [7],
      messages: [],
      nextrow: 0,
    });
    expect(t.call('res.partner', 'read', [[7], ['name', 'email']])).toEqual([
      { id: 7, name: 'Imported 1 updated', email: 'i1b@example.com' },
    ]);
    expect(count('ir.model.data', [['module', '=', 'zenoo_test']])).toBe(2);
  });

  it('a dotless external id goes to __import__ (or the context module)', () => {
    expect(t.call('res.partner', 'load', [['id', 'name'], [['plainid', 'Loaded without module']]])).toEqual({
      ids: [7],
      messages: [],
      nextrow: 0,
    });
    expect(
      t.call('ir.model.data', 'search_read', [[['name', '=', 'plainid']]], { fields: ['module', 'name', 'res_id'] }),
    ).toEqual([{ id: expect.any(Number), module: '__import__', name: 'plainid', res_id: 7 }]);
    t.call('res.partner', 'load', [['id', 'name'], [['other', 'X']]], { context: { module: 'mymod', noupdate: true } });
    expect(
      t.call('ir.model.data', 'search_read', [[['name', '=', 'other']]], { fields: ['module', 'noupdate'] })[0],
    ).toMatchObject({
      module: 'mymod',
      noupdate: true,
    });
  });

  it('resolves field/id, field/.id and name columns, including many2many lists and earlier rows', () => {
    t.call('res.partner.category', 'load', [
      ['id', 'name'],
      [
        ['tag_vip', 'VIP'],
        ['tag_b2b', 'B2B'],
      ],
    ]);
    const result = t.call('res.partner', 'load', [
      ['id', 'name', 'country_id/id', 'category_id/id', 'parent_id/id', 'is_company'],
      [
        ['cust_42', 'Acme', 'base.be', 'tag_vip,tag_b2b', '', '1'],
        ['cust_43', 'Acme Billing', 'base.be', '', 'cust_42', 'false'],
      ],
    ]);
    expect(result.messages).toEqual([]);
    const [acme, billing] = result.ids;
    expect(
      t.call('res.partner', 'read', [
        [acme, billing],
        ['country_id', 'category_id', 'parent_id', 'is_company', 'display_name'],
      ]),
    ).toEqual([
      {
        id: acme,
        country_id: [20, 'Belgium'],
        category_id: expect.any(Array),
        parent_id: false,
        is_company: true,
        display_name: 'Acme',
      },
      {
        id: billing,
        country_id: [20, 'Belgium'],
        category_id: [],
        parent_id: [acme, 'Acme'],
        is_company: false,
        display_name: 'Acme, Acme Billing',
      },
    ]);
    expect(t.call('res.partner', 'read', [[acme], ['category_id']])[0].category_id).toHaveLength(2);
    const byName = t.call('res.partner', 'load', [
      ['name', 'country_id', 'parent_id/.id', 'type'],
      [['Named', 'Belgium', String(acme), 'Invoice Address']],
    ]);
    expect(byName.messages).toEqual([]);
    expect(t.call('res.partner', 'read', [byName.ids, ['country_id', 'parent_id', 'type']])).toEqual([
      { id: byName.ids[0], country_id: [20, 'Belgium'], parent_id: [acme, 'Acme'], type: 'invoice' },
    ]);
    const byDbId = t.call('res.partner', 'load', [['.id', 'ref'], [[String(acme), 'R1']]]);
    expect(byDbId).toEqual({ ids: [acme], messages: [], nextrow: 0 });
    expect(t.call('res.partner', 'read', [[acme], ['ref']])[0].ref).toBe('R1');
  });

  it('an unresolvable name, xmlid or missing required value writes nothing and reports messages as Odoo does', () => {
    const before = count('res.partner');
    const m2o = wire('load with unresolvable m2o');
    expect(t.call('res.partner', 'load', m2o.request.args[5])).toEqual(m2o.response.result);
    const xmlid = wire('load with field/id columns (one unresolvable xmlid)');
    expect(t.call('res.partner', 'load', xmlid.request.args[5])).toEqual(xmlid.response.result);
    expect(count('res.partner')).toBe(before);
    expect(count('ir.model.data', [['module', '=', 'cap']])).toBe(0);
    const required = wire('load missing required field');
    expect(t.call('res.partner.category', 'load', required.request.args[5])).toEqual(required.response.result);
    expect(count('res.partner.category')).toBe(0);
  });

  it('a bad row anywhere rolls back the good rows and reports the right row number', () => {
    const result = t.call('res.partner', 'load', [
      ['id', 'name', 'customer_rank', 'type'],
      [
        ['ok_1', 'Fine', '1', 'contact'],
        ['ok_2', 'Also fine', 'abc', 'contact'],
        ['ok_3', 'Third', '2', 'bogus'],
      ],
    ]);
    expect(result.ids).toBe(false);
    expect(result.messages).toEqual([
      expect.objectContaining({
        rows: { from: 1, to: 1 },
        record: 1,
        type: 'error',
        field: 'customer_rank',
        message: "'abc' does not seem to be an integer for field 'Customer Rank'",
      }),
      expect.objectContaining({
        rows: { from: 2, to: 2 },
        record: 2,
        type: 'error',
        field: 'type',
        message: "Value 'bogus' not found in selection field 'Address Type'",
      }),
    ]);
    expect(count('res.partner', [['name', 'in', ['Fine', 'Also fine', 'Third']]])).toBe(0);
    expect(count('ir.model.data', [['name', 'in', ['ok_1', 'ok_2', 'ok_3']]])).toBe(0);
    const exec = t.db.execute({
      uid: 2,
      model: 'res.partner',
      method: 'load',
      args: [['name', 'type'], [['x', 'bogus']]],
      kwargs: {},
    });
    expect(exec.writes).toEqual([]);
  });

  it('re-creates a record whose external id survived its deletion', () => {
    const [id] = t.call('res.partner', 'load', [['id', 'name'], [['m.p', 'One']]]).ids;
    t.call('res.partner', 'unlink', [[id]]);
    const again = t.call('res.partner', 'load', [['id', 'name'], [['m.p', 'One again']]]);
    expect(again.ids[0]).not.toBe(id);
    expect(t.call('ir.model.data', 'check_object_reference', ['m', 'p'])).toEqual(['res.partner', again.ids[0]]);
    expect(count('ir.model.data', [['module', '=', 'm']])).toBe(1);
  });
});
