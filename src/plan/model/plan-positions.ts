/**
 * Paths of plan nodes (`steps[1].values.parent_id`) and the problems that point at them.
 *
 * A path is the same string in {@link PlanProblem.path}, in {@link ValueTemplate} nodes and as key of
 * {@link Plan.positions}, so that code far from the loader (diff, apply) can still report `FILE:LINE:COL` for a node.
 *
 * @packageDocumentation
 */
import type { PlanProblem } from '../../errors.js';
import type { Plan, SourcePosition } from './plan-types.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Appends one segment to a path: `[3]` for an index, `.name` for an identifier, `["odd key"]` otherwise.
 *
 * @example childPath('steps[1]', 'values') === 'steps[1].values'
 */
export function childPath(parent: string, segment: string | number): string {
  if (typeof segment === 'number') return `${parent}[${segment}]`;
  if (IDENTIFIER.test(segment)) return parent === '' ? segment : `${parent}.${segment}`;
  return `${parent}[${JSON.stringify(segment)}]`;
}

/** Builds a path from segments (`['steps', 1, 'id']` → `steps[1].id`). */
export function pathOf(segments: readonly (string | number)[]): string {
  return segments.reduce<string>((path, segment) => childPath(path, segment), '');
}

/**
 * The position of `path` in `positions`, or of its nearest ancestor that has one (a node created by normalisation has
 * no position of its own; its parent's is the best place to point at).
 */
export function findPosition(
  positions: Readonly<Record<string, SourcePosition>>,
  path: string,
): SourcePosition | undefined {
  let current = path;
  for (;;) {
    const position = positions[current];
    if (position) return position;
    if (current === '') return undefined;
    const cut = Math.max(current.lastIndexOf('.'), current.lastIndexOf('['));
    current = cut <= 0 ? '' : current.slice(0, cut);
  }
}

/**
 * A {@link PlanProblem} pointing at the node `path` of a loaded plan, e.g. for an error found at diff or apply time:
 * `problemAt(plan, 'steps[1].values.parent_id', 'no company with key "C9"', 'add it to data/companies.csv')`.
 */
export function problemAt(plan: Plan, path: string, message: string, hint?: string): PlanProblem {
  const position = findPosition(plan.positions, path);
  return {
    file: plan.displayFile,
    ...(position ? { line: position.line, col: position.col } : {}),
    ...(path ? { path } : {}),
    message,
    ...(hint ? { hint } : {}),
  };
}
