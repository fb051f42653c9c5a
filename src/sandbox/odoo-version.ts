/**
 * The server version the sandbox reports: Odoo 17.0 community, exactly as `common.version` answers in the captured
 * exchanges.
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

/** What the sandbox answers to `common.version` (Odoo 17.0). */
export const SANDBOX_ODOO_VERSION: OdooVersionInfo = Object.freeze({
  server_version: '17.0',
  server_version_info: Object.freeze([17, 0, 0, 'final', 0, '']) as unknown as OdooVersionInfo['server_version_info'],
  server_serie: '17.0',
  protocol_version: 1,
});
