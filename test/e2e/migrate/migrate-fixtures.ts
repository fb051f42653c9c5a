/** Migration plans shared by the `zenoo migrate` end-to-end tests. */
import type { OdooClient } from '../../../src/client/odoo-client.js';
import { startSandbox } from '../../../src/sandbox/start-sandbox.js';
import type { Sandbox } from '../../../src/sandbox/start-sandbox.js';
import { clientFor, targetFlags } from './migrate-helpers.js';

/** Upserts the tags of data/tags.csv. */
export const TAGS = `version: 1
name: mig-tags
steps:
  - id: tags
    model: res.partner.category
    action: upsert
    key: [name]
    records: { file: data/tags.csv }
`;

/** Upserts three companies tagged Gold (a lookup of a tag 0001 creates). */
export const COMPANIES = `version: 1
name: mig-companies
defaults: { chunk_size: 2 }
steps:
  - id: companies
    model: res.partner
    action: upsert
    key: [ref]
    records: [{ ref: M1, name: Mig One }, { ref: M2, name: Mig Two }, { ref: M3, name: Mig Three }]
    values:
      is_company: true
      category_id: { set: [{ lookup: { model: res.partner.category, where: [[name, "=", Gold]] } }] }
`;

/** Archives company M3. */
export const ARCHIVE = `version: 1
name: mig-archive
steps:
  - id: archive
    model: res.partner
    action: update
    where: [[ref, "=", M3]]
    values: { active: false }
`;

/** A sandbox on port 0, a client on it and the CLI flags to reach it. */
export async function start(): Promise<{ sandbox: Sandbox; client: OdooClient; flags: string[] }> {
  const sandbox = await startSandbox({ port: 0 });
  return { sandbox, client: clientFor(sandbox), flags: targetFlags(sandbox) };
}
