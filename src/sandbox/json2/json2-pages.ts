/**
 * The two HTML answers of Odoo 19.0 around the JSON-2 API (byte for byte as captured in
 * test/fixtures/odoo/wire-odoo-19.0-json2.txt): no database selected, and a body that is not JSON.
 *
 * @packageDocumentation
 */

/**
 * HTTP 404 page when `X-Odoo-Database` names a database the server does not serve (Odoo's `--db-filter` rejects it):
 * no database is selected, so no database route (such as `/json/2/...`) exists.
 */
export const NO_DATABASE_PAGE =
  '<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
  '<p>No database is selected and the requested URL was not found in the server-wide controllers.</p>\n' +
  '<p>Please verify the hostname, <a href=/web/login>login</a> and try again.</p>\n\n' +
  '<!-- Alternatively, use the X-Odoo-Database header. -->\n';

/** HTTP 415 page when `/json/2/<model>/<method>` gets a body whose Content-Type is not `application/json`. */
export const JSON2_UNSUPPORTED_MEDIA_TYPE_PAGE =
  '<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n<h1>Unsupported Media Type</h1>\n' +
  '<p>Request inferred type is compatible with [&#39;http&#39;] but ' +
  '&#39;/json/2/&lt;__model__&gt;/&lt;__method__&gt;&#39; is type=&#39;json2&#39;.' +
  '<br><br>Please verify the Content-Type request header and try again.</p>\n';
