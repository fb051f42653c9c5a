import { describe, expect, it } from 'vitest';
import { pythonJsonError } from '../../../../src/sandbox/json2/python-json-error.js';
import { pythonJsonDumps } from '../../../../src/sandbox/json2/python-json.js';

describe('pythonJsonError', () => {
  it("words errors as Python's json.loads does", () => {
    expect(pythonJsonError('{"domain": [}')).toBe('Expecting value: line 1 column 13 (char 12)');
    expect(pythonJsonError('')).toBe('Expecting value: line 1 column 1 (char 0)');
    expect(pythonJsonError('{"a" 1}')).toBe("Expecting ':' delimiter: line 1 column 6 (char 5)");
    expect(pythonJsonError('{"a": 1 "b": 2}')).toBe("Expecting ',' delimiter: line 1 column 9 (char 8)");
    expect(pythonJsonError("{'a': 1}")).toBe(
      'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)',
    );
    expect(pythonJsonError('{"a": "x')).toBe('Unterminated string starting at: line 1 column 7 (char 6)');
    expect(pythonJsonError('{}\n x')).toBe('Extra data: line 2 column 2 (char 4)');
  });

  it('accepts what Python accepts', () => {
    expect(pythonJsonError('{"a": [1, 2.5e3, true, null, "\\u00e9"]}')).toBeUndefined();
    expect(pythonJsonError(' [NaN] ')).toBeUndefined();
  });
});

describe('pythonJsonDumps', () => {
  it("uses json.dumps' default separators and keeps non-ASCII text", () => {
    expect(
      pythonJsonDumps([
        { id: 3, name: 'Administrator' },
        { id: 1, name: 'Zoë' },
      ]),
    ).toBe('[{"id": 3, "name": "Administrator"}, {"id": 1, "name": "Zoë"}]');
    expect(pythonJsonDumps(null)).toBe('null');
    expect(pythonJsonDumps({ a: [], b: {} })).toBe('{"a": [], "b": {}}');
  });
});
