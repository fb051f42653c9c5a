/**
 * The plan's graph once the fields of its models are known. The loader orders a lookup after the earlier steps that
 * write the lookup's model by name; with the fields, delegations count too: a model `_inherits` its parent (creating a
 * product.template creates its product.product, creating a product.product creates its template), so a lookup of
 * product.product waits for the step that creates the templates.
 *
 * @packageDocumentation
 */
import type { ModelFields } from '../model/model-fields.js';
import type { Plan } from '../model/plan-types.js';
import { buildPlanGraph, compilePlan } from '../graph/plan-graph.js';
import type { PlanGraph } from '../graph/plan-graph.js';
import { delegatedParents } from './required-field-rule.js';

/**
 * Whether writing `writer` may create or change records of `model`: the same model, or a model and its delegated
 * parent (either way round), as the fields show them (see `delegatedParents`).
 */
export function delegatedWrites(fields: ModelFields): (writer: string, model: string) => boolean {
  const parentsOf = new Map<string, Set<string>>();
  const parents = (model: string): Set<string> => {
    let found = parentsOf.get(model);
    if (found === undefined) {
      const own = fields.get(model);
      found = new Set(
        own === undefined
          ? []
          : [...delegatedParents(own)].map((link) => own[link]?.relation).filter((relation) => relation !== undefined),
      );
      parentsOf.set(model, found);
    }
    return found;
  };
  return (writer, model) => writer === model || parents(model).has(writer) || parents(writer).has(model);
}

/**
 * The graph of `plan` with lookups ordered after the steps that write their models, delegations included. The same as
 * the loader's graph when no delegation adds an edge (then that one is returned).
 */
export function planGraphOverFields(plan: Plan, fields: ModelFields): PlanGraph {
  const loaded = compilePlan(plan);
  const { graph, cycles } = buildPlanGraph(plan.steps, { writesModel: delegatedWrites(fields) });
  // Lookup edges never close a cycle; keep the loader's graph if that ever changed.
  if (cycles.length > 0 || graph.edges.length === loaded.edges.length) return loaded;
  return graph;
}
