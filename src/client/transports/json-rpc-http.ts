/**
 * POSTs JSON-RPC envelopes (and, for JSON-2, plain JSON bodies) to an Odoo server with got over keep-alive agents, and turns every way a request can fail
 * into the zenoo transport errors: HTTP status, network failure (before or after sending), timeout, abort, and answers
 * that are not JSON-RPC.
 *
 * got errors carry the request options and body, which hold the password in `execute_kw` arguments: they are never
 * attached as `cause`. A sanitized copy (name, code, redacted message) is attached instead.
 *
 * @packageDocumentation
 */

import * as http from 'node:http';
import * as https from 'node:https';
import got, { RequestError } from 'got';
import type { Got } from 'got';
import { AbortError, NetworkError, TimeoutError } from '../../errors.js';
import type { RequestPhase, TransportError, ZenooErrorOptions } from '../../errors.js';
import { decodeJsonRpcAnswer, encodeJsonRpcRequest } from '../json-rpc-envelope.js';
import type { HttpAnswer } from '../json-rpc-envelope.js';

/** Options of {@link JsonRpcHttp}. */
export interface JsonRpcHttpOptions {
  /** Base URL of the server, without credentials and without a trailing slash. */
  readonly baseUrl: string;
  /** Maximum number of concurrent connections to the server. */
  readonly maxSockets: number;
  /** Removes secrets from any text that goes into an error. */
  readonly redact: (text: string) => string;
}

/** Options of one POST. */
export interface JsonRpcPostOptions {
  /** Cancels the request. */
  readonly signal?: AbortSignal | undefined;
  /** Timeout of the request, in ms. */
  readonly timeoutMs: number;
  /** What the request is about, for error messages, e.g. `res.partner.create`. */
  readonly subject: string;
  /** Context copied into any error. */
  readonly errorOptions: ZenooErrorOptions;
  /** Extra request headers (e.g. the session cookie). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The request changes nothing on the server: a lost answer is no unknown outcome (see TransportCallOptions). */
  readonly readOnly?: boolean | undefined;
}

/** A decoded answer. */
export interface JsonRpcPostResult {
  /** The JSON-RPC `result` (`null` when absent). */
  readonly result: unknown;
  /** `Set-Cookie` headers of the answer. */
  readonly setCookie: readonly string[];
}

/** An HTTP answer as received, with what error messages need to say where it came from. */
export interface RawHttpAnswer extends HttpAnswer {
  /** Human description of the request, e.g. `POST http://127.0.0.1:8069/json/2/res.partner/create (res.partner.create)`. */
  readonly label: string;
  /** `Content-Type` header, if any. */
  readonly contentType: string | undefined;
  /** `Set-Cookie` headers of the answer. */
  readonly setCookie: readonly string[];
}

/** Error codes that happen before a connection exists: the server cannot have seen the request. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
]);

/**
 * JSON-RPC over HTTP(S) with keep-alive: concurrent calls share at most `maxSockets` connections, and sequential calls
 * reuse one.
 */
export class JsonRpcHttp {
  /** Base URL of the server. */
  readonly baseUrl: string;
  readonly #agents: { readonly http: http.Agent; readonly https: https.Agent };
  readonly #got: Got;
  readonly #redact: (text: string) => string;
  #nextId = 1;

  constructor(options: JsonRpcHttpOptions) {
    this.baseUrl = options.baseUrl;
    this.#redact = options.redact;
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' as const };
    this.#agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
    this.#got = got.extend({
      agent: this.#agents,
      // Retries are decided by the client's policy, which knows reads from writes; got would resend blindly.
      retry: { limit: 0 },
      throwHttpErrors: false,
      // A redirected POST may be replayed as a GET; report the redirect instead so that the user fixes the URL.
      followRedirect: false,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'zenoo' },
    });
  }

  /**
   * POSTs `params` in a JSON-RPC envelope to `path` and decodes the answer.
   *
   * @throws the transport errors described in this module, or the mapped Odoo fault.
   */
  async post(
    path: string,
    params: Readonly<Record<string, unknown>>,
    options: JsonRpcPostOptions,
  ): Promise<JsonRpcPostResult> {
    const answer = await this.send(path, encodeJsonRpcRequest(params, this.#nextId++), options);
    const result = decodeJsonRpcAnswer(answer, {
      label: answer.label,
      errorOptions: options.errorOptions,
      redact: this.#redact,
    });
    return { result, setCookie: answer.setCookie };
  }

  /**
   * POSTs a JSON `body` to `path` as it is (no envelope) and returns the answer undecoded, whatever its status: for
   * APIs that speak plain JSON over HTTP statuses (Odoo 19's JSON-2).
   *
   * @throws the transport errors described in this module when no answer came back.
   */
  async send(path: string, body: string, options: JsonRpcPostOptions): Promise<RawHttpAnswer> {
    const url = `${this.baseUrl}${path}`;
    const label = `POST ${url} (${options.subject})`;
    let response;
    try {
      response = await this.#got.post(url, {
        body,
        timeout: { request: options.timeoutMs },
        signal: options.signal,
        ...(options.headers ? { headers: { ...options.headers } } : {}),
      });
    } catch (error) {
      throw this.#toTransportError(error, label, options);
    }
    const retryAfter = response.headers['retry-after'];
    return {
      label,
      status: response.statusCode,
      statusMessage: response.statusMessage,
      retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
      location: response.headers.location,
      contentType: response.headers['content-type'],
      body: response.body,
      setCookie: response.headers['set-cookie'] ?? [],
    };
  }

  /** Removes the secrets from `text` (for messages built from an answer). */
  redact(text: string): string {
    return this.#redact(text);
  }

  /** Destroys the keep-alive agents and their open connections. */
  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  #toTransportError(error: unknown, label: string, options: JsonRpcPostOptions): TransportError {
    const timings = error instanceof RequestError ? error.timings : undefined;
    const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
    const uploaded = timings?.upload !== undefined;
    const connected = timings?.connect !== undefined;
    const phase: RequestPhase = uploaded
      ? 'sent'
      : code !== undefined && NOT_SENT_CODES.has(code)
        ? 'not-sent'
        : connected
          ? 'sent'
          : 'not-sent';
    // Only a write sent without an answer is in doubt; a read (fields_get during setup, a diff's search_read) is not.
    const unknownOutcome =
      phase === 'sent' && options.readOnly !== true ? '; the server may or may not have processed it' : '';
    const signal = options.signal;

    if (signal?.aborted) {
      const reason: unknown = signal.reason;
      const base = { ...options.errorOptions, cause: reason };
      if ((reason as { name?: unknown } | undefined)?.name === 'TimeoutError') {
        const elapsed = timings ? Date.now() - timings.start : 0;
        return new TimeoutError(
          `${label} timed out through the caller's signal${unknownOutcome}.`,
          elapsed,
          phase,
          base,
        );
      }
      return new AbortError(`${label} was aborted${unknownOutcome}.`, phase, base);
    }

    const cause = this.#sanitizedCause(error);
    const errorOptions = { ...options.errorOptions, cause };
    if (error instanceof RequestError && error.name === 'TimeoutError') {
      return new TimeoutError(
        `No answer from ${label} within ${options.timeoutMs} ms${unknownOutcome}. Raise \`timeoutMs\` or send smaller chunks.`,
        options.timeoutMs,
        phase,
        errorOptions,
      );
    }
    const detail = cause.message
      ? `${cause.message}${code && !cause.message.includes(code) ? ` (${code})` : ''}`
      : (code ?? 'unknown error');
    const message =
      phase === 'not-sent'
        ? `Could not reach ${label}: ${detail}. Check that the server is running and that \`url\` is right.`
        : `The connection to ${label} failed after the request was sent: ${detail}${unknownOutcome}.`;
    return new NetworkError(message, phase, code, errorOptions);
  }

  /** A copy of a got (or other) error without its request options, headers or body: those hold the secret. */
  #sanitizedCause(error: unknown): Error {
    const source = error instanceof Error ? error : new Error(String(error));
    // got wraps the system error; its message is the useful one (e.g. `connect ECONNREFUSED 127.0.0.1:8069`).
    const copy = new Error(this.#redact(source.message));
    copy.name = source.name;
    const code = (source as { code?: unknown }).code;
    if (typeof code === 'string') Object.defineProperty(copy, 'code', { value: code, enumerable: true });
    return copy;
  }
}
