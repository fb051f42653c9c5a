/**
 * Options of the Odoo client, their defaults, and their one-time resolution into a frozen, fully populated object.
 *
 * @packageDocumentation
 */

import type { OdooTransport, TransportConfig } from './odoo-transport.js';
import { API_KEY_HOWTO } from './transports/json2-transport.js';
import { resolveRetryOptions } from './retry-policy.js';
import type { RetryOptions } from './retry-policy.js';

/**
 * How the client talks to Odoo: `jsonrpc` (stateless `/jsonrpc`, Odoo 14 to 19), `session` (the web client's session
 * cookie), `json2` (Odoo 19 and later, API key only), or `auto` (asks the version first: `json2` on 19 and later with
 * an API key, `jsonrpc` otherwise).
 */
export type OdooClientMode = 'jsonrpc' | 'session' | 'json2' | 'auto';

/** Every mode, for validation and help texts. */
export const CLIENT_MODES: readonly OdooClientMode[] = Object.freeze(['jsonrpc', 'session', 'json2', 'auto']);

/** Options of `new OdooClient(...)`. Give exactly one of `password` and `apiKey`. */
export interface OdooClientOptions {
  /** Base URL of the server, e.g. `https://erp.example.com` (no credentials in it). */
  readonly url: string;
  /** Database name. */
  readonly db: string;
  /** Login of the user, e.g. `admin`. */
  readonly username: string;
  /** Password of the user. */
  readonly password?: string;
  /** API key of the user (sent where Odoo expects the password; not accepted by mode `session`). */
  readonly apiKey?: string;
  /**
   * `jsonrpc`: stateless `/jsonrpc`; `session`: web-session cookie, for servers where a proxy blocks `/jsonrpc`;
   * `json2`: Odoo 19's JSON-2 API (`/json/2`, `apiKey` only); `auto`: `json2` on Odoo 19 and later when `apiKey` is
   * given, `jsonrpc` otherwise (one version request before the login). @default 'jsonrpc'
   */
  readonly mode?: OdooClientMode;
  /** Timeout of each attempt of each call, in ms. @default DEFAULT_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** Retry options merged over `DEFAULT_RETRY_OPTIONS`, or `false` for no retries. @default DEFAULT_RETRY_OPTIONS */
  readonly retry?: Partial<RetryOptions> | false;
  /** Maximum number of concurrent connections (keep-alive sockets) to the server. @default DEFAULT_MAX_SOCKETS */
  readonly maxSockets?: number;
  /** Default context merged into every call (under each call's own context). @default {} */
  readonly context?: Record<string, unknown>;
  /**
   * Builds the transport from the connection settings (the secret included), instead of the one `mode` names: for
   * another way of talking to Odoo, or a `MemoryTransport` in tests. The client keeps context handling, retries and
   * events on top of it. @default the transport of `mode`
   */
  readonly transport?: ((config: TransportConfig) => OdooTransport) | undefined;
}

/** Default per-attempt timeout, in ms: the read timeout of a default nginx in front of Odoo, which would cut a longer call anyway. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Default maximum number of concurrent connections. */
export const DEFAULT_MAX_SOCKETS = 10;
/** Default mode. */
export const DEFAULT_MODE: OdooClientMode = 'jsonrpc';

/** Client options after resolution: every field present, frozen, the secret kept apart. */
export interface ResolvedOdooClientOptions {
  /** Normalized base URL (no trailing slash). */
  readonly url: string;
  /** Database name. */
  readonly db: string;
  /** Login. */
  readonly username: string;
  /** Whether the secret is a password or an API key. */
  readonly secretKind: 'password' | 'apiKey';
  /** Transport mode. */
  readonly mode: OdooClientMode;
  /** Per-attempt timeout, in ms. */
  readonly timeoutMs: number;
  /** Resolved retry options (`limit` 0 when retries are off). */
  readonly retry: Readonly<RetryOptions>;
  /** Maximum concurrent connections. */
  readonly maxSockets: number;
  /** Default context. */
  readonly context: Readonly<Record<string, unknown>>;
}

function requireNonEmptyString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`Expected \`${name}\` to be a non-empty string`);
  }
  return value;
}

/** Validates and normalizes a base URL: http(s), no credentials, no query or fragment, no trailing slash. */
export function normalizeBaseUrl(url: unknown): string {
  const text = requireNonEmptyString(url, 'url');
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    // Do not echo the value: a malformed URL may still contain credentials.
    throw new TypeError('Expected `url` to be an absolute http(s) URL, e.g. https://erp.example.com');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`Expected \`url\` to use http or https, got ${parsed.protocol}`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new TypeError(
      'Expected `url` without credentials: pass the login as `username` and the secret as `password` or `apiKey`',
    );
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new TypeError('Expected `url` without query string or fragment: give the server base URL only');
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

function requirePositiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`Expected \`${name}\` to be an integer from 1 and up, got ${String(value)}`);
  }
  return value;
}

/**
 * Resolves client options once into a frozen object, and returns the secret separately so that it can go straight
 * into a private field.
 *
 * @throws TypeError naming the first invalid option (never quoting a secret).
 */
export function resolveClientOptions(options: OdooClientOptions): {
  readonly options: ResolvedOdooClientOptions;
  readonly secret: string;
} {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('Expected client options to be an object with url, db, username and password or apiKey');
  }
  const url = normalizeBaseUrl(options.url);
  const db = requireNonEmptyString(options.db, 'db');
  const username = requireNonEmptyString(options.username, 'username');
  const hasPassword = options.password !== undefined;
  const hasApiKey = options.apiKey !== undefined;
  if (hasPassword === hasApiKey) {
    throw new TypeError('Expected exactly one of `password` and `apiKey`');
  }
  const secretKind = hasPassword ? 'password' : 'apiKey';
  const secret = requireNonEmptyString(hasPassword ? options.password : options.apiKey, secretKind);
  const mode = options.mode ?? DEFAULT_MODE;
  if (!CLIENT_MODES.includes(mode)) {
    throw new TypeError(`Expected \`mode\` to be one of ${CLIENT_MODES.join(', ')}, got ${String(mode)}`);
  }
  if (mode === 'json2' && secretKind === 'password') {
    throw new TypeError(
      `Mode \`json2\` (Odoo 19 and later) authenticates with an API key, not a password: pass \`apiKey\`, or use mode \`auto\`. ${API_KEY_HOWTO}`,
    );
  }
  if (mode === 'session' && secretKind === 'apiKey') {
    throw new TypeError(
      'Mode `session` logs in like the web client, which accepts passwords only: pass `password`, or use mode `jsonrpc` with `apiKey`',
    );
  }
  const timeoutMs = requirePositiveInteger(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const maxSockets = requirePositiveInteger(options.maxSockets ?? DEFAULT_MAX_SOCKETS, 'maxSockets');
  const context = options.context ?? {};
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new TypeError('Expected `context` to be a plain object, e.g. { lang: "en_US", tracking_disable: true }');
  }
  const retry = resolveRetryOptions(options.retry);
  if (options.transport !== undefined && typeof options.transport !== 'function') {
    throw new TypeError('Expected `transport` to be a function (config) => OdooTransport');
  }
  return {
    options: Object.freeze({
      url,
      db,
      username,
      secretKind,
      mode,
      timeoutMs,
      retry,
      maxSockets,
      context: Object.freeze({ ...context }),
    }),
    secret,
  };
}
