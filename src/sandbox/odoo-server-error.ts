/**
 * The exception the sandbox's ORM raises, mirroring a Python exception on a real Odoo server.
 *
 * The HTTP layer turns it into Odoo's JSON-RPC error envelope:
 * `{"code": 200, "message": "Odoo Server Error", "data": {"name", "debug", "message", "arguments", "context"}}`.
 *
 * @packageDocumentation
 */

/** A server-side fault with Odoo's exception name and message, e.g. `odoo.exceptions.MissingError`. */
export class OdooServerError extends Error {
  /** Fully qualified Python exception name, sent as `error.data.name`. */
  readonly odooName: string;
  /** Exception arguments, sent as `error.data.arguments` (defaults to `[message]`). */
  readonly odooArguments: readonly unknown[];

  constructor(odooName: string, message: string, odooArguments: readonly unknown[] = [message]) {
    super(message);
    this.name = 'OdooServerError';
    this.odooName = odooName;
    this.odooArguments = odooArguments;
  }

  /** The last line of the traceback a real server would print, used for `error.data.debug`. */
  get debugLine(): string {
    const shortName = this.odooName.startsWith('builtins.') ? this.odooName.slice('builtins.'.length) : this.odooName;
    return `${shortName}: ${this.message}`;
  }
}
