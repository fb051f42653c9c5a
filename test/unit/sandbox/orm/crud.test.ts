import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catchOdoo, openTestDb, wire } from './orm-test-helpers.js';
import type { Json, TestDb } from './orm-test-helpers.js';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

describe('create / read / write / unlink', () => {
  let t: TestDb;
  beforeEach(() => {
    t = openTestDb();
  });
  afterEach(() => t.db.close());

  it('reproduces the first capture: create list and dict, search_read, read, write, search_count, unlink', () => {
    expect(
      t.call('res.partner', 'create', [[{ name: 'Probe A', email: 'a@example.com' }, { name: 'Probe B' }]]),
    ).toEqual(wire('create list of 2 dicts').response.result);
    expect(t.call('res.partner', 'create', [{ name: 'Probe single' }])).toBe(
      wire('create single dict (not a list)').response.result,
    );
    expect(
      t.call('res.partner', 'search_read', [[['id', 'in', [7, 8]]]], {
        fields: ['name', 'email', 'is_company'],
        order: 'id',
      }),
    ).toEqual(wire('search_read').response.result);
    const read = t.call('res.partner', 'read', [
      [7, 8],
      ['name', 'display_name', 'create_date', 'country_id', 'category_id'],
    ]);
    const expected = wire('read incl many2one / many2many / datetime').response.result;
    expect(read.map((r: Json) => ({ ...r, create_date: 'X' }))).toEqual(
      expected.map((r: Json) => ({ ...r, create_date: 'X' })),
    );
    expect(read[0].create_date).toMatch(TIMESTAMP);
    expect(t.call('res.partner', 'write', [[7, 8], { email: 'changed@example.com' }])).toBe(true);
    expect(t.call('res.partner', 'search_count', [[['email', '=', 'changed@example.com']]])).toBe(2);
    expect(t.call('res.partner', 'unlink', [[7, 8]])).toBe(true);
    expect(t.call('res.partner', 'search_count', [[['id', 'in', [7, 8]]]], { context: { active_test: false } })).toBe(
      0,
    );
  });

  it('reproduces the second capture: relations, contact display name, address sync, m2m order', () => {
    // Burn two category ids so that ids match the capture (which ran after an earlier session).
    t.call('res.partner.category', 'unlink', [
      t.call('res.partner.category', 'create', [[{ name: 'x' }, { name: 'y' }]]),
    ]);
    expect(t.call('ir.model.data', 'check_object_reference', ['base', 'be'])).toEqual(
      wire('check_object_reference base.be').response.result,
    );
    expect(t.call('res.partner.category', 'create', [[{ name: 'Cap VIP', color: 3 }, { name: 'Cap Other' }]])).toEqual([
      3, 4,
    ]);
    const company = wire('create company with m2o and m2m (6,0,ids)').request.args[5];
    expect(t.call('res.partner', 'create', company)).toEqual([7]);
    expect(t.call('res.partner', 'create', wire('create contact with parent_id').request.args[5])).toEqual([8]);
    const readReq = wire('read m2o as [id, display_name], o2m/m2m as ids, contact display_name').request.args[5];
    expect(t.call('res.partner', 'read', readReq)).toEqual(
      wire('read m2o as [id, display_name], o2m/m2m as ids, contact display_name').response.result,
    );
    expect(t.call('res.partner', 'write', [[7], { category_id: [[3, 4, 0]] }])).toBe(true);
    expect(t.call('res.partner', 'read', [[7], ['category_id']])).toEqual([{ id: 7, category_id: [3] }]);
    expect(t.call('res.partner', 'write', [[7], { category_id: [[4, 4, 0]] }])).toBe(true);
    expect(t.call('res.partner', 'read', [[7], ['category_id']])).toEqual(wire('read after commands').response.result);
    const sr = wire('search_read with order/limit').request.args;
    expect(t.call('res.partner', 'search_read', sr[5], sr[6])).toEqual(
      wire('search_read with order/limit').response.result,
    );
    const dotted = wire('dotted path in domain').request.args;
    expect(t.call('res.partner', 'search_read', dotted[5], dotted[6])).toEqual(
      wire('dotted path in domain').response.result,
    );
    const dotted2 = wire('search with dotted path and limit').request.args;
    expect(t.call('res.partner', 'search', dotted2[5], dotted2[6])).toEqual(
      wire('search with dotted path and limit').response.result,
    );
    expect(t.call('res.partner', 'name_search', [], { name: 'Cap', limit: 5 })).toEqual(
      wire('name_search').response.result,
    );
    expect(t.call('res.partner', 'default_get', [['type', 'active', 'is_company', 'lang']])).toEqual(
      wire('default_get').response.result,
    );
    // Deleting the parent keeps the child and clears its parent (and its "Parent, Child" name).
    expect(t.call('res.partner', 'unlink', [[7]])).toBe(true);
    expect(t.call('res.partner', 'read', [[8], ['parent_id', 'active']])).toEqual(
      wire('child after parent unlink').response.result,
    );
    expect(t.call('res.partner', 'read', [[8], ['display_name']])).toEqual([{ id: 8, display_name: 'Cap Child' }]);
    expect(t.call('res.partner', 'search_count', [[['id', 'in', [7]]]], { context: { active_test: false } })).toBe(0);
  });

  it('read with load=None returns bare many2one ids; read without fields returns every field', () => {
    const id = t.call('res.partner', 'create', [{ name: 'L', country_id: 20 }]);
    expect(t.call('res.partner', 'read', [[id], ['country_id']], { load: null })).toEqual([{ id, country_id: 20 }]);
    const all = t.call('res.partner', 'read', [[id]])[0];
    expect(Object.keys(all)[0]).toBe('id');
    expect(all).toMatchObject({
      name: 'L',
      email: false,
      customer_rank: 0,
      active: true,
      type: 'contact',
      country_id: [20, 'Belgium'],
    });
    expect(all.create_uid).toEqual([2, 'Administrator']);
  });

  it('write_date changes on every write, even within the same second', () => {
    const id = t.call('ir.config_parameter', 'create', [{ key: 'k', value: '1' }]);
    const dates = [t.call('ir.config_parameter', 'read', [[id], ['write_date']])[0].write_date];
    for (let i = 2; i < 5; i += 1) {
      t.call('ir.config_parameter', 'write', [[id], { value: String(i) }]);
      dates.push(t.call('ir.config_parameter', 'read', [[id], ['write_date']])[0].write_date);
    }
    expect(new Set(dates).size).toBe(4);
    for (const d of dates) expect(d).toMatch(TIMESTAMP);
  });

  it('unknown fields in read and write are refused', () => {
    expect(catchOdoo(() => t.call('res.partner', 'read', [[3], ['nope']])).message).toBe(
      "Invalid field 'nope' on model 'res.partner'",
    );
    expect(catchOdoo(() => t.call('res.partner', 'write', [[3], { nope: 1 }])).message).toBe(
      "Invalid field 'nope' on model 'res.partner'",
    );
    expect(catchOdoo(() => t.call('res.partner', 'search_read', [[]], { fields: ['nope'] })).message).toBe(
      "Invalid field 'nope' on model 'res.partner'",
    );
  });

  it('an uninstalled context language does not break creates (lang falls back to en_US)', () => {
    const id = t.call('res.partner', 'create', [{ name: 'Lang' }], { context: { lang: 'fr_FR' } });
    expect(t.call('res.partner', 'read', [[id], ['lang']])).toEqual([{ id, lang: 'en_US' }]);
    expect(catchOdoo(() => t.call('res.partner', 'write', [[id], { lang: 'fr_FR' }])).message).toBe(
      "Wrong value for res.partner.lang: 'fr_FR'",
    );
  });

  it('customer_rank is offered as if Invoicing were installed', () => {
    const id = t.call('res.partner', 'create', [{ name: 'Cap Rank', customer_rank: 1 }]);
    expect(t.call('res.partner', 'read', [[id], ['customer_rank']])).toEqual([{ id, customer_rank: 1 }]);
  });

  it('country codes are upper-cased and cut to 2 characters; name and code are unique', () => {
    const id = t.call('res.country', 'create', [{ name: 'Atlantis', code: 'qqx' }]);
    expect(t.call('res.country', 'read', [[id], ['code']])).toEqual([{ id, code: 'QQ' }]);
    expect(catchOdoo(() => t.call('res.country', 'create', [{ name: 'Belgium', code: 'QZ' }])).message).toBe(
      'The operation cannot be completed: The name of the country must be unique!',
    );
  });

  it('seeds 250 countries with base.<code> external ids', () => {
    expect(t.call('res.country', 'search_count', [[]])).toBe(250);
    expect(
      t.call('ir.model.data', 'search_count', [
        [
          ['module', '=', 'base'],
          ['model', '=', 'res.country'],
        ],
      ]),
    ).toBe(250);
    expect(t.call('ir.model.data', 'check_object_reference', ['base', 'fr'])[0]).toBe('res.country');
    const [, frId] = t.call('ir.model.data', 'check_object_reference', ['base', 'fr']);
    expect(t.call('res.country', 'read', [[frId], ['code', 'name']])).toEqual([
      { id: frId, code: 'FR', name: 'France' },
    ]);
  });

  it('deleting a country still used by a partner is refused (restrict)', () => {
    t.call('res.partner', 'create', [{ name: 'P', country_id: 20 }]);
    const error = catchOdoo(() => t.call('res.country', 'unlink', [[20]]));
    expect(error.message).toBe(
      'The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\n' +
        'Model: Contact (res.partner)\nConstraint: res_partner_country_id_fkey\n',
    );
  });

  it('keeps contact addresses in sync with their company and refuses hierarchy cycles', () => {
    const co = t.call('res.partner', 'create', [{ name: 'Co', is_company: true, city: 'Namur', vat: 'BE1' }]);
    const contact = t.call('res.partner', 'create', [{ name: 'Jo', parent_id: co, city: 'Elsewhere' }]);
    expect(t.call('res.partner', 'read', [[contact], ['city', 'vat']])).toEqual([
      { id: contact, city: 'Namur', vat: 'BE1' },
    ]);
    t.call('res.partner', 'write', [[co], { city: 'Liège', vat: 'BE2', name: 'Co2' }]);
    expect(t.call('res.partner', 'read', [[contact], ['city', 'vat', 'display_name']])).toEqual([
      { id: contact, city: 'Liège', vat: 'BE2', display_name: 'Co2, Jo' },
    ]);
    const invoice = t.call('res.partner', 'create', [{ type: 'invoice', parent_id: co }]);
    expect(t.call('res.partner', 'read', [[invoice], ['display_name']])).toEqual([
      { id: invoice, display_name: 'Co2, Invoice Address' },
    ]);
    expect(catchOdoo(() => t.call('res.partner', 'write', [[co], { parent_id: contact }])).message).toBe(
      'You cannot create recursive Partner hierarchies.',
    );
  });

  it('res.partner.category display names are "Parent / Child"', () => {
    const parent = t.call('res.partner.category', 'create', [{ name: 'Parent' }]);
    const child = t.call('res.partner.category', 'create', [{ name: 'Child', parent_id: parent }]);
    expect(t.call('res.partner.category', 'read', [[child], ['display_name', 'parent_id']])).toEqual([
      { id: child, display_name: 'Parent / Child', parent_id: [parent, 'Parent'] },
    ]);
    expect(t.call('res.partner.category', 'read', [[parent], ['child_ids']])).toEqual([
      { id: parent, child_ids: [child] },
    ]);
  });

  it('reports writes per model and method, empty for reads', () => {
    const created = t.db.execute({
      uid: 2,
      model: 'res.partner',
      method: 'create',
      args: [[{ name: 'a' }, { name: 'b' }]],
      kwargs: {},
    });
    expect(created.writes).toEqual([{ model: 'res.partner', method: 'create', count: 2 }]);
    const read = t.db.execute({
      uid: 2,
      model: 'res.partner',
      method: 'search_read',
      args: [[]],
      kwargs: { limit: 1 },
    });
    expect(read.writes).toEqual([]);
    const loaded = t.db.execute({
      uid: 2,
      model: 'res.partner',
      method: 'load',
      args: [['id', 'name'], [['m.x1', 'X']]],
      kwargs: {},
    });
    expect(loaded.writes).toEqual([
      { model: 'res.partner', method: 'create', count: 1 },
      { model: 'ir.model.data', method: 'create', count: 1 },
    ]);
  });

  it('refuses bad arguments like Python does', () => {
    expect(catchOdoo(() => t.call('res.partner', 'search', [[]], { count: true })).message).toBe(
      "BaseModel.search() got an unexpected keyword argument 'count'",
    );
    expect(catchOdoo(() => t.call('res.partner', 'create', [], { vals_list: [{ name: 'x' }] })).odooName).toBe(
      'builtins.IndexError',
    );
    expect(t.call('res.partner', 'search_count', [[['name', '=', 'x']]])).toBe(0);
    expect(catchOdoo(() => t.call('res.partner', 'search', [[]], { order: 'name desk' })).odooName).toBe(
      'builtins.ValueError',
    );
  });

  it('external ids cannot contain spaces', () => {
    const error = catchOdoo(() =>
      t.call('ir.model.data', 'create', [{ module: 'm', name: 'a b', model: 'res.partner', res_id: 3 }]),
    );
    expect([error.odooName, error.message]).toEqual([
      'odoo.exceptions.ValidationError',
      'External IDs cannot contain spaces',
    ]);
  });

  it('ir.config_parameter get_param / set_param', () => {
    expect(t.call('ir.config_parameter', 'set_param', ['zenoo.cap.test', 'v1'])).toBe(false);
    expect(t.call('ir.config_parameter', 'get_param', ['zenoo.cap.test'])).toBe('v1');
    expect(t.call('ir.config_parameter', 'set_param', ['zenoo.cap.test', 2])).toBe('v1');
    expect(t.call('ir.config_parameter', 'get_param', ['zenoo.cap.test'])).toBe('2');
    expect(t.call('ir.config_parameter', 'set_param', ['zenoo.cap.test', false])).toBe('2');
    expect(t.call('ir.config_parameter', 'get_param', ['zenoo.cap.test', 'dflt'])).toBe('dflt');
    const rows = t.call('ir.config_parameter', 'search_read', [[['key', '=', 'zenoo.cap.test']]], {
      fields: ['key', 'value', 'write_date'],
    });
    expect(rows).toEqual([]);
    t.call('res.users', 'create', [{ name: 'U', login: 'u', password: 'pw' }]);
    const denied = catchOdoo(() => t.call('ir.config_parameter', 'get_param', ['web.base.url'], {}, 6));
    expect(denied.message).toBe(
      "You are not allowed to access 'System Parameter' (ir.config_parameter) records.\n\nThis operation is allowed for the following groups:\n\t- Administration/Settings\n\nContact your administrator to request access if necessary.",
    );
  });

  it('fields_get honours attributes and omits attributes that do not apply', () => {
    const fields = t.call('res.partner', 'fields_get', [], {
      attributes: ['string', 'type', 'required', 'relation', 'selection'],
    });
    expect(fields.name).toEqual({ string: 'Name', type: 'char', required: false });
    expect(fields.country_id).toEqual({
      string: 'Country',
      type: 'many2one',
      required: false,
      relation: 'res.country',
    });
    expect(fields.type).toEqual({
      string: 'Address Type',
      type: 'selection',
      required: false,
      selection: [
        ['contact', 'Contact'],
        ['invoice', 'Invoice Address'],
        ['delivery', 'Delivery Address'],
        ['other', 'Other Address'],
      ],
    });
    for (const name of ['id', 'display_name', 'create_date', 'write_date', 'create_uid', 'write_uid'])
      expect(fields).toHaveProperty(name);
    const category = t.call('res.partner.category', 'fields_get', [['name']], { attributes: ['required', 'string'] });
    expect(category).toEqual({ name: { required: true, string: 'Tag Name' } });
  });
});
