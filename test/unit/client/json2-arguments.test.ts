/**
 * Naming of positional arguments for JSON-2, per method the engine calls (signatures of Odoo 19), and the refusals
 * for what cannot be named.
 */
import { describe, expect, it } from 'vitest';
import type { OrmCall } from '../../../src/client/odoo-transport.js';
import { json2Body } from '../../../src/client/transports/json2-arguments.js';

function call(method: string, args: unknown[], kwargs: Record<string, unknown> = {}, extra: Partial<OrmCall> = {}) {
  return json2Body({ model: 'res.partner', method, args, kwargs, context: {}, ...extra });
}

describe('json2Body', () => {
  // [method, execute_kw args, kwargs, JSON-2 body]
  const cases: [string, unknown[], Record<string, unknown>, Record<string, unknown>][] = [
    [
      'search',
      [[['name', '=', 'x']]],
      { limit: 1, order: 'id' },
      { domain: [['name', '=', 'x']], limit: 1, order: 'id' },
    ],
    ['search', [[], 5, 10, 'id desc'], {}, { domain: [], offset: 5, limit: 10, order: 'id desc' }],
    ['search_read', [[]], { fields: ['name'] }, { domain: [], fields: ['name'] }],
    ['search_read', [[], ['name'], 0, 3], {}, { domain: [], fields: ['name'], offset: 0, limit: 3 }],
    ['search_count', [[['active', '=', true]]], {}, { domain: [['active', '=', true]] }],
    ['read', [[1, 2], ['name']], {}, { ids: [1, 2], fields: ['name'] }],
    ['read', [[1, 2]], {}, { ids: [1, 2] }],
    ['create', [[{ name: 'a' }]], {}, { vals_list: [{ name: 'a' }] }],
    ['create', [{ name: 'a' }], {}, { vals_list: { name: 'a' } }],
    ['write', [[3], { name: 'b' }], {}, { ids: [3], vals: { name: 'b' } }],
    ['unlink', [[3, 4]], {}, { ids: [3, 4] }],
    ['copy', [[3], { name: 'c' }], {}, { ids: [3], default: { name: 'c' } }],
    ['fields_get', [], { attributes: ['type'] }, { attributes: ['type'] }],
    ['fields_get', [['name'], ['type']], {}, { allfields: ['name'], attributes: ['type'] }],
    ['default_get', [['name', 'lang']], {}, { fields: ['name', 'lang'] }],
    // The client's name_search sends the extra domain as `args` (its name up to Odoo 18); Odoo 19 calls it `domain`.
    [
      'name_search',
      [],
      { name: 'x', args: [['active', '=', true]], limit: 5 },
      { name: 'x', domain: [['active', '=', true]], limit: 5 },
    ],
    ['load', [['id', 'name'], [['__import__.a', 'A']]], {}, { fields: ['id', 'name'], data: [['__import__.a', 'A']] }],
    ['check_object_reference', ['base', 'be'], {}, { module: 'base', xml_id: 'be' }],
    ['get_param', ['zenoo.key', false], {}, { key: 'zenoo.key', default: false }],
    ['set_param', ['zenoo.key', '1'], {}, { key: 'zenoo.key', value: '1' }],
    ['context_get', [], {}, {}],
    ['action_confirm', [], { force: true }, { force: true }],
  ];
  for (const [method, args, kwargs, body] of cases) {
    it(`${method}(${JSON.stringify(args)}, ${JSON.stringify(kwargs)})`, () => {
      expect(call(method, args, kwargs)).toEqual(body);
    });
  }

  it('sends ids and context of a call on records, and leaves out an empty context', () => {
    expect(call('action_confirm', [], {}, { ids: [7], context: { lang: 'fr_BE' } })).toEqual({
      ids: [7],
      context: { lang: 'fr_BE' },
    });
    expect(call('action_confirm', [], {}, { ids: [7] })).toEqual({ ids: [7] });
    expect(call('copy', [{ name: 'd' }], {}, { ids: [7] })).toEqual({ ids: [7], default: { name: 'd' } });
  });

  it('leaves an undefined argument to its default', () => {
    expect(call('search', [[], undefined, 3], { order: undefined })).toEqual({ domain: [], limit: 3 });
  });

  it('refuses positional arguments of a method it cannot name, saying to pass kwargs', () => {
    expect(() => call('action_send', ['x'], {}, { ids: [1] })).toThrow(TypeError);
    expect(() => call('action_send', ['x'], {}, { ids: [1] })).toThrow(/named arguments only.*Pass them by name/s);
    expect(() => call('action_send', ['x'], {}, { ids: [1] })).toThrow(/kwargs/);
  });

  it('refuses more positional arguments than the method takes, an argument given twice, and reserved names', () => {
    expect(() => call('search_count', [[], 1, 2])).toThrow(
      /takes 2 positional argument\(s\) over JSON-2 \(domain, limit\), got 3/,
    );
    expect(() => call('unlink', [[1], 'extra'])).toThrow(/takes 0 positional argument\(s\) over JSON-2 \(none\)/);
    expect(() => call('search', [[]], { domain: [] })).toThrow(/given both by position and by name/);
    expect(() => call('action_confirm', [], { ids: [1] })).toThrow(/cannot be sent over JSON-2/);
    expect(() => call('write', [3, { name: 'x' }])).toThrow(/expected the ids of the records/);
  });
});
