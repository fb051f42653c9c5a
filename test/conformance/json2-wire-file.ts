/**
 * Parser of the captured JSON-2 exchanges (test/fixtures/odoo/wire-odoo-19.0-json2.txt): raw HTTP, one curl command
 * per exchange. Format: `=== N. title`, then `$ curl ...` (the exact command), `--- response`, the status line, the
 * headers, an empty line and the body (JSON re-indented for reading; HTML as sent, `Content-Length` bytes). Lines
 * starting with `#####` and notes in parentheses after a body are comments.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Path of the JSON-2 capture kept in the repository. */
export const JSON2_WIRE_FILE_PATH = fileURLToPath(
  new URL('../fixtures/odoo/wire-odoo-19.0-json2.txt', import.meta.url),
);

/** One captured HTTP exchange. */
export interface Json2Exchange {
  /** The exchange number, e.g. 25. */
  readonly number: number;
  readonly title: string;
  /** 1-based line of the `===` heading. */
  readonly line: number;
  readonly request: {
    readonly method: string;
    /** The URL as captured (origin included). */
    readonly url: string;
    readonly headers: readonly (readonly [string, string])[];
    /** The `-d` data, undefined when none was sent. */
    readonly body: string | undefined;
  };
  readonly response: {
    readonly status: number;
    /** Header names lower-cased. */
    readonly headers: ReadonlyMap<string, string>;
    /** The body text: exact for non-JSON bodies, re-indented JSON otherwise. */
    readonly body: string;
  };
}

/** Splits a shell command line into words (single and double quotes; `$VAR` is kept literally). */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < command.length; i += 1) {
    const char = command[i] as string;
    if (char === "'" || char === '"') {
      const end = command.indexOf(char, i + 1);
      if (end < 0) throw new Error(`unterminated quote in ${command}`);
      current += command.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (char === ' ') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

function parseCurl(command: string, where: string): Json2Exchange['request'] {
  const words = shellWords(command.replace(/^\$\s*/, ''));
  if (words[0] !== 'curl') throw new Error(`${where}: expected a curl command`);
  let method: string | undefined;
  let url: string | undefined;
  let body: string | undefined;
  const headers: [string, string][] = [];
  for (let i = 1; i < words.length; i += 1) {
    const word = words[i] as string;
    if (word === '-X') method = words[++i];
    else if (word === '-H') {
      const header = words[++i] as string;
      const colon = header.indexOf(':');
      headers.push([header.slice(0, colon).trim(), header.slice(colon + 1).trim()]);
    } else if (word === '-d') body = words[++i];
    else if (word.startsWith('http')) url = word;
    else if (!word.startsWith('-')) throw new Error(`${where}: unexpected curl word ${word}`);
  }
  if (url === undefined) throw new Error(`${where}: curl command without URL`);
  return { method: method ?? (body === undefined ? 'GET' : 'POST'), url, headers, body };
}

/**
 * Parses the capture text.
 *
 * @throws Error naming `file:line` for a malformed exchange.
 */
export function parseJson2WireFile(text: string, fileName = 'wire file'): Json2Exchange[] {
  const lines = text.split('\n');
  const exchanges: Json2Exchange[] = [];
  const starts = lines.flatMap((line, index) => (/^=== \d+\. /.test(line) ? [index] : []));
  for (const [k, start] of starts.entries()) {
    const end = starts[k + 1] ?? lines.length;
    const where = `${fileName}:${start + 1}`;
    const [, number, title] = /^=== (\d+)\.\s+(.*)$/.exec(lines[start] as string) as unknown as [
      string,
      string,
      string,
    ];
    const block = lines.slice(start + 1, end);
    const curl = block.findIndex((line) => line.startsWith('$ curl'));
    const marker = block.indexOf('--- response');
    if (curl < 0 || marker < curl) throw new Error(`${where}: expected "$ curl" then "--- response"`);
    const statusMatch = /^HTTP\/1\.1 (\d{3}) /.exec(block[marker + 1] ?? '');
    if (statusMatch === null) throw new Error(`${where}: expected a status line after "--- response"`);
    const headers = new Map<string, string>();
    let i = marker + 2;
    for (; i < block.length && block[i] !== ''; i += 1) {
      const line = block[i] as string;
      const colon = line.indexOf(':');
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const rest = block.slice(i + 1);
    let body: string;
    if (headers.get('content-type')?.startsWith('application/json') === true) {
      // The body ends at a blank line followed by a note, a "#####" line, or the end of the block.
      const stop = rest.findIndex(
        (line, j) => line.startsWith('#####') || (line.startsWith('(') && rest[j - 1] === ''),
      );
      body = (stop < 0 ? rest : rest.slice(0, stop)).join('\n').trim();
    } else {
      const length = Number(headers.get('content-length'));
      body = Buffer.from(rest.join('\n'), 'utf8').subarray(0, length).toString('utf8');
    }
    exchanges.push({
      number: Number(number),
      title,
      line: start + 1,
      request: parseCurl(lines.slice(start + 1)[curl] as string, where),
      response: { status: Number(statusMatch[1]), headers, body },
    });
  }
  return exchanges;
}

/** Reads and parses the repository's copy of the JSON-2 capture. */
export function loadJson2WireFile(path: string = JSON2_WIRE_FILE_PATH): Json2Exchange[] {
  return parseJson2WireFile(readFileSync(path, 'utf8'), path);
}
