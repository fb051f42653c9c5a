/**
 * Python's `repr()` and `str()` of JSON values, for error messages that must read exactly as Odoo's
 * (`Wrong value for res.partner.type: 'nope'`, `Invalid field res.partner.nope in leaf ('nope', '=', 1)`).
 *
 * @packageDocumentation
 */

/** `repr()` of a Python str: single quotes unless the text has a single quote and no double quote. */
function reprString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return out + quote;
}

/** `repr()` of a JSON value as Python would print it after json decoding. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number')
    return Number.isInteger(value) || !Number.isFinite(value) ? String(value) : pyFloat(value);
  if (typeof value === 'string') return reprString(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}

/** `repr()` of a Python tuple built from a JSON array (domain leaves are printed as tuples). */
export function pyTupleRepr(items: readonly unknown[]): string {
  return items.length === 1 ? `(${pyRepr(items[0])},)` : `(${items.map(pyRepr).join(', ')})`;
}

function pyFloat(value: number): string {
  const text = String(value);
  return text.includes('.') || text.includes('e') ? text : `${text}.0`;
}

/** `str()` of a JSON value: strings as is, everything else as `repr()` (True, None, 1.5, [1, 2]). */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}
