/**
 * Errors of the JSON-2 API as Odoo 19.0 answers them (`Json2Dispatcher.handle_error`, `odoo/http.py`): an HTTP status
 * and a JSON body with exactly `name`, `message`, `arguments`, `context` and `debug`, as captured in
 * test/fixtures/odoo/wire-odoo-19.0-json2.txt.
 *
 * @packageDocumentation
 */
import { OdooServerError } from '../odoo-server-error.js';

/** werkzeug's exception class and reason phrase for the statuses the JSON-2 API raises itself. */
const WERKZEUG: Readonly<Record<number, { readonly name: string; readonly reason: string }>> = {
  400: { name: 'BadRequest', reason: 'Bad Request' },
  401: { name: 'Unauthorized', reason: 'Unauthorized' },
  403: { name: 'Forbidden', reason: 'Forbidden' },
  404: { name: 'NotFound', reason: 'Not Found' },
  422: { name: 'UnprocessableEntity', reason: 'Unprocessable Entity' },
};

/** `http_status` of Odoo's exceptions (`odoo/exceptions.py`); ValidationError inherits UserError's. */
const ODOO_STATUS: Readonly<Record<string, number>> = {
  'odoo.exceptions.UserError': 422,
  'odoo.exceptions.ValidationError': 422,
  'odoo.exceptions.RedirectWarning': 422,
  'odoo.exceptions.AccessDenied': 403,
  'odoo.exceptions.AccessError': 403,
  'odoo.exceptions.MissingError': 404,
  'odoo.exceptions.LockError': 409,
  'odoo.http.SessionExpiredException': 403,
};

/**
 * A werkzeug HTTP exception (`werkzeug.exceptions.NotFound`, ...): its `message` is the description and its
 * `arguments` are `[description, status]`, as the JSON-2 API serializes them.
 */
export function werkzeugError(status: 400 | 401 | 403 | 404 | 422, description: string): OdooServerError {
  const { name } = WERKZEUG[status] as { name: string };
  return new OdooServerError(`werkzeug.exceptions.${name}`, description, [description, status]);
}

/** The HTTP answer of a failed JSON-2 call. */
export interface Json2ErrorResponse {
  readonly status: number;
  /** The JSON body: `{name, message, arguments, context, debug}`. */
  readonly body: string;
  /** Extra headers: `WWW-Authenticate: Bearer ` on 401. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Turns any error into the JSON-2 answer: Odoo exceptions get their `http_status` (UserError and ValidationError 422,
 * AccessError and AccessDenied 403, MissingError 404), werkzeug exceptions keep their code, anything else
 * (ValueError, TypeError, ...) is 500. An error that is not an `OdooServerError` is a failure inside the sandbox,
 * reported as Python's generic `builtins.Exception`.
 */
export function json2ErrorResponse(error: unknown): Json2ErrorResponse {
  const serverError =
    error instanceof OdooServerError
      ? error
      : new OdooServerError('builtins.Exception', error instanceof Error ? error.message : String(error));
  const name = serverError.odooName;
  let status = ODOO_STATUS[name] ?? 500;
  let lastLine = serverError.debugLine;
  if (name.startsWith('werkzeug.exceptions.')) {
    const code = serverError.odooArguments[1];
    status = typeof code === 'number' ? code : 500;
    lastLine = `${name}: ${status} ${WERKZEUG[status]?.reason ?? ''}: ${serverError.message}`;
  }
  const body = {
    name,
    message: serverError.message,
    arguments: serverError.odooArguments,
    context: {},
    debug: `Traceback (most recent call last):\n  File "<zenoo sandbox>", in dispatch\n${lastLine}\n`,
  };
  return {
    status,
    body: JSON.stringify(body),
    headers: status === 401 ? { 'WWW-Authenticate': 'Bearer ' } : {},
  };
}
