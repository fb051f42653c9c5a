/**
 * Values known before any row is read: literals, `${env...}` strings and lists and maps of them. The reference check
 * resolves such references once, up front, instead of once per row.
 *
 * @packageDocumentation
 */
import { TemplateValueError, renderTemplateString } from '../load/template-string.js';
import type { ValueTemplate } from '../model/plan-types.js';
import { visitTemplate } from '../model/template-walk.js';

/** A value known before any row is read, or `undefined` when it depends on a row or on another reference. */
export type Static = { readonly value: unknown } | undefined;

/** Evaluates a template that needs no row and no server: literals, `${env...}` strings, lists and maps of them. */
export function staticValue(template: ValueTemplate, env: Readonly<Record<string, string>>): Static {
  switch (template.kind) {
    case 'literal':
      return { value: template.value };
    case 'string':
      if (template.parts.some((part) => part.kind === 'row')) return undefined;
      try {
        return { value: renderTemplateString(template.parts, { row: undefined, env }) };
      } catch (error) {
        if (error instanceof TemplateValueError) return undefined;
        throw error;
      }
    case 'list': {
      const items: unknown[] = [];
      for (const item of template.items) {
        const value = staticValue(item, env);
        if (!value) return undefined;
        items.push(value.value);
      }
      return { value: items };
    }
    case 'map': {
      const entries: Record<string, unknown> = {};
      for (const [field, entry] of Object.entries(template.entries)) {
        const value = staticValue(entry, env);
        if (!value) return undefined;
        entries[field] = value.value;
      }
      return { value: entries };
    }
    default:
      return undefined; // references resolve at run time
  }
}

/** Whether a template reads a column of the row anywhere below it. */
export function readsRow(template: ValueTemplate): boolean {
  let found = false;
  visitTemplate(template, (node) => {
    if (node.kind === 'string' && node.parts.some((part) => part.kind === 'row')) found = true;
  });
  return found;
}
