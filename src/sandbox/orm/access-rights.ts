/**
 * Model access rights: the admin (uid 2) and the superuser (uid 1) may do everything; other users are internal users
 * with the rights a fresh Odoo 17.0 gives them (read countries and users, manage contacts and tags, nothing on system
 * parameters), refused with Odoo's exact AccessError text.
 *
 * @packageDocumentation
 */

import type { ModelDef } from './model-types.js';
import { accessRightsError } from './orm-errors.js';
import type { AccessOperation } from './orm-errors.js';

/** Whether `uid` has the Settings (and Access Rights) groups. */
export function isAdmin(uid: number): boolean {
  return uid === 1 || uid === 2;
}

/** Throws Odoo's AccessError when `uid` may not perform `operation` on `model`. */
export function checkAccess(uid: number, model: ModelDef, operation: AccessOperation): void {
  if (isAdmin(uid) || model.access.internalUser.includes(operation)) return;
  throw accessRightsError(model, operation);
}
