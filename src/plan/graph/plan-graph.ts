/**
 * Compiles a plan's steps into a {@link PlanGraph}: edges from `depends_on` and from `{ ref: STEP }` references, a
 * topological order (higher `priority` first among ready steps, then file order), and levels of steps that can run
 * concurrently. A cycle is an error naming the whole cycle and the place of each edge in it.
 *
 * A `ref` from a step to itself (`parent_id: { ref: staff, … }` in step `staff`) is an edge of the graph but not a
 * dependency: the step orders its own rows (see `RowHierarchy`). `depends_on` naming the step itself stays a cycle.
 *
 * @packageDocumentation
 */
import { PlanValidationError } from '../../errors.js';
import type { PlanProblem } from '../../errors.js';
import { stepReferences } from '../model/template-walk.js';
import { childPath, findPosition } from '../model/plan-positions.js';
import type { Plan, PlanStep, SourcePosition } from '../model/plan-types.js';
import { executableStep } from '../model/executable-step.js';
import type { ExecutableStep } from '../model/executable-step.js';

/**
 * Why one step must run after another: `depends_on` (explicit), `ref` (a reference to its records), or `lookup` (a
 * lookup on a model an earlier step writes: what it finds may be created by that step).
 */
export type PlanEdgeKind = 'depends_on' | 'ref' | 'lookup';

/**
 * An edge: `to` runs after `from` (data flows from `from` to `to`). A `ref` edge whose `from` is its `to` is a step
 * referring to its own records: it orders the step's rows, not the steps (see {@link isSelfReference}).
 */
export interface PlanGraphEdge {
  /** The step that must finish first. */
  readonly from: string;
  /** The step that waits for it. */
  readonly to: string;
  /** `depends_on` (explicit), `ref` (a reference in `values:` / `where:`) or `lookup` (see {@link PlanEdgeKind}). */
  readonly kind: PlanEdgeKind;
  /** Path of the node that creates the edge, e.g. `steps[2].values.parent_id`. */
  readonly path: string;
  /** Position of that node in the plan file. */
  readonly position: SourcePosition | undefined;
}

/** A step in the graph. */
export interface PlanGraphNode {
  /** The step id. */
  readonly id: string;
  /** The step. */
  readonly step: PlanStep;
  /** Steps this one waits for (unique, file order). */
  readonly dependsOn: readonly string[];
  /** Steps waiting for this one (unique, file order). */
  readonly dependents: readonly string[];
  /** 0-based level: 0 for steps without dependencies, else 1 + the highest level among its dependencies. */
  readonly level: number;
  /** The step as the apply runs it, compiled once with the graph. */
  readonly executable: ExecutableStep;
}

/** The compiled plan: what runs, in which order, and what may run at the same time. */
export interface PlanGraph {
  /** Nodes in file order. */
  readonly nodes: readonly PlanGraphNode[];
  /** Nodes by step id. */
  readonly byId: Readonly<Record<string, PlanGraphNode>>;
  /** Every edge (several may join the same two steps), in file order of the nodes creating them. */
  readonly edges: readonly PlanGraphEdge[];
  /**
   * A topological order for running steps one by one: whenever several steps are ready (all their dependencies
   * done), the one with the higher `priority` goes first, then the one earlier in the file.
   */
  readonly order: readonly string[];
  /**
   * Steps grouped by level: the steps of one level depend only on steps of earlier levels, so they can run
   * concurrently once the previous levels are done. Within a level, by priority (highest first), then file order.
   */
  readonly levels: readonly (readonly string[])[];
}

/** A dependency cycle, as {@link buildPlanGraph} reports it. */
export interface PlanCycle {
  /** The steps around the cycle, the first repeated at the end: `['companies', 'contacts', 'companies']`. */
  readonly steps: readonly string[];
  /** One edge per hop. */
  readonly edges: readonly PlanGraphEdge[];
}

/** Whether `edge` is a step's reference to its own records (not a dependency between steps). */
export function isSelfReference(edge: PlanGraphEdge): boolean {
  return edge.kind === 'ref' && edge.from === edge.to;
}

function positionText(edge: PlanGraphEdge): string {
  return edge.position ? `, line ${edge.position.line}` : '';
}

/** The problem reported for a cycle (one per cycle), located at the cycle's first edge. */
export function cycleProblem(file: string, cycle: PlanCycle): PlanProblem {
  const [first] = cycle.edges;
  const hops = cycle.edges
    .map((edge) => `${edge.to} waits for ${edge.from} (${edge.path}${positionText(edge)})`)
    .join('; ');
  return {
    file,
    ...(first?.position ?? {}),
    ...(first ? { path: first.path } : {}),
    message: `dependency cycle: ${cycle.steps.join(' → ')}`,
    hint: `${hops}. Remove one of these edges.`,
  };
}

function byPriority(steps: ReadonlyMap<string, PlanStep>): (a: string, b: string) => number {
  return (a, b) => {
    const x = steps.get(a);
    const y = steps.get(b);
    return (y?.priority ?? 0) - (x?.priority ?? 0) || (x?.index ?? 0) - (y?.index ?? 0);
  };
}

/** Options of {@link buildPlanGraph}. */
export interface BuildPlanGraphOptions {
  /**
   * Whether a step writing `writer` may create or change records of `model` (so a later lookup on `model` waits for
   * it). The loader knows model names only; a preparation that read the fields also knows delegations
   * (`_inherits`: writing product.template creates product.product).
   * @default the same model only
   */
  readonly writesModel?: (writer: string, model: string) => boolean;
}

/**
 * Builds the graph of `steps` without throwing: edges to unknown steps are left out (the loader reports them), and
 * cycles are returned rather than thrown. When there are cycles, `order` and `levels` hold only the steps outside them.
 *
 * A lookup on a model that an earlier step (in file order) writes makes the lookup's step wait for it, unless that
 * would close a cycle (the plan's own references say the opposite order, and win).
 */
export function buildPlanGraph(
  steps: readonly PlanStep[],
  options: BuildPlanGraphOptions = {},
): {
  readonly graph: PlanGraph;
  readonly cycles: readonly PlanCycle[];
} {
  const writesModel = options.writesModel ?? ((writer: string, model: string) => writer === model);
  const stepById = new Map(steps.map((step) => [step.id, step] as const));
  const edges: PlanGraphEdge[] = [];
  for (const step of steps) {
    step.dependsOn.forEach((target, index) => {
      if (!stepById.has(target)) return;
      const path = childPath(childPath(step.path, 'depends_on'), index);
      edges.push({ from: target, to: step.id, kind: 'depends_on', path, position: findPosition(step.positions, path) });
    });
    for (const reference of stepReferences(step)) {
      if (reference.kind !== 'ref' || !stepById.has(reference.step)) continue;
      const path = childPath(reference.path, 'ref');
      edges.push({
        from: reference.step,
        to: step.id,
        kind: 'ref',
        path,
        position: findPosition(step.positions, path),
      });
    }
  }
  edges.push(...lookupEdges(steps, edges, writesModel));

  const compare = byPriority(stepById);
  const fileOrder = (a: string, b: string): number => (stepById.get(a)?.index ?? 0) - (stepById.get(b)?.index ?? 0);
  const incoming = new Map<string, Set<string>>(steps.map((step) => [step.id, new Set<string>()]));
  const outgoing = new Map<string, Set<string>>(steps.map((step) => [step.id, new Set<string>()]));
  for (const edge of edges) {
    if (isSelfReference(edge)) continue;
    incoming.get(edge.to)?.add(edge.from);
    outgoing.get(edge.from)?.add(edge.to);
  }

  // Kahn's algorithm; the ready list is kept sorted by priority, then file order.
  const remaining = new Map([...incoming].map(([id, from]) => [id, from.size] as const));
  const ready = steps
    .filter((step) => remaining.get(step.id) === 0)
    .map((step) => step.id)
    .sort(compare);
  const order: string[] = [];
  const level = new Map<string, number>();
  while (ready.length > 0) {
    const id = ready.shift() as string;
    order.push(id);
    level.set(id, Math.max(-1, ...[...(incoming.get(id) ?? [])].map((from) => level.get(from) ?? 0)) + 1);
    for (const next of outgoing.get(id) ?? []) {
      const left = (remaining.get(next) ?? 0) - 1;
      remaining.set(next, left);
      if (left === 0) {
        ready.push(next);
        ready.sort(compare);
      }
    }
  }

  const cycles = order.length === steps.length ? [] : findCycles(steps, edges, new Set(order));
  const levels: string[][] = [];
  for (const id of order) (levels[level.get(id) ?? 0] ??= []).push(id);
  for (const group of levels) group.sort(compare);

  const nodes = steps.map((step): PlanGraphNode => {
    const dependsOn = Object.freeze([...(incoming.get(step.id) ?? [])].sort(fileOrder));
    const dependents = Object.freeze([...(outgoing.get(step.id) ?? [])].sort(fileOrder));
    return Object.freeze({
      id: step.id,
      step,
      dependsOn,
      dependents,
      level: level.get(step.id) ?? -1,
      executable: executableStep(step, dependsOn, dependents),
    });
  });
  const graph: PlanGraph = Object.freeze({
    nodes: Object.freeze(nodes),
    byId: Object.freeze(Object.fromEntries(nodes.map((node) => [node.id, node]))),
    edges: Object.freeze(edges.map((edge) => Object.freeze(edge))),
    order: Object.freeze(order),
    levels: Object.freeze(levels.map((group) => Object.freeze(group))),
  });
  return { graph, cycles };
}

/**
 * The `lookup` edges: from each earlier step writing a lookup's model to the lookup's step, in file order, leaving out
 * an edge whose reverse path already exists (it would close a cycle the plan itself does not have).
 */
function lookupEdges(
  steps: readonly PlanStep[],
  declared: readonly PlanGraphEdge[],
  writesModel: (writer: string, model: string) => boolean,
): PlanGraphEdge[] {
  const after = new Map<string, Set<string>>(steps.map((step) => [step.id, new Set<string>()]));
  for (const edge of declared) after.get(edge.from)?.add(edge.to);
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set<string>();
    const pending = [from];
    for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
      if (id === to) return true;
      for (const next of after.get(id) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        pending.push(next);
      }
    }
    return false;
  };
  const added: PlanGraphEdge[] = [];
  steps.forEach((step, index) => {
    for (const reference of stepReferences(step)) {
      if (reference.kind !== 'lookup') continue;
      for (const writer of steps.slice(0, index)) {
        if (!writesModel(writer.model, reference.model) || reaches(step.id, writer.id)) continue;
        if (after.get(writer.id)?.has(step.id)) continue;
        const path = childPath(reference.path, 'lookup');
        added.push({
          from: writer.id,
          to: step.id,
          kind: 'lookup',
          path,
          position: findPosition(step.positions, path),
        });
        after.get(writer.id)?.add(step.id);
      }
    }
  });
  return added;
}

/** One cycle per strongly connected group of steps left over by the topological sort. */
function findCycles(
  steps: readonly PlanStep[],
  edges: readonly PlanGraphEdge[],
  done: ReadonlySet<string>,
): PlanCycle[] {
  const cycles: PlanCycle[] = [];
  const covered = new Set<string>();
  const left = steps.filter((step) => !done.has(step.id)).map((step) => step.id);
  const edgesFrom = (id: string): PlanGraphEdge[] =>
    edges.filter((edge) => edge.from === id && !done.has(edge.to) && !isSelfReference(edge));
  for (const start of left) {
    if (covered.has(start)) continue;
    // Breadth-first search for the shortest way back to `start`; a step that is only downstream of a cycle has none.
    const via = new Map<string, PlanGraphEdge>();
    const queue = [start];
    let closing: PlanGraphEdge | undefined;
    while (queue.length > 0 && !closing) {
      const id = queue.shift() as string;
      for (const edge of edgesFrom(id)) {
        if (edge.to === start) {
          closing = edge;
          break;
        }
        if (!via.has(edge.to)) {
          via.set(edge.to, edge);
          queue.push(edge.to);
        }
      }
    }
    if (!closing) continue;
    const hops: PlanGraphEdge[] = [closing];
    for (let at = closing.from; at !== start;) {
      const edge = via.get(at) as PlanGraphEdge;
      hops.unshift(edge);
      at = edge.from;
    }
    const cycleSteps = [start, ...hops.map((edge) => edge.to)];
    for (const id of cycleSteps) covered.add(id);
    cycles.push({ steps: cycleSteps, edges: hops });
  }
  return cycles;
}

/** The graph of each loaded plan, built once (by the loader, which checks the plan for cycles with it). */
const GRAPHS = new WeakMap<Plan, PlanGraph>();

/**
 * Keeps `graph` as the graph of `plan`, so that {@link compilePlan} returns it instead of building it again. The
 * loader calls it with the graph it checked the plan's cycles on.
 */
export function rememberPlanGraph(plan: Plan, graph: PlanGraph): void {
  GRAPHS.set(plan, graph);
}

/**
 * The {@link PlanGraph} of a loaded plan: the one the loader built, or built now (once per plan object). Throws
 * {@link PlanValidationError} naming every cycle (a plan from `loadPlan` has none: the loader already checked).
 *
 * @example
 * ```ts
 * const graph = compilePlan(await loadPlan('plans/example.yaml'));
 * for (const level of graph.levels) await Promise.all(level.map(runStep));
 * ```
 */
export function compilePlan(plan: Plan): PlanGraph {
  const known = GRAPHS.get(plan);
  if (known !== undefined) return known;
  const { graph, cycles } = buildPlanGraph(plan.steps);
  if (cycles.length > 0) throw new PlanValidationError(cycles.map((cycle) => cycleProblem(plan.displayFile, cycle)));
  GRAPHS.set(plan, graph);
  return graph;
}
