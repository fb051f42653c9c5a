/**
 * The server versions the sandbox can report: Odoo 17.0 and 19.0 community, exactly as `common.version` answers in
 * the captured exchanges (test/fixtures/odoo/wire-odoo-17.0.txt, wire-odoo-19.0-json2.txt).
 *
 * @packageDocumentation
 */

/** The result of `common.version` and `/web/webclient/version_info`. */
export interface OdooVersionInfo {
  readonly server_version: string;
  readonly server_version_info: readonly [number, number, number, string, number, string];
  readonly server_serie: string;
  readonly protocol_version: number;
}

function versionInfo(major: number): OdooVersionInfo {
  return Object.freeze({
    server_version: `${major}.0`,
    server_version_info: Object.freeze([
      major,
      0,
      0,
      'final',
      0,
      '',
    ]) as unknown as OdooVersionInfo['server_version_info'],
    server_serie: `${major}.0`,
    protocol_version: 1,
  });
}

/** What the sandbox answers to `common.version` by default (Odoo 17.0). */
export const SANDBOX_ODOO_VERSION: OdooVersionInfo = versionInfo(17);

/** What a sandbox started with `odooVersion: '19.0'` answers to `common.version` (Odoo 19.0). */
export const SANDBOX_ODOO_19_VERSION: OdooVersionInfo = versionInfo(19);
