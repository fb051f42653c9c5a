/**
 * Compiles the YAML of `values:`, `where:` and lookup domains into {@link ValueTemplate} trees, reporting every
 * malformed node with its path; and walks compiled trees (for references, placeholders, prefetching).
 *
 * The schema describes these forms for editors; this module gives the precise messages, because a JSON Schema
 * `anyOf` failure can only say "must match a schema in anyOf".
 *
 * @packageDocumentation
 */
import { childPath } from '../model/plan-positions.js';
import type { TemplateSplit, ValueTemplate, X2manyOperation } from '../model/plan-types.js';
import { templatePlaceholders } from '../model/template-walk.js';
import { parseTemplateString } from './template-string.js';

/** A problem found while compiling, located by path only (the loader adds file, line and column). */
export interface PathProblem {
  /** Path of the offending node. */
  readonly path: string;
  /** What is wrong. */
  readonly message: string;
  /** What to do about it. */
  readonly hint?: string;
}

/** Odoo domain operators (Odoo lower-cases operators; `<>` means `!=`; `any`/`not any` exist since 17). */
export const DOMAIN_OPERATORS: readonly string[] = [
  '=',
  '!=',
  '<>',
  '>',
  '>=',
  '<',
  '<=',
  '=?',
  'like',
  'not like',
  'ilike',
  'not ilike',
  '=like',
  '=ilike',
  'in',
  'not in',
  'child_of',
  'parent_of',
  'any',
  'not any',
];

const XMLID = /^[^.\s]+\.[^\s]+$/;
const MODEL = /^[a-z_][a-z0-9_]*(\.[a-z0-9_]+)*$/;
const REFERENCE_KEYS = ['ref', 'xmlid', 'lookup'] as const;
const X2MANY_KEYS: readonly X2manyOperation[] = ['set', 'add', 'remove'];
const FORMS_HINT =
  'a map value must be one of { ref: STEP, key: VALUE }, { xmlid: module.name }, { lookup: { model, where } }, ' +
  '{ set | add | remove: [...] }';

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `a ${typeof value}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Compiles YAML nodes into templates, collecting problems instead of stopping at the first. */
export class ValueCompiler {
  /** Every problem found so far. */
  readonly problems: PathProblem[] = [];

  private problem(path: string, message: string, hint?: string): undefined {
    this.problems.push(hint ? { path, message, hint } : { path, message });
    return undefined;
  }

  /** A string: a literal, or a template when it has placeholders. */
  string(text: string, path: string): ValueTemplate | undefined {
    const parsed = parseTemplateString(text);
    if (!parsed.ok) return this.problem(path, parsed.message, parsed.hint);
    if (!parsed.dynamic) {
      const [part] = parsed.parts;
      return { kind: 'literal', value: part?.kind === 'text' ? part.text : '', path };
    }
    return { kind: 'string', parts: parsed.parts, path };
  }

  private scalar(raw: unknown, path: string): ValueTemplate | undefined {
    if (typeof raw === 'string') return this.string(raw, path);
    if (raw === null || typeof raw === 'boolean' || (typeof raw === 'number' && Number.isFinite(raw))) {
      return { kind: 'literal', value: raw, path };
    }
    return undefined;
  }

  /** A field value of `values:` (or of a command's values map). */
  fieldValue(raw: unknown, path: string): ValueTemplate | undefined {
    const scalar = this.scalar(raw, path);
    if (scalar || typeof raw !== 'object') return scalar;
    if (Array.isArray(raw)) return this.commandList(raw, path);
    return this.form(raw as Record<string, unknown>, path, true);
  }

  /**
   * A map: a reference, or (when `allowX2many`) an x2many helper. `inHelper` is true for the items of an x2many
   * helper, the one place a reference may take `split:` (it yields several ids, and only a helper takes several).
   */
  private form(
    raw: Record<string, unknown>,
    path: string,
    allowX2many: boolean,
    inHelper = false,
  ): ValueTemplate | undefined {
    const keys = Object.keys(raw);
    const forms = keys.filter(
      (key) => (REFERENCE_KEYS as readonly string[]).includes(key) || (X2MANY_KEYS as readonly string[]).includes(key),
    );
    if (forms.length === 0) {
      return this.problem(
        path,
        keys.length === 0
          ? 'an empty map is not a value'
          : `unknown value form with key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}`,
        FORMS_HINT,
      );
    }
    if (forms.length > 1) {
      return this.problem(path, `a value cannot combine ${forms.join(' and ')}`, `keep one of ${forms.join(', ')}`);
    }
    const [form] = forms as [string];
    const { split: rawSplit, ...rest } = raw;
    if (form === 'ref' || form === 'xmlid' || form === 'lookup') {
      const reference =
        form === 'ref' ? this.ref(rest, path) : form === 'xmlid' ? this.xmlid(rest, path) : this.lookup(rest, path);
      if (rawSplit === undefined || reference === undefined) return reference;
      if (reference.kind !== 'ref' && reference.kind !== 'xmlid' && reference.kind !== 'lookup') return undefined;
      const split = this.split(rawSplit, reference, inHelper, childPath(path, 'split'));
      return split ? { ...reference, split } : undefined;
    }
    if (!allowX2many) {
      return this.problem(
        path,
        `{ ${form}: [...] } is an x2many helper and cannot be used here`,
        'use an id or a reference',
      );
    }
    return this.x2many(raw, form as X2manyOperation, path);
  }

  /**
   * The `split:` of a reference: only inside an x2many helper, a non-empty separator, and a reference that reads
   * exactly one row column (the one whose cell holds the keys).
   */
  private split(raw: unknown, reference: ValueTemplate, inHelper: boolean, path: string): TemplateSplit | undefined {
    if (!inHelper) {
      return this.problem(
        path,
        'split gives several records, so it is only allowed in an item of { set | add | remove: [...] }',
        'e.g. category_id: { set: [{ ref: tags, key: "${row.tags}", split: ";" }] }',
      );
    }
    if (typeof raw !== 'string' || raw === '') {
      const what = raw === '' ? 'empty text' : typeName(raw);
      return this.problem(path, `split must be the text between keys, not ${what}`, 'e.g. split: ";"');
    }
    const columns = [...templatePlaceholders([reference]).rowColumns.keys()];
    if (columns.length !== 1) {
      return this.problem(
        path,
        `split needs a reference that reads exactly one \${row.COLUMN}, not ${columns.length}`,
        'the cell of that column holds the keys, e.g. key: "${row.tags}" with tags = VIP;Retail',
      );
    }
    return { column: columns[0] as string, separator: raw };
  }

  private onlyKeys(raw: Record<string, unknown>, allowed: readonly string[], path: string, what: string): boolean {
    const extra = Object.keys(raw).filter((key) => !allowed.includes(key));
    for (const key of extra) {
      this.problem(childPath(path, key), `unknown key "${key}" in ${what}`, `${what} takes only ${allowed.join(', ')}`);
    }
    return extra.length === 0;
  }

  private ref(raw: Record<string, unknown>, path: string): ValueTemplate | undefined {
    const keysOk = this.onlyKeys(raw, ['ref', 'key'], path, 'a { ref, key } reference');
    const step = raw.ref;
    if (typeof step !== 'string' || step === '') {
      return this.problem(
        childPath(path, 'ref'),
        `ref must be a step id, not ${typeName(step)}`,
        'write { ref: STEP_ID, key: VALUE }',
      );
    }
    if (!Object.hasOwn(raw, 'key')) {
      return this.problem(
        path,
        `reference to step "${step}" has no key`,
        'add key: VALUE (e.g. key: "${row.parent_ref}")',
      );
    }
    const rawKey = raw.key;
    const keyPath = childPath(path, 'key');
    const parts = Array.isArray(rawKey) ? rawKey : [rawKey];
    if (parts.length === 0)
      return this.problem(keyPath, 'key must not be an empty list', 'give one value per key field');
    const key: ValueTemplate[] = [];
    parts.forEach((part, index) => {
      const partPath = Array.isArray(rawKey) ? childPath(keyPath, index) : keyPath;
      const compiled = typeof part === 'object' || part === null ? undefined : this.scalar(part, partPath);
      if (compiled) key.push(compiled);
      else if (typeof part === 'object' || part === null) {
        this.problem(
          partPath,
          `a key value must be text, a number or a boolean, not ${typeName(part)}`,
          'write the key value, e.g. key: C001 or key: "${row.company}"',
        );
      }
    });
    if (!keysOk || key.length !== parts.length) return undefined;
    return { kind: 'ref', step, key, path };
  }

  private xmlid(raw: Record<string, unknown>, path: string): ValueTemplate | undefined {
    const keysOk = this.onlyKeys(raw, ['xmlid'], path, 'an { xmlid } reference');
    const value = raw.xmlid;
    const valuePath = childPath(path, 'xmlid');
    if (typeof value !== 'string') {
      return this.problem(valuePath, `xmlid must be text (module.name), not ${typeName(value)}`, 'e.g. xmlid: base.be');
    }
    const xmlid = this.string(value, valuePath);
    if (xmlid?.kind === 'literal' && !XMLID.test(String(xmlid.value))) {
      return this.problem(
        valuePath,
        `"${value}" is not an external id`,
        'write module.name, e.g. base.be or __import__.cust_42 (no spaces)',
      );
    }
    return xmlid && keysOk ? { kind: 'xmlid', xmlid, path } : undefined;
  }

  private lookup(raw: Record<string, unknown>, path: string): ValueTemplate | undefined {
    const keysOk = this.onlyKeys(raw, ['lookup'], path, 'a { lookup } reference');
    const body = raw.lookup;
    const bodyPath = childPath(path, 'lookup');
    if (!isPlainObject(body)) {
      return this.problem(
        bodyPath,
        `lookup must be a map { model, where }, not ${typeName(body)}`,
        'e.g. lookup: { model: res.country, where: [[code, "=", BE]] }',
      );
    }
    const bodyOk = this.onlyKeys(body, ['model', 'where'], bodyPath, 'a lookup');
    const model = body.model;
    if (typeof model !== 'string' || !MODEL.test(model)) {
      this.problem(
        childPath(bodyPath, 'model'),
        model === undefined ? 'lookup has no model' : `"${String(model)}" is not a model name`,
        'e.g. model: res.country',
      );
    }
    if (!Object.hasOwn(body, 'where')) {
      return this.problem(
        bodyPath,
        'lookup has no where',
        'add a domain matching exactly one record, e.g. where: [[code, "=", BE]]',
      );
    }
    const where = this.domain(body.where, childPath(bodyPath, 'where'));
    if (!where || !keysOk || !bodyOk || typeof model !== 'string' || !MODEL.test(model)) return undefined;
    return { kind: 'lookup', model, where, path };
  }

  private x2many(raw: Record<string, unknown>, op: X2manyOperation, path: string): ValueTemplate | undefined {
    const keysOk = this.onlyKeys(raw, [op], path, `an { ${op} } x2many helper`);
    const list = raw[op];
    const listPath = childPath(path, op);
    if (!Array.isArray(list)) {
      return this.problem(
        listPath,
        `${op} must be a list of ids or references, not ${typeName(list)}`,
        `e.g. ${op}: [{ ref: tags, key: VIP }, 7]`,
      );
    }
    const items = list.map((item, index) => this.idOrReference(item, childPath(listPath, index), true));
    if (!keysOk || items.some((item) => item === undefined)) return undefined;
    return { kind: 'x2many', op, items: items as ValueTemplate[], path };
  }

  /** A record id: a positive integer, a reference, or a placeholder string (`inHelper`: see {@link form}). */
  private idOrReference(raw: unknown, path: string, inHelper = false): ValueTemplate | undefined {
    if (typeof raw === 'number' && Number.isInteger(raw) && raw > 0) return { kind: 'literal', value: raw, path };
    if (typeof raw === 'string') {
      const compiled = this.string(raw, path);
      if (compiled?.kind === 'literal') {
        return this.problem(
          path,
          `"${raw}" is not a record id`,
          'use a positive integer id or a reference such as { ref: STEP, key: VALUE } or { xmlid: module.name }',
        );
      }
      return compiled;
    }
    if (isPlainObject(raw)) return this.form(raw, path, false, inHelper);
    return this.problem(
      path,
      `${typeName(raw)} is not a record id`,
      'use a positive integer id or a reference such as { ref: STEP, key: VALUE }',
    );
  }

  private commandList(raw: readonly unknown[], path: string): ValueTemplate | undefined {
    if (raw.length > 0 && raw.every((item) => !Array.isArray(item))) {
      return this.problem(
        path,
        'a bare list is not an x2many value',
        'write { set: [...] } to replace the linked records, or a list of command triplets such as [[4, 7, 0]]',
      );
    }
    const items = raw.map((item, index) => this.command(item, childPath(path, index)));
    if (items.some((item) => item === undefined)) return undefined;
    return { kind: 'list', items: items as ValueTemplate[], path };
  }

  private command(raw: unknown, path: string): ValueTemplate | undefined {
    if (!Array.isArray(raw) || raw.length !== 3) {
      return this.problem(
        path,
        `an x2many command must be a triplet [code, id, value], not ${Array.isArray(raw) ? `a list of ${raw.length}` : typeName(raw)}`,
        'e.g. [4, 7, 0] to link record 7, [0, 0, { name: X }] to create one',
      );
    }
    const [code, id, third] = raw as [unknown, unknown, unknown];
    const at = (index: number): string => childPath(path, index);
    const zero = (value: unknown, index: number): ValueTemplate | undefined =>
      value === 0 || value === false
        ? { kind: 'literal', value: 0, path: at(index) }
        : this.problem(at(index), `must be 0 in command ${String(code)}`, 'write 0');
    const values = (value: unknown): ValueTemplate | undefined => {
      if (!isPlainObject(value))
        return this.problem(
          at(2),
          `command ${String(code)} takes a map of field values, not ${typeName(value)}`,
          'e.g. [0, 0, { name: Jane }]',
        );
      const entries: Record<string, ValueTemplate> = {};
      let ok = true;
      for (const [field, fieldRaw] of Object.entries(value)) {
        const compiled = this.fieldValue(fieldRaw, childPath(at(2), field));
        if (compiled) entries[field] = compiled;
        else ok = false;
      }
      return ok ? { kind: 'map', entries, path: at(2) } : undefined;
    };
    let parts: (ValueTemplate | undefined)[];
    switch (code) {
      case 0:
        parts = [zero(id, 1), values(third)];
        break;
      case 1:
        parts = [this.idOrReference(id, at(1)), values(third)];
        break;
      case 2:
      case 3:
      case 4:
        parts = [this.idOrReference(id, at(1)), zero(third, 2)];
        break;
      case 5:
        parts = [zero(id, 1), zero(third, 2)];
        break;
      case 6: {
        const ids = Array.isArray(third)
          ? third.map((item, index) => this.idOrReference(item, childPath(at(2), index)))
          : [this.problem(at(2), `command 6 takes a list of ids, not ${typeName(third)}`, 'e.g. [6, 0, [7, 8]]')];
        const list: ValueTemplate | undefined = ids.every((item) => item !== undefined)
          ? { kind: 'list', items: ids as ValueTemplate[], path: at(2) }
          : undefined;
        parts = [zero(id, 1), list];
        break;
      }
      default:
        return this.problem(
          at(0),
          `${JSON.stringify(code)} is not an x2many command code`,
          'codes are 0 create, 1 update, 2 delete, 3 unlink, 4 link, 5 clear, 6 set',
        );
    }
    if (parts.some((part) => part === undefined)) return undefined;
    return {
      kind: 'list',
      items: [{ kind: 'literal', value: code, path: at(0) }, ...(parts as ValueTemplate[])],
      path,
    };
  }

  /** An Odoo domain: leaves `[field, operator, value]` and the prefix operators `&`, `|`, `!`. */
  domain(raw: unknown, path: string): ValueTemplate | undefined {
    if (!Array.isArray(raw)) {
      return this.problem(
        path,
        `a domain must be a list, not ${typeName(raw)}`,
        'e.g. [[email, "=like", "%@old.example"]]',
      );
    }
    const items: (ValueTemplate | undefined)[] = [];
    // Prefix notation: count the operands still expected, reading from the end (Odoo's own normalisation check).
    let available = 0;
    for (let index = raw.length - 1; index >= 0; index -= 1) {
      const term: unknown = raw[index];
      const termPath = childPath(path, index);
      if (term === '&' || term === '|' || term === '!') {
        const arity = term === '!' ? 1 : 2;
        if (available < arity) {
          this.problem(
            termPath,
            `operator "${term}" needs ${arity} operand${arity > 1 ? 's' : ''} after it`,
            'domains use prefix notation: ["|", [a, "=", 1], [b, "=", 2]]',
          );
        }
        available = available - arity + 1;
        items[index] = { kind: 'literal', value: term, path: termPath };
      } else {
        available += 1;
        items[index] = this.leaf(term, termPath);
      }
    }
    if (items.some((item) => item === undefined)) return undefined;
    return { kind: 'list', items: items as ValueTemplate[], path };
  }

  private leaf(raw: unknown, path: string): ValueTemplate | undefined {
    if (typeof raw === 'string') {
      return this.problem(
        path,
        `"${raw}" is not a domain operator`,
        'use "&", "|" or "!", or a leaf [field, operator, value]',
      );
    }
    if (!Array.isArray(raw) || raw.length !== 3) {
      return this.problem(
        path,
        `a domain leaf must be [field, operator, value], not ${Array.isArray(raw) ? `a list of ${raw.length}` : typeName(raw)}`,
        'e.g. [email, "=like", "%@old.example"]',
      );
    }
    const [field, operator, value] = raw as [unknown, unknown, unknown];
    const fieldOk = (typeof field === 'string' && field !== '') || field === 0 || field === 1;
    if (!fieldOk)
      this.problem(
        childPath(path, 0),
        `${typeName(field)} is not a field name`,
        'write the field path, e.g. email or country_id.code',
      );
    const operatorOk = typeof operator === 'string' && DOMAIN_OPERATORS.includes(operator.toLowerCase());
    if (!operatorOk) {
      this.problem(
        childPath(path, 1),
        `${JSON.stringify(operator)} is not a domain operator`,
        `use one of ${DOMAIN_OPERATORS.join(' ')}`,
      );
    }
    const compiledValue = this.domainValue(value, childPath(path, 2));
    if (!fieldOk || !operatorOk || !compiledValue) return undefined;
    return {
      kind: 'list',
      items: [
        { kind: 'literal', value: field as string | number, path: childPath(path, 0) },
        { kind: 'literal', value: (operator as string).toLowerCase(), path: childPath(path, 1) },
        compiledValue,
      ],
      path,
    };
  }

  private domainValue(raw: unknown, path: string): ValueTemplate | undefined {
    const scalar = this.scalar(raw, path);
    if (scalar || (typeof raw !== 'object' && raw !== undefined)) return scalar;
    if (Array.isArray(raw)) {
      const items = raw.map((item, index) => this.domainValue(item, childPath(path, index)));
      return items.every((item) => item !== undefined)
        ? { kind: 'list', items: items as ValueTemplate[], path }
        : undefined;
    }
    if (isPlainObject(raw)) return this.form(raw, path, false);
    return this.problem(path, 'missing domain value', 'a leaf is [field, operator, value]');
  }
}
