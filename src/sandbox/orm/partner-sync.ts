/**
 * res.partner's derived data, as Odoo 17.0 maintains it:
 *
 * - `complete_name` (the display name): `Company, Contact` for a contact with a parent, the address type's label for
 *   an unnamed address;
 * - contacts of type `contact` share their parent's address (copied when the parent is set, pushed down when the
 *   company's address changes);
 * - contacts take the VAT number of their commercial entity (the nearest company up the hierarchy).
 *
 * @packageDocumentation
 */

import type { HookStore } from './model-types.js';
import type { SqlValue } from './field-values.js';
import { PARTNER_ADDRESS_FIELDS, PARTNER_TYPES } from './models/res-partner.js';
import { validationError } from './orm-errors.js';

/** The columns complete_name and the syncs depend on. */
interface PartnerRow {
  readonly id: number;
  readonly name: string | null;
  readonly type: string | null;
  readonly is_company: number | null;
  readonly parent_id: number | null;
  readonly vat: string | null;
  readonly street: string | null;
  readonly street2: string | null;
  readonly zip: string | null;
  readonly city: string | null;
  readonly country_id: number | null;
}

const SELECT_PARTNER =
  'SELECT id, name, type, is_company, parent_id, vat, street, street2, zip, city, country_id FROM res_partner WHERE id = ?';

function getPartner(store: HookStore, id: number | null | undefined): PartnerRow | undefined {
  if (id === null || id === undefined) return undefined;
  return store.statement(SELECT_PARTNER).get(id) as PartnerRow | undefined;
}

/** The commercial entity above a partner whose parent is `parentId`: the nearest company, else the root. */
function commercialOf(store: HookStore, parent: PartnerRow): PartnerRow {
  let current = parent;
  const seen = new Set<number>();
  while (!current.is_company && current.parent_id !== null && !seen.has(current.id)) {
    seen.add(current.id);
    const next = getPartner(store, current.parent_id);
    if (!next) break;
    current = next;
  }
  return current;
}

/** Odoo's `_get_complete_name` for a partner with these values. */
export function partnerCompleteName(
  store: HookStore,
  values: { name?: SqlValue; type?: SqlValue; is_company?: SqlValue; parent_id?: SqlValue },
): string {
  let name = typeof values.name === 'string' ? values.name : '';
  const parent = typeof values.parent_id === 'number' ? getPartner(store, values.parent_id) : undefined;
  if (parent) {
    if (!name && values.type !== 'contact') {
      name = PARTNER_TYPES.find(([key]) => key === values.type)?.[1] ?? '';
    }
    if (!values.is_company) {
      const commercial = commercialOf(store, parent);
      const companyName = commercial.is_company ? commercial.name : null;
      name = `${companyName || parent.name || ''}, ${name}`;
    }
  }
  return name.trim();
}

/** Fills a new partner's derived columns (address and VAT from its parent, complete_name) before it is inserted. */
export function preparePartnerInsert(store: HookStore, row: Record<string, SqlValue>): void {
  const parent = typeof row['parent_id'] === 'number' ? getPartner(store, row['parent_id']) : undefined;
  if (parent) {
    if (row['type'] === 'contact' && PARTNER_ADDRESS_FIELDS.some((f) => parent[f as keyof PartnerRow] !== null)) {
      for (const f of PARTNER_ADDRESS_FIELDS) row[f] = parent[f as keyof PartnerRow];
    }
    if (!row['is_company']) row['vat'] = commercialOf(store, parent).vat;
  }
  row['complete_name'] = partnerCompleteName(store, row);
}

/** Refuses a parent that would make a cycle (`message` is the model's own text). */
export function checkNoCycle(
  store: HookStore,
  table: string,
  ids: readonly number[],
  parentId: number,
  message: string,
): void {
  const parentOf = store.statement(`SELECT parent_id FROM ${table} WHERE id = ?`);
  for (const id of ids) {
    let current: number | null = parentId;
    const seen = new Set<number>();
    while (current !== null && !seen.has(current)) {
      if (current === id) throw validationError(message);
      seen.add(current);
      const row = parentOf.get(current) as { parent_id: number | null } | undefined;
      current = row?.parent_id ?? null;
    }
  }
}

/** Ids of `ids` and all their descendants. */
function withDescendants(store: HookStore, ids: readonly number[]): number[] {
  const rows = store
    .statement(
      'WITH RECURSIVE h(id) AS (SELECT value FROM json_each(?) UNION SELECT p.id FROM res_partner p JOIN h ON p.parent_id = h.id) SELECT id FROM h',
    )
    .all(JSON.stringify(ids)) as { id: number }[];
  return rows.map((r) => r.id);
}

/** Recomputes complete_name of `ids` and of everything below them. */
export function refreshCompleteNames(store: HookStore, ids: readonly number[]): void {
  const update = store.statement('UPDATE res_partner SET complete_name = ? WHERE id = ?');
  for (const id of withDescendants(store, ids)) {
    const row = getPartner(store, id);
    if (row) update.run(partnerCompleteName(store, row), id);
  }
}

function pushDown(
  store: HookStore,
  ids: readonly number[],
  values: Record<string, SqlValue>,
  contactsOnly: boolean,
): void {
  const columns = Object.keys(values);
  if (columns.length === 0 || ids.length === 0) return;
  const filter = contactsOnly ? "type = 'contact'" : 'COALESCE(is_company, 0) = 0';
  const children = store.statement(
    `SELECT id FROM res_partner WHERE parent_id IN (SELECT value FROM json_each(?)) AND ${filter}`,
  );
  const update = store.statement(
    `UPDATE res_partner SET ${columns.map((c) => `"${c}" = ?`).join(', ')} WHERE id IN (SELECT value FROM json_each(?))`,
  );
  const seen = new Set<number>(ids);
  let level = [...ids];
  while (level.length > 0) {
    const next = (children.all(JSON.stringify(level)) as { id: number }[])
      .map((r) => r.id)
      .filter((id) => !seen.has(id));
    if (next.length === 0) break;
    for (const id of next) seen.add(id);
    update.run(...columns.map((c) => values[c] as SqlValue), JSON.stringify(next));
    level = next;
  }
}

/** Applies Odoo's partner syncs after `row` was written to `ids`. */
export function afterPartnerWrite(
  store: HookStore,
  ids: readonly number[],
  row: Readonly<Record<string, SqlValue>>,
): void {
  const pushed: Record<string, SqlValue> = {};
  for (const f of PARTNER_ADDRESS_FIELDS) if (f in row) pushed[f] = row[f] as SqlValue;
  if ('parent_id' in row || row['type'] === 'contact') {
    for (const id of ids) {
      const partner = getPartner(store, id);
      const parent = getPartner(store, partner?.parent_id);
      if (!partner || !parent) continue;
      const pulled: Record<string, SqlValue> = {};
      if (partner.type === 'contact' && PARTNER_ADDRESS_FIELDS.some((f) => parent[f as keyof PartnerRow] !== null)) {
        for (const f of PARTNER_ADDRESS_FIELDS) pulled[f] = parent[f as keyof PartnerRow];
      }
      if ('parent_id' in row && !partner.is_company) pulled['vat'] = commercialOf(store, parent).vat;
      const columns = Object.keys(pulled);
      if (columns.length > 0) {
        store
          .statement(`UPDATE res_partner SET ${columns.map((c) => `"${c}" = ?`).join(', ')} WHERE id = ?`)
          .run(...columns.map((c) => pulled[c] as SqlValue), id);
        const address: Record<string, SqlValue> = {};
        for (const f of PARTNER_ADDRESS_FIELDS) if (f in pulled) address[f] = pulled[f] as SqlValue;
        pushDown(store, [id], address, true);
        if ('vat' in pulled) pushDown(store, [id], { vat: pulled['vat'] as SqlValue }, false);
      }
    }
  }
  pushDown(store, ids, pushed, true);
  if ('vat' in row) pushDown(store, ids, { vat: row['vat'] as SqlValue }, false);
  if ('name' in row || 'parent_id' in row || 'is_company' in row || 'type' in row) refreshCompleteNames(store, ids);
}
