/**
 * Web sessions of the sandbox (`/web/session/authenticate` → `session_id` cookie → `/web/dataset/call_kw`).
 *
 * Like Odoo 17, a session is identified only by the `session_id` cookie and expires after 7 days of inactivity.
 * Unlike Odoo, sessions live in memory: a restarted sandbox has none, so clients get `SessionExpired` and log in again.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';

/** Odoo's session lifetime (and cookie `Max-Age`): 7 days, in seconds. */
export const SESSION_LIFETIME_SECONDS = 60 * 60 * 24 * 7;

/** A logged-in web session. */
export interface SandboxSession {
  /** The session id sent in the cookie. */
  readonly sid: string;
  /** The logged-in user. */
  readonly uid: number;
  /** Its login. */
  readonly login: string;
  /** Last time the session was used (ms since epoch). */
  lastSeen: number;
}

/** In-memory session store with inactivity expiry. */
export class SessionStore {
  readonly #sessions = new Map<string, SandboxSession>();
  readonly #now: () => number;

  /** @param now - clock, injectable for tests. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Creates a session for `uid` and returns it. */
  create(uid: number, login: string): SandboxSession {
    const session: SandboxSession = { sid: randomBytes(30).toString('base64url'), uid, login, lastSeen: this.#now() };
    this.#sessions.set(session.sid, session);
    return session;
  }

  /** The live session with this id (touching it), or `undefined` when unknown or expired. */
  get(sid: string | undefined): SandboxSession | undefined {
    if (sid === undefined) return undefined;
    const session = this.#sessions.get(sid);
    if (session === undefined) return undefined;
    const now = this.#now();
    if (now - session.lastSeen > SESSION_LIFETIME_SECONDS * 1000) {
      this.#sessions.delete(sid);
      return undefined;
    }
    session.lastSeen = now;
    return session;
  }

  /** Logs a session out. */
  destroy(sid: string): void {
    this.#sessions.delete(sid);
  }

  /** Number of live sessions (expired ones may still be counted until next touched). */
  get size(): number {
    return this.#sessions.size;
  }
}

/** Reads the `session_id` cookie from a `Cookie` request header. */
export function sessionIdFromCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === 'session_id') return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The `Set-Cookie` value Odoo sends after a login (werkzeug's attribute order). */
export function sessionCookie(sid: string, now: number = Date.now()): string {
  // Odoo passes Max-Age = 7 days and its own default Expires of one year; browsers honour Max-Age.
  const expires = new Date(now + 365 * 24 * 3600 * 1000).toUTCString();
  return `session_id=${sid}; Expires=${expires}; Max-Age=${SESSION_LIFETIME_SECONDS}; HttpOnly; Path=/`;
}
