/**
 * The pre-write checks of a plan's `lines:` against the target's fields: each lines field is a one2many of its
 * step's model (its comodel is the lines' model), and the line rows' columns, `values:` and key are fields of that
 * model. The lines' models are read once each (`fields_get`) and handed on with the plan's other models, so the diff
 * does not read them again.
 *
 * @packageDocumentation
 */
import { throwIfAborted } from '../../util/abort.js';
import type { FieldInfo } from '../../client/types.js';
import type { PlanProblem } from '../../errors.js';
import { closestNames } from '../../util/closest-names.js';
import type { ModelFields } from '../model/model-fields.js';
import { childPath, problemAt } from '../model/plan-positions.js';
import type { Plan } from '../model/plan-types.js';

/** What {@link checkPlanLines} found: its problems, and the plan's fields with the lines' models added. */
export interface PlanLinesCheck {
  readonly problems: PlanProblem[];
  readonly fields: ModelFields;
}

/**
 * Checks every `lines:` entry of `plan` against the fields of its step's model (in `fields`) and of its lines' model
 * (read with `readFields` when `fields` lacks it, once per model).
 */
export async function checkPlanLines(
  plan: Plan,
  readFields: (model: string) => Promise<Readonly<Record<string, FieldInfo>>>,
  fields: ModelFields,
  signal?: AbortSignal,
): Promise<PlanLinesCheck> {
  const problems: PlanProblem[] = [];
  const all = new Map(fields);
  for (const step of plan.steps) {
    const parentFields = all.get(step.model);
    if (step.lines === undefined || parentFields === undefined) continue;
    for (const lines of Object.values(step.lines)) {
      const info = parentFields[lines.field];
      if (info?.type !== 'one2many' || typeof info.relation !== 'string') {
        const close = closestNames(
          lines.field,
          Object.keys(parentFields).filter((name) => parentFields[name]?.type === 'one2many'),
        );
        problems.push(
          problemAt(
            plan,
            lines.path,
            info === undefined
              ? `field ${lines.field} does not exist on ${step.model}`
              : `field ${lines.field} of ${step.model} is a ${info.type}, not a one2many: lines: takes the one2many field of the document's lines`,
            close.length > 0 ? `one2many fields of ${step.model}: ${close.join(', ')}` : 'name a one2many field',
          ),
        );
        continue;
      }
      const model = info.relation;
      let lineFields = all.get(model);
      if (lineFields === undefined) {
        throwIfAborted(signal, 'The remote validation');
        lineFields = await readFields(model);
        all.set(model, lineFields);
      }
      problems.push(...lineFieldProblems(plan, lines.path, model, lineFields, lineColumns(lines)));
    }
  }
  return { problems, fields: all };
}

/** The names a lines entry sends: its rows' columns (but template-only ones), its `values:` and its key. */
function lineColumns(lines: NonNullable<Plan['steps'][number]['lines']>[string]): Map<string, string> {
  const names = new Map<string, string>();
  if (lines.records.kind !== 'column') {
    for (const column of lines.records.columns)
      if (!lines.templateColumns.includes(column)) names.set(column, childPath(lines.path, 'records'));
  }
  for (const field of Object.keys(lines.values)) names.set(field, childPath(childPath(lines.path, 'values'), field));
  for (const field of lines.key) if (!names.has(field)) names.set(field, childPath(lines.path, 'key'));
  return names;
}

function lineFieldProblems(
  plan: Plan,
  linesPath: string,
  model: string,
  fields: Readonly<Record<string, FieldInfo>>,
  names: ReadonlyMap<string, string>,
): PlanProblem[] {
  const problems: PlanProblem[] = [];
  for (const [name, path] of names) {
    if (Object.hasOwn(fields, name)) continue;
    const close = closestNames(name, Object.keys(fields));
    problems.push(
      problemAt(
        plan,
        path,
        `field ${name} of the lines (${linesPath}) does not exist on ${model}`,
        close.length > 0
          ? `did you mean ${close.join(', ')}? (columns used only in templates go in the lines' template_columns)`
          : "columns used only in templates go in the lines' template_columns",
      ),
    );
  }
  return problems;
}
