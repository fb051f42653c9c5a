/**
 * The message of Python's `json.JSONDecodeError` for a text that is not JSON, e.g.
 * `Expecting value: line 1 column 13 (char 12)`: what Odoo puts after "could not parse the body as json: ".
 *
 * @packageDocumentation
 */

const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?/y;
// Python refuses the control characters U+0000-U+001F inside strings (strict mode).
// eslint-disable-next-line no-control-regex
const STRING_CHUNK = /[^"\\\x00-\x1f]*/y;

class Failure {
  constructor(
    readonly message: string,
    readonly position: number,
  ) {}
}

function skip(text: string, at: number): number {
  WHITESPACE.lastIndex = at;
  WHITESPACE.exec(text);
  return WHITESPACE.lastIndex;
}

function scanString(text: string, quote: number): number {
  let at = quote + 1;
  for (;;) {
    STRING_CHUNK.lastIndex = at;
    STRING_CHUNK.exec(text);
    at = STRING_CHUNK.lastIndex;
    const char = text[at];
    if (char === undefined) throw new Failure('Unterminated string starting at', quote);
    if (char === '"') return at + 1;
    if (char !== '\\') throw new Failure('Invalid control character at', at);
    const escape = text[at + 1];
    if (escape === undefined) throw new Failure('Unterminated string starting at', quote);
    if (escape === 'u') {
      if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) throw new Failure('Invalid \\uXXXX escape', at + 1);
      at += 6;
    } else if ('"\\/bfnrt'.includes(escape)) at += 2;
    else throw new Failure(`Invalid \\escape: '${escape}'`, at);
  }
}

function scanValue(text: string, at: number): number {
  const char = text[at];
  if (char === '"') return scanString(text, at);
  if (char === '{') return scanObject(text, at + 1);
  if (char === '[') return scanArray(text, at + 1);
  for (const word of ['null', 'true', 'false', 'NaN', 'Infinity', '-Infinity']) {
    if (text.startsWith(word, at)) return at + word.length;
  }
  NUMBER.lastIndex = at;
  if (NUMBER.exec(text) !== null && NUMBER.lastIndex > at) return NUMBER.lastIndex;
  throw new Failure('Expecting value', at);
}

function scanObject(text: string, start: number): number {
  let at = skip(text, start);
  if (text[at] === '}') return at + 1;
  for (;;) {
    if (text[at] !== '"') throw new Failure('Expecting property name enclosed in double quotes', at);
    at = skip(text, scanString(text, at));
    if (text[at] !== ':') throw new Failure("Expecting ':' delimiter", at);
    at = skip(text, scanValue(text, skip(text, at + 1)));
    if (text[at] === '}') return at + 1;
    if (text[at] !== ',') throw new Failure("Expecting ',' delimiter", at);
    at = skip(text, at + 1);
  }
}

function scanArray(text: string, start: number): number {
  let at = skip(text, start);
  if (text[at] === ']') return at + 1;
  for (;;) {
    at = skip(text, scanValue(text, at));
    if (text[at] === ']') return at + 1;
    if (text[at] !== ',') throw new Failure("Expecting ',' delimiter", at);
    at = skip(text, at + 1);
  }
}

/**
 * What Python's `json.loads(text)` reports, `undefined` when Python accepts the text. Positions count UTF-16 code
 * units where Python counts code points: they differ only after characters outside the Basic Multilingual Plane.
 */
export function pythonJsonError(text: string): string | undefined {
  try {
    const end = skip(text, scanValue(text, skip(text, 0)));
    if (end !== text.length) throw new Failure('Extra data', end);
    return undefined;
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    const { message, position } = error;
    const before = text.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    return `${message}: line ${line} column ${column} (char ${position})`;
  }
}
