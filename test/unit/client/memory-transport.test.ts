/**
 * The transport seam: the client sends named calls (model, method, ids, args, kwargs, context) to whatever transport
 * it is given, keeping context merging, retries and helpers on its side. Tested through the memory transport.
 */
import { describe, expect, it } from 'vitest';
import { OdooClient } from '../../../src/client/odoo-client.js';
import { MemoryTransport } from '../../../src/client/transports/memory-transport.js';
import type { OrmCall } from '../../../src/client/odoo-transport.js';
import { executeKwArguments } from '../../../src/client/odoo-transport.js';
import { AbortError, UserError } from '../../../src/errors.js';

function clientWith(handler: (call: OrmCall) => unknown): { client: OdooClient; transport: MemoryTransport } {
  const transport = new MemoryTransport(handler);
  const client = new OdooClient({
    url: 'http://odoo.test',
    db: 'test',
    username: 'admin',
    apiKey: 'key-never-shown',
    context: { lang: 'en_US' },
    retry: false,
    transport: () => transport,
  });
  return { client, transport };
}

describe('the transport seam', () => {
  it('sends named calls: the context merged by the client, ids apart for methods on records', async () => {
    const { client, transport } = clientWith((call) => (call.method === 'search_read' ? [{ id: 1 }] : undefined));
    expect(await client.searchRead('res.partner', [['is_company', '=', true]], { fields: ['name'], limit: 5 })).toEqual(
      [{ id: 1 }],
    );
    expect(
      await client.callMethod('sale.order', 'action_confirm', [4, 5], { context: { tracking_disable: true } }),
    ).toBe(undefined);
    expect(transport.logins).toBe(1);
    expect(transport.calls).toEqual([
      {
        model: 'res.partner',
        method: 'search_read',
        args: [[['is_company', '=', true]]],
        kwargs: { fields: ['name'], limit: 5 },
        context: { lang: 'en_US' },
      },
      {
        model: 'sale.order',
        method: 'action_confirm',
        ids: [4, 5],
        args: [],
        kwargs: {},
        context: { lang: 'en_US', tracking_disable: true },
      },
    ]);
    // The JSON-RPC transports flatten a named call into execute_kw's positional form.
    expect(executeKwArguments(transport.calls[1]!)).toEqual({
      args: [[4, 5]],
      kwargs: { context: { lang: 'en_US', tracking_disable: true } },
    });
  });

  it('callMethod passes args after the ids and kwargs beside the context, and returns what the method returned', async () => {
    const { client, transport } = clientWith(() => ({ type: 'ir.actions.act_window' }));
    const result = await client.callMethod('account.move', 'action_post', [9], {
      args: ['now'],
      kwargs: { soft: false, context: { from_kwargs: 1 } },
    });
    expect(result).toEqual({ type: 'ir.actions.act_window' });
    expect(transport.calls[0]).toEqual({
      model: 'account.move',
      method: 'action_post',
      ids: [9],
      args: ['now'],
      kwargs: { soft: false },
      context: { lang: 'en_US', from_kwargs: 1 },
    });
  });

  it('refuses private methods and ids that are not ids before anything is sent', async () => {
    const { client, transport } = clientWith(() => true);
    await expect(client.callMethod('sale.order', '_action_confirm', [1])).rejects.toThrow(/public method name/);
    await expect(client.callMethod('sale.order', 'action_confirm', [1.5])).rejects.toThrow(TypeError);
    expect(transport.calls).toEqual([]);
  });

  it("maps the transport's errors as they are, and an aborted signal to zenoo's AbortError", async () => {
    const { client } = clientWith(() => {
      throw new UserError(
        {
          code: 200,
          message: 'Odoo Server Error',
          data: { name: 'odoo.exceptions.UserError', message: 'not in draft' },
        },
        { model: 'sale.order', method: 'action_confirm' },
      );
    });
    await expect(client.callMethod('sale.order', 'action_confirm', [1])).rejects.toBeInstanceOf(UserError);
    const controller = new AbortController();
    controller.abort();
    await expect(client.searchCount('res.partner', [], { signal: controller.signal })).rejects.toBeInstanceOf(
      AbortError,
    );
  });
});
