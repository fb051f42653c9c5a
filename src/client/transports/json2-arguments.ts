/**
 * The body of a JSON-2 call. JSON-2 has named arguments only (`POST /json/2/<model>/<method>` with the method's
 * keyword arguments as the body's keys, plus `ids` and `context`), while the client's calls carry Odoo's positional
 * `args` as `execute_kw` takes them. This module names the positional arguments from the Odoo 19 signatures of the
 * methods zenoo calls, and refuses, with a message saying what to do, what it cannot name.
 *
 * @packageDocumentation
 */
import type { OrmCall } from '../odoo-transport.js';

/**
 * Parameter names of the public ORM methods, in signature order, after `self` (Odoo 19.0, `odoo/orm/models.py`
 * and the models named; `json2.md` lists the line numbers). Only methods whose order is fixed across models belong
 * here: a model may override a method, but an override keeps the parameter names or the JSON-2 call would break for
 * every client.
 */
export const JSON2_PARAMETERS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  // Reads.
  search: ['domain', 'offset', 'limit', 'order'],
  search_read: ['domain', 'fields', 'offset', 'limit', 'order'],
  search_count: ['domain', 'limit'],
  search_fetch: ['domain', 'field_names', 'offset', 'limit', 'order'],
  read: ['fields', 'load'],
  read_group: ['domain', 'fields', 'groupby', 'offset', 'limit', 'orderby', 'lazy'],
  fields_get: ['allfields', 'attributes'],
  default_get: ['fields'],
  name_search: ['name', 'domain', 'operator', 'limit'],
  web_read: ['specification'],
  web_search_read: ['domain', 'specification', 'offset', 'limit', 'order', 'count_limit'],
  get_metadata: [],
  context_get: [],
  // Writes.
  create: ['vals_list'],
  write: ['vals'],
  unlink: [],
  copy: ['default'],
  name_create: ['name'],
  load: ['fields', 'data'],
  export_data: ['fields_to_export'],
  action_archive: [],
  action_unarchive: [],
  // Model-specific methods zenoo calls: ir.model.data, ir.config_parameter, res.users.
  check_object_reference: ['module', 'xml_id'],
  get_param: ['key', 'default'],
  set_param: ['key', 'value'],
});

/**
 * Methods of {@link JSON2_PARAMETERS} that run on records: called through `execute_kw`, their first positional
 * argument is the ids, which JSON-2 takes as `ids`.
 */
export const JSON2_RECORD_METHODS: ReadonlySet<string> = new Set([
  'read',
  'write',
  'unlink',
  'copy',
  'web_read',
  'get_metadata',
  'export_data',
  'action_archive',
  'action_unarchive',
]);

/**
 * Keyword arguments Odoo renamed by 19, under the name older servers (and so the client's helpers) use: the extra
 * domain of `name_search` was `args` up to 18.
 */
const RENAMED_KEYWORDS: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.freeze({
  name_search: Object.freeze({ args: 'domain' }),
});

/** Keys of the body that JSON-2 reads itself (`ids`, `context`): never a method's argument. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['ids', 'context']);

/**
 * The JSON-2 body of `call`: `ids` (when the call runs on records), the positional arguments under their parameter
 * names, the keyword arguments (renamed where Odoo 19 renamed them), and `context` (when not empty).
 *
 * @throws TypeError when a positional argument cannot be named (a method this module does not know, or more
 *   arguments than the method takes), when an argument is given both by position and by name, or when a keyword
 *   argument is named `ids` or `context`. The message says to pass the arguments by name (`kwargs`).
 */
export function json2Body(call: OrmCall): Record<string, unknown> {
  const subject = `${call.model}.${call.method}`;
  const body: Record<string, unknown> = {};
  let args = call.args;
  if (call.ids !== undefined) body['ids'] = call.ids;
  else if (JSON2_RECORD_METHODS.has(call.method) && args.length > 0) {
    // `execute_kw`'s form, as the client's helpers build it: `[ids, ...args]`.
    if (!Array.isArray(args[0])) {
      throw new TypeError(`${subject}: expected the ids of the records as the first argument, got ${typeof args[0]}`);
    }
    body['ids'] = args[0];
    args = args.slice(1);
  }
  const names = JSON2_PARAMETERS[call.method];
  if (args.length > 0) {
    if (names === undefined) {
      throw new TypeError(
        `${subject}: the JSON-2 API takes named arguments only, and zenoo does not know the parameter names of ` +
          `${call.method}, so its ${args.length} positional argument(s) cannot be sent. Pass them by name ` +
          `instead, e.g. callMethod(model, method, ids, { kwargs: { name: value } }) or executeKw(model, method, [], ` +
          '{ name: value }), with the names of the method’s Python signature.',
      );
    }
    if (args.length > names.length) {
      throw new TypeError(
        `${subject} takes ${names.length} positional argument(s) over JSON-2 (${names.join(', ') || 'none'}), ` +
          `got ${args.length}. Pass further arguments by name in kwargs.`,
      );
    }
    args.forEach((value, index) => {
      // `undefined` is "not given" (JSON has no undefined): leave the parameter to its default.
      if (value !== undefined) body[names[index]!] = value;
    });
  }
  const renames = RENAMED_KEYWORDS[call.method] ?? {};
  for (const [given, value] of Object.entries(call.kwargs)) {
    const name = renames[given] ?? given;
    if (RESERVED_KEYS.has(name)) {
      throw new TypeError(
        `${subject}: a keyword argument named "${name}" cannot be sent over JSON-2, which reads that key itself ` +
          '(the records go in `ids`, the context in `context`).',
      );
    }
    if (name in body) {
      throw new TypeError(`${subject}: the argument "${name}" is given both by position and by name; give it once.`);
    }
    if (value !== undefined) body[name] = value;
  }
  if (Object.keys(call.context).length > 0) body['context'] = call.context;
  return body;
}
