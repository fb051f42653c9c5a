// Raw HTTP helpers for sandbox tests: exact status, headers and body, and transport errors (resets) as values.
import { Agent, request } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface RawOptions {
  readonly agent?: Agent | false;
  readonly headers?: Record<string, string>;
  readonly method?: string;
}

/** Sends `body` (an object is JSON-encoded with Content-Type application/json) and resolves with the raw answer. */
export function send(baseUrl: string, path: string, body: unknown, options: RawOptions = {}): Promise<RawResponse> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    ...(typeof body === 'string' ? {} : { 'Content-Type': 'application/json' }),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, baseUrl),
      { method: options.method ?? 'POST', headers, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** A JSON-RPC call on `/jsonrpc`. */
export function rpc(
  baseUrl: string,
  service: string,
  method: string,
  args: unknown[],
  options: RawOptions & { id?: unknown } = {},
): Promise<RawResponse> {
  return send(
    baseUrl,
    '/jsonrpc',
    { jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: options.id ?? 1 },
    options,
  );
}

/** Settles a promise into `{ ok, value | error }` so tests can assert on transport failures. */
export async function settle<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: NodeJS.ErrnoException }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error: error as NodeJS.ErrnoException };
  }
}
