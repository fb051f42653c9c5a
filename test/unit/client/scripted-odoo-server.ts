/**
 * A minimal node:http server that answers JSON-RPC like Odoo 17 from a script, for client tests that need exact
 * control over the wire (a reset after the body was read, a 503 with Retry-After, an HTML page, a slow answer).
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OdooErrorPayload } from '../../../src/errors.js';

/** A request as the script sees it. */
export interface ScriptedRequest {
  readonly path: string;
  readonly params: Record<string, unknown>;
  readonly headers: IncomingHttpHeaders;
  /** Raw body as received. */
  readonly body: string;
}

/** What the server does with one request. */
export type Reply =
  | { readonly result: unknown; readonly setCookie?: string }
  | { readonly error: OdooErrorPayload }
  | { readonly status: number; readonly body: string; readonly headers?: Record<string, string> }
  /** Destroys the socket after the whole request was read (the client cannot know whether it was processed). */
  | { readonly destroy: true }
  /** Answers `then` after `delayMs`. */
  | { readonly delayMs: number; readonly then: Reply };

/** A running scripted server. */
export interface ScriptedOdoo {
  readonly url: string;
  /** TCP connections opened so far. */
  readonly connections: () => number;
  /** Every request received, in order. */
  readonly requests: ScriptedRequest[];
  close(): Promise<void>;
}

/** The body of a captured Odoo fault. */
export function fault(name: string, message: string, code = 200): { error: OdooErrorPayload } {
  return {
    error: {
      code,
      message: code === 100 ? 'Odoo Session Expired' : 'Odoo Server Error',
      data: { name, debug: `Traceback\n${name}: ${message}`, message, arguments: [message], context: {} },
    },
  };
}

/** Starts a scripted server on 127.0.0.1, port 0. */
export async function startScriptedOdoo(
  script: (request: ScriptedRequest) => Reply | Promise<Reply>,
): Promise<ScriptedOdoo> {
  let connections = 0;
  const requests: ScriptedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let envelope: { id?: unknown; params?: Record<string, unknown> } = {};
      try {
        envelope = JSON.parse(body) as typeof envelope;
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('Invalid JSON data');
        return;
      }
      const request: ScriptedRequest = {
        path: req.url ?? '/',
        params: envelope.params ?? {},
        headers: req.headers,
        body,
      };
      requests.push(request);
      void Promise.resolve(script(request)).then((reply) => send(res, envelope.id ?? null, reply));
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, id: unknown, reply: Reply): void {
  if ('delayMs' in reply) {
    setTimeout(() => send(res, id, reply.then), reply.delayMs);
    return;
  }
  if ('destroy' in reply) {
    res.socket?.destroy();
    return;
  }
  if ('status' in reply) {
    res.writeHead(reply.status, { 'content-type': 'text/html; charset=utf-8', ...reply.headers }).end(reply.body);
    return;
  }
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if ('setCookie' in reply && reply.setCookie) headers['set-cookie'] = reply.setCookie;
  const body =
    'error' in reply ? { jsonrpc: '2.0', id, error: reply.error } : { jsonrpc: '2.0', id, result: reply.result };
  res.writeHead(200, headers).end(JSON.stringify(body));
}
