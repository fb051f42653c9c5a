/**
 * Parser of the Odoo 19.0 JSON-2 capture (test/fixtures/odoo/wire-odoo-19.0-json2.txt): for each numbered exchange,
 * the curl request (method, path, headers, JSON body) and the raw answer (status, headers, body), so that tests can
 * replay the answers through the scripted server and compare what the client sends with what was captured.
 *
 * Format (see the file's header): `=== N. title`, a `$ curl ...` line, `--- response`, the status line, headers, a
 * blank line and the body (JSON re-indented for reading, HTML as sent). Lines in parentheses after a body are notes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Reply } from './scripted-odoo-server.js';

/** Path of the capture copy kept in the repository. */
export const JSON2_CAPTURE_PATH = fileURLToPath(
  new URL('../../fixtures/odoo/wire-odoo-19.0-json2.txt', import.meta.url),
);

/** One captured exchange. */
export interface Json2Exchange {
  readonly number: number;
  readonly title: string;
  readonly request: {
    readonly method: string;
    /** Path of the URL, e.g. `/json/2/res.partner/search_read`. */
    readonly path: string;
    /** Request headers, names in lower case. */
    readonly headers: Readonly<Record<string, string>>;
    /** The `-d` body as sent (undefined when none). */
    readonly body: string | undefined;
  };
  readonly response: {
    readonly status: number;
    /** Response headers, names in lower case. */
    readonly headers: Readonly<Record<string, string>>;
    /** The body (JSON compacted again, as the server sends it; other bodies as captured). */
    readonly body: string;
  };
}

/** Splits a curl command line into words (single and double quotes, no escapes: the capture uses none). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

function parseCurl(line: string): Json2Exchange['request'] {
  const parts = words(line.replace(/^\$\s*/, ''));
  let method = 'GET';
  let url = '';
  let body: string | undefined;
  const headers: Record<string, string> = {};
  for (let index = 1; index < parts.length; index++) {
    const part = parts[index]!;
    if (part === '-X') method = parts[++index]!;
    else if (part === '-H') {
      const header = parts[++index]!;
      const colon = header.indexOf(':');
      headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
    } else if (part === '-d') {
      body = parts[++index]!;
      if (method === 'GET') method = 'POST';
    } else if (part.startsWith('http')) url = part;
  }
  return { method, path: new URL(url).pathname, headers, body };
}

function parseResponse(lines: readonly string[]): Json2Exchange['response'] {
  const status = Number(/^HTTP\/1\.1 (\d+)/.exec(lines[0] ?? '')?.[1]);
  const headers: Record<string, string> = {};
  let index = 1;
  for (; index < lines.length && lines[index]!.trim() !== ''; index++) {
    const line = lines[index]!;
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let bodyLines = lines.slice(index + 1);
  const json = headers['content-type']?.includes('application/json') === true;
  if (json) {
    // Notes follow the JSON after a blank line.
    const blank = bodyLines.findIndex((line) => line.trim() === '');
    if (blank >= 0) bodyLines = bodyLines.slice(0, blank);
  }
  const text = bodyLines.join('\n').trim();
  return { status, headers, body: json ? JSON.stringify(JSON.parse(text)) : `${text}\n` };
}

/** Parses the capture: exchanges by number. */
export function readJson2Capture(path: string = JSON2_CAPTURE_PATH): ReadonlyMap<number, Json2Exchange> {
  const text = readFileSync(path, 'utf8');
  const exchanges = new Map<number, Json2Exchange>();
  const blocks = text.split(/^=== /m).slice(1);
  for (const block of blocks) {
    const lines = block.replace(/\n#####.*$/s, '').split('\n');
    const heading = /^(\d+)\.\s+(.*)$/.exec(lines[0]!);
    if (!heading) continue;
    const curl = lines.find((line) => line.startsWith('$ curl'));
    const marker = lines.indexOf('--- response');
    if (curl === undefined || marker < 0) continue;
    exchanges.set(Number(heading[1]), {
      number: Number(heading[1]),
      title: heading[2]!.trim(),
      request: parseCurl(curl),
      response: parseResponse(lines.slice(marker + 1)),
    });
  }
  return exchanges;
}

/** The scripted server's reply for a captured answer: its status, content type and extra headers, and body. */
export function replyOf(exchange: Json2Exchange): Reply {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(exchange.response.headers)) {
    if (name !== 'content-length' && name !== 'connection') headers[name] = value;
  }
  return { status: exchange.response.status, body: exchange.response.body, headers };
}
