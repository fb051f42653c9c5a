/**
 * `${row.COLUMN}` and `${env.NAME}` interpolation in plan strings. Parsed once at load time into parts and evaluated
 * per row by substitution: there is no expression language and no eval, so a data file can never run code.
 *
 * `$${` writes a literal `${`.
 *
 * @packageDocumentation
 */
import type { TemplatePart } from '../model/plan-types.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The result of {@link parseTemplateString}: the parts, or why the string is not a valid template. */
export type ParsedTemplate =
  | { readonly ok: true; readonly parts: readonly TemplatePart[]; readonly dynamic: boolean }
  | { readonly ok: false; readonly message: string; readonly hint: string };

/**
 * Splits `text` into literal text and placeholders. `dynamic` is false when the string has no placeholder (then the
 * only part is its text, with `$${` already unescaped).
 */
export function parseTemplateString(text: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let literal = '';
  let dynamic = false;
  let index = 0;
  while (index < text.length) {
    if (text.startsWith('$${', index)) {
      literal += '${';
      index += 3;
      continue;
    }
    if (!text.startsWith('${', index)) {
      literal += text[index];
      index += 1;
      continue;
    }
    const end = text.indexOf('}', index + 2);
    if (end === -1) {
      return {
        ok: false,
        message: `unterminated placeholder in "${text}"`,
        hint: 'close it with `}` (write `$${` for a literal `${`)',
      };
    }
    const inner = text.slice(index + 2, end).trim();
    let part: TemplatePart;
    if (inner.startsWith('row.') && inner.length > 4) {
      part = { kind: 'row', column: inner.slice(4) };
    } else if (inner.startsWith('env.') && ENV_NAME.test(inner.slice(4))) {
      part = { kind: 'env', name: inner.slice(4) };
    } else {
      return {
        ok: false,
        message: `unknown placeholder \${${inner}}`,
        hint: 'use ${row.COLUMN} for a column of the row or ${env.NAME} for an environment variable (no expressions)',
      };
    }
    if (literal) parts.push({ kind: 'text', text: literal });
    literal = '';
    parts.push(part);
    dynamic = true;
    index = end + 1;
  }
  if (literal || parts.length === 0) parts.push({ kind: 'text', text: literal });
  return { ok: true, parts, dynamic };
}

/** Where a placeholder takes its values from. */
export interface TemplateScope {
  /** The row's columns, or `undefined` when the template is evaluated without a row (a `where`-driven step). */
  readonly row: Readonly<Record<string, unknown>> | undefined;
  /** Environment variables (those the plan uses, captured at load time). */
  readonly env: Readonly<Record<string, string>>;
}

/** A placeholder could not be filled; `message` says which and why. */
export class TemplateValueError extends Error {}

function lookup(part: Exclude<TemplatePart, { kind: 'text' }>, scope: TemplateScope): unknown {
  if (part.kind === 'env') {
    const value = scope.env[part.name];
    if (value === undefined) throw new TemplateValueError(`environment variable ${part.name} is not set`);
    return value;
  }
  if (!scope.row) throw new TemplateValueError(`\${row.${part.column}} is used where there is no row`);
  if (!Object.hasOwn(scope.row, part.column)) {
    throw new TemplateValueError(`the row has no column "${part.column}" (used as \${row.${part.column}})`);
  }
  return scope.row[part.column];
}

/**
 * Evaluates parsed parts. A template that is exactly one placeholder yields the raw value (a number stays a number,
 * `null` stays `null`); otherwise values are concatenated as text, `null` as the empty string. Throws
 * {@link TemplateValueError} for a missing column or variable, or an object/array value inside a longer string.
 */
export function renderTemplateString(parts: readonly TemplatePart[], scope: TemplateScope): unknown {
  const [only] = parts;
  if (parts.length === 1 && only && only.kind !== 'text') return lookup(only, scope);
  let text = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      text += part.text;
      continue;
    }
    const value = lookup(part, scope);
    if (value === null || value === undefined) continue;
    if (typeof value === 'object') {
      const name = part.kind === 'row' ? `row.${part.column}` : `env.${part.name}`;
      throw new TemplateValueError(`\${${name}} is a ${Array.isArray(value) ? 'list' : 'map'} and cannot go into text`);
    }
    text += String(value);
  }
  return text;
}
