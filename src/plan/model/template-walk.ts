/**
 * Walkers over value templates: visit every node, list the placeholders and the references (`ref`, `xmlid`,
 * `lookup`) a template or a step holds. Graph, load, check and evaluate all read templates this way, so the walkers
 * live with the template type rather than with the compiler.
 *
 * @packageDocumentation
 */
import type { PlanLines, PlanStep, TemplatePart, ValueTemplate } from './plan-types.js';

/** Calls `visit` on `template` and every node below it, parents first. */
export function visitTemplate(template: ValueTemplate, visit: (node: ValueTemplate) => void): void {
  visit(template);
  switch (template.kind) {
    case 'literal':
    case 'string':
      return;
    case 'ref':
      for (const part of template.key) visitTemplate(part, visit);
      return;
    case 'xmlid':
      visitTemplate(template.xmlid, visit);
      return;
    case 'lookup':
      visitTemplate(template.where, visit);
      return;
    case 'x2many':
    case 'list':
      for (const item of template.items) visitTemplate(item, visit);
      return;
    case 'map':
      for (const entry of Object.values(template.entries)) visitTemplate(entry, visit);
      return;
    default:
      template satisfies never;
  }
}

/** The placeholders used in templates: row columns and environment variables, each with the paths using it. */
export function templatePlaceholders(templates: Iterable<ValueTemplate>): {
  readonly rowColumns: ReadonlyMap<string, readonly string[]>;
  readonly envNames: ReadonlyMap<string, readonly string[]>;
} {
  const rowColumns = new Map<string, string[]>();
  const envNames = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, name: string, path: string): void => {
    const paths = map.get(name) ?? [];
    if (!paths.includes(path)) paths.push(path);
    map.set(name, paths);
  };
  for (const template of templates) {
    visitTemplate(template, (node) => {
      if (node.kind !== 'string') return;
      for (const part of node.parts as readonly TemplatePart[]) {
        if (part.kind === 'row') add(rowColumns, part.column, node.path);
        else if (part.kind === 'env') add(envNames, part.name, node.path);
      }
    });
  }
  return { rowColumns, envNames };
}

/** A reference node: `{ ref }`, `{ xmlid }` or `{ lookup }`. */
export type ReferenceTemplate = Extract<ValueTemplate, { kind: 'ref' | 'xmlid' | 'lookup' }>;

/** Every reference node in `roots` and below them (inside helpers, commands and lookup domains), in order. */
export function templateReferences(roots: Iterable<ValueTemplate>): ReferenceTemplate[] {
  const found: ReferenceTemplate[] = [];
  for (const root of roots) {
    visitTemplate(root, (node) => {
      if (node.kind === 'ref' || node.kind === 'xmlid' || node.kind === 'lookup') found.push(node);
    });
  }
  return found;
}

/** A reference node of a step, as {@link stepReferences} lists them. */
export type StepReference = ReferenceTemplate;

/** The `lines:` of a step as {@link stepReferences} reads them: by field (a loaded step) or as a list (a draft). */
export type LinesValues = Readonly<Record<string, Pick<PlanLines, 'values'>>> | readonly Pick<PlanLines, 'values'>[];

/**
 * Every reference in a step's `values:`, `where:` and line `values:` (also those nested in x2many helpers, commands
 * and lookup domains), in file order. Graph edges come from the `ref` entries, so a step whose lines refer to
 * another step runs after it; an apply engine can prefetch static external ids (an `xmlid` whose template is a
 * `literal`) before the first row.
 */
export function stepReferences(
  step: Pick<PlanStep, 'values' | 'where'> & { readonly lines?: LinesValues | undefined },
): readonly StepReference[] {
  const lines =
    step.lines === undefined ? [] : Object.values(step.lines).flatMap((entry) => Object.values(entry.values));
  return templateReferences([...Object.values(step.values), ...(step.where ? [step.where] : []), ...lines]);
}
