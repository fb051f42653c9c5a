// A minimal in-memory SandboxBackend for testing the HTTP layer in isolation from the ORM: one admin user (uid 2,
// password "admin", API key "test-api-key") and a `res.partner` model supporting create and search_count.
import { OdooServerError } from '../../../src/sandbox/odoo-server-error.js';
import type { SandboxBackend, SandboxCall, SandboxWrite } from '../../../src/sandbox/sandbox-backend.js';

export interface FakeBackend extends SandboxBackend {
  readonly partners: { id: number; name: string }[];
  readonly calls: SandboxCall[];
  closed: boolean;
}

export function createFakeBackend(): FakeBackend {
  const partners: { id: number; name: string }[] = [];
  const calls: SandboxCall[] = [];
  const apiKey = 'test-api-key';
  const backend: FakeBackend = {
    apiKey,
    partners,
    calls,
    closed: false,
    authenticate(login, password, { allowApiKey }) {
      if (login !== 'admin') return false;
      return password === 'admin' || (allowApiKey && password === apiKey) ? 2 : false;
    },
    checkCredentials(uid, password, { allowApiKey }) {
      return uid === 2 && (password === 'admin' || (allowApiKey && password === apiKey));
    },
    authenticateApiKey(key) {
      return key === apiKey ? 2 : false;
    },
    describeMethod(model, method) {
      if (model !== 'res.partner') return { kind: 'unknown-model' };
      if (method.startsWith('_')) return { kind: 'private' };
      if (method === 'create')
        return { kind: 'method', signature: { records: false, params: [{ name: 'vals_list' }], extraKwargs: false } };
      if (method === 'search_count')
        return {
          kind: 'method',
          signature: {
            records: false,
            params: [{ name: 'domain' }, { name: 'limit', default: null }],
            extraKwargs: false,
          },
        };
      return { kind: 'unknown-method' };
    },
    loginOf(uid) {
      return uid === 2 ? 'admin' : undefined;
    },
    execute(call) {
      calls.push(call);
      if (call.model === 'res.users' && call.method === 'read') {
        return { result: [{ id: 2, name: 'Administrator', partner_id: [3, 'Administrator'] }], writes: [] };
      }
      if (call.model !== 'res.partner')
        throw new OdooServerError('odoo.exceptions.UserError', `Object ${call.model} doesn't exist`);
      if (call.method === 'create') {
        const list = Array.isArray(call.args[0])
          ? (call.args[0] as { name: string }[])
          : [call.args[0] as { name: string }];
        const ids = list.map((values) => {
          const id = partners.length + 1;
          partners.push({ id, name: values.name });
          return id;
        });
        const writes: SandboxWrite[] = [{ model: 'res.partner', method: 'create', count: ids.length }];
        return { result: Array.isArray(call.args[0]) ? ids : ids[0], writes };
      }
      if (call.method === 'search_count') return { result: partners.length, writes: [] };
      throw new OdooServerError('builtins.AttributeError', `The method 'res.partner.${call.method}' does not exist`);
    },
    close() {
      backend.closed = true;
    },
  };
  return backend;
}
