/**
 * Odoo 19.0's wording of the ORM errors whose text changed since 17.0, as captured in
 * test/fixtures/odoo/wire-odoo-19.0-json2.txt. The sandbox's ORM speaks Odoo 17.0; a sandbox posing as 19.0 passes
 * every ORM error through {@link toOdoo19Error}. Only texts the 19.0 capture shows are rewritten: any other error keeps
 * its 17.0 text (an assumption that the text did not change, not a verified fact).
 *
 * @packageDocumentation
 */
import { OdooServerError } from '../odoo-server-error.js';

/** Whole messages that 19.0 words differently. */
const RENAMED: ReadonlyMap<string, { readonly name: string; readonly message: string }> = new Map([
  [
    'The operation cannot be completed: You can not have two users with the same login !',
    {
      name: 'odoo.exceptions.ValidationError',
      message: 'The operation cannot be completed: You can not have two users with the same login!',
    },
  ],
  [
    'You can not remove the admin user as it is used internally for resources created by Odoo (updates, module installation, ...)',
    {
      name: 'odoo.exceptions.UserError',
      message:
        'You cannot delete the admin user because it is utilized in various places (such as security configurations,...). Instead, archive it.',
    },
  ],
]);

/** Methods whose unknown-field error 19.0 words `Invalid field 'x' on 'model'` (the read path). */
const READ_METHODS = new Set(['read', 'search_read', 'web_read', 'web_search_read']);

/**
 * The error Odoo 19.0 raises where the sandbox's ORM raised `error` in `method`:
 * - `Invalid field 'x' on model 'm'`: `Invalid field 'x' in 'm'` from create, `Invalid field 'x' on 'm'` from reads;
 * - `Invalid field m.x in leaf (...)`: `Invalid field m.x in condition (...)`;
 * - `Invalid domain: 'text'` (a domain that is not a list): 19.0's `builtins.TypeError`
 *   `Domain() invalid argument type for domain: 'text'`;
 * - the duplicate-login and admin-deletion texts.
 */
export function toOdoo19Error(error: unknown, method: string): unknown {
  if (!(error instanceof OdooServerError)) return error;
  const renamed = RENAMED.get(error.message);
  if (renamed !== undefined && renamed.name === error.odooName)
    return new OdooServerError(renamed.name, renamed.message);
  if (error.odooName !== 'builtins.ValueError') return error;
  const field = /^Invalid field ('(?:[^'\\]|\\.)*') on model ('(?:[^'\\]|\\.)*')$/.exec(error.message);
  if (field !== null) {
    if (method === 'create') return new OdooServerError(error.odooName, `Invalid field ${field[1]} in ${field[2]}`);
    if (READ_METHODS.has(method))
      return new OdooServerError(error.odooName, `Invalid field ${field[1]} on ${field[2]}`);
    return error;
  }
  const leaf = /^(Invalid field \S+) in leaf (\(.*\))$/s.exec(error.message);
  if (leaf !== null) return new OdooServerError(error.odooName, `${leaf[1]} in condition ${leaf[2]}`);
  const domain = /^Invalid domain: (.*)$/s.exec(error.message);
  if (domain !== null)
    return new OdooServerError('builtins.TypeError', `Domain() invalid argument type for domain: ${domain[1]}`);
  return error;
}
