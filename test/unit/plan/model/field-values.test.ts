import { describe, expect, it } from 'vitest';
import { changedFields, sameValue, valueToWrite, x2manyAfter } from '../../../../src/plan/model/field-values.js';

const m2o = { type: 'many2one', relation: 'res.country' };
const m2m = { type: 'many2many', relation: 'res.partner.category' };

describe('sameValue', () => {
  it('compares many2one by id', () => {
    expect(sameValue(m2o, [20, 'Belgium'], 20)).toBe(true);
    expect(sameValue(m2o, [20, 'Belgium'], 21)).toBe(false);
    expect(sameValue(m2o, false, false)).toBe(true);
    expect(sameValue(m2o, false, 3)).toBe(false);
    expect(sameValue(m2o, false, { $pending: { step: 's', key: 'k' } })).toBe(false);
  });

  it('compares x2many as sets after applying commands', () => {
    expect(sameValue(m2m, [3, 4], [[6, 0, [4, 3]]])).toBe(true);
    expect(sameValue(m2m, [3, 4], [[6, 0, [3]]])).toBe(false);
    expect(sameValue(m2m, [3], [[4, 3]])).toBe(true);
    expect(sameValue(m2m, [3], [[4, 5]])).toBe(false);
    expect(sameValue(m2m, [], [[3, 5]])).toBe(true);
    expect(sameValue(m2m, [4, 3], [3, 4])).toBe(true);
    expect(sameValue(m2m, [], [[0, 0, { name: 'x' }]])).toBe(false);
    expect(x2manyAfter([1, 2], [[5], [4, 9]])).toEqual([9]);
  });

  it('treats empty text as false and coerces CSV strings by type', () => {
    expect(sameValue({ type: 'char' }, false, '')).toBe(true);
    expect(sameValue({ type: 'char' }, 'a', 'a')).toBe(true);
    expect(sameValue({ type: 'char' }, 'a', 'b')).toBe(false);
    expect(sameValue({ type: 'boolean' }, true, 'true')).toBe(true);
    expect(sameValue({ type: 'boolean' }, false, '0')).toBe(true);
    expect(sameValue({ type: 'boolean' }, true, false)).toBe(false);
    expect(sameValue({ type: 'integer' }, 3, '3')).toBe(true);
    expect(sameValue({ type: 'integer' }, 3, 4)).toBe(false);
    expect(sameValue({ type: 'float' }, 0.1 + 0.2, 0.3)).toBe(true);
    expect(sameValue({ type: 'selection' }, 'contact', 'contact')).toBe(true);
  });
});

describe('valueToWrite / changedFields', () => {
  it('turns planned values into write values', () => {
    expect(valueToWrite(m2m, [1, 2])).toEqual([[6, 0, [1, 2]]]);
    expect(valueToWrite({ type: 'boolean' }, 'yes')).toBe(true);
    expect(valueToWrite({ type: 'integer' }, '12')).toBe(12);
    expect(valueToWrite({ type: 'char' }, '')).toBe(false);
    expect(valueToWrite(m2o, [5, 'x'])).toBe(5);
  });

  it('lists only the fields that differ, with before and after', () => {
    const fields = { name: { type: 'char' }, country_id: m2o, is_company: { type: 'boolean' } };
    const record = { id: 1, name: 'A', country_id: [20, 'Belgium'], is_company: false };
    expect(changedFields(fields, record, { name: 'A', country_id: 21, is_company: 'false' })).toEqual([
      { field: 'country_id', before: [20, 'Belgium'], after: 21 },
    ]);
    expect(changedFields(fields, record, { name: 'A', country_id: 20 })).toEqual([]);
  });
});
