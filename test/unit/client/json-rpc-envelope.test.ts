import { describe, expect, it } from 'vitest';
import { HttpError, InvalidValueError, ProtocolError, RpcFault, SessionExpiredError } from '../../../src/errors.js';
import { decodeJsonRpcAnswer, encodeJsonRpcRequest, parseRetryAfter } from '../../../src/client/json-rpc-envelope.js';
import { redactSecrets } from '../../../src/client/redact-secrets.js';
import { loadWireFile } from '../../conformance/wire-file.js';

const exchanges = loadWireFile().flatMap((capture) => capture.exchanges);
const wireExchange = (title: string) => {
  const found = exchanges.find((exchange) => exchange.title === title);
  if (!found) throw new Error(`No exchange titled "${title}" in the wire file`);
  return found;
};

const source = {
  label: 'POST http://odoo.test/jsonrpc (res.partner.create)',
  errorOptions: { url: 'http://odoo.test', model: 'res.partner', method: 'create' },
  redact: (text: string) => redactSecrets(text, ['s3cret-canary']),
};
const ok = (body: unknown, status = 200) => ({ status, body: typeof body === 'string' ? body : JSON.stringify(body) });
const capture = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('encodeJsonRpcRequest', () => {
  it('wraps params in a JSON-RPC 2.0 call', () => {
    expect(JSON.parse(encodeJsonRpcRequest({ service: 'common', method: 'version', args: [] }, 7))).toEqual({
      jsonrpc: '2.0',
      method: 'call',
      params: { service: 'common', method: 'version', args: [] },
      id: 7,
    });
  });
});

describe('decodeJsonRpcAnswer', () => {
  it('returns the result of a captured answer', () => {
    const exchange = wireExchange('create list of 2 dicts');
    expect(decodeJsonRpcAnswer(ok(exchange.response), source)).toEqual([7, 8]);
  });

  it('treats an answer without result (a None return) as null', () => {
    expect(decodeJsonRpcAnswer(ok({ jsonrpc: '2.0', id: 7 }), source)).toBeNull();
  });

  it('maps a captured error answer to its fault class with context', () => {
    const error = capture(() =>
      decodeJsonRpcAnswer(ok(wireExchange('ERROR create with unknown field').response), source),
    );
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as InvalidValueError).context.model).toBe('res.partner');
  });

  it('keeps a fault sent with a non-200 status (Odoo 14/15 NotFound)', () => {
    const body = {
      jsonrpc: '2.0',
      id: 1,
      error: { code: 404, message: '404: Not Found', data: { name: 'werkzeug.exceptions.NotFound', message: 'x' } },
    };
    expect(capture(() => decodeJsonRpcAnswer(ok(body, 404), source))).toBeInstanceOf(RpcFault);
  });

  it('maps a session-expired answer', () => {
    const error = capture(() =>
      decodeJsonRpcAnswer(ok(wireExchange('ERROR /web/dataset/call_kw without session').response), source),
    );
    expect(error).toBeInstanceOf(SessionExpiredError);
  });

  it('turns HTTP 400 "Invalid JSON data" into HttpError with the body excerpt', () => {
    const error = capture(() =>
      decodeJsonRpcAnswer({ status: 400, statusMessage: 'Bad Request', body: 'Invalid JSON data' }, source),
    ) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.bodyExcerpt).toBe('Invalid JSON data');
    expect(error.message).toContain('HTTP 400 Bad Request from POST http://odoo.test/jsonrpc');
    expect(error.phase).toBe('sent');
  });

  it('reads Retry-After of a 503', () => {
    const error = capture(() =>
      decodeJsonRpcAnswer({ status: 503, retryAfter: '2', body: 'busy' }, source),
    ) as HttpError;
    expect(error.retryAfterMs).toBe(2000);
    expect(error.message).toMatch(/try again later/);
  });

  it('explains a redirect', () => {
    const error = capture(() =>
      decodeJsonRpcAnswer({ status: 301, location: 'https://odoo.test/jsonrpc', body: '' }, source),
    ) as HttpError;
    expect(error.message).toContain('https://odoo.test/jsonrpc');
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><body>Login</body></html>'],
    ['garbage', 'hello world'],
    ['a JSON array', '[1,2]'],
    ['JSON of another server', '{"status":"ok"}'],
    ['an empty body', ''],
  ])('turns %s into ProtocolError', (_name, body) => {
    const error = capture(() => decodeJsonRpcAnswer(ok(body), source));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).message).toMatch(/instead of Odoo JSON-RPC/);
  });

  it('rejects a malformed error member', () => {
    expect(capture(() => decodeJsonRpcAnswer(ok({ jsonrpc: '2.0', id: 1, error: 'boom' }), source))).toBeInstanceOf(
      ProtocolError,
    );
  });

  it('redacts secrets echoed in bodies and faults', () => {
    const http = capture(() =>
      decodeJsonRpcAnswer({ status: 400, body: 'bad request: {"args":["db",2,"s3cret-canary"]}' }, source),
    ) as HttpError;
    expect(http.bodyExcerpt).not.toContain('s3cret-canary');
    expect(http.message).not.toContain('s3cret-canary');
    const payload = {
      code: 200,
      message: 'Odoo Server Error',
      data: {
        name: 'builtins.ValueError',
        message: 'bad s3cret-canary',
        debug: 'tb s3cret-canary',
        arguments: ['s3cret-canary'],
      },
    };
    const fault = capture(() => decodeJsonRpcAnswer(ok({ jsonrpc: '2.0', id: 1, error: payload }), source)) as RpcFault;
    expect(JSON.stringify([fault.message, fault.faultMessage, fault.debug])).not.toContain('s3cret-canary');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
  });
});
