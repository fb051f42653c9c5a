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

/** The key a line starts with (`  action: create` → `action`), or undefined when the line is no `key:` entry. */
function lineKey(line: string): string | undefined {
  return /^\s*(?:-\s+)?([^\s#:'"{}[\],][^:#]*?):(?:\s|$)/.exec(line)?.[1];
}

function indentOf(line: string): number {
  return /^ */.exec(line)?.[0].length ?? 0;
}

/**
 * The problem for a key indented differently from its siblings, when the parser's error comes from one. The parser
 * only sees its consequence (a value that runs onto the next line, "nested mappings are not allowed in compact
 * mappings", or a list entry without its `-`), and its generic hint would talk about colons and quotes; the fix is the
 * indentation of that key, so this names the key and its line.
 */
function misindentedKey(
  lines: readonly string[],
  line: number,
  code: string,
): { readonly line: number; readonly col: number; readonly hint: string } | undefined {
  const current = lines[line - 1];
  if (current === undefined) return undefined;
  if (code === 'MISSING_CHAR' && lineKey(current) !== undefined) {
    // A key indented less than its siblings, inside a list item: the parser expected a new `- ` item there.
    const key = lineKey(current) as string;
    return {
      line,
      col: indentOf(current) + 1,
      hint: `"${key}" is indented less than the keys above it: align it with its sibling keys (YAML nests by indentation)`,
    };
  }
  if (code !== 'BLOCK_AS_IMPLICIT_KEY' && code !== 'MULTILINE_IMPLICIT_KEY') return undefined;
  // The value of `current` runs onto the next non-blank line: is that line a key indented deeper than `current`?
  let next = line;
  while (next < lines.length && /^\s*(#.*)?$/.test(lines[next] ?? '')) next += 1;
  const following = lines[next];
  if (following === undefined || lineKey(current) === undefined) return undefined;
  const key = lineKey(following);
  if (key === undefined || indentOf(following) <= indentOf(current)) return undefined;
  return {
    line: next + 1,
    col: indentOf(following) + 1,
    hint: `"${key}" is indented deeper than "${lineKey(current)}" above it: align it with its sibling keys (YAML nests by indentation)`,
  };
}

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
  const lines = text.split(/\r?\n/);
  const misindented = new Set<number>();
  for (const doc of docs) {
    for (const error of [...doc.errors, ...doc.warnings]) {
      const position = at(error.pos[0]);
      // An error on a line already reported as misaligned is a consequence of it.
      if (misindented.has(position.line)) continue;
      const indentation = misindentedKey(lines, position.line, error.code);
      if (indentation !== undefined) {
        // One misplaced key makes the parser report two or three errors: say it once, at the key.
        if (misindented.has(indentation.line)) continue;
        misindented.add(indentation.line);
        problems.push({
          file,
          line: indentation.line,
          col: indentation.col,
          message: `YAML: this key is not aligned with its siblings (${error.message})`,
          hint: indentation.hint,
        });
        continue;
      }
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
