import { describe, expect, test } from 'vitest';
import { convertValue } from '../../../../src/plan/model/convert-value.js';
import type { ConvertedField } from '../../../../src/plan/model/convert-value.js';

const accepted = (field: ConvertedField, value: unknown): unknown => {
  const result = convertValue(field, value);
  if (!result.ok) throw new Error(`refused ${JSON.stringify(value)}: ${result.message}`);
  return result.value;
};
const refused = (field: ConvertedField, value: unknown): string => {
  const result = convertValue(field, value);
  if (result.ok) throw new Error(`accepted ${JSON.stringify(value)} as ${JSON.stringify(result.value)}`);
  return `${result.message} | ${result.hint}`;
};

describe('convertValue: the "Values from data files" rules', () => {
  test('boolean: JSON booleans, 0/1, and the words true/false/1/0/yes/no in any case; anything else is refused', () => {
    const field = { type: 'boolean' };
    expect([true, false, 1, 0].map((value) => accepted(field, value))).toEqual([true, false, true, false]);
    expect(['true', 'TRUE', ' Yes ', '1'].map((value) => accepted(field, value))).toEqual([true, true, true, true]);
    expect(['false', 'No', '0', 'FALSE'].map((value) => accepted(field, value))).toEqual([false, false, false, false]);
    expect(refused(field, 'oui')).toBe('"oui" is not a boolean | write true, 1, yes or false, 0, no (any case)');
    for (const value of ['y', 'n', 'on', 'off', 'vrai', '2', 2, 'truee'])
      expect(() => refused(field, value)).not.toThrow();
  });

  test('integer: JSON numbers as they are, text of digits with an optional sign; no decimals, no separators', () => {
    const field = { type: 'integer' };
    expect([42, 1.5, '7', '-3', '+12', ' 8 '].map((value) => accepted(field, value))).toEqual([42, 1.5, 7, -3, 12, 8]);
    expect(refused(field, '12.0')).toBe(
      '"12.0" is not an integer | write a whole number such as 42 or -7 (digits only)',
    );
    for (const value of ['1,000', '1e3', 'abc', '0x10', '3000000000', true]) {
      expect(() => refused(field, value)).not.toThrow();
    }
  });

  test('float and monetary: JSON numbers, text with a dot as decimal separator; a decimal comma is refused', () => {
    for (const type of ['float', 'monetary']) {
      const field = { type };
      expect([2.5, '12.5', '-0.25', '.5', '3', '1e3'].map((value) => accepted(field, value))).toEqual([
        2.5, 12.5, -0.25, 0.5, 3, 1000,
      ]);
      expect(refused(field, '12,5')).toBe('"12,5" is not a number | write the decimal separator as a dot, e.g. 12.5');
      expect(() => refused(field, '12.5 EUR')).not.toThrow();
    }
  });

  test('date: YYYY-MM-DD of a real day (a time part is dropped, as Odoo drops it); other forms are refused', () => {
    const field = { type: 'date' };
    expect(accepted(field, '2024-02-29')).toBe('2024-02-29');
    expect(accepted(field, '2024-03-31 10:00:00')).toBe('2024-03-31');
    expect(refused(field, '31/03/2024')).toBe('"31/03/2024" is not a date | write YYYY-MM-DD, e.g. 2024-03-31');
    for (const value of ['2023-02-29', '2024-13-01', '2024-3-1', 20240331])
      expect(() => refused(field, value)).not.toThrow();
  });

  test('datetime: YYYY-MM-DD HH:MM:SS (UTC) or a date at midnight; ISO T and time zones are refused', () => {
    const field = { type: 'datetime' };
    expect(accepted(field, '2024-03-31 23:59:59')).toBe('2024-03-31 23:59:59');
    expect(accepted(field, '2024-03-31 08:00:00.250')).toBe('2024-03-31 08:00:00');
    expect(accepted(field, '2024-03-31')).toBe('2024-03-31 00:00:00');
    expect(refused(field, '2024-03-31T08:00:00Z')).toMatch(
      /^"2024-03-31T08:00:00Z" is not a datetime \| write YYYY-MM-DD HH:MM:SS in UTC/,
    );
    for (const value of ['2024-03-31 24:00:00', '2024-02-30 10:00:00', '31/03/2024 10:00']) {
      expect(() => refused(field, value)).not.toThrow();
    }
  });

  test('selection: one of the keys, exactly (case matters); without known keys the server decides', () => {
    const field = {
      type: 'selection',
      selection: [
        ['person', 'Individual'],
        ['company', 'Company'],
      ] as const,
    };
    expect(accepted(field, 'company')).toBe('company');
    expect(refused(field, 'Company')).toBe(
      '"Company" is not a value of this selection field | use one of person, company',
    );
    expect(accepted({ type: 'selection' }, 'anything')).toBe('anything');
  });

  test('many2one: a positive id (JSON number, digits, or a read [id, name] pair); names and other text are refused', () => {
    const field = { type: 'many2one' };
    expect([5, '12', ' 7 ', [3, 'Belgium']].map((value) => accepted(field, value))).toEqual([5, 12, 7, 3]);
    expect(refused(field, 'Belgium')).toMatch(/^"Belgium" is not a record id \| give a database id/);
    for (const value of ['0', 0, -1, '1.5', 'be']) expect(() => refused(field, value)).not.toThrow();
  });

  test("false is Odoo's empty value for every type; types without a rule pass through", () => {
    for (const type of ['boolean', 'integer', 'float', 'date', 'datetime', 'selection', 'many2one', 'char']) {
      expect(accepted({ type }, false)).toBe(false);
    }
    expect(accepted({ type: 'char' }, 42)).toBe(42);
    expect(accepted({ type: 'many2many' }, [[6, 0, [1]]])).toEqual([[6, 0, [1]]]);
  });
});
