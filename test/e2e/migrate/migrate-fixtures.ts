/** Migration plans shared by the `zenoo migrate` end-to-end tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OdooClient } from '../../../src/client/odoo-client.js';
import type { Sandbox, SandboxOptions } from '../../../src/sandbox/index.js';
import { startCanarySandbox } from '../../chaos/chaos-core.mjs';
import { clientFor, targetFlags } from './migrate-helpers.js';
import type { Credential } from './migrate-helpers.js';

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

/** A started canary target: the sandbox, a client on it, the CLI flags to reach it, and how to stop it. */
export interface Target {
  readonly sandbox: Sandbox;
  readonly client: OdooClient;
  readonly flags: string[];
  /** Closes the client and the sandbox and removes its data file. */
  stop(): Promise<void>;
}

/**
 * A canary sandbox on port 0 (admin/admin does not log in), a client on it and the CLI flags giving its password or
 * API key. Its data file lives in a directory of its own, outside the scanned project directories (it holds the
 * credentials on purpose).
 */
export async function start(credential: Credential = 'password', options: SandboxOptions = {}): Promise<Target> {
  const home = await mkdtemp(join(tmpdir(), 'zenoo-migrate-target-'));
  const sandbox = await startCanarySandbox(join(home, 'target.sqlite'), options);
  const client = clientFor(sandbox);
  return {
    sandbox,
    client,
    flags: targetFlags(sandbox, credential),
    async stop() {
      client.close();
      await sandbox.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
