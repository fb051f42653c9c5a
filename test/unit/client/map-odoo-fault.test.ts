import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  AccessError,
  ConcurrencyError,
  InvalidValueError,
  MissingError,
  RpcFault,
  SessionExpiredError,
  UserError,
  ValidationError,
} from '../../../src/errors.js';
import type { OdooErrorPayload } from '../../../src/errors.js';
import { isOdooErrorPayload, mapOdooFault } from '../../../src/client/map-odoo-fault.js';
import { loadWireFile } from '../../conformance/wire-file.js';

const exchanges = loadWireFile().flatMap((capture) => capture.exchanges);

/** Every error answer of the capture, with the class it must map to. */
const EXPECTED: Record<string, new (...args: never[]) => RpcFault> = {
  'ERROR write on deleted ids (MissingError)': MissingError,
  'unlink on deleted ids': MissingError,
  'ERROR create with unknown field': InvalidValueError,
  'ERROR create res.partner.category missing required name': ValidationError,
  'ERROR create res.country missing required code': ValidationError,
  'ERROR create res.country duplicate code (unique constraint)': ValidationError,
  'ERROR create with dangling many2one': ValidationError,
  'ERROR create with bad selection value': InvalidValueError,
  'ERROR search on unknown field in domain': InvalidValueError,
  'ERROR unknown model': UserError,
  'ERROR unknown method': RpcFault,
  'ERROR private method': AccessError,
  'ERROR execute_kw with wrong password': AccessDeniedError,
  'ERROR execute_kw with unknown uid': MissingError,
  'ERROR authenticate on a db that does not exist / filtered out': RpcFault,
  'ERROR unknown service': RpcFault,
  'ERROR access error (internal user creating res.country)': AccessError,
  'ERROR ir.model.data duplicate xmlid': ValidationError,
  'load with unknown field': RpcFault,
  'ERROR /web/dataset/call_kw unknown field': InvalidValueError,
  'ERROR /web/session/authenticate wrong password': AccessDeniedError,
  'ERROR /web/dataset/call_kw without session': SessionExpiredError,
  'ir.config_parameter duplicate key create': ValidationError,
  'write required name to false on contact': ValidationError,
  'create with a string for an integer field': InvalidValueError,
  'customer_rank exists only with the account module': InvalidValueError,
};

const faults = exchanges.filter((exchange) => 'error' in exchange.response);

describe('mapOdooFault on the captured Odoo 17.0 errors', () => {
  it('covers every error answer of the capture', () => {
    expect(faults.map((exchange) => exchange.title).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(faults.map((exchange) => [exchange.title, exchange] as const))('%s', (title, exchange) => {
    const payload = exchange.response['error'] as OdooErrorPayload;
    expect(isOdooErrorPayload(payload)).toBe(true);
    const error = mapOdooFault(payload, { url: 'http://odoo.test', model: 'res.partner', method: 'create', chunk: 3 });
    const expected = EXPECTED[title];
    expect(expected).toBeDefined();
    expect(error.constructor).toBe(expected);
    expect(error.faultName).toBe(payload.data?.name);
    expect(error.faultMessage).toBe(payload.data?.message);
    expect(error.debug).toBe(payload.data?.debug);
    expect(error.rpcCode).toBe(payload.code);
    expect(error.message).toContain(payload.data?.message ?? '');
    expect(error.message.startsWith('res.partner.create: ')).toBe(true);
    expect(error.context).toMatchObject({ url: 'http://odoo.test', model: 'res.partner', method: 'create', chunk: 3 });
  });

  it('keeps stable codes', () => {
    const codes = faults.map((exchange) => mapOdooFault(exchange.response['error'] as OdooErrorPayload).code);
    expect(new Set(codes)).toEqual(
      new Set([
        'ERR_ODOO_MISSING',
        'ERR_ODOO_INVALID_VALUE',
        'ERR_ODOO_VALIDATION',
        'ERR_ODOO_USER',
        'ERR_ODOO_FAULT',
        'ERR_ODOO_ACCESS',
        'ERR_ODOO_ACCESS_DENIED',
        'ERR_ODOO_SESSION_EXPIRED',
      ]),
    );
  });
});

describe('mapOdooFault on concurrency failures', () => {
  const payload = (name: string, message: string): OdooErrorPayload => ({
    code: 200,
    message: 'Odoo Server Error',
    data: { name, message, debug: '', arguments: [message], context: {} },
  });

  it.each([
    ['psycopg2.errors.SerializationFailure', 'could not serialize access due to concurrent update'],
    ['psycopg2.errors.DeadlockDetected', 'deadlock detected'],
    ['psycopg2.errors.LockNotAvailable', 'could not obtain lock on row in relation "res_partner"'],
    ['psycopg2.OperationalError', 'could not serialize access due to concurrent update'],
    ['psycopg2.OperationalError', 'deadlock detected\nDETAIL: Process 1 waits for ShareLock'],
    ['psycopg2.OperationalError', 'lock not available'],
  ])('%s "%s" is a ConcurrencyError', (name, message) => {
    const error = mapOdooFault(payload(name, message));
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error.code).toBe('ERR_ODOO_CONCURRENCY');
  });

  it('leaves other OperationalErrors generic', () => {
    const error = mapOdooFault(payload('psycopg2.OperationalError', 'FATAL: database "nodb" does not exist'));
    expect(error.constructor).toBe(RpcFault);
    expect(error.faultName).toBe('psycopg2.OperationalError');
  });

  it('maps code 100 without a name to SessionExpiredError', () => {
    expect(mapOdooFault({ code: 100, message: 'Odoo Session Expired' })).toBeInstanceOf(SessionExpiredError);
  });

  it('keeps an unknown fault with its name, message and debug', () => {
    const error = mapOdooFault({
      code: 404,
      message: '404: Not Found',
      data: { name: 'werkzeug.exceptions.NotFound', message: 'nope', debug: 'tb' },
    });
    expect(error.constructor).toBe(RpcFault);
    expect([error.faultName, error.faultMessage, error.debug, error.rpcCode]).toEqual([
      'werkzeug.exceptions.NotFound',
      'nope',
      'tb',
      404,
    ]);
  });
});
