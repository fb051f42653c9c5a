/**
 * The reference reader: external ids read many in one `ir.model.data` call and never twice, lookups read with at most
 * two ids and never twice, and the one wording of their problems. Through a real `OdooClient` over the memory
 * transport, so that the calls counted are the calls the client would send.
 */
import { describe, expect, it } from 'vitest';
import { MemoryTransport } from '../../../../src/client/transports/memory-transport.js';
import { OdooClient } from '../../../../src/client/odoo-client.js';
import type { OrmCall } from '../../../../src/client/odoo-transport.js';
import { InvalidValueError } from '../../../../src/errors.js';
import { ReferenceCache } from '../../../../src/plan/references/reference-cache.js';
import {
  externalIdOfOtherModel,
  lookupFoundNone,
  lookupFoundSeveral,
  lookupProblem,
  missingExternalId,
} from '../../../../src/plan/references/reference-problems.js';
import type { LookupOutcome } from '../../../../src/plan/references/reference-reader.js';
import { ReferenceReader, readExternalIds } from '../../../../src/plan/references/reference-reader.js';

/** `ir.model.data` of the fake target. */
const DATA = [
  { module: 'base', name: 'be', model: 'res.country', res_id: 20 },
  { module: 'base', name: 'fr', model: 'res.country', res_id: 75 },
  { module: 'base', name: 'main_partner', model: 'res.partner', res_id: 1 },
  { module: 'other', name: 'fr', model: 'res.partner', res_id: 9 },
];

/** Countries of the fake target: three whose code starts with B. */
const COUNTRIES = [
  { id: 20, code: 'BE' },
  { id: 21, code: 'BG' },
  { id: 22, code: 'BR' },
  { id: 75, code: 'FR' },
];

type Leaf = readonly [string, string, unknown];

function matches(record: Record<string, unknown>, domain: readonly Leaf[]): boolean {
  return domain.every(([field, operator, value]) => {
    const actual = record[field];
    if (operator === '=') return actual === value;
    if (operator === 'in') return (value as unknown[]).includes(actual);
    if (operator === '=like') return String(actual).startsWith(String(value).replace(/%$/, ''));
    throw new InvalidValueError({
      code: 200,
      message: 'Odoo Server Error',
      data: { message: `Invalid operator ${operator}` },
    });
  });
}

/** A client over the memory transport answering from {@link DATA} and {@link COUNTRIES}. */
function target(): { client: OdooClient; calls: OrmCall[] } {
  const transport = new MemoryTransport((call) => {
    const domain = call.args[0] as readonly Leaf[];
    const rows = (call.model === 'ir.model.data' ? DATA : COUNTRIES).filter((row) => matches(row, domain));
    if (call.method === 'search_count') return rows.length;
    const limit = call.kwargs['limit'] as number | undefined;
    return (limit === undefined ? rows : rows.slice(0, limit)).map((row, index) => ({ id: index + 1, ...row }));
  });
  const client = new OdooClient({
    url: 'http://odoo.test',
    db: 'test',
    username: 'admin',
    apiKey: 'key',
    retry: false,
    transport: () => transport,
  });
  return { client, calls: transport.calls };
}

const ormCalls = (calls: readonly OrmCall[], model: string): OrmCall[] => calls.filter((call) => call.model === model);

describe('external ids', () => {
  it('reads N external ids in one ir.model.data call, keeping only the pairs asked for', async () => {
    const { client, calls } = target();
    const reader = new ReferenceReader(client);
    const found = await reader.xmlids(['base.be', 'base.fr', 'other.fr', 'base.atlantis', 'base.be']);
    expect(ormCalls(calls, 'ir.model.data')).toHaveLength(1);
    expect(calls[0]!.args[0]).toEqual([
      ['module', 'in', ['base', 'other']],
      ['name', 'in', ['be', 'fr', 'atlantis']],
    ]);
    expect(Object.fromEntries(found)).toEqual({
      'base.be': { id: 20, model: 'res.country' },
      'base.fr': { id: 75, model: 'res.country' },
      'other.fr': { id: 9, model: 'res.partner' },
      'base.atlantis': null,
    });
    expect(reader.readCalls).toBe(1);
  });

  it('never reads an external id twice: asked again, alone or in a batch, found or not, it costs no call', async () => {
    const { client, calls } = target();
    const reader = new ReferenceReader(client);
    expect(await reader.xmlid('base.be')).toEqual({ id: 20, model: 'res.country' });
    expect(await reader.xmlid('base.atlantis')).toBeNull();
    expect(calls).toHaveLength(2);
    // One at a time: the client's single-id query (module = and name =, one row).
    expect(calls[0]!.args[0]).toEqual([
      ['module', '=', 'base'],
      ['name', '=', 'be'],
    ]);
    expect(calls[0]!.kwargs['limit']).toBe(1);
    expect(await reader.xmlid('base.be')).toEqual({ id: 20, model: 'res.country' });
    expect(await reader.xmlid('base.atlantis')).toBeNull();
    const again = await reader.xmlids(['base.be', 'base.atlantis', 'base.fr']);
    expect(again.get('base.fr')).toEqual({ id: 75, model: 'res.country' });
    // Only base.fr was read, in its own batch.
    expect(calls).toHaveLength(3);
    expect(calls[2]!.args[0]).toEqual([
      ['module', 'in', ['base']],
      ['name', 'in', ['fr']],
    ]);
    expect(reader.known('base.fr')).toEqual({ id: 75, model: 'res.country' });
  });

  it('shares one read among concurrent askers', async () => {
    const { client, calls } = target();
    const reader = new ReferenceReader(client);
    const answers = await Promise.all([reader.xmlid('base.be'), reader.xmlid('base.be'), reader.xmlids(['base.be'])]);
    expect(answers[0]).toEqual({ id: 20, model: 'res.country' });
    expect(answers[2].get('base.be')).toEqual({ id: 20, model: 'res.country' });
    expect(calls).toHaveLength(1);
  });

  it('answers from the check cache without a call, and fills it only when told to', async () => {
    const { client, calls } = target();
    const cache = new ReferenceCache();
    cache.setXmlid('base.be', { id: 20, model: 'res.country' });
    const run = new ReferenceReader(client, { cache });
    expect(await run.xmlid('base.be')).toEqual({ id: 20, model: 'res.country' });
    expect(calls).toHaveLength(0);
    await run.xmlid('base.fr');
    expect(cache.xmlid('base.fr')).toBeUndefined();
    const check = new ReferenceReader(client, { cache, fillCache: true });
    await check.xmlids(['base.main_partner', 'base.atlantis']);
    expect(cache.xmlid('base.main_partner')).toEqual({ id: 1, model: 'res.partner' });
    expect(cache.xmlid('base.atlantis')).toBeNull();
  });

  it('without rememberMisses, asks again for an external id it did not find (a step may create it)', async () => {
    const { client, calls } = target();
    const reader = new ReferenceReader(client, { rememberMisses: false });
    expect(await reader.xmlid('base.atlantis')).toBeNull();
    expect(await reader.xmlid('base.atlantis')).toBeNull();
    await reader.xmlid('base.be');
    await reader.xmlid('base.be');
    expect(calls).toHaveLength(3);
  });

  it('forgets a failed read: the next ask reads again', async () => {
    let fail = true;
    const reader = new ReferenceReader({
      searchRead: () => {
        if (fail) return Promise.reject(new Error('connection reset'));
        return Promise.resolve([{ module: 'base', name: 'be', model: 'res.country', res_id: 20 }]);
      },
    });
    await expect(reader.xmlid('base.be')).rejects.toThrow('connection reset');
    fail = false;
    expect(await reader.xmlid('base.be')).toEqual({ id: 20, model: 'res.country' });
    expect(reader.readCalls).toBe(2);
  });

  it('readExternalIds groups the rows of one query by external id, optionally of one model', async () => {
    const { client, calls } = target();
    const found = await readExternalIds(client, { module: 'base', name: ['be', 'main_partner'], model: 'res.country' });
    expect([...found.keys()]).toEqual(['base.be']);
    expect(calls[0]!.args[0]).toEqual([
      ['module', '=', 'base'],
      ['name', 'in', ['be', 'main_partner']],
      ['model', '=', 'res.country'],
    ]);
  });
});

describe('lookups', () => {
  it('reads at most two ids, and never reads a domain twice', async () => {
    const { client, calls } = target();
    const reader = new ReferenceReader(client);
    expect(await reader.lookup('res.country', [['code', '=', 'FR']])).toEqual({ ids: [75], count: 1 });
    expect(await reader.lookup('res.country', [['code', '=like', 'B%']])).toEqual({ ids: [20, 21], count: undefined });
    expect(await reader.lookup('res.country', [['code', '=', 'ZZ']])).toEqual({ ids: [], count: 0 });
    expect(calls.map((call) => call.kwargs['limit'])).toEqual([2, 2, 2]);
    await reader.lookup('res.country', [['code', '=', 'FR']]);
    await reader.lookup('res.country', [['code', '=like', 'B%']]);
    await reader.lookup('res.country', [['code', '=', 'ZZ']]);
    expect(calls).toHaveLength(3);
    expect(reader.knownLookup('res.country', [['code', '=', 'FR']])).toEqual({ ids: [75], count: 1 });
  });

  it('counts a lookup matching several only when asked to', async () => {
    const { client, calls } = target();
    const reader = new ReferenceReader(client, { countSeveral: true });
    expect(await reader.lookup('res.country', [['code', '=like', 'B%']])).toEqual({ ids: [20, 21], count: 3 });
    expect(calls.map((call) => call.method)).toEqual(['search_read', 'search_count']);
    expect(await reader.lookup('res.country', [['code', '=', 'FR']])).toEqual({ ids: [75], count: 1 });
    expect(calls).toHaveLength(3);
  });

  it('uses the lookup the cache holds for the step, and only for that step', async () => {
    const { client, calls } = target();
    const cache = new ReferenceCache();
    cache.setLookup('shops', 'res.country', [['code', '=', 'FR']], [75]);
    const reader = new ReferenceReader(client, { cache });
    expect(await reader.lookup('res.country', [['code', '=', 'FR']], { step: 'shops' })).toEqual({
      ids: [75],
      count: 1,
    });
    expect(calls).toHaveLength(0);
    await reader.lookup('res.country', [['code', '=', 'FR']], { step: 'branches' });
    expect(calls).toHaveLength(1);
  });

  it('a domain the server refuses is an outcome, remembered like the others', async () => {
    const { client, calls } = target();
    const reader = new ReferenceReader(client);
    const outcome = await reader.lookup('res.country', [['code', 'similar', 'FR']]);
    expect(outcome).toMatchObject({ fault: 'Invalid operator similar' });
    expect((outcome as { error: unknown }).error).toBeInstanceOf(InvalidValueError);
    await reader.lookup('res.country', [['code', 'similar', 'FR']]);
    expect(calls).toHaveLength(1);
  });
});

describe('the one wording of reference problems', () => {
  it('names a missing external id and a wrong model, with what to do', () => {
    expect(missingExternalId('base.atlantis')).toEqual({
      message: 'external id base.atlantis does not exist in the target',
      hint: 'check the module and name, and that the module defining it is installed',
    });
    expect(externalIdOfOtherModel('base.be', 'res.country', 'category_id', 'res.partner.category')).toEqual({
      message: 'external id base.be is a res.country record, but "category_id" points to res.partner.category',
      hint: 'use the external id of a res.partner.category record',
    });
  });

  it('says a lookup found no record, or several (how many when counted), and nothing when it found one', () => {
    const where = [['code', '=like', 'B%']];
    const outcome = (ids: number[], count: number | undefined): LookupOutcome => ({ ids, count });
    expect(lookupProblem('res.country', where, outcome([], 0))).toEqual(lookupFoundNone('res.country', where));
    expect(lookupProblem('res.country', where, outcome([], 0))).toEqual({
      message: 'lookup of res.country where [["code","=like","B%"]] found no record',
      hint: 'a lookup must match exactly one existing res.country record: fix the domain, or create the record first',
    });
    expect(lookupProblem('res.country', where, outcome([20, 21], 3))).toEqual({
      message: 'lookup of res.country where [["code","=like","B%"]] found 3 records',
      hint: 'a lookup must match exactly one record: make the domain more precise',
    });
    expect(lookupProblem('res.country', where, outcome([20, 21], undefined))).toEqual(
      lookupFoundSeveral('res.country', where),
    );
    expect(lookupFoundSeveral('res.country', where).message).toBe(
      'lookup of res.country where [["code","=like","B%"]] found several records',
    );
    expect(lookupProblem('res.country', where, outcome([20], 1))).toBeUndefined();
  });
});
