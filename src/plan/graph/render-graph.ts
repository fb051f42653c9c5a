/**
 * Renders a {@link PlanGraph} for people and tools: text (levels, priorities, what each step waits for), Mermaid
 * (renders in a pull request), Graphviz dot, and versioned JSON. Pure functions returning strings: printing is the
 * CLI's job.
 *
 * @packageDocumentation
 */
import { isSelfReference } from './plan-graph.js';
import type { PlanGraph, PlanGraphEdge } from './plan-graph.js';
import type { Plan, PlanStep } from '../model/plan-types.js';

/** Version of the {@link graphToJson} format; bumped when a field changes meaning. */
export const GRAPH_JSON_VERSION = 1;

/** Output formats of `zenoo plan graph`. */
export type GraphFormat = 'text' | 'mermaid' | 'dot' | 'json';

/** The formats, for option validation. */
export const GRAPH_FORMATS: readonly GraphFormat[] = ['text', 'mermaid', 'dot', 'json'];

function rowsOf(step: PlanStep): string {
  if (!step.records) return 'where';
  const count = `${step.records.rowCount} record${step.records.rowCount === 1 ? '' : 's'}`;
  return step.records.kind === 'file' ? `${count} from ${step.records.file}` : count;
}

function waitsFor(graph: PlanGraph, id: string): string {
  // A step's reference to its own records is no wait: it orders the step's rows (shown apart, see selfNote).
  const incoming = graph.edges.filter((edge) => edge.to === id && !isSelfReference(edge));
  const seen = new Map<string, Set<string>>();
  for (const edge of incoming) (seen.get(edge.from) ?? seen.set(edge.from, new Set()).get(edge.from))?.add(edge.kind);
  return [...seen].map(([from, kinds]) => `${from} (${[...kinds].join(', ')})`).join(', ');
}

/** `  ↻ parent_id`: the fields through which a step refers to its own records (its rows go parents first). */
function selfNote(graph: PlanGraph, id: string): string {
  const fields = graph.edges
    .filter((edge) => edge.to === id && isSelfReference(edge))
    .map((edge) => edge.path.split('.').at(-2) ?? edge.path);
  return fields.length > 0 ? `  ↻ ${[...new Set(fields)].join(', ')} (rows written parents first)` : '';
}

/**
 * Plain text: one block per level (steps of a level may run concurrently), each step with model, action, priority,
 * rows and what it waits for; then the sequential order.
 */
export function renderGraphText(plan: Plan, graph: PlanGraph): string {
  const lines = [
    `plan ${plan.name}: ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}, ${graph.levels.length} level${graph.levels.length === 1 ? '' : 's'}`,
  ];
  const width = Math.max(...plan.steps.map((step) => step.id.length));
  const modelWidth = Math.max(...plan.steps.map((step) => step.model.length));
  graph.levels.forEach((level, index) => {
    const note = level.length > 1 ? ' (may run concurrently)' : '';
    lines.push('', `level ${index + 1}${note}`);
    for (const id of level) {
      const node = graph.byId[id];
      if (!node) continue;
      const { step } = node;
      const after = waitsFor(graph, id);
      lines.push(
        `  ${id.padEnd(width)}  ${step.model.padEnd(modelWidth)}  ${step.action.padEnd(6)}  priority ${String(step.priority).padStart(3)}  ${rowsOf(step)}${after ? `  ← ${after}` : ''}${selfNote(graph, id)}`,
      );
    }
  });
  lines.push('', `order: ${graph.order.join(' → ')}`);
  return `${lines.join('\n')}\n`;
}

function mermaidId(id: string): string {
  return `s_${id.replace(/[^A-Za-z0-9_]/g, (char) => `_${char.charCodeAt(0)}_`)}`;
}

function label(text: string): string {
  return text.replace(/"/g, '#quot;');
}

/** Unique edges by (from, to, kind): several references between two steps draw one arrow. */
function distinctEdges(edges: readonly PlanGraphEdge[]): PlanGraphEdge[] {
  const seen = new Set<string>();
  return edges.filter((edge) => {
    const key = `${edge.from}\u0000${edge.to}\u0000${edge.kind}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A Mermaid flowchart: solid arrows for `depends_on`, dotted arrows labelled `ref` for references. */
export function renderGraphMermaid(plan: Plan, graph: PlanGraph): string {
  const lines = ['flowchart TD'];
  for (const node of graph.nodes) {
    const { step } = node;
    const priority = step.priority !== 0 ? ` · priority ${step.priority}` : '';
    lines.push(
      `  ${mermaidId(step.id)}["${label(`<b>${step.id}</b><br/>${step.action} ${step.model}<br/>${rowsOf(step)}${priority}`)}"]`,
    );
  }
  for (const edge of distinctEdges(graph.edges)) {
    lines.push(
      edge.kind === 'depends_on'
        ? `  ${mermaidId(edge.from)} --> ${mermaidId(edge.to)}`
        : `  ${mermaidId(edge.from)} -. ${edge.kind} .-> ${mermaidId(edge.to)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A Graphviz digraph: one rank per level, dashed edges for references and lookups. */
export function renderGraphDot(plan: Plan, graph: PlanGraph): string {
  const lines = [`digraph ${dotString(plan.name)} {`, '  rankdir=TB;', '  node [shape=box, fontname="Helvetica"];'];
  for (const node of graph.nodes) {
    const { step } = node;
    const text = [
      step.id,
      `${step.action} ${step.model}`,
      rowsOf(step),
      ...(step.priority !== 0 ? [`priority ${step.priority}`] : []),
    ];
    // Escape each line, then join with dot's own line break, which must stay unescaped.
    lines.push(`  ${dotString(step.id)} [label="${text.map((line) => dotString(line).slice(1, -1)).join('\\n')}"];`);
  }
  for (const level of graph.levels) lines.push(`  { rank=same; ${level.map(dotString).join('; ')}; }`);
  for (const edge of distinctEdges(graph.edges)) {
    lines.push(
      `  ${dotString(edge.from)} -> ${dotString(edge.to)}${edge.kind === 'depends_on' ? '' : ` [style=dashed, label="${edge.kind}"]`};`,
    );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** A JSON-safe view of the graph (versioned by {@link GRAPH_JSON_VERSION}). */
export function graphToJson(plan: Plan, graph: PlanGraph): Record<string, unknown> {
  return {
    version: GRAPH_JSON_VERSION,
    plan: plan.name,
    fingerprint: plan.fingerprint,
    nodes: graph.nodes.map((node) => ({
      id: node.id,
      model: node.step.model,
      action: node.step.action,
      priority: node.step.priority,
      level: node.level,
      rows: node.step.records?.rowCount ?? null,
      dependsOn: node.dependsOn,
    })),
    edges: graph.edges.map((edge) => ({
      from: edge.from,
      to: edge.to,
      kind: edge.kind,
      path: edge.path,
      line: edge.position?.line ?? null,
      col: edge.position?.col ?? null,
    })),
    order: graph.order,
    levels: graph.levels,
  };
}

/** Renders `graph` in `format`. */
export function renderGraph(plan: Plan, graph: PlanGraph, format: GraphFormat): string {
  switch (format) {
    case 'text':
      return renderGraphText(plan, graph);
    case 'mermaid':
      return renderGraphMermaid(plan, graph);
    case 'dot':
      return renderGraphDot(plan, graph);
    case 'json':
      return `${JSON.stringify(graphToJson(plan, graph), null, 2)}\n`;
    default:
      return format satisfies never;
  }
}
