/**
 * Parses one YAML document keeping the position of every node, for plan files and YAML data files.
 *
 * Uses the `yaml` package's CST-backed documents (YAML 1.2 core schema: `yes`/`no`/`on` stay strings, no silent
 * coercion) with unique keys enforced. A file with several documents (`---`) is refused: a plan is one document, and
 * a second one would otherwise be silently ignored.
 *
 * @packageDocumentation
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { PlanProblem } from '../../errors.js';
import { childPath } from '../model/plan-positions.js';
import type { SourcePosition } from '../model/plan-types.js';

/** A parsed YAML document: its plain value and the position of every node by path. */
export interface ParsedYaml {
  /** The document as plain JSON-like data (`undefined` for an empty document). */
  readonly value: unknown;
  /** Position of each node by path (`steps[1].values` → line/col); for a map entry, the position of its key. */
  readonly positions: Readonly<Record<string, SourcePosition>>;
}

const HINTS: Readonly<Record<string, string>> = {
  DUPLICATE_KEY: 'remove or rename one of the two keys: YAML would silently keep only one of them',
  BAD_INDENT: 'align the entry with its siblings (YAML nesting is by indentation, spaces only)',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  MISSING_CHAR: 'close the quote, bracket or brace that was opened',
  BLOCK_AS_IMPLICIT_KEY: 'put a space after the colon, or quote the key',
  MULTILINE_IMPLICIT_KEY: 'keys must fit on one line; quote the value if it contains a colon',
  BAD_ALIAS: 'define the anchor (&name) before using the alias (*name)',
};

/**
 * Parses `text` (the contents of `file`, as named in messages). Returns the document, or the syntax problems (all of
 * them, each with line and column) when it is not valid YAML or holds more than one document.
 */
export function parseYamlDocument(
  text: string,
  file: string,
): { readonly ok: true; readonly document: ParsedYaml } | { readonly ok: false; readonly problems: PlanProblem[] } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: false });
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  if (!Array.isArray(docs)) {
    // An empty stream (nothing but comments or whitespace).
    return { ok: true, document: { value: undefined, positions: {} } };
  }
  const problems: PlanProblem[] = [];
  for (const doc of docs) {
    for (const error of [...doc.errors, ...doc.warnings]) {
      const position = at(error.pos[0]);
      const hint = HINTS[error.code] ?? 'fix the YAML syntax at this place';
      problems.push({ file, ...position, message: `YAML: ${error.message}`, hint });
    }
  }
  const [first, second] = docs;
  if (second) {
    const position = at(second.range[0]);
    problems.push({
      file,
      ...position,
      message: `the file holds ${docs.length} YAML documents; it must hold exactly one`,
      hint: 'remove the `---` separator and merge or delete the extra documents',
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  if (!first) return { ok: true, document: { value: undefined, positions: {} } };

  const positions: Record<string, SourcePosition> = {};
  const visit = (node: unknown, path: string, seen: Set<unknown>): void => {
    if (!node || seen.has(node)) return;
    if (isMap(node)) {
      seen.add(node);
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const childAt = childPath(path, key);
        const keyNode = pair.key as YamlNode | null;
        const offset = keyNode?.range?.[0] ?? (pair.value as YamlNode | null)?.range?.[0];
        if (offset !== undefined) positions[childAt] = at(offset);
        visit(pair.value, childAt, seen);
      }
      seen.delete(node);
    } else if (isSeq(node)) {
      seen.add(node);
      node.items.forEach((item, index) => {
        const childAt = childPath(path, index);
        const offset = (item as YamlNode | null)?.range?.[0];
        if (offset !== undefined) positions[childAt] = at(offset);
        visit(item, childAt, seen);
      });
      seen.delete(node);
    } else if (isAlias(node)) {
      // An alias's children live at the anchor; their positions there are the useful ones, so do not descend.
    }
  };
  const root = first.contents;
  positions[''] = root?.range ? at(root.range[0]) : { line: 1, col: 1 };
  visit(root, '', new Set());

  let value: unknown;
  try {
    value = first.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    return {
      ok: false,
      problems: [
        {
          file,
          line: 1,
          col: 1,
          message: `YAML: ${(error as Error).message}`,
          hint: 'use fewer aliases (a document expanding aliases this much is refused)',
        },
      ],
    };
  }
  return { ok: true, document: { value, positions } };
}
