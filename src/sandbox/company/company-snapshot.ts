/**
 * The company snapshot shipped with the package: `fields_get`, `default_get` and `_inherits` of 37 business models
 * of a real Odoo 17.0 company database (sale_management, stock, purchase, mrp, crm, hr, project, account).
 *
 * @packageDocumentation
 */

import { readFileSync } from 'node:fs';

/** One field as the snapshot's `fields_get` describes it. */
export interface SnapshotField {
  readonly type: string;
  readonly string: string;
  readonly required?: boolean;
  readonly readonly?: boolean;
  readonly store?: boolean;
  readonly relation?: string;
  readonly relation_field?: string;
  readonly selection?: readonly (readonly [string, string])[];
  readonly company_dependent?: boolean;
  readonly depends?: readonly string[];
  readonly related?: string;
  readonly translate?: boolean;
}

/** One model of the snapshot. */
export interface SnapshotModel {
  /** `_description`. */
  readonly description: string;
  /** `_inherits` parents (`ir.model.inherited_model_ids`). */
  readonly inherits: readonly string[];
  /** `default_get` of every field. */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** `fields_get`, in its order. */
  readonly fields: Readonly<Record<string, SnapshotField>>;
}

/** The snapshot file's content. */
export interface CompanySnapshot {
  /** Server version, e.g. `17.0`. */
  readonly server: string;
  /** Installed modules. */
  readonly modules: Readonly<Record<string, unknown>>;
  /** Models by name. */
  readonly models: Readonly<Record<string, SnapshotModel>>;
}

/** Where the snapshot lives: beside this module, in src and in dist (the build copies it). */
export const COMPANY_SNAPSHOT_URL = new URL('./fields-odoo-17.0-company.json', import.meta.url);

let cached: CompanySnapshot | undefined;

/** The company snapshot, read once per process. */
export function companySnapshot(): CompanySnapshot {
  cached ??= JSON.parse(readFileSync(COMPANY_SNAPSHOT_URL, 'utf8')) as CompanySnapshot;
  return cached;
}
