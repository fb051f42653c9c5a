/**
 * Validation of a plan document against `schemas/plan.schema.json` (ajv, all errors), with each ajv error turned into
 * a problem a person can act on: the node's path, a plain message and a hint ("did you mean `model`?").
 *
 * Errors inside `values:` entries and `where:` are left to the value compiler (see `value-template.ts`), which knows
 * which form was meant and says so precisely; ajv can only report that no `anyOf` branch matched.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { closestNames } from '../../util/closest-names.js';
import { childPath } from '../model/plan-positions.js';
import type { PathProblem } from './value-template.js';

/** Location of the plan JSON Schema inside the package. */
export const PLAN_SCHEMA_URL: URL = new URL('../../../schemas/plan.schema.json', import.meta.url);

let cached: { schema: Record<string, unknown>; validate: ValidateFunction } | undefined;

/** The plan JSON Schema, parsed (read once from {@link PLAN_SCHEMA_URL}). */
export function planSchema(): Record<string, unknown> {
  return compiled().schema;
}

function compiled(): { schema: Record<string, unknown>; validate: ValidateFunction } {
  if (!cached) {
    const schema = JSON.parse(readFileSync(PLAN_SCHEMA_URL, 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    cached = { schema, validate: ajv.compile(schema) };
  }
  return cached;
}

const SUPPRESSED = /^\/steps\/\d+\/(values\/[^/]+|where|lines\/[^/]+\/values\/[^/]+)(\/|$)/;

const PATTERN_MESSAGES: Readonly<Record<string, { what: string; hint: string }>> = {
  stepId: { what: 'a step id', hint: 'start with a letter, then letters, digits, _ or - (e.g. companies)' },
  fieldName: { what: 'a field name', hint: 'field names are letters, digits and _ (e.g. parent_id)' },
  model: { what: 'a model name', hint: 'write the technical name, e.g. res.partner' },
  name: { what: 'a plan name', hint: 'use letters, digits, ., _ or - (e.g. crm-seed)' },
};

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Converts an ajv instance path to a plan path, using the data to tell list indexes from map keys. */
function toPath(pointer: string, data: unknown): string {
  let path = '';
  let node: unknown = data;
  for (const segment of pointerSegments(pointer)) {
    if (Array.isArray(node)) {
      const index = Number(segment);
      path = childPath(path, index);
      node = node[index];
    } else {
      path = childPath(path, segment);
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

function valueAt(pointer: string, data: unknown): unknown {
  let node: unknown = data;
  for (const segment of pointerSegments(pointer)) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return node;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `text "${value}"`;
  return `${typeof value} ${String(value)}`;
}

/** The properties the failing schema node allows (ajv's `verbose` mode hands us that node). */
function allowedProperties(error: ErrorObject): string[] {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
}

const TYPE_HINTS: Readonly<Record<string, string>> = {
  array: 'write a list, e.g. [a, b]',
  object: 'write a map, e.g. { key: value }',
  integer: 'write a whole number, e.g. 10',
  number: 'write a number',
  string: 'write text',
  boolean: 'write true or false',
};

/** "1 to 10000" from the failing node's minimum and maximum. */
function range(error: ErrorObject): string {
  const schema = error.parentSchema as { minimum?: number; maximum?: number } | undefined;
  if (schema?.minimum !== undefined && schema.maximum !== undefined)
    return `use ${schema.minimum} to ${schema.maximum}${/\/definitions\/(chunkSize|concurrency)\//.test(error.schemaPath) ? ', or auto' : ''}`;
  return 'see the schema description of this property';
}

function patternKind(error: ErrorObject): string | undefined {
  if (error.schemaPath.includes('/definitions/stepId/')) return 'stepId';
  if (error.schemaPath.includes('/definitions/fieldName/')) return 'fieldName';
  if (error.schemaPath.endsWith('/model/pattern')) return 'model';
  if (error.schemaPath === '#/properties/name/pattern') return 'name';
  return undefined;
}

function mapError(error: ErrorObject, data: unknown): PathProblem | undefined {
  const path = toPath(error.instancePath, data);
  const value = valueAt(error.instancePath, data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      return { path, message: `missing required property "${missing}"`, hint: `add \`${missing}:\`` };
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed = allowedProperties(error);
      const close = closestNames(extra, allowed, 1);
      return {
        path: childPath(path, extra),
        message: `unknown property "${extra}"`,
        hint: close[0]
          ? `did you mean "${close[0]}"? (allowed: ${allowed.join(', ')})`
          : `allowed: ${allowed.join(', ')}`,
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const close = typeof value === 'string' ? closestNames(value, allowed, 1) : [];
      return {
        path,
        message: `${describe(value)} is not one of ${allowed.join(', ')}`,
        hint: close[0] ? `did you mean "${close[0]}"?` : `use one of ${allowed.join(', ')}`,
      };
    }
    case 'const':
      return {
        path,
        message: `must be ${JSON.stringify(params.allowedValue)}, not ${describe(value)}`,
        hint: `write ${JSON.stringify(params.allowedValue)}`,
      };
    case 'type': {
      const type = String(params.type);
      if (path === '') {
        return {
          path,
          message: `a plan must be a map, not ${describe(value)}`,
          hint: 'start with `version: 1`, `name:` and `steps:` (see plans/example.yaml)',
        };
      }
      const names: Record<string, string> = {
        object: 'a map',
        array: 'a list',
        integer: 'a whole number',
        number: 'a number',
        string: 'text',
        boolean: 'true or false',
      };
      const expected = type
        .split(',')
        .map((name) => names[name] ?? name)
        .join(' or ');
      return {
        path,
        message: `must be ${expected}, not ${describe(value)}`,
        hint: TYPE_HINTS[type] ?? 'see the schema description of this property',
      };
    }
    case 'minimum':
    case 'maximum':
      return {
        path,
        message: `${String(value)} is too ${error.keyword === 'minimum' ? 'small' : 'large'}`,
        hint: range(error),
      };
    case 'pattern': {
      const propertyName = error.propertyName;
      const kind = patternKind(error);
      const known = kind ? PATTERN_MESSAGES[kind] : undefined;
      const subject = propertyName ?? value;
      return {
        path: propertyName ? childPath(path, propertyName) : path,
        message: known
          ? `${JSON.stringify(subject)} is not ${known.what}`
          : `${JSON.stringify(subject)} ${error.message ?? 'is invalid'}`,
        hint: known?.hint ?? 'see the schema description of this property',
      };
    }
    case 'propertyNames':
      return undefined; // the inner error names the property
    case 'uniqueItems':
      return {
        path,
        message: `lists ${JSON.stringify((value as unknown[])[Number(params.i)])} twice`,
        hint: 'list each item once',
      };
    case 'minItems':
      return {
        path,
        message: `must have at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`,
        hint: 'add an item or remove the property',
      };
    default:
      return {
        path,
        message: error.message ?? `fails ${error.keyword}`,
        hint: 'see the schema description of this property',
      };
  }
}

/**
 * `records:` is `oneOf` a list or `{ file }`: keep only the errors of the branch the user evidently meant (by the
 * value's type), and replace the bare `oneOf` failure with a plain message when neither fits.
 */
function filterRecordsBranches(errors: readonly ErrorObject[], data: unknown): ErrorObject[] {
  return errors.filter((error) => {
    const match = /\/properties\/records\/oneOf(\/(\d))?/.exec(error.schemaPath);
    if (!match) return true;
    const recordsPointer = error.instancePath.match(/^\/steps\/\d+\/records/)?.[0] ?? error.instancePath;
    const records = valueAt(recordsPointer, data);
    const meant = Array.isArray(records) ? '0' : typeof records === 'object' && records !== null ? '1' : undefined;
    if (match[2] === undefined) return meant === undefined; // the oneOf error itself
    return match[2] === meant;
  });
}

/**
 * `chunk_size` and `concurrency` are `anyOf` a whole number in a range or `auto`: a number gets its range's errors
 * only, anything else one plain message, instead of every branch's.
 */
function filterAutoBranches(errors: readonly ErrorObject[], data: unknown): ErrorObject[] {
  return errors.filter((error) => {
    const match = /\/definitions\/(chunkSize|concurrency)\/anyOf(\/(\d))?/.exec(error.schemaPath);
    if (!match) return true;
    const isNumber = typeof valueAt(error.instancePath, data) === 'number';
    if (match[3] === undefined) return !isNumber; // the anyOf error itself: reported for a value of another type
    return isNumber && match[3] === '0';
  });
}

/** The problem of a `chunk_size` or `concurrency` that is neither a number nor `auto`. */
function autoProblem(error: ErrorObject, data: unknown): PathProblem | undefined {
  const match = /\/definitions\/(chunkSize|concurrency)\/anyOf$/.exec(error.schemaPath);
  if (!match) return undefined;
  const range = match[1] === 'chunkSize' ? '1 to 10000' : '1 to 32';
  return {
    path: toPath(error.instancePath, data),
    message: `must be a whole number or auto, not ${describe(valueAt(error.instancePath, data))}`,
    hint: `use ${range}, or auto to let zenoo find it`,
  };
}

/**
 * Validates a plan document against the JSON Schema; returns every problem (empty when valid). Problems under
 * `values:` entries and `where:` are not reported here (see the module comment).
 */
export function validatePlanSchema(data: unknown): PathProblem[] {
  const { validate } = compiled();
  if (validate(data)) return [];
  const errors = filterAutoBranches(filterRecordsBranches(validate.errors ?? [], data), data).filter(
    (error) => !SUPPRESSED.test(error.instancePath),
  );
  const problems: PathProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    let problem = error.keyword === 'anyOf' ? autoProblem(error, data) : mapError(error, data);
    if (error.keyword === 'oneOf') {
      problem = {
        path: toPath(error.instancePath, data),
        message: 'records must be a list of records or { file: PATH }',
        hint: 'e.g. records: [{ name: A }] or records: { file: data/companies.csv }',
      };
    }
    if (!problem) continue;
    const id = `${problem.path}\u0000${problem.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(problem);
  }
  return problems;
}
