/**
 * Events of the Odoo client. They describe calls (model, method, attempt, timing, error) and never carry arguments,
 * values or secrets, so that they can be logged as they are.
 *
 * @packageDocumentation
 */

import type { ZenooError } from '../errors.js';
import type { MethodKind } from './retry-policy.js';

/** Identifies one attempt of one call. */
export interface OdooCallEvent {
  /** Id of the call, shared by all its attempts (unique per client). */
  readonly callId: number;
  /** Model of an ORM call; `undefined` for service calls (`authenticate`, `version`). */
  readonly model: string | undefined;
  /** ORM or service method, e.g. `create`, `authenticate`. */
  readonly method: string;
  /** Whether the method reads or writes (decides what may be retried). */
  readonly kind: MethodKind;
  /** Attempt number, 1 for the first. */
  readonly attempt: number;
}

/** An attempt is about to be sent. */
export interface OdooRequestEvent extends OdooCallEvent {
  readonly type: 'request';
}

/** An attempt finished, with a result or an error. */
export interface OdooResponseEvent extends OdooCallEvent {
  readonly type: 'response';
  /** Duration of the attempt, in ms. */
  readonly durationMs: number;
  /** The error of a failed attempt. */
  readonly error?: ZenooError | undefined;
}

/** A failed attempt will be retried after `delayMs`. */
export interface OdooRetryEvent extends OdooCallEvent {
  readonly type: 'retry';
  /** Delay before the next attempt, in ms. */
  readonly delayMs: number;
  /** Why the attempt failed. */
  readonly error: ZenooError;
}

/**
 * Advice about the connection that does not stop the call, e.g. mode `auto` using `/jsonrpc` with a password on
 * Odoo 19 (deprecated there, removed in Odoo 20). Meant for the operator: the CLI prints it on stderr.
 */
export interface OdooNoticeEvent {
  readonly type: 'notice';
  /** The advice, one paragraph, never with a secret. */
  readonly message: string;
}

/** Every event of `OdooClient` (for `client.on(type, listener)`), a union on `type`. */
export type OdooClientEvent = OdooRequestEvent | OdooResponseEvent | OdooRetryEvent | OdooNoticeEvent;
