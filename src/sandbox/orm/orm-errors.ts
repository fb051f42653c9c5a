/**
 * Builders for the exact errors a real Odoo 17.0 server raises from its ORM, as captured in
 * test/fixtures/odoo/wire-odoo-17.0.txt. Every builder returns an {@link OdooServerError}; the caller throws it, which
 * rolls the call's transaction back.
 *
 * @packageDocumentation
 */

import { OdooServerError } from '../odoo-server-error.js';
import type { FieldDef, ModelDef } from './model-types.js';
import { pyRepr, pyTupleRepr } from './python-repr.js';

/** Odoo's prefix for every constraint violation turned into a ValidationError. */
const CANNOT_COMPLETE = 'The operation cannot be completed:';

/** `odoo.exceptions.ValidationError` with `message`. */
export function validationError(message: string): OdooServerError {
  return new OdooServerError('odoo.exceptions.ValidationError', message);
}

/** `builtins.ValueError` with `message`. */
export function valueError(message: string): OdooServerError {
  return new OdooServerError('builtins.ValueError', message);
}

/** `builtins.TypeError` with `message` (wrongly shaped arguments). */
export function typeError(message: string): OdooServerError {
  return new OdooServerError('builtins.TypeError', message);
}

/** `odoo.exceptions.UserError` with `message`. */
export function userError(message: string): OdooServerError {
  return new OdooServerError('odoo.exceptions.UserError', message);
}

/** `Object no.such.model doesn't exist` (UserError). */
export function unknownModelError(model: string): OdooServerError {
  return userError(`Object ${model} doesn't exist`);
}

/** `The method 'res.partner.foo' does not exist` (AttributeError). */
export function unknownMethodError(model: string, method: string): OdooServerError {
  return new OdooServerError('builtins.AttributeError', `The method '${model}.${method}' does not exist`);
}

/** `Private methods (such as 'res.partner._foo') cannot be called remotely.` (AccessError). */
export function privateMethodError(model: string, method: string): OdooServerError {
  return new OdooServerError(
    'odoo.exceptions.AccessError',
    `Private methods (such as '${model}.${method}') cannot be called remotely.`,
  );
}

/** `Record does not exist or has been deleted.\n(Record: res.partner(7,), User: 2)` (MissingError). */
export function missingError(model: string, id: number, uid: number): OdooServerError {
  return new OdooServerError(
    'odoo.exceptions.MissingError',
    `Record does not exist or has been deleted.\n(Record: ${model}(${id},), User: ${uid})`,
  );
}

/** `Invalid field 'x' on model 'res.partner'` (ValueError): unknown key in create/write/read. */
export function invalidFieldError(model: string, field: string): OdooServerError {
  return valueError(`Invalid field ${pyRepr(field)} on model ${pyRepr(model)}`);
}

/** `Invalid field res.partner.nope in leaf ('nope', '=', 1)` (ValueError): unknown field in a domain. */
export function invalidLeafFieldError(model: string, path: string, leaf: readonly unknown[]): OdooServerError {
  return valueError(`Invalid field ${model}.${path} in leaf ${pyTupleRepr(leaf)}`);
}

/** `Invalid leaf ('name', 'foo', 1)` (ValueError): malformed domain term or unknown operator. */
export function invalidLeafError(leaf: unknown): OdooServerError {
  return valueError(`Invalid leaf ${Array.isArray(leaf) ? pyTupleRepr(leaf) : pyRepr(leaf)}`);
}

/** `Wrong value for res.partner.type: 'nope'` (ValueError): value outside a selection. */
export function wrongSelectionError(model: string, field: string, value: unknown): OdooServerError {
  return valueError(`Wrong value for ${model}.${field}: ${pyRepr(value)}`);
}

/** The NOT NULL ValidationError; keeps the field so that `load` can report it as a missing required value. */
export class NotNullViolation extends OdooServerError {
  /** The field left empty. */
  readonly field: FieldDef;

  constructor(model: ModelDef, field: FieldDef) {
    super(
      'odoo.exceptions.ValidationError',
      `${CANNOT_COMPLETE}\n- Create/update: a mandatory field is not set.\n` +
        '- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n' +
        `Model: ${model.description} (${model.name})\nField: ${field.string} (${field.name})\n`,
    );
    this.field = field;
  }
}

/** The NOT NULL ValidationError naming the model and the field. */
export function notNullError(model: ModelDef, field: FieldDef): NotNullViolation {
  return new NotNullViolation(model, field);
}

/** A registered SQL constraint (unique or check): `The operation cannot be completed: <message>`. */
export function sqlConstraintError(message: string): OdooServerError {
  return validationError(`${CANNOT_COMPLETE} ${message}`);
}

/** A violated unique index that is not a registered constraint: PostgreSQL's text with its DETAIL line. */
export function uniqueIndexError(
  indexName: string,
  columns: readonly string[],
  values: readonly unknown[],
): OdooServerError {
  return validationError(
    `${CANNOT_COMPLETE} duplicate key value violates unique constraint "${indexName}"\n` +
      `DETAIL:  Key (${columns.join(', ')})=(${values.map((v) => (v === null || v === undefined ? '' : String(v))).join(', ')}) already exists.\n`,
  );
}

/**
 * A foreign key violation, raised both for a many2one pointing at a record that does not exist and for deleting a
 * record that a `restrict` many2one still points at. `model` is the referencing model.
 */
export function foreignKeyError(model: ModelDef, field: FieldDef): OdooServerError {
  return validationError(
    `${CANNOT_COMPLETE} another model requires the record being deleted. If possible, archive it instead.\n\n` +
      `Model: ${model.description} (${model.name})\nConstraint: ${model.table}_${field.name}_fkey\n`,
  );
}

/** Access operations, in Odoo's words. */
export type AccessOperation = 'read' | 'write' | 'create' | 'unlink';

const ACCESS_VERBS: Readonly<Record<AccessOperation, string>> = {
  read: 'access',
  write: 'modify',
  create: 'create',
  unlink: 'delete',
};

/** `You are not allowed to create 'Country' (res.country) records. ...` (AccessError). */
export function accessRightsError(model: ModelDef, operation: AccessOperation): OdooServerError {
  return new OdooServerError(
    'odoo.exceptions.AccessError',
    `You are not allowed to ${ACCESS_VERBS[operation]} '${model.description}' (${model.name}) records.\n\n` +
      `This operation is allowed for the following groups:\n\t- ${model.access.groups}\n\n` +
      'Contact your administrator to request access if necessary.',
  );
}

/** `invalid literal for int() with base 10: 'abc'` (ValueError). */
export function intLiteralError(value: unknown): OdooServerError {
  return valueError(`invalid literal for int() with base 10: ${pyRepr(value)}`);
}

/** `could not convert string to float: 'abc'` (ValueError). */
export function floatLiteralError(value: unknown): OdooServerError {
  return valueError(`could not convert string to float: ${pyRepr(value)}`);
}

/** `External ID not found in the system: base.zz` (ValueError). */
export function externalIdNotFoundError(xmlid: string): OdooServerError {
  return valueError(`External ID not found in the system: ${xmlid}`);
}

/** Invalid `order` specification (ValueError). */
export function invalidOrderError(order: string): OdooServerError {
  return valueError(
    `Invalid "order" specified (${order}). A valid "order" specification is a comma-separated list of valid field ` +
      'names (optionally followed by asc/desc for the direction)',
  );
}
