/**
 * One JSON-2 call (`WebJson2Controller.web_json_2_rpc`, `addons/rpc/controllers/json2.py`): the body's keys are the
 * method's keyword arguments, bound to its Python signature, plus `ids` (the records) and `context`.
 *
 * @packageDocumentation
 */
import { OdooServerError } from '../odoo-server-error.js';
import type { RpcOutcome, RpcServiceContext } from '../rpc-services.js';
import type { SandboxMethodSignature } from '../sandbox-backend.js';
import { werkzeugError } from './json2-error.js';
import { toOdoo19Error } from './odoo-19-errors.js';

/**
 * Methods that return a recordset, which the JSON-2 API sends as its list of ids (`create` of one dict gives `[8]`,
 * `copy` gives `[9]`); the sandbox's ORM returns them as Odoo 17's RPC does (an id for one record).
 */
const RECORDSET_RESULTS = new Set(['create', 'copy']);

/**
 * Odoo 19 parameter names that differ from the sandbox's Odoo 17 ORM, by method: 17's `name_search(name, args, ...)`
 * is 19's `name_search(name, domain, ...)`, 17's `default_get(fields_list)` is 19's `default_get(fields)` (19.0's
 * `odoo/orm/models.py`; not in the JSON-2 capture, so taken from the source). Arguments are passed on by position, so
 * only the name changes.
 */
const RENAMED_PARAMS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  name_search: { args: 'domain' },
  default_get: { fields_list: 'fields' },
};

/**
 * Binds named arguments as Python's `inspect.signature(func).bind(records, **kwargs)` does, and turns them into the
 * positional arguments and keyword arguments of the sandbox's ORM call.
 *
 * @throws OdooServerError werkzeug's 422 `missing a required argument: 'domain'` or
 *   `got an unexpected keyword argument 'bogus'` (the first missing parameter is reported before any unknown key).
 */
function bindNamed(
  method: string,
  signature: SandboxMethodSignature,
  named: Readonly<Record<string, unknown>>,
): { args: unknown[]; kwargs: Record<string, unknown> } {
  const renamed = RENAMED_PARAMS[method] ?? {};
  const params = signature.params.map((param) => ({ ...param, name: renamed[param.name] ?? param.name }));
  const rest = new Map(Object.entries(named));
  let last = -1;
  params.forEach((param, index) => {
    if (rest.has(param.name)) last = index;
    else if (!('default' in param)) throw werkzeugError(422, `missing a required argument: '${param.name}'`);
  });
  const args = params.slice(0, last + 1).map((param) => (rest.has(param.name) ? rest.get(param.name) : param.default));
  for (const param of params) rest.delete(param.name);
  const [unexpected] = rest.keys();
  if (unexpected !== undefined && !signature.extraKwargs)
    throw werkzeugError(422, `got an unexpected keyword argument '${unexpected}'`);
  return { args, kwargs: Object.fromEntries(rest) };
}

function hasIds(ids: unknown): boolean {
  if (Array.isArray(ids)) return ids.length > 0;
  return ids !== undefined && ids !== null && ids !== false && ids !== 0;
}

/**
 * Runs `POST /json/2/<model>/<method>` with body `params` as user `uid`, in one transaction, and returns the plain
 * result (a recordset as its ids). Errors are Odoo 19.0's, in its order: unknown model (404), private method (403),
 * unknown method (404), `ids` given to an `@api.model` method (422), argument binding (422), then the ORM's own.
 */
export function runJson2Call(
  context: RpcServiceContext,
  uid: number,
  model: string,
  method: string,
  params: Readonly<Record<string, unknown>>,
): RpcOutcome {
  const lookup = context.backend.describeMethod(model, method);
  if (lookup.kind === 'unknown-model') throw werkzeugError(404, `the model '${model}' does not exist`);
  if (lookup.kind === 'private') {
    throw new OdooServerError(
      'odoo.exceptions.AccessError',
      `Private methods (such as '${model}.${method}') cannot be called remotely.`,
    );
  }
  if (lookup.kind !== 'method') throw werkzeugError(404, `The method '${model}.${method}' does not exist`);
  const { signature } = lookup;
  const { ids, context: callContext, ...named } = params;
  if (!signature.records && hasIds(ids)) throw werkzeugError(422, `cannot call ${model}.${method} with ids`);
  // Not captured: a `context` that is not an object. Odoo's with_context() fails on it with a Python error (500).
  if (
    callContext !== undefined &&
    (callContext === null || typeof callContext !== 'object' || Array.isArray(callContext))
  )
    throw new OdooServerError('builtins.TypeError', `'${JSON.stringify(callContext)}' is not a valid context`);
  const bound = bindNamed(method, signature, named);
  const args = signature.records ? [ids ?? [], ...bound.args] : bound.args;
  // The request's base context is a fresh session's: lang en_US (Accept-Language is not modelled).
  const kwargs = {
    ...bound.kwargs,
    context: { lang: 'en_US', ...(callContext as Record<string, unknown> | undefined) },
  };
  let outcome: { readonly result: unknown; readonly writes: RpcOutcome['writes'] };
  try {
    outcome = context.backend.execute({ uid, model, method, args, kwargs });
  } catch (error) {
    throw toOdoo19Error(error, method);
  }
  const { result, writes } = outcome;
  if (RECORDSET_RESULTS.has(method) && typeof result === 'number') return { result: [result], writes };
  return { result: result ?? null, writes };
}
