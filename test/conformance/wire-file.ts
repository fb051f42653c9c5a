/**
 * Parser of the captured Odoo exchanges (test/fixtures/odoo/wire-odoo-17.0.txt), reusable by every conformance suite.
 *
 * Format: `#` lines are comments; a line starting with `# ----` opens a new capture (the server's database was reset
 * between captures, so ids restart); `## title` opens an exchange, followed by one `REQ {json}` line (the `params`
 * of the JSON-RPC call) and one `RESP {json}` line (the whole response envelope).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Path of the wire file copy kept in the repository. */
export const WIRE_FILE_PATH = fileURLToPath(new URL('../fixtures/odoo/wire-odoo-17.0.txt', import.meta.url));

/** Routes the captured exchanges were sent to. */
export type WireRoute = '/jsonrpc' | '/web/session/authenticate' | '/web/dataset/call_kw';

/** One captured request/response pair. */
export interface WireExchange {
  /** The `##` title, e.g. `ERROR unknown model`. */
  readonly title: string;
  /** 1-based line of the title in the wire file. */
  readonly line: number;
  /** 0-based index of the capture the exchange belongs to. */
  readonly capture: number;
  /** Route the request was posted to. */
  readonly route: WireRoute;
  /** Whether the request was sent with the session cookie (only meaningful for session routes). */
  readonly withSession: boolean;
  /** The JSON-RPC `params` object as sent. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The full JSON-RPC response envelope as received. */
  readonly response: Readonly<Record<string, unknown>>;
}

/** One capture: a run against a freshly reset database. */
export interface WireCapture {
  /** 0-based index. */
  readonly index: number;
  /** The `# ----` heading (empty for the first capture). */
  readonly heading: string;
  /** Exchanges in recorded order. */
  readonly exchanges: readonly WireExchange[];
}

function inferRoute(title: string, params: Record<string, unknown>, where: string): WireRoute {
  if (title.includes('/web/session/authenticate')) return '/web/session/authenticate';
  if (title.includes('/web/dataset/call_kw')) return '/web/dataset/call_kw';
  if ('service' in params) return '/jsonrpc';
  if ('model' in params && 'kwargs' in params) return '/web/dataset/call_kw';
  throw new Error(`${where}: cannot tell which route "${title}" was sent to; name the route in the title`);
}

/**
 * Parses the wire file text into captures.
 *
 * @param text - the file content.
 * @param fileName - used in error messages.
 * @throws Error naming `file:line` for any malformed line.
 */
export function parseWireFile(text: string, fileName = 'wire file'): WireCapture[] {
  const captures: { index: number; heading: string; exchanges: WireExchange[] }[] = [
    { index: 0, heading: '', exchanges: [] },
  ];
  let pending: { title: string; line: number; params?: Record<string, unknown> } | undefined;
  const lines = text.split(/\r?\n/);
  const parseJson = (json: string, lineNo: number): Record<string, unknown> => {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new Error(`${fileName}:${lineNo}: invalid JSON (${(error as Error).message})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`${fileName}:${lineNo}: expected a JSON object`);
    }
    return value as Record<string, unknown>;
  };
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('## ')) {
      if (pending !== undefined)
        throw new Error(`${fileName}:${lineNo}: exchange "${pending.title}" (line ${pending.line}) has no RESP line`);
      pending = { title: line.slice(3).trim(), line: lineNo };
      return;
    }
    if (line.startsWith('# ----')) {
      if (pending !== undefined)
        throw new Error(`${fileName}:${lineNo}: exchange "${pending.title}" (line ${pending.line}) is unfinished`);
      captures.push({ index: captures.length, heading: line.replace(/^#\s*-+\s*|\s*-+$/g, ''), exchanges: [] });
      return;
    }
    if (line.startsWith('#')) return;
    const match = /^(REQ|RESP)\s+(.*)$/.exec(line);
    if (match === null || pending === undefined)
      throw new Error(`${fileName}:${lineNo}: unexpected line (expected "## title", "REQ {json}" or "RESP {json}")`);
    const [, kind, json = ''] = match;
    if (kind === 'REQ') {
      if (pending.params !== undefined) throw new Error(`${fileName}:${lineNo}: second REQ for "${pending.title}"`);
      pending.params = parseJson(json, lineNo);
      return;
    }
    if (pending.params === undefined) throw new Error(`${fileName}:${lineNo}: RESP before REQ for "${pending.title}"`);
    const capture = captures.at(-1)!;
    const where = `${fileName}:${pending.line}`;
    capture.exchanges.push({
      title: pending.title,
      line: pending.line,
      capture: capture.index,
      route: inferRoute(pending.title, pending.params, where),
      withSession: !/without session/i.test(pending.title),
      params: pending.params,
      response: parseJson(json, lineNo),
    });
    pending = undefined;
  });
  if (pending !== undefined)
    throw new Error(`${fileName}:${pending.line}: exchange "${pending.title}" has no RESP line`);
  return captures.filter((capture) => capture.exchanges.length > 0);
}

/** Reads and parses the repository's copy of the wire file. */
export function loadWireFile(path: string = WIRE_FILE_PATH): WireCapture[] {
  return parseWireFile(readFileSync(path, 'utf8'), path);
}
