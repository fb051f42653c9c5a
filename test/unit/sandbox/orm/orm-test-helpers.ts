/**
 * Helpers for the ORM unit tests: a fresh in-memory database, a short way to call methods, and the captured
 * exchanges of test/fixtures/odoo/wire-odoo-17.0.txt.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { OdooServerError } from '../../../../src/sandbox/odoo-server-error.js';
import { SandboxDatabase } from '../../../../src/sandbox/orm/sandbox-database.js';

/** Any JSON value returned by the ORM; the tests assert its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- RPC results are arbitrary JSON
export type Json = any;

/** A database plus a terse caller. */
export interface TestDb {
  readonly db: SandboxDatabase;
  /** Calls `model.method(*args, **kwargs)` as `uid` (default admin) and returns the result. */
  call(model: string, method: string, args?: unknown[], kwargs?: Record<string, unknown>, uid?: number): Json;
}

/** Opens a fresh in-memory sandbox database. */
export function openTestDb(file?: string): TestDb {
  const db = SandboxDatabase.open(file === undefined ? undefined : { file });
  return {
    db,
    call: (model, method, args = [], kwargs = {}, uid = 2) => db.execute({ uid, model, method, args, kwargs }).result,
  };
}

/** Runs `fn`, expects an OdooServerError and returns it. */
export function catchOdoo(fn: () => unknown): OdooServerError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OdooServerError);
    return error as OdooServerError;
  }
  throw new Error('expected an OdooServerError, but the call succeeded');
}

/** One captured exchange. */
export interface WireExchange {
  readonly title: string;
  readonly request: Json;
  readonly response: Json;
}

const WIRE_PATH = fileURLToPath(new URL('../../../fixtures/odoo/wire-odoo-17.0.txt', import.meta.url));

/** All captured exchanges, in file order. */
export function wireExchanges(): WireExchange[] {
  const lines = readFileSync(WIRE_PATH, 'utf8').split('\n');
  const out: WireExchange[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string;
    if (!line.startsWith('## ')) continue;
    const req = (lines[i + 1] ?? '').trim();
    const resp = (lines[i + 2] ?? '').trim();
    if (!req.startsWith('REQ') || !resp.startsWith('RESP')) continue;
    out.push({ title: line.slice(3).trim(), request: JSON.parse(req.slice(4)), response: JSON.parse(resp.slice(5)) });
  }
  return out;
}

/** The captured exchange titled `title` (exact). */
export function wire(title: string): WireExchange {
  const found = wireExchanges().find((e) => e.title === title);
  if (!found) throw new Error(`no exchange titled "${title}" in the wire fixture`);
  return found;
}

/** Expects `error` to carry exactly the name and message of the captured error answer titled `title`. */
export function expectWireError(error: OdooServerError, title: string): void {
  const data = wire(title).response.error.data;
  expect({ name: error.odooName, message: error.message, arguments: error.odooArguments }).toEqual({
    name: data.name,
    message: data.message,
    arguments: data.arguments,
  });
}
