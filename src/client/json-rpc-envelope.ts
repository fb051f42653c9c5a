/**
 * The JSON-RPC 2.0 envelope as Odoo speaks it: encoding a request, and turning an HTTP answer into a result or the
 * right error (HTTP status, not JSON-RPC at all, or an Odoo fault).
 *
 * @packageDocumentation
 */

import { HttpError, ProtocolError } from '../errors.js';
import type { OdooErrorPayload, ZenooErrorOptions } from '../errors.js';
import { isOdooErrorPayload, mapOdooFault } from './map-odoo-fault.js';

/** How many characters of an unexpected body errors keep. */
export const BODY_EXCERPT_LENGTH = 300;

/** Encodes a JSON-RPC request body. Odoo routes by URL and ignores `method`, but real clients send `call`. */
export function encodeJsonRpcRequest(params: Readonly<Record<string, unknown>>, id: number): string {
  return JSON.stringify({ jsonrpc: '2.0', method: 'call', params, id });
}

/** An HTTP answer, as far as the envelope decoder needs it. */
export interface HttpAnswer {
  /** HTTP status code. */
  readonly status: number;
  /** HTTP status text, e.g. `Service Unavailable`. */
  readonly statusMessage?: string | undefined;
  /** `Retry-After` header, if any. */
  readonly retryAfter?: string | undefined;
  /** `Location` header, for redirects. */
  readonly location?: string | undefined;
  /** The response body as text. */
  readonly body: string;
}

/** Where the answer came from, for error messages: e.g. `POST http://127.0.0.1:8069/jsonrpc (res.partner.create)`. */
export interface AnswerSource {
  /** Human description of the request. */
  readonly label: string;
  /** Context copied into any error. */
  readonly errorOptions: ZenooErrorOptions;
  /** Removes secrets from text that goes into an error (bodies can echo requests). */
  readonly redact: (text: string) => string;
}

/** Shortens a body for an error message, on one line. */
export function excerpt(body: string, redact: (text: string) => string): string {
  const flat = redact(body).replace(/\s+/g, ' ').trim();
  return flat.length > BODY_EXCERPT_LENGTH ? `${flat.slice(0, BODY_EXCERPT_LENGTH)}…` : flat;
}

/** A short description of an unexpected value, for error messages. */
export function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

/** Parses a `Retry-After` header (delta seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function describeBody(body: string): string {
  const start = body.trimStart().slice(0, 100).toLowerCase();
  if (start === '') return 'an empty body';
  if (start.startsWith('<!doctype html') || start.startsWith('<html') || start.includes('<body')) return 'an HTML page';
  return 'a body that is not JSON-RPC';
}

/**
 * Decodes an Odoo JSON-RPC answer.
 *
 * @returns the `result` member (`null` when the server sent neither `result` nor `error`, as Odoo does for `None`).
 * @throws HttpError for a non-2xx status without a JSON-RPC error body, ProtocolError for anything that is not an
 *   Odoo JSON-RPC envelope, and the mapped RpcFault subclass for an `error` member.
 */
export function decodeJsonRpcAnswer(answer: HttpAnswer, source: AnswerSource): unknown {
  const { status, body } = answer;
  const envelope = parseJson(body);
  const errorMember =
    typeof envelope === 'object' && envelope !== null && !Array.isArray(envelope)
      ? (envelope as Record<string, unknown>)['error']
      : undefined;

  // Odoo 14/15 answer some faults (NotFound) with a non-200 status but a proper JSON-RPC error body: keep the fault.
  if (errorMember !== undefined && isOdooErrorPayload(errorMember)) {
    return throwFault(errorMember, source);
  }

  if (status < 200 || status >= 300) {
    const text = excerpt(body, source.redact);
    const statusText = `${status}${answer.statusMessage ? ` ${answer.statusMessage}` : ''}`;
    let advice = 'Check the URL and any proxy in front of Odoo.';
    if (status >= 300 && status < 400) {
      advice = `The server redirects${answer.location ? ` to ${source.redact(answer.location)}` : ''}: use that address as \`url\` (e.g. https instead of http).`;
    } else if (status === 502 || status === 503 || status === 504) {
      advice = 'The server or a proxy is overloaded or restarting; try again later.';
    } else if (status === 413) {
      advice = 'The request is larger than the server or a proxy accepts; send smaller chunks.';
    }
    throw new HttpError(
      `HTTP ${statusText} from ${source.label}${text ? `: ${text}` : ''}. ${advice}`,
      { status, bodyExcerpt: text, retryAfterMs: parseRetryAfter(answer.retryAfter) },
      source.errorOptions,
    );
  }

  if (
    typeof envelope !== 'object' ||
    envelope === null ||
    Array.isArray(envelope) ||
    !('jsonrpc' in envelope || 'id' in envelope)
  ) {
    throw new ProtocolError(
      `${source.label} answered with ${describeBody(body)} instead of Odoo JSON-RPC. Check that \`url\` points at an Odoo server (not a login page or another service).`,
      excerpt(body, source.redact),
      source.errorOptions,
    );
  }
  if (errorMember !== undefined) {
    throw new ProtocolError(
      `${source.label} answered with a malformed JSON-RPC error (no numeric code and message).`,
      excerpt(body, source.redact),
      source.errorOptions,
    );
  }
  const record = envelope as Record<string, unknown>;
  return 'result' in record ? record['result'] : null;
}

function throwFault(payload: OdooErrorPayload, source: AnswerSource): never {
  // Faults can quote request values back (e.g. a traceback line); scrub secrets before they enter an error.
  const data = payload.data;
  const clean = {
    code: payload.code,
    message: source.redact(payload.message),
    ...(data
      ? {
          data: {
            ...data,
            ...(data.message === undefined ? {} : { message: source.redact(data.message) }),
            ...(data.debug === undefined ? {} : { debug: source.redact(data.debug) }),
            ...(data.arguments === undefined
              ? {}
              : { arguments: data.arguments.map((arg) => (typeof arg === 'string' ? source.redact(arg) : arg)) }),
          },
        }
      : {}),
  };
  throw mapOdooFault(clean, source.errorOptions);
}
