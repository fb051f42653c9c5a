// Minimal JSON-RPC helpers over fetch for sandbox integration tests (deliberately independent of zenoo's client, so
// that a client bug cannot hide a server bug).
import type { Sandbox } from '../../../src/sandbox/index.js';

export interface Envelope {
  readonly jsonrpc: string;
  readonly id: unknown;
  readonly result?: unknown;
  readonly error?: { code: number; message: string; data: { name: string; message: string } };
}

/** Posts a JSON-RPC call to `path` and returns the parsed envelope. */
export async function post(
  url: string,
  path: string,
  params: unknown,
  headers: Record<string, string> = {},
): Promise<{ envelope: Envelope; response: Response }> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params, id: 1 }),
  });
  return { envelope: (await response.json()) as Envelope, response };
}

/** `object.execute_kw` as admin (or with another password, e.g. the API key). */
export async function executeKw(
  sandbox: Sandbox,
  model: string,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown> = {},
  password: string = sandbox.password,
): Promise<Envelope> {
  const { envelope } = await post(sandbox.url, '/jsonrpc', {
    service: 'object',
    method: 'execute_kw',
    args: [sandbox.db, 2, password, model, method, args, kwargs],
  });
  return envelope;
}

/** Like {@link executeKw} but returns the result and throws on an error envelope. */
export async function call(
  sandbox: Sandbox,
  model: string,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown> = {},
): Promise<unknown> {
  const envelope = await executeKw(sandbox, model, method, args, kwargs);
  if (envelope.error !== undefined)
    throw new Error(`${model}.${method}: ${envelope.error.data.name}: ${envelope.error.data.message}`);
  return envelope.result;
}

/** Settles a promise into a value or an error, to assert on connection failures. */
export async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}
