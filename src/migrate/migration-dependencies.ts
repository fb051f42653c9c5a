/**
 * Which steps of a pending migration depend on what an earlier pending migration will write. A dry run of several
 * pending migrations reads the target as it is now: a step that reads records an earlier pending migration creates,
 * updates or deletes (its own model, a lookup, an external id) would be previewed against a state that will no longer
 * hold. Such steps are reported as dependent instead of being shown with guessed changes.
 *
 * @packageDocumentation
 */
import { planModule } from '../plan/evaluate/plan-xmlid.js';
import { compilePlan } from '../plan/graph/plan-graph.js';
import type { Diff } from '../plan/model/diff-types.js';
import type { DependentStep } from './migrate-events.js';
import type { Plan } from '../plan/model/plan-types.js';
import { visitTemplate } from '../plan/model/template-walk.js';

/** What an earlier pending migration will write, as far as its dry run tells. */
export interface PendingWrites {
  /** Version of the earlier migration. */
  readonly version: string;
  /** Its name. */
  readonly name: string;
  /** Its plan. */
  readonly plan: Plan;
  /** Its diff (only the steps that could be previewed), or undefined when none could be. */
  readonly diff: Diff | undefined;
  /** Its steps that could not be previewed (they may write anything in their model). */
  readonly uncertainSteps: readonly string[];
}

interface ModelWrites {
  create: number;
  update: number;
  delete: number;
  uncertain: boolean;
}

/** Per model, what `earlier` will write. */
function writesByModel(earlier: PendingWrites): Map<string, ModelWrites> {
  const byModel = new Map<string, ModelWrites>();
  const get = (model: string): ModelWrites => {
    let writes = byModel.get(model);
    if (writes === undefined) {
      writes = { create: 0, update: 0, delete: 0, uncertain: false };
      byModel.set(model, writes);
    }
    return writes;
  };
  for (const step of earlier.diff?.steps ?? []) {
    if (step.creates.length + step.updates.length + step.deletes.length > 0) {
      const writes = get(step.model);
      writes.create += step.creates.length;
      writes.update += step.updates.length;
      writes.delete += step.deletes.length;
    }
  }
  const previewed = new Set((earlier.diff?.steps ?? []).map((step) => step.step));
  for (const step of earlier.plan.steps) {
    if (earlier.uncertainSteps.includes(step.id) || !previewed.has(step.id)) {
      get(step.model).uncertain = true;
    }
  }
  return byModel;
}

function describeWrites(writes: ModelWrites): string {
  const parts = [
    writes.create > 0 ? `creates ${writes.create}` : '',
    writes.update > 0 ? `updates ${writes.update}` : '',
    writes.delete > 0 ? `deletes ${writes.delete}` : '',
  ].filter(Boolean);
  if (writes.uncertain) {
    parts.push(parts.length > 0 ? 'may write more' : 'may write');
  }
  return parts.join(', ');
}

/** Literal external ids of a template tree (`{ xmlid: module.name }` without placeholders). */
function literalXmlids(step: Plan['steps'][number]): string[] {
  const found: string[] = [];
  for (const root of [...Object.values(step.values), ...(step.where ? [step.where] : [])]) {
    visitTemplate(root, (node) => {
      if (node.kind === 'xmlid' && node.xmlid.kind === 'literal' && typeof node.xmlid.value === 'string') {
        found.push(node.xmlid.value);
      }
    });
  }
  return found;
}

/** Models a step reads: its own (keys, `where`), and those of its lookups. */
function readModels(step: Plan['steps'][number]): Set<string> {
  const models = new Set([step.model]);
  for (const root of [...Object.values(step.values), ...(step.where ? [step.where] : [])]) {
    visitTemplate(root, (node) => {
      if (node.kind === 'lookup') {
        models.add(node.model);
      }
    });
  }
  return models;
}

/**
 * The steps of `plan` that depend on what the `earlier` pending migrations write, with the reasons, in the plan's
 * graph order. A step depending (by `ref` or `depends_on`) on a dependent step of the same plan is dependent too.
 */
export function findDependentSteps(plan: Plan, earlier: readonly PendingWrites[]): DependentStep[] {
  const writes = earlier.map((migration) => ({ migration, byModel: writesByModel(migration) }));
  const graph = compilePlan(plan);
  const found = new Map<string, { reasons: string[]; on: Set<string> }>();
  for (const id of graph.order) {
    const node = graph.byId[id];
    if (node === undefined) {
      continue;
    }
    const step = node.step;
    const reasons: string[] = [];
    const on = new Set<string>();
    const models = readModels(step);
    for (const { migration, byModel } of writes) {
      const label = `pending migration ${migration.version} (${migration.name})`;
      for (const model of models) {
        const modelWrites = byModel.get(model);
        if (modelWrites !== undefined) {
          const how = model === step.model ? `works on ${model} records` : `looks up ${model} records`;
          reasons.push(`it ${how}, and ${label} ${describeWrites(modelWrites)} of them`);
          on.add(migration.version);
        }
      }
      const created = new Set(
        (migration.diff?.steps ?? []).flatMap((diffStep) =>
          diffStep.creates.flatMap((create) => (create.xmlid === undefined ? [] : [create.xmlid])),
        ),
      );
      for (const xmlid of literalXmlids(step)) {
        if (created.has(xmlid) || xmlid.startsWith(`${planModule(migration.plan.name)}.`)) {
          reasons.push(`it refers to ${xmlid}, which ${label} creates`);
          on.add(migration.version);
        }
      }
    }
    for (const upstream of node.dependsOn) {
      const dependency = found.get(upstream);
      if (dependency !== undefined) {
        reasons.push(`it uses the records of step ${upstream}, which depends on an earlier pending migration`);
        dependency.on.forEach((version) => on.add(version));
      }
    }
    if (reasons.length > 0) {
      found.set(id, { reasons, on });
    }
  }
  return graph.order.flatMap((id) => {
    const dependency = found.get(id);
    const step = graph.byId[id]?.step;
    return dependency === undefined || step === undefined
      ? []
      : [
          {
            step: id,
            model: step.model,
            action: step.action,
            reasons: dependency.reasons,
            on: [...dependency.on].sort(),
          },
        ];
  });
}
