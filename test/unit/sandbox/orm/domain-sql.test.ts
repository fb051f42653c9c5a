import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { likeToGlob } from '../../../../src/sandbox/orm/domain-sql.js';
import { catchOdoo, openTestDb } from './orm-test-helpers.js';
import type { Json, TestDb } from './orm-test-helpers.js';

/**
 * Fixture partners (names are unique so results can be compared as name lists):
 *   Acme (company, BE, ref A1, city Paris, tags VIP), Bob (contact of Acme, email bob@x.io),
 *   Carl (no city, no email, ref C1, tags VIP + Cold), dora (archived, city paris), Émile (city Zürich)
 */
describe('domains', () => {
  let t: TestDb;
  let ids: Record<string, number>;
  let tags: Record<string, number>;
  const names = (domain: unknown[], kwargs: Record<string, unknown> = {}): string[] =>
    t
      .call('res.partner', 'search_read', [[['id', '>', 6], ...domain]], { fields: ['name'], order: 'name', ...kwargs })
      .map((r: Json) => r.name);

  beforeAll(() => {
    t = openTestDb();
    const [vip, cold] = t.call('res.partner.category', 'create', [[{ name: 'VIP' }, { name: 'Cold' }]]);
    tags = { vip, cold };
    const acme = t.call('res.partner', 'create', [
      { name: 'Acme', is_company: true, country_id: 20, ref: 'A1', city: 'Paris', category_id: [[6, 0, [vip]]] },
    ]);
    const bob = t.call('res.partner', 'create', [{ name: 'Bob', parent_id: acme, email: 'bob@x.io' }]);
    const carl = t.call('res.partner', 'create', [{ name: 'Carl', ref: 'C1', category_id: [vip, cold] }]);
    const dora = t.call('res.partner', 'create', [{ name: 'dora', active: false, city: 'paris', email: 'd%_@x.io' }]);
    const emile = t.call('res.partner', 'create', [{ name: 'Émile', city: 'Zürich', email: 'emile@x.io' }]);
    ids = { acme, bob, carl, dora, emile };
  });
  afterAll(() => t.db.close());

  it('= and != follow NULL rules', () => {
    expect(names([['email', '=', false]])).toEqual(['Acme', 'Carl']);
    expect(names([['email', '!=', false]])).toEqual(['Bob', 'Émile']);
    expect(names([['email', '!=', 'bob@x.io']])).toEqual(['Acme', 'Carl', 'Émile']);
    expect(names([['city', '=', 'Paris']])).toEqual(['Acme', 'Bob']);
    expect(names([['city', '<>', 'Paris']])).toEqual(['Carl', 'Émile']);
    expect(names([['email', '=?', false]])).toEqual(['Acme', 'Bob', 'Carl', 'Émile']);
    expect(names([['ref', '=?', 'A1']])).toEqual(['Acme']);
  });

  it('booleans: = False matches NULL or false', () => {
    expect(names([['is_company', '=', false]])).toEqual(['Bob', 'Carl', 'Émile']);
    expect(names([['is_company', '!=', false]])).toEqual(['Acme']);
    expect(names([['is_company', '=', true]])).toEqual(['Acme']);
    expect(names([['is_company', 'in', [false]]])).toEqual(['Bob', 'Carl', 'Émile']);
  });

  it('comparisons', () => {
    expect(names([['id', '<', ids['carl']]])).toEqual(['Acme', 'Bob']);
    expect(names([['id', '>=', ids['emile']]])).toEqual(['Émile']);
    expect(
      names([
        ['name', '>', 'B'],
        ['name', '<=', 'Carl'],
      ]),
    ).toEqual(['Bob', 'Carl']);
  });

  it('in / not in, with False and empty lists', () => {
    expect(names([['ref', 'in', ['A1', 'C1']]])).toEqual(['Acme', 'Carl']);
    expect(names([['ref', 'in', ['A1', false]]])).toEqual(['Acme', 'Bob', 'Émile']);
    expect(names([['ref', 'not in', ['A1']]])).toEqual(['Bob', 'Carl', 'Émile']);
    expect(names([['ref', 'not in', ['A1', false]]])).toEqual(['Carl']);
    expect(names([['ref', 'in', []]])).toEqual([]);
    expect(names([['ref', 'not in', []]])).toEqual(['Acme', 'Bob', 'Carl', 'Émile']);
    expect(names([['ref', '=', ['A1', 'C1']]])).toEqual(['Acme', 'Carl']);
  });

  it('like family: wrapping, case, NULL, escapes, non-ASCII', () => {
    expect(names([['name', 'like', 'c']])).toEqual(['Acme']);
    expect(names([['name', 'ilike', 'C']])).toEqual(['Acme', 'Carl']);
    expect(names([['name', 'not ilike', 'c']])).toEqual(['Bob', 'Émile']);
    expect(names([['email', 'not like', 'bob']])).toEqual(['Acme', 'Carl', 'Émile']);
    expect(names([['email', 'ilike', '']])).toEqual(['Acme', 'Bob', 'Carl', 'Émile']);
    expect(names([['email', 'like', 'x.io']])).toEqual(['Bob', 'Émile']);
    expect(names([['email', '=like', '%@x.io']])).toEqual(['Bob', 'Émile']);
    expect(names([['email', '=like', 'bob@x.io']])).toEqual(['Bob']);
    expect(names([['email', '=like', 'BOB@x.io']])).toEqual([]);
    expect(names([['email', '=ilike', 'BOB@X.IO']])).toEqual(['Bob']);
    expect(names([['name', 'ilike', 'émi']])).toEqual(['Émile']);
    expect(names([['city', 'ilike', 'zür']])).toEqual(['Émile']);
    expect(names([['email', 'like', 'd\\%\\_']], { context: { active_test: false } })).toEqual(['dora']);
    expect(likeToGlob('a%b_c*d\\%')).toBe('a*b?c[*]d%');
  });

  it('&, |, ! and implicit AND nest', () => {
    expect(names(['|', ['ref', '=', 'A1'], ['ref', '=', 'C1']])).toEqual(['Acme', 'Carl']);
    expect(names(['!', ['email', '=', false]])).toEqual(['Bob', 'Émile']);
    expect(names(['|', '&', ['city', '=', 'Paris'], ['is_company', '=', true], ['name', '=', 'Carl']])).toEqual([
      'Acme',
      'Carl',
    ]);
    expect(names(['!', '|', ['city', '=', 'Paris'], ['ref', '=', 'C1']])).toEqual(['Émile']);
    expect(
      names([
        ['city', '=', 'Paris'],
        ['email', '!=', false],
      ]),
    ).toEqual(['Bob']);
    expect(names(['&', '!', ['city', '!=', 'Paris'], ['name', 'ilike', 'o']])).toEqual(['Bob']);
    expect(names([[1, '=', 1]])).toEqual(['Acme', 'Bob', 'Carl', 'Émile']);
    expect(names([[0, '=', 1]])).toEqual([]);
  });

  it('dotted paths through many2one and x2many, names on relational fields', () => {
    expect(names([['parent_id.ref', '=', 'A1']])).toEqual(['Bob']);
    expect(names([['parent_id.country_id.code', '=', 'BE']])).toEqual(['Bob']);
    expect(names([['country_id.code', '=', 'BE']])).toEqual(['Acme', 'Bob']);
    expect(names([['country_id', 'ilike', 'belg']])).toEqual(['Acme', 'Bob']);
    expect(names([['country_id', '=', 'Belgium']])).toEqual(['Acme', 'Bob']);
    expect(names([['country_id', 'not ilike', 'belg']])).toEqual(['Carl', 'Émile']);
    expect(names([['category_id', 'in', [tags['cold']]]])).toEqual(['Carl']);
    expect(names([['category_id', '=', tags['vip']]])).toEqual(['Acme', 'Carl']);
    expect(names([['category_id', 'not in', [tags['cold']]]])).toEqual(['Acme', 'Bob', 'Émile']);
    expect(names([['category_id', '=', false]])).toEqual(['Bob', 'Émile']);
    expect(names([['category_id', '!=', false]])).toEqual(['Acme', 'Carl']);
    expect(names([['category_id.name', '=', 'Cold']])).toEqual(['Carl']);
    expect(names([['category_id', 'ilike', 'vi']])).toEqual(['Acme', 'Carl']);
    expect(names([['child_ids.email', '=', 'bob@x.io']])).toEqual(['Acme']);
    expect(names([['child_ids', '!=', false]])).toEqual(['Acme']);
    expect(names([['child_ids', 'any', [['name', '=', 'Bob']]]])).toEqual(['Acme']);
    expect(names([['parent_id', 'not any', [['ref', '=', 'A1']]]])).toEqual(['Acme', 'Carl', 'Émile']);
    expect(
      t
        .call('res.partner.category', 'search_read', [[['partner_ids.name', '=', 'Acme']]], { fields: ['name'] })
        .map((r: Json) => r.name),
    ).toEqual(['VIP']);
  });

  it('child_of and parent_of include the record itself', () => {
    expect(names([['id', 'child_of', ids['acme']]])).toEqual(['Acme', 'Bob']);
    expect(names([['id', 'parent_of', ids['bob']]])).toEqual(['Acme', 'Bob']);
    expect(names([['parent_id', 'child_of', [ids['acme']]]])).toEqual(['Bob']);
    expect(names([['id', 'child_of', 'Acme']])).toEqual(['Acme', 'Bob']);
  });

  it('active_test hides archived records unless disabled or active is in the domain', () => {
    expect(names([['city', 'ilike', 'paris']])).toEqual(['Acme', 'Bob']);
    expect(names([['city', 'ilike', 'paris']], { context: { active_test: false } })).toEqual(['Acme', 'Bob', 'dora']);
    expect(names([['active', '=', false]])).toEqual(['dora']);
    expect(names([['active', 'in', [true, false]]])).toEqual(['Acme', 'Bob', 'Carl', 'dora', 'Émile']);
    expect(t.call('res.partner', 'read', [[ids['dora']], ['active']])).toEqual([{ id: ids['dora'], active: false }]);
    expect(t.call('res.partner', 'search_count', [[['id', '=', ids['dora']]]])).toBe(0);
  });

  it('order, offset and limit', () => {
    expect(names([], { order: 'name desc, id' })).toEqual(['Émile', 'Carl', 'Bob', 'Acme']);
    expect(names([], { order: 'city desc' })).toEqual(['Carl', 'Émile', 'Acme', 'Bob']);
    expect(names([], { order: 'country_id, name' })).toEqual(['Acme', 'Bob', 'Carl', 'Émile']);
    expect(names([], { order: 'name', limit: 2, offset: 1 })).toEqual(['Bob', 'Carl']);
    expect(t.call('res.partner', 'search', [[['id', '>', 6]]], { limit: 2, order: 'id' })).toEqual([
      ids['acme'],
      ids['bob'],
    ]);
    expect(t.call('res.partner', 'search_count', [[['id', '>', 6]]], { limit: 3 })).toBe(3);
  });

  it('invalid leaves and fields raise ValueError with Odoo texts', () => {
    expect(catchOdoo(() => names([['nope', '=', 1]])).message).toBe(
      "Invalid field res.partner.nope in leaf ('nope', '=', 1)",
    );
    expect(catchOdoo(() => names([['parent_id.nope', '=', 'x']])).message).toBe(
      "Invalid field res.partner.nope in leaf ('nope', '=', 'x')",
    );
    expect(catchOdoo(() => names([['name', 'between', 1]])).message).toBe("Invalid leaf ('name', 'between', 1)");
    expect(catchOdoo(() => names(['|', ['name', '=', 'x']])).odooName).toBe('builtins.ValueError');
    expect(catchOdoo(() => names(['garbage'])).odooName).toBe('builtins.ValueError');
  });
});
