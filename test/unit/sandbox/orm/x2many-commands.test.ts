import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catchOdoo, openTestDb } from './orm-test-helpers.js';
import type { TestDb } from './orm-test-helpers.js';

describe('x2many commands', () => {
  let t: TestDb;
  let a: number;
  let b: number;
  let c: number;
  let partner: number;
  const tagsOf = (id: number): number[] => t.call('res.partner', 'read', [[id], ['category_id']])[0].category_id;
  const childrenOf = (id: number): number[] => t.call('res.partner', 'read', [[id], ['child_ids']])[0].child_ids;

  beforeEach(() => {
    t = openTestDb();
    [a, b, c] = t.call('res.partner.category', 'create', [[{ name: 'A' }, { name: 'B' }, { name: 'C' }]]);
    partner = t.call('res.partner', 'create', [{ name: 'P', is_company: true }]);
  });
  afterEach(() => t.db.close());

  it('many2many: 6 set, 4 link, 3 unlink, 5 clear, plain id list, false', () => {
    t.call('res.partner', 'write', [[partner], { category_id: [[6, 0, [c, a]]] }]);
    expect(tagsOf(partner)).toEqual([a, c]);
    t.call('res.partner', 'write', [[partner], { category_id: [[4, b, 0]] }]);
    expect(tagsOf(partner)).toEqual([a, b, c]);
    t.call('res.partner', 'write', [[partner], { category_id: [[3, a, 0]] }]);
    expect(tagsOf(partner)).toEqual([b, c]);
    expect(t.call('res.partner.category', 'search_count', [[['id', '=', a]]])).toBe(1);
    t.call('res.partner', 'write', [[partner], { category_id: [[5, 0, 0]] }]);
    expect(tagsOf(partner)).toEqual([]);
    t.call('res.partner', 'write', [[partner], { category_id: [a, b] }]);
    expect(tagsOf(partner)).toEqual([a, b]);
    t.call('res.partner', 'write', [[partner], { category_id: false }]);
    expect(tagsOf(partner)).toEqual([]);
  });

  it('many2many: 0 create, 1 update, 2 delete the target record', () => {
    t.call('res.partner', 'write', [
      [partner],
      {
        category_id: [
          [0, 0, { name: 'New' }],
          [4, a, 0],
        ],
      },
    ]);
    const tags = tagsOf(partner);
    expect(tags).toHaveLength(2);
    const created = tags.find((id) => id !== a) as number;
    expect(t.call('res.partner.category', 'read', [[created], ['name', 'partner_ids']])).toEqual([
      { id: created, name: 'New', partner_ids: [partner] },
    ]);
    t.call('res.partner', 'write', [[partner], { category_id: [[1, created, { name: 'Renamed' }]] }]);
    expect(t.call('res.partner.category', 'read', [[created], ['name']])[0].name).toBe('Renamed');
    t.call('res.partner', 'write', [[partner], { category_id: [[2, created, 0]] }]);
    expect(tagsOf(partner)).toEqual([a]);
    expect(t.call('res.partner.category', 'search_count', [[['id', '=', created]]])).toBe(0);
  });

  it('many2many: archived targets are left out of read values', () => {
    t.call('res.partner', 'write', [[partner], { category_id: [[6, 0, [a, b]]] }]);
    t.call('res.partner.category', 'write', [[a], { active: false }]);
    expect(tagsOf(partner)).toEqual([b]);
    expect(
      t.call('res.partner', 'read', [[partner], ['category_id']], { context: { active_test: false } })[0].category_id,
    ).toEqual([a, b]);
  });

  it('many2many: linking a record that does not exist is refused', () => {
    expect(catchOdoo(() => t.call('res.partner', 'write', [[partner], { category_id: [[4, 999, 0]] }])).odooName).toBe(
      'odoo.exceptions.ValidationError',
    );
    expect(tagsOf(partner)).toEqual([]);
  });

  it('one2many: 0 create, 1 update, 4 link, 3 unlink, 6 set, 5 clear, 2 delete', () => {
    const loose = t.call('res.partner', 'create', [{ name: 'Loose' }]);
    t.call('res.partner', 'write', [[partner], { child_ids: [[0, 0, { name: 'Kid', email: 'k@x.io' }]] }]);
    const [kid] = childrenOf(partner) as [number];
    expect(t.call('res.partner', 'read', [[kid], ['parent_id', 'display_name']])).toEqual([
      { id: kid, parent_id: [partner, 'P'], display_name: 'P, Kid' },
    ]);
    t.call('res.partner', 'write', [
      [partner],
      {
        child_ids: [
          [1, kid, { email: 'j@x.io' }],
          [4, loose, 0],
        ],
      },
    ]);
    expect(t.call('res.partner', 'read', [[kid], ['email']])[0].email).toBe('j@x.io');
    expect(childrenOf(partner).sort()).toEqual([kid, loose].sort());
    t.call('res.partner', 'write', [[partner], { child_ids: [[3, loose, 0]] }]);
    expect(childrenOf(partner)).toEqual([kid]);
    expect(t.call('res.partner', 'read', [[loose], ['parent_id']])[0].parent_id).toBe(false);
    t.call('res.partner', 'write', [[partner], { child_ids: [[6, 0, [loose]]] }]);
    expect(childrenOf(partner)).toEqual([loose]);
    expect(t.call('res.partner', 'read', [[kid], ['parent_id']])[0].parent_id).toBe(false);
    t.call('res.partner', 'write', [[partner], { child_ids: [[5, 0, 0]] }]);
    expect(childrenOf(partner)).toEqual([]);
    t.call('res.partner', 'write', [[partner], { child_ids: [[4, kid, 0]] }]);
    t.call('res.partner', 'write', [[partner], { child_ids: [[2, kid, 0]] }]);
    expect(t.call('res.partner', 'search_count', [[['id', '=', kid]]], { context: { active_test: false } })).toBe(0);
  });

  it('create accepts commands for both kinds in one call', () => {
    const id = t.call('res.partner', 'create', [
      { name: 'Co', category_id: [[6, 0, [b, a]]], child_ids: [[0, 0, { name: 'Jane', type: 'contact' }]] },
    ]);
    expect(tagsOf(id)).toEqual([a, b]);
    expect(childrenOf(id)).toHaveLength(1);
  });

  it('malformed commands are refused', () => {
    expect(catchOdoo(() => t.call('res.partner', 'write', [[partner], { category_id: [[9, 0, 0]] }])).odooName).toBe(
      'builtins.ValueError',
    );
    expect(catchOdoo(() => t.call('res.partner', 'write', [[partner], { category_id: 'x' }])).odooName).toBe(
      'builtins.ValueError',
    );
  });
});
