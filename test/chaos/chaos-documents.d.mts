/** Types of chaos-documents.mjs (the documents-with-lines campaign of the crash proof). */
import type { OdooClient } from '../../src/client/odoo-client.js';
import type { Campaign, CanonicalDump } from './chaos-core.mjs';

/** The orders the target starts with, and their lines as [product code, quantity]. */
export declare const SEEDED_ORDERS: readonly { readonly ref: string; readonly lines: readonly [string, number][] }[];
export declare function createDocumentsTarget(file: string): Promise<void>;
export declare function documentsDump(client: OdooClient): Promise<CanonicalDump>;
export declare function documentDuplicates(dump: CanonicalDump): string[];
export declare const DOCUMENTS_CAMPAIGN: Campaign;
