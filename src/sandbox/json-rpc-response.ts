/**
 * Bodies the sandbox sends: Odoo's JSON-RPC envelopes and the werkzeug HTML pages of its HTTP errors.
 *
 * @packageDocumentation
 */
import { OdooServerError } from './odoo-server-error.js';

/** Content type of every JSON-RPC answer, as Odoo sends it. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Content type of Odoo's plain and HTML error bodies. */
export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

/** The `error` member of an Odoo JSON-RPC answer. */
export interface JsonRpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data: {
    readonly name: string;
    readonly debug: string;
    readonly message: string;
    readonly arguments: readonly unknown[];
    readonly context: Record<string, never>;
  };
}

/**
 * Serializes a JSON-RPC answer. Member order is Odoo's (`jsonrpc`, `id`, then `error` or `result`); a `null` or
 * `undefined` result is omitted, as Odoo omits Python's `None`. Non-ASCII text stays UTF-8 (not `\u` escaped).
 */
export function jsonRpcBody(id: unknown, outcome: { result?: unknown; error?: JsonRpcErrorObject }): string {
  const envelope: Record<string, unknown> = { jsonrpc: '2.0', id: id === undefined ? null : id };
  if (outcome.error !== undefined) envelope['error'] = outcome.error;
  if (outcome.result !== undefined && outcome.result !== null) envelope['result'] = outcome.result;
  return JSON.stringify(envelope);
}

/** Odoo's JSON-RPC error code for an exception: 100 for an expired session, 404 for NotFound, 200 otherwise. */
function errorCode(name: string): { code: number; message: string } {
  if (name === 'odoo.http.SessionExpiredException') return { code: 100, message: 'Odoo Session Expired' };
  if (name === 'werkzeug.exceptions.NotFound') return { code: 404, message: '404: Not Found' };
  return { code: 200, message: 'Odoo Server Error' };
}

/**
 * Turns any error into Odoo's error object. `OdooServerError` keeps its name, message and arguments; anything else
 * is an unexpected failure inside the sandbox and is reported as Python's generic `builtins.Exception`.
 */
export function toJsonRpcError(error: unknown): JsonRpcErrorObject {
  const serverError =
    error instanceof OdooServerError
      ? error
      : new OdooServerError('builtins.Exception', error instanceof Error ? error.message : String(error));
  const name = serverError.odooName;
  // Python prints KeyError arguments with repr(); the JSON message carries the bare key (as in the captures).
  const lastLine = name === 'builtins.KeyError' ? `KeyError: '${serverError.message}'` : serverError.debugLine;
  return {
    ...errorCode(name),
    data: {
      name,
      debug: `Traceback (most recent call last):\n  File "<zenoo sandbox>", in dispatch\n${lastLine}\n`,
      message: serverError.message,
      arguments: serverError.odooArguments,
      context: {},
    },
  };
}

/** The error Odoo raises on a `type='json'` route with `auth='user'` and no valid session. */
export function sessionExpiredError(): OdooServerError {
  return new OdooServerError('odoo.http.SessionExpiredException', 'Session expired');
}

// werkzeug's HTTPException.get_body(): the same four lines for every status.
function werkzeugPage(status: number, title: string, description: string): string {
  const escaped = description
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&#34;')
    .replace(/'/g, '&#39;');
  return `<!doctype html>\n<html lang=en>\n<title>${status} ${title}</title>\n<h1>${title}</h1>\n<p>${escaped}</p>\n`;
}

/** HTTP 404 page for an unknown route. */
export const NOT_FOUND_PAGE = werkzeugPage(
  404,
  'Not Found',
  'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
);

/** HTTP 503 page of a transient `http-503` fault. */
export const SERVICE_UNAVAILABLE_PAGE = werkzeugPage(
  503,
  'Service Unavailable',
  'The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.',
);

/** HTTP 413 page for a body over Odoo 17's 128 MiB limit. */
export const TOO_LARGE_PAGE = werkzeugPage(
  413,
  'Request Entity Too Large',
  'The data value transmitted exceeds the capacity limit.',
);

/** HTTP 400 page when a JSON route is called with another content type (Odoo 17's exact text). */
export function wrongContentTypePage(route: string): string {
  return werkzeugPage(
    400,
    'Bad Request',
    `Request inferred type is compatible with ['http'] but '${route}' is type='json'.`,
  );
}

/** HTTP 400 body (plain text) when the body is not valid JSON. */
export const INVALID_JSON_BODY = 'Invalid JSON data';

/** HTTP 400 body (plain text) when the body is JSON but not an object. */
export const INVALID_JSON_RPC_BODY = 'Invalid JSON-RPC data';
