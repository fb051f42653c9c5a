/**
 * JSON as Python's `json.dumps(value, ensure_ascii=False)` writes it, which is how Odoo 19.0 sends JSON-2 answers:
 * `", "` between items and `": "` after keys (`[{"id": 3, "name": "Administrator"}]`), non-ASCII text unescaped.
 *
 * @packageDocumentation
 */

/**
 * Serializes `value` with Python's default separators. Numbers are written as JavaScript writes them: a float field
 * holding a whole number is `1` here where Python writes `1.0` (JSON readers see the same number).
 */
export function pythonJsonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => pythonJsonDumps(item ?? null)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => `${JSON.stringify(key)}: ${pythonJsonDumps(item)}`);
    return `{${members.join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
