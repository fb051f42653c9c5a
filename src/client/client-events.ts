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
export type OdooRequestEvent = OdooCallEvent;

/** An attempt finished, with a result or an error. */
export interface OdooResponseEvent extends OdooCallEvent {
  /** Duration of the attempt, in ms. */
  readonly durationMs: number;
  /** The error of a failed attempt. */
  readonly error?: ZenooError | undefined;
}

/** A failed attempt will be retried after `delayMs`. */
export interface OdooRetryEvent extends OdooCallEvent {
  /** Delay before the next attempt, in ms. */
  readonly delayMs: number;
  /** Why the attempt failed. */
  readonly error: ZenooError;
}

/** Event map of `OdooClient` (for `client.on(name, listener)`). */
export interface OdooClientEvents {
  /** Before each attempt. */
  request: [event: OdooRequestEvent];
  /** After each attempt. */
  response: [event: OdooResponseEvent];
  /** Before waiting for a retry. */
  retry: [event: OdooRetryEvent];
}
