/**
 * Turns an HTTP answer of Odoo's JSON-2 API into the result or into the zenoo error hierarchy, the same classes the
 * JSON-RPC transports raise, so that the client's retry policy and the engine see no difference.
 *
 * JSON-2 reports errors as HTTP statuses with a JSON body `{name, message, arguments, context, debug}`: the class
 * follows the body's `name` first (as `error.data.name` over JSON-RPC), then the status for names without a class of
 * their own (403 access, 409 lock). 401 is refused credentials. The two answers that are HTML rather than JSON (404
 * "no database is selected", 415 wrong content type) and any other non-JSON answer are protocol or HTTP errors.
 *
 * @packageDocumentation
 */
import { AccessError, ConcurrencyError, ProtocolError } from '../../errors.js';
import type { OdooErrorPayload, RpcFault, ZenooError, ZenooErrorOptions } from '../../errors.js';
import { decodeJsonRpcAnswer, excerpt } from '../json-rpc-envelope.js';
import type { HttpAnswer } from '../json-rpc-envelope.js';
import { mapOdooFault } from '../map-odoo-fault.js';

/** Where the answer came from and how to build the errors only the transport can build. */
export interface Json2AnswerSource {
  /** Human description of the request, e.g. `POST http://host/json/2/res.partner/create (res.partner.create)`. */
  readonly label: string;
  /** Base URL and database, for messages. */
  readonly baseUrl: string;
  readonly db: string;
  /** Context copied into any error. */
  readonly errorOptions: ZenooErrorOptions;
  /** Removes secrets from text that goes into an error. */
  readonly redact: (text: string) => string;
  /** The error for a 401: refused credentials, with Odoo's reason. */
  readonly unauthorized: (reason: string) => ZenooError;
}

/** An answer with its `Content-Type`. */
export interface Json2HttpAnswer extends HttpAnswer {
  readonly contentType?: string | undefined;
}

/** The JSON error body of JSON-2 (`serialize_exception`, `odoo/http.py`). */
export interface Json2ErrorBody {
  readonly name: string;
  readonly message: string;
  readonly arguments?: readonly unknown[];
  readonly context?: Record<string, unknown>;
  readonly debug?: string;
}

function parseJson(body: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
  if (body.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false };
  }
}

function isErrorBody(value: unknown): value is Json2ErrorBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate['name'] === 'string' && typeof candidate['message'] === 'string';
}

/**
 * The fault of a JSON-2 error body, as the JSON-RPC payload it stands for (`code` is the HTTP status): by `name`
 * where a class exists, else by status, else a plain {@link RpcFault} keeping name, message and traceback.
 */
export function mapJson2Fault(status: number, body: Json2ErrorBody, options: ZenooErrorOptions = {}): RpcFault {
  const payload: OdooErrorPayload = {
    code: status,
    message: body.message,
    data: {
      name: body.name,
      message: body.message,
      ...(body.debug === undefined ? {} : { debug: body.debug }),
      ...(body.arguments === undefined ? {} : { arguments: body.arguments }),
      ...(body.context === undefined ? {} : { context: body.context }),
    },
  };
  const fault = mapOdooFault(payload, options);
  if (fault.code !== 'ERR_ODOO_FAULT') return fault;
  // Subclasses of Odoo's exceptions keep their parent's http_status: the status says what the name does not.
  if (status === 403) return new AccessError(payload, options);
  if (status === 409) return new ConcurrencyError(payload, options);
  return fault;
}

function redactBody(body: Json2ErrorBody, redact: (text: string) => string): Json2ErrorBody {
  return {
    name: body.name,
    message: redact(body.message),
    ...(body.debug === undefined ? {} : { debug: redact(String(body.debug)) }),
    ...(body.arguments === undefined
      ? {}
      : {
          arguments: Array.isArray(body.arguments)
            ? body.arguments.map((arg) => (typeof arg === 'string' ? redact(arg) : arg))
            : [],
        }),
    ...(body.context === undefined ? {} : { context: body.context }),
  };
}

function isHtml(answer: Json2HttpAnswer): boolean {
  if (answer.contentType?.toLowerCase().includes('text/html')) return true;
  const start = answer.body.trimStart().slice(0, 100).toLowerCase();
  return start.startsWith('<!doctype html') || start.startsWith('<html');
}

/**
 * Decodes a JSON-2 answer.
 *
 * @returns the method's return value (`null` for a method that returned nothing).
 * @throws the mapped {@link RpcFault} subclass for a JSON error body; `source.unauthorized(...)` for 401;
 *   {@link ProtocolError} for the HTML 404 (no JSON-2 API, or a database the server does not select), the 415, and a
 *   2xx answer that is not JSON; `HttpError` for any other status without a JSON error body (a proxy's 502/503/504).
 */
export function decodeJson2Answer(answer: Json2HttpAnswer, source: Json2AnswerSource): unknown {
  const { status } = answer;
  const parsed = parseJson(answer.body);
  if (status >= 200 && status < 300) {
    if (parsed.ok) return parsed.value;
    throw new ProtocolError(
      `${source.label} answered ${answer.body.trim() === '' ? 'an empty body' : 'a body that is not JSON'} with status ${status}. ` +
        'Check that `url` points at an Odoo 19 or later server (not a login page or another service).',
      excerpt(answer.body, source.redact),
      source.errorOptions,
    );
  }
  if (parsed.ok && isErrorBody(parsed.value)) {
    const body = redactBody(parsed.value, source.redact);
    if (status === 401) throw source.unauthorized(body.message);
    throw mapJson2Fault(status, body, source.errorOptions);
  }
  if (status === 404 && isHtml(answer)) {
    throw new ProtocolError(
      `${source.label} answered 404 with an HTML page: either the server has no JSON-2 API (Odoo before 19: use ` +
        `transport "jsonrpc", or "auto" to choose by version) or it does not serve the database "${source.db}" ` +
        '(unknown, or refused by its --db-filter). Check `url` and `db`.',
      excerpt(answer.body, source.redact),
      source.errorOptions,
    );
  }
  if (status === 415) {
    throw new ProtocolError(
      `${source.label} answered 415 Unsupported Media Type: the request did not arrive as application/json. ` +
        'A proxy in front of Odoo may rewrite the Content-Type header.',
      excerpt(answer.body, source.redact),
      source.errorOptions,
    );
  }
  // Statuses from proxies and gateways, redirects, HTML error pages: the HTTP errors of the JSON-RPC transports.
  return decodeJsonRpcAnswer(answer, { label: source.label, errorOptions: source.errorOptions, redact: source.redact });
}
